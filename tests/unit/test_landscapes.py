"""Landscapes: analytic gradients, stated minima and saddles, scalar/array agreement."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from optimlite import landscapes
from optimlite.landscapes import LANDSCAPES, Landscape

VARIANTS = [(name, {}) for name in LANDSCAPES] + [
    ("ill_conditioned_quadratic", {"kappa": 50.0, "angle": 0.6, "lam_min": 0.5}),
    ("rosenbrock", {"a": -0.5, "b": 10.0}),
    ("rastrigin", {"A": 3.0}),
    ("plateau", {"width": 2.0}),
    ("double_well", {"tilt": 0.0}),
    ("double_well", {"tilt": 1.2}),
]
IDS = [f"{n}{kw}" if kw else n for n, kw in VARIANTS]


@pytest.fixture(params=VARIANTS, ids=IDS)
def land(request):
    name, kwargs = request.param
    return LANDSCAPES[name](**kwargs)


#: largest error allowed between an analytic gradient and central differences, relative to
#: max(1, |gradient|) at each point; central differences reach ~1e-7 on every landscape here
GRAD_RTOL = 1e-6


def numeric_grad(f, x, y):
    """Central differences with a step scaled to each point, h = cbrt(eps) * max(1, |x|).

    That step balances truncation (h**2) against rounding (eps / h) error; it is rounded so that
    x + h and x - h are exactly h away from x.
    """
    c = np.finfo(np.float64).eps ** (1 / 3)
    hx = (x + c * np.maximum(1.0, np.abs(x))) - x
    hy = (y + c * np.maximum(1.0, np.abs(y))) - y
    return (
        (f(x + hx, y) - f(x - hx, y)) / (2 * hx),
        (f(x, y + hy) - f(x, y - hy)) / (2 * hy),
    )


def gradient_error(land, x, y):
    """Per point, the larger of the two components' |analytic - numerical| / max(1, |analytic|)."""
    errors = []
    for g, n in zip(land.grad(x, y), numeric_grad(land.f, x, y), strict=True):
        errors.append(np.abs(g - n) / np.maximum(1.0, np.abs(g)))
    return np.maximum(*errors)


def check_points(land, n_grid=41, n_random=500):
    """The window's grid and random points in it (the grid alone has special points, x = 0)."""
    gx, gy = land.grid(n_grid)[:2]
    rng = np.random.default_rng(1)
    x = np.concatenate([gx.ravel(), rng.uniform(*land.xlim, n_random)])
    y = np.concatenate([gy.ravel(), rng.uniform(*land.ylim, n_random)])
    return x, y


def test_registry_names_match():
    assert set(LANDSCAPES) == {
        "ill_conditioned_quadratic",
        "rosenbrock",
        "beale",
        "himmelblau",
        "saddle",
        "rastrigin",
        "plateau",
        "double_well",
    }
    for name, make in LANDSCAPES.items():
        land = make()
        assert isinstance(land, Landscape)
        assert land.name == name
        assert getattr(landscapes, name) is make


def test_gradient_matches_central_differences(land):
    x, y = check_points(land)
    err = gradient_error(land, x, y)
    worst = int(np.argmax(err))
    assert err[worst] <= GRAD_RTOL, (
        f"gradient off by {err[worst]:.1e} (relative) at ({x[worst]!r}, {y[worst]!r}): "
        f"analytic {[float(g[worst]) for g in land.grad(x, y)]}, "
        f"numerical {[float(g[worst]) for g in numeric_grad(land.f, x, y)]}"
    )


@pytest.mark.parametrize("component", [0, 1])
def test_gradient_check_sees_a_relative_error_of_1e_4(land, component):
    """The check above can fail: one component off by 1e-4 (relative) is caught."""

    def grad(x, y):
        g = list(land.grad(x, y))
        g[component] = g[component] * (1 + 1e-4)
        return tuple(g)

    wrong = SimpleNamespace(f=land.f, grad=grad)
    assert gradient_error(wrong, *check_points(land)).max() > GRAD_RTOL


def test_scalars_and_arrays_agree(land):
    rng = np.random.default_rng(0)
    xs = rng.uniform(*land.xlim, 25)
    ys = rng.uniform(*land.ylim, 25)
    fa = land.f(xs, ys)
    gxa, gya = land.grad(xs, ys)
    assert fa.shape == gxa.shape == gya.shape == (25,)
    for i in range(25):
        x, y = float(xs[i]), float(ys[i])
        fv = land.f(x, y)
        gx, gy = land.grad(x, y)
        assert type(fv) is float and type(gx) is float and type(gy) is float
        assert fv == pytest.approx(fa[i], rel=1e-13, abs=1e-13)
        assert gx == pytest.approx(gxa[i], rel=1e-12, abs=1e-12)
        assert gy == pytest.approx(gya[i], rel=1e-12, abs=1e-12)
    # numpy scalars are accepted too (they are what indexing an array gives)
    assert land.f(xs[0], ys[0]) == pytest.approx(fa[0], rel=1e-13, abs=1e-13)


def test_minima_have_zero_gradient_and_stated_value(land):
    assert land.minima, "every landscape states at least its global minimum"
    for x, y, value in land.minima:
        gx, gy = land.grad(x, y)
        assert abs(gx) < 1e-9 and abs(gy) < 1e-9, (x, y, gx, gy)
        assert land.f(x, y) == pytest.approx(value, abs=1e-12)
        # a minimum: the loss rises in every direction around it
        for angle in np.linspace(0, 2 * np.pi, 8, endpoint=False):
            d = 1e-3 * np.array([np.cos(angle), np.sin(angle)])
            assert land.f(x + d[0], y + d[1]) > value


def test_first_minimum_is_global_on_the_window(land):
    x, y, z = land.grid(301)
    assert z.min() >= land.minima[0][2] - 1e-12
    assert all(m[2] >= land.minima[0][2] for m in land.minima)


def test_saddles_are_stationary_and_indefinite():
    found = 0
    for make in LANDSCAPES.values():
        land = make()
        for x, y, value in land.saddles:
            found += 1
            gx, gy = land.grad(x, y)
            assert abs(gx) < 1e-9 and abs(gy) < 1e-9
            assert land.f(x, y) == pytest.approx(value, abs=1e-12)
            h = 1e-5
            hxx = (land.grad(x + h, y)[0] - land.grad(x - h, y)[0]) / (2 * h)
            hyy = (land.grad(x, y + h)[1] - land.grad(x, y - h)[1]) / (2 * h)
            hxy = (land.grad(x, y + h)[0] - land.grad(x, y - h)[0]) / (2 * h)
            assert np.linalg.det([[hxx, hxy], [hxy, hyy]]) < 0  # one up, one down direction
    assert found >= 2  # saddle() and double_well()


def test_window_start_and_levels(land):
    assert land.xlim[0] < land.xlim[1] and land.ylim[0] < land.ylim[1]
    assert land.xlim[0] <= land.start[0] <= land.xlim[1]
    assert land.ylim[0] <= land.start[1] <= land.ylim[1]
    for x, y, _ in land.minima:
        assert land.xlim[0] <= x <= land.xlim[1] and land.ylim[0] <= y <= land.ylim[1]
    levels = np.asarray(land.levels)
    assert levels.ndim == 1 and len(levels) >= 8
    assert np.all(np.diff(levels) > 0)
    z = land.grid(101)[2]
    assert levels[0] > z.min() - 1e-12 and levels[-1] <= z.max() + 1e-9
    assert land.title and land.description


@pytest.mark.parametrize("kappa, angle", [(10.0, 0.0), (100.0, 0.0), (25.0, 0.7)])
def test_quadratic_eigenvalues_are_the_hessians(kappa, angle):
    land = landscapes.ill_conditioned_quadratic(kappa=kappa, angle=angle, lam_min=2.0)
    # the gradient is linear: its Jacobian columns are grad at the unit vectors
    hess = np.array([land.grad(1.0, 0.0), land.grad(0.0, 1.0)])
    np.testing.assert_allclose(hess, hess.T, atol=1e-12)
    np.testing.assert_allclose(np.linalg.eigvalsh(hess), land.eigenvalues, rtol=1e-12)
    assert land.eigenvalues == (2.0, 2.0 * kappa)
    if angle == 0.0:
        assert land.f(3.0, 2.0) == pytest.approx((2.0 * 9.0 + 2.0 * kappa * 4.0) / 2)


def test_closed_forms():
    rb = landscapes.rosenbrock(a=2.0, b=5.0)
    assert rb.minima == [(2.0, 4.0, 0.0)]
    assert rb.f(0.0, 1.0) == pytest.approx(4.0 + 5.0)
    assert landscapes.beale().f(0.0, 0.0) == pytest.approx(1.5**2 + 2.25**2 + 2.625**2)
    assert landscapes.himmelblau().f(0.0, 0.0) == pytest.approx(121 + 49)
    assert len(landscapes.himmelblau().minima) == 4
    assert landscapes.rastrigin().f(1.0, 0.0) == pytest.approx(1.0)
    assert landscapes.saddle().f(0.0, 1.0) == pytest.approx(-0.5)


def test_plateau_gradient_vanishes_at_its_start():
    land = landscapes.plateau()
    gx, gy = land.grad(*land.start)
    assert 0 < math.hypot(gx, gy) < 1e-2
    assert land.f(*land.start) > 0.99
    assert land.f(10.0, 10.0) == 1.0 and land.grad(40.0, 0.0) == (0.0, 0.0)  # no overflow


def test_double_well_has_a_poor_and_a_better_minimum():
    land = landscapes.double_well(tilt=0.3)
    (xg, _, fg), (xl, _, fl) = land.minima
    assert xg < 0 < xl and fg < fl
    assert fl - fg == pytest.approx(0.6, rel=0.05)  # about 2 * tilt
    (xs, _, fs) = land.saddles[0]
    assert xg < xs < xl and fs > fl
    # the default start lies in the poor basin: follow the negative gradient there
    x, y = land.start
    for _ in range(2000):
        gx, gy = land.grad(x, y)
        x, y = x - 0.01 * gx, y - 0.01 * gy
    assert x == pytest.approx(xl, abs=1e-6)


@pytest.mark.parametrize(
    "make, kwargs, word",
    [
        (landscapes.ill_conditioned_quadratic, {"kappa": 0.5}, "kappa"),
        (landscapes.ill_conditioned_quadratic, {"kappa": -3}, "kappa"),
        (landscapes.ill_conditioned_quadratic, {"lam_min": 0.0}, "lam_min"),
        (landscapes.rosenbrock, {"b": 0.0}, "b"),
        (landscapes.rastrigin, {"A": -1.0}, "A"),
        (landscapes.plateau, {"width": 0.0}, "width"),
        (landscapes.double_well, {"tilt": 2.0}, "tilt"),
        (landscapes.double_well, {"tilt": -0.1}, "tilt"),
        (landscapes.double_well, {"tilt": "0.3"}, "tilt"),
        (landscapes.ill_conditioned_quadratic, {"kappa": math.inf}, "kappa"),
        (landscapes.ill_conditioned_quadratic, {"lam_min": math.inf}, "lam_min"),
        (landscapes.ill_conditioned_quadratic, {"angle": math.nan}, "angle"),
        (landscapes.rosenbrock, {"b": math.inf}, "b"),
        (landscapes.rosenbrock, {"a": None}, "a"),
        (landscapes.rastrigin, {"A": math.nan}, "A"),
        (landscapes.plateau, {"width": math.inf}, "width"),
        (landscapes.plateau, {"width": True}, "width"),
    ],
)
def test_bad_parameters_raise(make, kwargs, word):
    with pytest.raises(ValueError, match=word):
        make(**kwargs)


def test_grid_over_another_window():
    land = landscapes.rosenbrock()
    x, y, z = land.grid(5, xlim=(0.0, 1.0), ylim=(2.0, 3.0))
    assert x.shape == y.shape == z.shape == (5, 5) and z.dtype == np.float64
    assert (x.min(), x.max(), y.min(), y.max()) == (0.0, 1.0, 2.0, 3.0)
    np.testing.assert_array_equal(z, land.f(x, y))
    default = land.grid(7)
    np.testing.assert_array_equal(default[0][0], np.linspace(*land.xlim, 7))
    np.testing.assert_array_equal(default[1][:, 0], np.linspace(*land.ylim, 7))


def test_grid_values_of_a_scalar_only_function_and_of_overflow():
    x, y, z = landscapes.grid_values(lambda a, b: math.hypot(a, b), (-1.0, 1.0), (0.0, 2.0), 3)
    np.testing.assert_allclose(z, np.hypot(x, y))
    with np.errstate(all="raise"):  # overflow is inf in Z, not a warning or an error
        z = landscapes.grid_values(lambda a, b: np.exp(a * 1e3) + b, (0.0, 1.0), (0.0, 1.0), 3)[2]
    assert np.isinf(z[:, -1]).all() and np.isfinite(z[:, 0]).all()


def test_log_levels_span_the_requested_decades_above_fmin():
    f = landscapes.ill_conditioned_quadratic(4.0).f
    levels = landscapes.log_levels(f, (-1.0, 1.0), (-1.0, 1.0), 0.0, n=9, decades=4.0)
    span = f(1.0, 1.0)  # the window's largest value
    np.testing.assert_allclose(levels, np.geomspace(span * 1e-4, span, 9))
    shifted = landscapes.log_levels(lambda a, b: f(a, b) - 3.0, (-1, 1), (-1, 1), -3.0, n=9)
    np.testing.assert_allclose(shifted, levels - 3.0)
    flat = landscapes.log_levels(lambda a, b: 0.0 * a, (0, 1), (0, 1), 0.0, n=3, decades=2.0)
    np.testing.assert_allclose(flat, [0.01, 0.1, 1.0])  # no range: a range of 1
