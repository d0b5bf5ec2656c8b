"""Chapter 9's explorer (Adam + L2 vs AdamW on a bowl with two gradient scales) and its
measurement of the decay each coordinate receives."""

import numpy as np
import pytest

from optimlite import Adam, AdamW, explorers
from optimlite.explorers.weight_decay import (
    decay_share,
    decay_share_run,
    l2_minimum,
    two_scale_bowl,
)


def test_bowl_gradient_matches_finite_differences_and_minimum():
    bowl = two_scale_bowl((100.0, 0.01), (1.0, 1.0))
    x, y, h = 1.7, 0.3, 1e-6
    gx, gy = bowl.grad(x, y)
    assert gx == pytest.approx((bowl.f(x + h, y) - bowl.f(x - h, y)) / (2 * h), rel=1e-6)
    assert gy == pytest.approx((bowl.f(x, y + h) - bowl.f(x, y - h)) / (2 * h), rel=1e-6)
    assert bowl.f(1.0, 1.0) == 0.0 and bowl.grad(1.0, 1.0) == (0.0, 0.0)


def test_decoupled_decay_share_is_exactly_one():
    rng = np.random.default_rng(0)
    opt = AdamW(lr=0.01, weight_decay=0.1)
    p = {"w": rng.normal(size=5)}
    for _ in range(3):  # some state first
        opt.update(p, {"w": rng.normal(size=5)})
    share = decay_share(opt, p, {"w": rng.normal(size=5) * 100})["w"]
    np.testing.assert_allclose(share, 1.0, rtol=1e-9)


def test_l2_share_at_the_first_step_follows_the_sign_rule():
    # t = 1: Adam's step is lr * sign(g + λθ) (ε negligible), so the decay's part of the step is
    # lr * (sign(g + λθ) - sign(g)): zero when λθ does not flip the sign, and large when it does.
    opt = Adam(lr=0.1, weight_decay=0.5)
    p = {"w": np.array([1.0, 1.0])}
    g = {"w": np.array([5.0, -0.1])}  # λθ = 0.5: no flip on the first, flip on the second
    share = decay_share(opt, p, g)["w"]
    nominal = -0.1 * 0.5 * 1.0
    expected = [0.0, -0.1 * (np.sign(-0.1 + 0.5) - np.sign(-0.1)) / nominal]
    np.testing.assert_allclose(share, expected, atol=1e-6)


def test_decay_share_changes_nothing_it_is_given():
    opt = Adam(lr=0.1, weight_decay=0.1)
    p = {"w": np.array([1.0, -2.0])}
    opt.update(p, {"w": np.array([0.5, 0.5])})
    before, state = p["w"].copy(), opt.state_dict()
    decay_share(opt, p, {"w": np.array([1.0, 1.0])})
    np.testing.assert_array_equal(p["w"], before)
    np.testing.assert_array_equal(opt.state["w"]["exp_avg"], state["state"]["w"]["exp_avg"])
    assert opt.t == state["t"]


def test_run_follows_the_plain_optimizer_and_l2_decays_the_steep_coordinate_less():
    bowl = two_scale_bowl()
    path, shares = decay_share_run(Adam(lr=0.03, weight_decay=0.1), bowl, (2.0, 2.0), 100)
    plain = Adam(lr=0.03, weight_decay=0.1)
    p = {"xy": np.array([2.0, 2.0])}
    for _ in range(100):
        plain.update(p, {"xy": np.array(bowl.grad(*p["xy"]))})
    np.testing.assert_allclose(path[-1], p["xy"], rtol=1e-12)
    assert shares.shape == (100, 2) and path.shape == (101, 2)
    median = np.median(np.abs(shares), axis=0)
    assert median[0] < 0.05 < 0.5 < median[1]
    _, w_shares = decay_share_run(AdamW(lr=0.03, weight_decay=0.1), bowl, (2.0, 2.0), 100)
    np.testing.assert_allclose(w_shares, 1.0, rtol=1e-8)


def test_zero_decay_has_no_share_to_measure():
    with pytest.raises(ValueError, match="weight_decay"):
        decay_share(Adam(lr=0.1), {"w": np.ones(2)}, {"w": np.ones(2)})


def test_l2_minimum_is_the_regularised_optimum():
    bowl = two_scale_bowl((100.0, 0.01), (1.0, 1.0))
    x, y = l2_minimum((100.0, 0.01), (1.0, 1.0), 0.1)
    gx, gy = bowl.grad(x, y)
    assert gx + 0.1 * x == pytest.approx(0.0, abs=1e-12)
    assert gy + 0.1 * y == pytest.approx(0.0, abs=1e-12)


def small():
    return explorers.weight_decay(lrs=(0.03, 0.3), weight_decays=(0.1, 1.0), steps=40)


def test_moving_a_slider_changes_the_frame_and_the_caption():
    ex = small()
    first = ex.frame(lr=0.03, weight_decay=0.1)
    assert "AdamW: median share x 1, y 1" in ex.caption
    assert ex.frame(lr=0.03, weight_decay=1.0) != first
    assert ex.frame(lr=0.3, weight_decay=0.1) != first
    x, y = ex.scene.l2_min.get_data()
    assert (x[0], y[0]) == pytest.approx(tuple(l2_minimum((100.0, 0.01), (1.0, 1.0), 0.1)))
    assert ex.errors == []


def test_a_diverging_run_is_drawn_and_labelled():
    # curvatures far apart and a huge rate: Adam's step stays bounded, so push with a decay that
    # makes AdamW's factor 1 - ηλ = -9 (|·| > 1): the weights blow up and the run stops.
    ex = explorers.weight_decay(lrs=(10.0,), weight_decays=(1.0,), steps=40)
    ex.frame(lr=10.0, weight_decay=1.0)
    assert ex.errors == []
    assert "AdamW: diverged at step" in ex.scene.paths["AdamW"].note.get_text()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"lrs": (0.0, 0.1)}, "lrs"),
        ({"weight_decays": (-1.0,)}, "weight_decays"),
        ({"weight_decays": (float("nan"),)}, "weight_decays"),
        ({"curvatures": (1.0,)}, "curvatures"),
        ({"steps": 3}, "steps"),
    ],
)
def test_bad_arguments_raise_a_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        explorers.weight_decay(**kwargs)
