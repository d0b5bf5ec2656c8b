"""Gradient noise (chapter 3): per-sample gradients, mini-batch covariance with and without
replacement, the seeded mini-batch gradient and run_trajectory's ``stochastic_grad``, the
stationary covariance of constant-rate SGD."""

import numpy as np
import pytest

import optimlite as ol
from optimlite import landscapes, problems, run_trajectory


@pytest.fixture(scope="module")
def data():
    return problems.linear_data(n=64, seed=5)


def test_per_sample_gradients_average_to_the_full_gradient(data):
    x, y = data
    params = problems.linear_params(w=0.3, b=-0.7)
    g = problems.mse_sample_grads(params, x, y)
    full = problems.mse_grad(params, x, y)
    assert g["w"].shape == g["b"].shape == (64,)
    assert np.mean(g["w"]) == pytest.approx(float(full["w"]), rel=1e-13)
    assert np.mean(g["b"]) == pytest.approx(float(full["b"]), rel=1e-13)
    for i in (0, 17, 63):  # each row is the gradient of that sample's loss alone
        one = problems.mse_grad(params, x[i : i + 1], y[i : i + 1])
        assert g["w"][i] == pytest.approx(float(one["w"]), rel=1e-14)
        assert g["b"][i] == pytest.approx(float(one["b"]), rel=1e-14)


def test_per_sample_gradients_of_a_vector_model_keep_shapes_and_dtype():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(10, 3)).astype(np.float32), rng.normal(size=10).astype(np.float32)
    params = {"w": np.ones(3, np.float32), "b": np.array(0.5, np.float32)}
    g = problems.mse_sample_grads(params, X, y)
    assert g["w"].shape == (10, 3) and g["w"].dtype == np.float32
    assert g["b"].shape == (10,) and g["b"].dtype == np.float32
    full = problems.mse_grad(params, X, y)
    np.testing.assert_allclose(g["w"].mean(0), full["w"], rtol=1e-5)


def test_batch_covariance_matches_enumeration_without_replacement():
    """With N = 6 and |B| = 2 every batch can be listed: the exact covariance, no sampling."""
    x, y = problems.linear_data(n=6, seed=1)
    params = problems.linear_params(w=1.0, b=0.0)
    g = problems.mse_sample_grads(params, x, y)
    G = np.stack([g["w"], g["b"]], 1)
    pairs = [(i, j) for i in range(6) for j in range(i + 1, 6)]
    means = np.array([G[[i, j]].mean(0) for i, j in pairs])
    exact = np.cov(means.T, bias=True)
    got = problems.minibatch_grad_covariance(params, x, y, 2)
    np.testing.assert_allclose(got, exact, rtol=1e-12)
    sigma = np.cov(G.T, bias=True)
    np.testing.assert_allclose(problems.minibatch_grad_covariance(params, x, y, 2, replace=True),
                               sigma / 2, rtol=1e-12)  # fmt: skip
    np.testing.assert_allclose(problems.minibatch_grad_covariance(params, x, y, 6), 0, atol=1e-15)
    with pytest.raises(ValueError, match="batch_size"):
        problems.minibatch_grad_covariance(params, x, y, 7)


@pytest.mark.parametrize("replace", [False, True])
def test_minibatch_grad_is_the_batchs_mse_gradient(data, replace):
    x, y = data
    grad = problems.MinibatchGrad(x, y, 8, seed=3, replace=replace)
    for k in range(40):  # across several epochs / refills
        w, b = 0.1 * k - 1.0, 2.0 - 0.05 * k
        gw, gb = grad(w, b)
        idx = grad.last_batch
        want = problems.mse_grad(problems.linear_params(w, b), x[idx], y[idx])
        assert isinstance(gw, float) and isinstance(gb, float)
        assert gw == pytest.approx(float(want["w"]), rel=1e-12, abs=1e-12)
        assert gb == pytest.approx(float(want["b"]), rel=1e-12, abs=1e-12)
    assert grad.calls == 40 and grad.epochs == 40 * 8 / 64


def test_minibatch_grad_without_replacement_is_the_packages_epoch_stream(data):
    x, y = data
    grad = problems.MinibatchGrad(x, y, 16, seed=9)
    used = []
    for _ in range(12):
        grad(0.0, 0.0)
        used.append(grad.last_batch.copy())
    stream = list(problems.minibatch_indices(64, 16, epochs=3, seed=9, drop_last=True))
    for got, want in zip(used, stream, strict=True):
        np.testing.assert_array_equal(got, want)
    for epoch in range(3):  # every sample once per epoch
        seen = np.concatenate(used[4 * epoch : 4 * epoch + 4])
        assert sorted(seen.tolist()) == list(range(64))


def test_minibatch_grad_with_replacement_draws_independent_samples(data):
    x, y = data
    grad = problems.MinibatchGrad(x, y, 64, seed=0, replace=True)
    grad(0.0, 0.0)
    assert len(set(grad.last_batch.tolist())) < 64  # repeats: drawn with replacement
    a = problems.MinibatchGrad(x, y, 4, seed=1, replace=True)
    b = problems.MinibatchGrad(x, y, 4, seed=1, replace=True)
    assert [a(0.5, 0.5) for _ in range(5)] == [b(0.5, 0.5) for _ in range(5)]


def test_minibatch_grad_validates(data):
    x, y = data
    with pytest.raises(ValueError, match="batch_size"):
        problems.MinibatchGrad(x, y, 65)
    with pytest.raises(ValueError, match="batch_size"):
        problems.MinibatchGrad(x, y, 0)
    with pytest.raises(ValueError, match="same length"):
        problems.MinibatchGrad(x, y[:-1], 4)
    problems.MinibatchGrad(x, y, 65, replace=True)  # with replacement a batch may exceed n


def test_run_trajectory_with_minibatch_gradients_is_the_plain_training_loop(data):
    x, y = data
    land = problems.linear_regression_landscape(x, y)
    run = run_trajectory(ol.SGD(lr=0.05), land, start=(0.0, 0.0), steps=24,
                         stochastic_grad=problems.MinibatchGrad(x, y, 16, seed=2))  # fmt: skip
    params, opt = problems.linear_params(0.0, 0.0), ol.SGD(lr=0.05)
    path, losses = [(0.0, 0.0)], [problems.mse_loss(params, x, y)]
    for xb, yb in problems.minibatches(x, y, 16, epochs=6, seed=2, drop_last=True):
        opt.update(params, problems.mse_grad(params, xb, yb))
        path.append((float(params["w"]), float(params["b"])))
        losses.append(problems.mse_loss(params, x, y))
    np.testing.assert_allclose(run.path, path, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(run.losses, losses, rtol=1e-11)  # the full loss at each point


def test_stochastic_grad_set_to_the_exact_gradient_changes_nothing():
    land = landscapes.rosenbrock()
    plain = run_trajectory(ol.Adam(lr=0.02), land, steps=200, grad_noise=0.1, seed=4)
    same = run_trajectory(ol.Adam(lr=0.02), land, steps=200, grad_noise=0.1, seed=4,
                          stochastic_grad=land.grad)  # fmt: skip
    np.testing.assert_array_equal(plain.path, same.path)
    np.testing.assert_array_equal(plain.losses, same.losses)


def test_a_non_finite_stochastic_gradient_is_a_divergence_not_an_update():
    land = landscapes.ill_conditioned_quadratic()
    calls = []

    def grad(x, y):
        calls.append((x, y))
        return (float("nan"), 0.0) if len(calls) == 4 else land.grad(x, y)

    opt = ol.SGD(lr=0.1)
    run = run_trajectory(opt, land, steps=10, stochastic_grad=grad)
    assert run.diverged_at == 4 and run.steps_run == 3
    assert np.all(np.isfinite(run.path))
    assert calls[-1] == tuple(run.path[-1])  # the last point reached, no update made from it
    with pytest.raises(ValueError, match="stochastic_grad"):
        run_trajectory(ol.SGD(lr=0.1), land, steps=3, stochastic_grad=0.5)


# ----- the noise ball ----------------------------------------------------------------------------
def test_stationary_covariance_solves_the_fixed_point_and_scales_with_lr():
    H = np.array([[3.0, 1.0], [1.0, 0.5]])
    C = np.array([[2.0, 0.3], [0.3, 1.0]])
    for lr in (0.01, 0.1, 0.5):
        P = problems.sgd_stationary_covariance(H, C, lr)
        A = np.eye(2) - lr * H
        np.testing.assert_allclose(A @ P @ A + lr * lr * C, P, rtol=1e-10, atol=1e-14)
        assert np.all(np.linalg.eigvalsh(P) > 0)
    small = 0.5 * np.trace(H @ problems.sgd_stationary_covariance(H, C, 1e-4))
    assert small == pytest.approx(1e-4 / 4 * np.trace(C), rel=1e-3)  # tr(HP)/2 ~ eta tr(C)/4
    with pytest.raises(ValueError, match="stable range"):
        problems.sgd_stationary_covariance(H, C, 2.0 / np.linalg.eigvalsh(H)[-1])
    with pytest.raises(ValueError, match="lr"):
        problems.sgd_stationary_covariance(H, C, -0.1)


def test_stationary_covariance_predicts_a_simulated_one_dimensional_ball():
    lam, s, lr = 2.0, 0.5, 0.2
    P = float(problems.sgd_stationary_covariance([[lam]], [[s * s]], lr)[0, 0])
    assert P == pytest.approx(lr * s * s / (lam * (2 - lr * lam)), rel=1e-12)
    rng = np.random.default_rng(0)
    theta, values = 0.0, []
    for xi in rng.standard_normal(60_000) * s:
        theta -= lr * (lam * theta + xi)
        values.append(theta)
    assert np.var(values[1000:]) == pytest.approx(P, rel=0.05)
