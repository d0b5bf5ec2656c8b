"""Gradient clipping against torch.nn.utils.clip_grad_norm_ / clip_grad_value_."""

import math

import numpy as np
import pytest
import torch

from optimlite.clip import clip_grad_norm, clip_grad_value


def make_grads(dtype, scale=1.0, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "W": (rng.standard_normal((13, 7)) * scale).astype(dtype),
        "b": (rng.standard_normal(7) * scale).astype(dtype),
        "s": np.array(rng.standard_normal() * scale, dtype=dtype),  # a 0-d parameter
    }


def torch_clip(grads, max_norm, norm_type):
    params = []
    for g in grads.values():
        p = torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype, requires_grad=True)
        p.grad = torch.from_numpy(g.copy())
        params.append(p)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    return float(total), [p.grad.numpy() for p in params]


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf, "inf"])
@pytest.mark.parametrize("scale, max_norm", [(10.0, 1.0), (0.01, 1.0), (1.0, 0.0), (3.0, 5.0)])
def test_matches_torch_float64(norm_type, scale, max_norm):
    grads = make_grads(np.float64, scale)
    total_t, clipped_t = torch_clip(grads, max_norm, norm_type)
    total = clip_grad_norm(grads, max_norm, norm_type=norm_type)
    assert type(total) is float
    assert total == pytest.approx(total_t, rel=1e-13)
    for g, gt in zip(grads.values(), clipped_t, strict=True):
        assert g.dtype == np.float64
        np.testing.assert_allclose(g, gt, rtol=1e-12, atol=0)


@pytest.mark.parametrize("norm_type", [2.0, math.inf])
def test_matches_torch_float32_and_keeps_dtype(norm_type):
    grads = make_grads(np.float32, 10.0, seed=3)
    total_t, clipped_t = torch_clip(grads, 1.0, norm_type)
    total = clip_grad_norm(grads, 1.0, norm_type=norm_type)
    assert total == pytest.approx(total_t, rel=1e-6)
    for g, gt in zip(grads.values(), clipped_t, strict=True):
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, gt, rtol=1e-6)


def test_one_norm_over_all_arrays_and_direction_kept():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[0.0], [4.0]])}
    before = {k: v.copy() for k, v in grads.items()}
    total = clip_grad_norm(grads, max_norm=1.0)
    assert total == 5.0
    coef = 1.0 / (5.0 + 1e-6)
    np.testing.assert_array_equal(grads["a"], before["a"] * coef)
    np.testing.assert_array_equal(grads["b"], before["b"] * coef)
    joint = math.hypot(*grads["a"], *grads["b"].ravel())
    assert joint < 1.0 and joint == pytest.approx(1.0, abs=1e-6)


def test_in_place_and_no_change_below_max_norm():
    grads = make_grads(np.float64, 0.1)
    ids = {k: id(v) for k, v in grads.items()}
    views = {k: v for k, v in grads.items()}
    before = {k: v.copy() for k, v in grads.items()}
    total = clip_grad_norm(grads, max_norm=100.0)
    for k in grads:
        assert id(grads[k]) == ids[k]
        np.testing.assert_array_equal(grads[k], before[k])
    clip_grad_norm(grads, max_norm=total / 10)
    for k in grads:
        assert np.shares_memory(grads[k], views[k])
        np.testing.assert_allclose(grads[k], before[k] / 10, rtol=1e-5)


def test_zero_and_empty_gradients():
    grads = {"w": np.zeros((3, 3)), "e": np.zeros(0)}
    assert clip_grad_norm(grads, 1.0) == 0.0
    assert not grads["w"].any()
    assert clip_grad_norm({}, 1.0) == 0.0


def test_non_finite_norm():
    grads = {"w": np.array([1.0, np.inf]), "b": np.array([2.0])}
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm({k: v.copy() for k, v in grads.items()}, 1.0, error_if_nonfinite=True)
    total = clip_grad_norm(grads, 1.0)  # as torch: scaled by 1/inf = 0, so inf * 0 = NaN
    assert total == math.inf
    assert np.isnan(grads["w"][1]) and grads["w"][0] == 0.0 and grads["b"][0] == 0.0


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"max_norm": -1.0}, "max_norm"),
        ({"max_norm": 1.0, "norm_type": 0}, "norm_type"),
        ({"max_norm": 1.0, "norm_type": "two"}, "norm_type"),
        ({"max_norm": 1.0, "error_if_nonfinite": "yes"}, "error_if_nonfinite"),
    ],
)
def test_bad_arguments(kwargs, word):
    with pytest.raises(ValueError, match=word):
        clip_grad_norm(make_grads(np.float64), **kwargs)
    with pytest.raises(ValueError, match="floating-point"):
        clip_grad_norm({"w": [1.0, 2.0]}, 1.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clip_value_matches_torch(dtype):
    grads = make_grads(dtype, 2.0, seed=5)
    params = []
    for g in grads.values():
        p = torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype, requires_grad=True)
        p.grad = torch.from_numpy(g.copy())
        params.append(p)
    torch.nn.utils.clip_grad_value_(params, clip_value=0.5)
    views = dict(grads)
    assert clip_grad_value(grads, 0.5) is None
    for (k, g), p in zip(grads.items(), params, strict=True):
        assert g is views[k] and g.dtype == dtype
        np.testing.assert_array_equal(g, p.grad.numpy())
    assert max(np.abs(g).max() for g in grads.values()) == 0.5
    with pytest.raises(ValueError, match="clip_value"):
        clip_grad_value(grads, -1.0)


def test_half_precision_norm_is_summed_in_float32_like_torch():
    grads = {"g": np.full(1000, 10.0, dtype=np.float16)}  # sum of squares 1e5 > float16 max
    total = clip_grad_norm(grads, max_norm=1.0)
    assert total == pytest.approx(1000**0.5 * 10, rel=1e-6)
    assert grads["g"].dtype == np.float16
    assert np.all(np.isfinite(grads["g"])) and np.all(grads["g"] > 0)


def test_inf_norm_keeps_a_nan_wherever_it_is():
    for order in [(0, 1), (1, 0)]:
        arrays = [np.array([2.0]), np.array([np.nan])]
        grads = {f"g{i}": arrays[j] for i, j in enumerate(order)}
        with pytest.raises(RuntimeError, match="non-finite"):
            clip_grad_norm(grads, 1.0, norm_type="inf", error_if_nonfinite=True)
