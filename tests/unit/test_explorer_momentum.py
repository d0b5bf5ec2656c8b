"""The momentum explorer's theory (chapters 4 and 5): rates, optima, the stability map."""

import numpy as np
import pytest

from optimlite import SGD, explorers, landscapes, run_trajectory
from optimlite.explorers.momentum import (
    gd_optimum,
    heavy_ball_optimum,
    rate_map,
    spectral_radius,
)


@pytest.mark.parametrize("kappa", [10.0, 100.0, 1000.0])
def test_optimal_parameters_give_the_textbook_rates(kappa):
    lr_g, rho_g = gd_optimum(1.0, kappa)
    lr_h, mu_h, rho_h = heavy_ball_optimum(1.0, kappa)
    assert rho_g == pytest.approx((kappa - 1) / (kappa + 1))
    assert rho_h == pytest.approx((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1))
    assert mu_h == pytest.approx(rho_h**2)
    assert spectral_radius(lr_g, 0.0, [1.0, kappa]) == pytest.approx(rho_g, abs=1e-12)
    # a double root: eigvals of a defective matrix are accurate to about sqrt(machine eps)
    assert spectral_radius(lr_h, mu_h, [1.0, kappa]) == pytest.approx(rho_h, abs=1e-6)
    # the optimum is optimal: nudging either parameter makes the rate worse
    for dlr, dmu in [(1.02, 1.0), (0.98, 1.0), (1.0, 1.02), (1.0, 0.98)]:
        assert spectral_radius(lr_h * dlr, mu_h * dmu, [1.0, kappa]) > rho_h


def test_spectral_radius_is_the_measured_rate_of_optimlite_sgd():
    land = landscapes.ill_conditioned_quadratic(kappa=50)
    lr, mu = 0.02, 0.8
    run = run_trajectory(SGD(lr=lr, momentum=mu), land, steps=600)
    d = np.hypot(run.path[:, 0], run.path[:, 1])
    envelope = np.maximum.accumulate(d[::-1])[::-1]
    measured = (envelope[-1] / envelope[300]) ** (1 / (len(d) - 1 - 300))
    assert measured == pytest.approx(spectral_radius(lr, mu, land.eigenvalues), abs=2e-3)


@pytest.mark.parametrize("nesterov", [False, True])
def test_rate_map_agrees_with_the_iteration_matrices(nesterov):
    x = np.array([0.01, 0.3, 1.0, 2.5, 3.9])
    mus = np.array([0.0, 0.5, 0.9])
    grid = rate_map(x, mus, nesterov=nesterov)
    assert grid.shape == (3, 5)
    for i, mu in enumerate(mus):
        for j, xj in enumerate(x):
            want = spectral_radius(1.0, mu, [xj], nesterov=nesterov and mu > 0)
            assert grid[i, j] == pytest.approx(want, abs=1e-7)


def test_rate_map_boundary_is_eta_lambda_two_plus_two_mu():
    x = np.linspace(-0.5, 4.5, 201)
    mus = np.linspace(0.0, 0.95, 20)
    stable = rate_map(x, mus) < 1
    theory = (x[None, :] > 0) & (x[None, :] < 2 + 2 * mus[:, None])
    far = np.minimum(np.abs(x[None, :]), np.abs(x[None, :] - 2 - 2 * mus[:, None])) > 1e-3
    assert np.array_equal(stable[far], theory[far])


def small(nesterov=False):
    return explorers.momentum(
        kappa=25, nesterov=nesterov, lrs=(0.02, 0.15), momenta=(0.0, 0.9), steps=40
    )


def test_eigenvalue_dots_follow_the_sliders():
    ex = small()
    ex.frame(lr=0.02, momentum=0.9)
    x, y = ex.scene.dots.get_data()
    assert np.allclose(x, [0.02, 0.02 * 25]) and np.allclose(y, [0.9, 0.9])
    first = ex.frame(lr=0.02, momentum=0.9)
    ex.frame(lr=0.15, momentum=0.0)
    x, y = ex.scene.dots.get_data()
    assert np.allclose(x, [0.15, 0.15 * 25]) and np.allclose(y, [0.0, 0.0])
    assert ex.frame(lr=0.15, momentum=0.0) != first


def test_caption_states_the_best_rate_and_divergence_outside_the_region():
    ex = small()
    ex.frame(lr=0.15, momentum=0.0)  # η λmax = 3.75 > 2: gradient descent diverges
    assert "GD: diverged at step" in ex.caption
    assert "Best heavy ball (stars): rate 0.667" in ex.caption  # (5 - 1) / (5 + 1)
    ex.frame(lr=0.15, momentum=0.9)  # 3.75 < 2 + 2 * 0.9: heavy ball converges
    assert "Momentum: f − f* =" in ex.caption


def test_nesterov_variant_draws_its_boundary_and_all_frames():
    ex = small(nesterov=True)
    frames = ex.static_frames()
    assert len(frames.captions) == 4 and ex.errors == []
    assert all("Nesterov" in c for c in frames.captions)
    map_axes = ex.scene.dots.axes
    assert map_axes.collections  # the shading and Nesterov's dashed boundary
