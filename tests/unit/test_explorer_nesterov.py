"""Chapter 5's explorer (heavy ball vs Nesterov along one direction) and its measurements."""

import numpy as np
import pytest

from optimlite import SGD, NesterovMomentum, explorers
from optimlite.explorers.momentum import spectral_radius
from optimlite.explorers.nesterov import contraction_rate, overshoot_of, run_1d


def recurrence(h, beta, nesterov, steps):
    """p_t from the characteristic recurrences (independent of the optimizers):
    heavy ball p' = (1 + β - h) p - β p_prev, Nesterov p' = (1 + β)(1 - h) p - β(1 - h) p_prev,
    with the first step of both being the plain gradient step p_1 = ... from b_0 = 0."""
    first = 1 - h * (1 + beta) if nesterov else 1 - h  # b_1 = g_1 = p_0
    p = [1.0, first]
    a, c = ((1 + beta) * (1 - h), beta * (1 - h)) if nesterov else (1 + beta - h, beta)
    for _ in range(steps - 1):
        p.append(a * p[-1] - c * p[-2])
    return np.array(p)


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("h, beta", [(0.1, 0.9), (0.5, 0.7), (1.3, 0.9), (0.01, 0.5)])
def test_run_1d_follows_the_characteristic_recurrence(h, beta, nesterov):
    cls = NesterovMomentum if nesterov else SGD
    run = run_1d(cls(lr=h, momentum=beta), steps=60)
    assert np.all(run.path[:, 1] == 0.0)
    np.testing.assert_allclose(run.path[:, 0], recurrence(h, beta, nesterov, 60), atol=1e-12)


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("h, beta", [(0.003, 0.9), (0.1, 0.9), (0.5, 0.8), (0.9, 0.95)])
def test_measured_rate_is_the_spectral_radius(h, beta, nesterov):
    cls = NesterovMomentum if nesterov else SGD
    measured = contraction_rate(run_1d(cls(lr=h, momentum=beta), steps=300))
    assert measured == pytest.approx(spectral_radius(h, beta, [1.0], nesterov=nesterov), abs=2e-3)


def test_a_diverging_run_measures_above_one_and_overshoots_infinitely():
    run = run_1d(NesterovMomentum(lr=2.0, momentum=0.9), steps=300)
    assert run.diverged
    assert contraction_rate(run) > 1.5
    assert overshoot_of(run) == float("inf")


def test_overshoot_is_the_deepest_point_past_the_minimum():
    assert overshoot_of(run_1d(SGD(lr=0.5), steps=50)) == 0.0  # monotone
    p = recurrence(0.1, 0.9, False, 200)
    assert overshoot_of(run_1d(SGD(lr=0.1, momentum=0.9), steps=200)) == pytest.approx(-p.min())
    # the chapter's regime: at moderate h the lookahead overshoots less, at h = 1.3 more
    for h, nesterov_less in [(0.1, True), (0.5, True), (1.3, False)]:
        hb = overshoot_of(run_1d(SGD(lr=h, momentum=0.9)))
        nag = overshoot_of(run_1d(NesterovMomentum(lr=h, momentum=0.9)))
        assert (nag < hb) == nesterov_less


def small():
    return explorers.overshoot(hs=(0.1, 1.0, 2.0), betas=(0.5, 0.9), steps=100, shown=40)


def test_moving_a_slider_changes_the_frame_and_the_marker():
    ex = small()
    first = ex.frame(h=0.1, beta=0.9)
    assert list(ex.scene.marker.get_xdata()) == [0.1, 0.1]
    assert ex.frame(h=1.0, beta=0.9) != first
    assert list(ex.scene.marker.get_xdata()) == [1.0, 1.0]
    assert ex.frame(h=1.0, beta=0.5) != ex.frame(h=1.0, beta=0.9)
    assert ex.errors == []


def test_dots_show_the_measured_rates_and_the_caption_both_numbers():
    ex = small()
    ex.frame(h=0.1, beta=0.9)
    runs = ex.scene.runs(0.1, 0.9)
    for name in ("heavy ball", "Nesterov"):
        x, y = ex.scene.dots[name].get_data()
        assert x[0] == 0.1 and y[0] == pytest.approx(contraction_rate(runs[name]))
        theory = spectral_radius(0.1, 0.9, [1.0], nesterov=name == "Nesterov")
        assert f"(theory {theory:.3f})" in ex.caption


def test_past_nesterovs_limit_only_nesterov_is_labelled_diverged():
    ex = small()
    ex.frame(h=2.0, beta=0.9)  # limit (2 + 2β)/(1 + 2β) = 1.357 < 2 < 2 + 2β = 3.8
    assert "Nesterov: diverged at step" in ex.caption
    assert "heavy ball: diverged" not in ex.caption
    assert ex.scene.notes["Nesterov"].get_text().startswith("Nesterov: diverged")
    assert ex.scene.notes["heavy ball"].get_text() == ""


def test_theory_curve_crosses_one_at_the_stability_limits():
    ex = small()
    scene = ex.scene
    for beta in (0.5, 0.9):
        h = scene.h_curve
        nag, hb = scene.curve(beta, True), scene.curve(beta, False)
        limit = (2 + 2 * beta) / (1 + 2 * beta)
        assert np.all(nag[h < limit * 0.99] < 1) and np.all(nag[h > limit * 1.01] > 1)
        assert np.all(hb[h < min(2 + 2 * beta, h[-1]) * 0.99] < 1)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"betas": (0.0, 0.9)}, "betas"),
        ({"betas": (0.9, 1.0)}, "betas"),
        ({"hs": (0.0, 0.1)}, "hs"),
        ({"hs": (float("nan"), 0.1)}, "hs"),
        ({"hs": ("fast",)}, "hs must be a sequence of numbers"),
        ({"steps": 50, "shown": 80}, "shown"),
        ({"steps": 5}, "steps"),
    ],
)
def test_bad_arguments_raise_a_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        explorers.overshoot(**kwargs)
