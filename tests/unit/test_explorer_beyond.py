"""Chapter 15's explorer: Newton-Schulz iterations and the singular values of Muon's update."""

import numpy as np
import pytest

from optimlite import explorers
from optimlite.explorers.beyond import POLYNOMIALS, iterate_polynomial, spread_matrix
from optimlite.muon import newton_schulz


def test_spread_matrix_has_the_asked_singular_values():
    g = spread_matrix((8, 12), decades=2.0, seed=1)
    np.testing.assert_allclose(np.linalg.svd(g, compute_uv=False), np.logspace(0, -2, 8))


@pytest.mark.parametrize("name", list(POLYNOMIALS))
def test_the_curve_is_what_newton_schulz_does_to_each_singular_value(name):
    g = spread_matrix((6, 10), decades=3.0)
    s = np.linalg.svd(g / np.linalg.norm(g), compute_uv=False)
    for k in (0, 1, 5):
        after = np.linalg.svd(newton_schulz(g, POLYNOMIALS[name], k), compute_uv=False)
        expected = np.sort(np.abs(iterate_polynomial(s, POLYNOMIALS[name], k)))[::-1]
        np.testing.assert_allclose(after, expected, rtol=1e-9, atol=1e-12)


def test_jordan_quintic_lifts_small_values_fastest_but_does_not_settle_at_one():
    s = np.array([1e-3, 1e-2, 0.5, 1.0])
    jordan = iterate_polynomial(s, POLYNOMIALS["Jordan's quintic"], 5)
    cubic = iterate_polynomial(s, POLYNOMIALS["classic cubic"], 5)
    assert jordan[0] > 20 * cubic[0]
    assert abs(jordan[3] - 1.0) > 0.1 and cubic[3] == pytest.approx(1.0)


def small():
    return explorers.orthogonalize(ns_steps=(0, 5), shape=(8, 12))


def test_moving_a_slider_changes_the_frame_and_the_caption():
    ex = small()
    first = ex.frame(ns_steps=0, polynomial="Jordan's quintic")
    assert "k = 0" in ex.caption and "largest / smallest 1e+03" in ex.caption
    assert ex.frame(ns_steps=5, polynomial="Jordan's quintic") != first
    assert ex.frame(ns_steps=5, polynomial="classic cubic") != first
    assert "slope 1.5 at 0, φ(1) = 1" in ex.caption
    assert ex.errors == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"ns_steps": (-1, 2)}, "ns_steps"),
        ({"ns_steps": ()}, "ns_steps"),
        ({"polynomials": ("septic",)}, "polynomials"),
        ({"shape": (3,)}, "shape"),
        ({"decades": 0.0}, "decades"),
    ],
)
def test_bad_arguments_raise_a_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        explorers.orthogonalize(**kwargs)
