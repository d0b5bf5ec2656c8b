"""Reading a landscape (chapter 1): Hessians by central differences, the eigenvalue test and the
critical-point finder, against analytic Hessians and the landscapes' stated points."""

import math

import numpy as np
import pytest

from optimlite import landscapes
from optimlite.landscapes import classify_hessian, critical_points, hessian


def rosenbrock_hessian(x, y, b=100.0):
    return np.array([[2 - 4 * b * (y - 3 * x * x), -4 * b * x], [-4 * b * x, 2 * b]])


@pytest.mark.parametrize("point", [(1.0, 1.0), (-1.2, 0.7), (0.3, -0.4)])
def test_hessian_matches_the_analytic_one(point):
    H = hessian(landscapes.rosenbrock(), *point)
    want = rosenbrock_hessian(*point)
    assert np.allclose(H, want, rtol=1e-7, atol=1e-6)


def test_hessian_is_exactly_symmetric_and_vectorised():
    land = landscapes.himmelblau()
    x, y = np.meshgrid(np.linspace(-4, 4, 7), np.linspace(-3, 3, 5))
    H = hessian(land, x, y)
    assert H.shape == (5, 7, 2, 2)
    assert np.array_equal(H, np.swapaxes(H, -1, -2))
    assert np.allclose(H[2, 3], hessian(land, float(x[2, 3]), float(y[2, 3])))


def test_hessian_of_a_rotated_ravine_has_its_stated_eigenvalues():
    land = landscapes.ill_conditioned_quadratic(kappa=40.0, angle=0.7, lam_min=0.5)
    lam = np.linalg.eigvalsh(hessian(land, 1.3, -2.1))
    assert np.allclose(lam, land.eigenvalues, rtol=1e-8)


def test_hessian_rejects_a_non_positive_step():
    with pytest.raises(ValueError, match="h must be positive"):
        hessian(landscapes.saddle(), 0.0, 0.0, h=0.0)


@pytest.mark.parametrize(
    ("H", "kind"),
    [
        ([[2.0, 0.0], [0.0, 3.0]], "minimum"),
        ([[-2.0, 0.0], [0.0, -0.5]], "maximum"),
        ([[1.0, 3.0], [3.0, 1.0]], "saddle"),  # positive diagonal, eigenvalues 4 and -2
        ([[1.0, 0.0], [0.0, 0.0]], "degenerate"),
        ([[1e-9, 0.0], [0.0, 5.0]], "degenerate"),  # within the tolerance of zero
        (np.diag([1.0, 2.0, -3.0]), "saddle"),
        (np.diag([1.0, 2.0, 3.0]), "minimum"),
    ],
)
def test_classify_hessian(H, kind):
    assert classify_hessian(H) == kind


def test_classify_hessian_tolerance_decides_small_eigenvalues():
    H = np.diag([1e-4, 1.0])
    assert classify_hessian(H, tol=1e-6) == "minimum"
    assert classify_hessian(H, tol=1e-3) == "degenerate"


def test_himmelblau_has_four_minima_four_saddles_and_one_maximum():
    land = landscapes.himmelblau()
    points = critical_points(land)
    kinds = [p.kind for p in points]
    assert (kinds.count("minimum"), kinds.count("saddle"), kinds.count("maximum")) == (4, 4, 1)
    for x, y, _ in land.minima:
        assert any(p.kind == "minimum" and math.hypot(p.x - x, p.y - y) < 1e-8 for p in points)
    for p in points:
        assert math.hypot(*land.grad(p.x, p.y)) < 1e-8
        assert p.f == pytest.approx(land.f(p.x, p.y))
    assert [round(p.f, 9) for p in points] == sorted(round(p.f, 9) for p in points)


@pytest.mark.parametrize("name", ["double_well", "saddle"])
def test_finder_recovers_the_stated_minima_and_saddles(name):
    land = landscapes.LANDSCAPES[name]()
    points = critical_points(land)
    stated = [(m, "minimum") for m in land.minima] + [(s, "saddle") for s in land.saddles]
    assert len(points) == len(stated)
    for (x, y, f), kind in stated:
        match = [p for p in points if math.hypot(p.x - x, p.y - y) < 1e-8]
        assert len(match) == 1 and match[0].kind == kind
        assert match[0].f == pytest.approx(f, abs=1e-12)


def test_saddle_eigenvalues_have_mixed_signs():
    (sad,) = [p for p in critical_points(landscapes.saddle()) if p.kind == "saddle"]
    assert sad.eigenvalues == pytest.approx((-2.0, 2.0), rel=1e-8)


def test_rastrigin_critical_points_are_products_of_one_dimensional_ones():
    # per axis 11 minima (near the integers) and 10 maxima: 21 x 21 points in the window
    points = critical_points(landscapes.rastrigin(), n=64)
    kinds = [p.kind for p in points]
    assert len(points) == 441
    assert (kinds.count("minimum"), kinds.count("maximum"), kinds.count("saddle")) == (
        121,
        100,
        220,
    )


def test_the_plateau_has_only_its_well():
    (only,) = critical_points(landscapes.plateau())
    assert only.kind == "minimum" and abs(only.x) < 1e-12 and abs(only.y) < 1e-12


def test_finder_rejects_a_grid_of_one():
    with pytest.raises(ValueError, match="n must be at least 2"):
        critical_points(landscapes.saddle(), n=1)
