"""Chapter 13's explorer: the exploding network, clipped runs, and the clipping explorer."""

import math

import numpy as np
import pytest

from optimlite import explorers, problems
from optimlite.explorers.clipping import (
    CHANCE_LOSS,
    clipped_run,
    deep_mlp_logits,
    deep_mlp_loss_and_grad,
    init_exploding_mlp,
    moving_average,
)


@pytest.fixture(scope="module")
def digits():
    return problems.load_digits()


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(1)
    p = init_exploding_mlp(depth=3, width=5, gain=1.0, n_features=4, n_classes=3,
                           dtype=np.float64)  # fmt: skip
    X, y = rng.normal(size=(7, 4)), rng.integers(0, 3, 7)
    _, g = deep_mlp_loss_and_grad(p, X, y)
    for key in ("W0", "b1", "W3"):
        i = (0,) * p[key].ndim
        old, h = p[key][i], 1e-6
        p[key][i] = old + h
        up = deep_mlp_loss_and_grad(p, X, y)[0]
        p[key][i] = old - h
        down = deep_mlp_loss_and_grad(p, X, y)[0]
        p[key][i] = old
        assert g[key][i] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-9)
    assert deep_mlp_logits(p, X).shape == (7, 3)


def test_gain_scales_the_first_gradient_norm(digits):
    X, y = digits.X_train[:64], digits.y_train[:64]

    def norm(gain):
        _, g = deep_mlp_loss_and_grad(init_exploding_mlp(gain=gain), X, y)
        return math.sqrt(sum(float(np.sum(v.astype(float) ** 2)) for v in g.values()))

    assert norm(1.6) > 30 * norm(1.0)


def test_without_clipping_it_diverges_and_clipping_trains(digits):
    steps = 120
    free = clipped_run(0.03, None, steps=steps, digits=digits)
    assert free.diverged_at is not None and math.isnan(free.accuracy)
    by_norm = clipped_run(0.03, "norm", max_norm=1.0, steps=steps, digits=digits)
    by_value = clipped_run(0.03, "value", clip_value=0.1, steps=steps, digits=digits)
    for run in (by_norm, by_value):
        assert run.diverged_at is None and len(run.norms) == steps
        # it learns: below the chance level, far below its start, well above 10 % accuracy
        assert np.mean(run.losses[-10:]) < CHANCE_LOSS
        assert np.mean(run.losses[-10:]) < np.mean(run.losses[:10]) / 10
        assert run.accuracy > 0.5
    np.testing.assert_allclose(free.norms[0], by_norm.norms[0])  # same start, same batch


def test_moving_average():
    np.testing.assert_allclose(moving_average([1.0, 3.0, 5.0, 7.0], 2), [1, 2, 4, 6])


def test_moving_a_slider_changes_the_frame_and_the_caption():
    ex = explorers.clipping(lrs=(0.01, 0.03), max_norms=(1.0, 10.0), steps=20)
    first = ex.frame(lr=0.03, max_norm=1.0)
    assert "no clipping: diverged at step" in ex.caption
    assert ex.frame(lr=0.03, max_norm=10.0) != first
    assert ex.frame(lr=0.01, max_norm=1.0) != first
    assert ex.errors == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"lrs": (0.0, 0.1)}, "lrs"),
        ({"max_norms": (-1.0,)}, "max_norms"),
        ({"max_norms": (float("inf"),)}, "max_norms"),
        ({"steps": 3}, "steps"),
        ({"gain": 0.0}, "gain"),
    ],
)
def test_bad_arguments_raise_a_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        explorers.clipping(**kwargs)


def test_bad_run_arguments(digits):
    with pytest.raises(ValueError, match="clip"):
        clipped_run(0.1, "both", digits=digits)
    with pytest.raises(ValueError, match="lr"):
        clipped_run(-0.1, digits=digits)
