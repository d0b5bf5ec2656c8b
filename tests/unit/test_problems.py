"""Problems: gradients against finite differences, mini-batch coverage, determinism, digits."""

import numpy as np
import pytest

import optimlite as ol
from optimlite import problems


def finite_difference(loss, params, h=1e-6):
    """Central differences of ``loss(params)`` for every element of every parameter."""
    grads = {}
    for name, p in params.items():
        g = np.zeros_like(p)
        flat, gflat = p.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + h
            up = loss(params)
            flat[i] = old - h
            down = loss(params)
            flat[i] = old
            gflat[i] = (up - down) / (2 * h)
        grads[name] = g
    return grads


def assert_grads_close(got, want, rtol=1e-6, atol=1e-8):
    assert got.keys() == want.keys()
    for k in want:
        assert got[k].shape == want[k].shape
        np.testing.assert_allclose(got[k], want[k], rtol=rtol, atol=atol, err_msg=k)


# ----- linear regression ------------------------------------------------------------------------
def test_linear_data_is_seeded_and_follows_the_model():
    x, y = problems.linear_data(n=5000, true_w=3.0, true_b=4.0, noise=0.5, seed=1)
    x2, y2 = problems.linear_data(n=5000, true_w=3.0, true_b=4.0, noise=0.5, seed=1)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(y, problems.linear_data(n=5000, noise=0.5, seed=2)[1])
    assert x.shape == y.shape == (5000,) and x.dtype == np.float64
    assert 0.0 <= x.min() and x.max() <= 2.0
    w, b = problems.least_squares(x, y)
    assert w == pytest.approx(3.0, abs=0.05) and b == pytest.approx(4.0, abs=0.05)
    resid = y - (w * x + b)
    assert resid.std() == pytest.approx(0.5, rel=0.05)


def test_mse_gradient_matches_finite_differences_and_the_articles_formula():
    x, y = problems.linear_data(n=50, seed=3)
    params = problems.linear_params(w=0.7, b=-1.2)
    loss, grads = problems.mse_loss_and_grad(params, x, y)
    assert loss == problems.mse_loss(params, x, y)
    assert_grads_close(grads, finite_difference(lambda p: problems.mse_loss(p, x, y), params))
    r = y - (0.7 * x - 1.2)
    assert grads["w"] == pytest.approx(-2 / 50 * np.sum(x * r), rel=1e-14)
    assert grads["b"] == pytest.approx(-2 / 50 * np.sum(r), rel=1e-14)
    assert grads["w"].shape == () and grads["w"].dtype == np.float64
    assert_grads_close(problems.mse_grad(params, x, y), grads, rtol=0, atol=0)


def test_least_squares_is_the_minimum_and_gd_reaches_it():
    x, y = problems.linear_data(n=200, seed=4)
    w, b = problems.least_squares(x, y)
    grads = problems.mse_grad(problems.linear_params(w, b), x, y)
    assert abs(grads["w"]) < 1e-12 and abs(grads["b"]) < 1e-12
    hess = problems.mse_hessian(x)
    step = 1.0 / np.linalg.eigvalsh(hess).max()  # safely below the 2 / L limit
    params, opt = problems.linear_params(), ol.SGD(lr=step)
    for _ in range(3000):
        opt.update(params, problems.mse_grad(params, x, y))
    assert float(params["w"]) == pytest.approx(w, abs=1e-8)
    assert float(params["b"]) == pytest.approx(b, abs=1e-8)


def test_mse_hessian_is_the_gradients_jacobian():
    x, y = problems.linear_data(n=30, seed=5)
    g0 = problems.mse_grad(problems.linear_params(0.0, 0.0), x, y)
    gw = problems.mse_grad(problems.linear_params(1.0, 0.0), x, y)
    gb = problems.mse_grad(problems.linear_params(0.0, 1.0), x, y)
    jac = np.array([[gw["w"] - g0["w"], gb["w"] - g0["w"]], [gw["b"] - g0["b"], gb["b"] - g0["b"]]])
    np.testing.assert_allclose(problems.mse_hessian(x), jac, rtol=1e-12)


def test_vector_model_and_float32():
    data = problems.sparse_regression_data(n=100, d=6, seed=0)
    params = {"w": np.linspace(-1, 1, 6), "b": np.array(0.3)}
    loss, grads = problems.mse_loss_and_grad(params, data.X, data.y)
    fd = finite_difference(lambda p: problems.mse_loss(p, data.X, data.y), params)
    assert_grads_close(grads, fd)
    w, b = problems.least_squares(data.X, data.y)
    at_min = problems.mse_grad({"w": w, "b": np.array(b)}, data.X, data.y)
    assert np.abs(at_min["w"]).max() < 1e-12
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    _, g32 = problems.mse_loss_and_grad(p32, data.X.astype(np.float32), data.y.astype(np.float32))
    assert all(g.dtype == np.float32 for g in g32.values())


# ----- mini-batches -----------------------------------------------------------------------------
@pytest.mark.parametrize("n, batch_size", [(10, 3), (12, 4), (7, 7), (5, 8)])
def test_minibatches_cover_each_sample_once_per_epoch(n, batch_size):
    batches = list(problems.minibatch_indices(n, batch_size, epochs=3, seed=0))
    per_epoch = -(-n // batch_size)
    assert len(batches) == 3 * per_epoch
    epochs = [np.concatenate(batches[i * per_epoch : (i + 1) * per_epoch]) for i in range(3)]
    for e in epochs:
        assert sorted(e.tolist()) == list(range(n))
    assert [len(b) for b in batches[:per_epoch]] == [batch_size] * (n // batch_size) + (
        [n % batch_size] if n % batch_size else []
    )
    if n > 3:
        assert not all(np.array_equal(epochs[0], e) for e in epochs[1:])  # reshuffled


def test_minibatches_drop_last_and_determinism():
    batches = list(problems.minibatch_indices(10, 3, epochs=2, seed=1, drop_last=True))
    assert [len(b) for b in batches] == [3, 3, 3] * 2
    again = list(problems.minibatch_indices(10, 3, epochs=2, seed=1, drop_last=True))
    assert all(np.array_equal(a, b) for a, b in zip(batches, again, strict=True))
    x, y = np.arange(10.0), np.arange(10.0) * 2
    for xb, yb in problems.minibatches(x, y, 4, seed=2):
        np.testing.assert_array_equal(yb, 2 * xb)
    with pytest.raises(ValueError, match="same length"):
        next(problems.minibatches(x, y[:5], 2))
    with pytest.raises(ValueError, match="batch_size"):
        next(problems.minibatch_indices(10, 0))
    with pytest.raises(ValueError, match="drop_last"):
        next(problems.minibatch_indices(3, 5, drop_last=True))
    rng = np.random.default_rng(0)  # a Generator continues its stream
    first = next(problems.minibatch_indices(10, 10, seed=rng))
    second = next(problems.minibatch_indices(10, 10, seed=rng))
    assert not np.array_equal(first, second)


def test_stochastic_gradient_is_unbiased():
    x, y = problems.linear_data(n=12, seed=6)
    params = problems.linear_params(0.5, 0.5)
    full = problems.mse_grad(params, x, y)
    # all batches of one epoch with equal sizes average to the full gradient exactly
    batch = [problems.mse_grad(params, x[i], y[i]) for i in problems.minibatch_indices(12, 4)]
    for k in full:
        assert np.mean([g[k] for g in batch]) == pytest.approx(float(full[k]), rel=1e-12)


# ----- sparse features --------------------------------------------------------------------------
def test_sparse_regression_data():
    data = problems.sparse_regression_data(n=4000, d=10, min_frequency=0.01, seed=0)
    assert data.X.shape == (4000, 10) and data.y.shape == (4000,)
    assert data.frequency[0] == 1.0 and data.frequency[-1] < 0.03
    assert np.all(np.diff(data.frequency) < 0.02)  # decreasing (up to sampling noise)
    np.testing.assert_array_equal(data.frequency, (data.X != 0).mean(axis=0))
    assert set(np.abs(data.w_true)) == {1.0}
    w, _ = problems.least_squares(data.X, data.y)
    np.testing.assert_allclose(w, data.w_true, atol=0.15)  # ~40 samples for the rarest
    same = problems.sparse_regression_data(n=4000, d=10, min_frequency=0.01, seed=0)
    np.testing.assert_array_equal(same.X, data.X)
    with pytest.raises(ValueError, match="min_frequency"):
        problems.sparse_regression_data(min_frequency=0.0)


# ----- digits, softmax regression, MLP ----------------------------------------------------------
def test_digits_split_and_standardised():
    d = problems.load_digits(test_fraction=0.25, seed=0)
    assert d.X_train.dtype == d.X_test.dtype == np.float32
    assert d.y_train.dtype == np.int64
    assert len(d.X_train) + len(d.X_test) == 1797 and d.X_train.shape[1] == 64
    assert len(d.X_test) == pytest.approx(0.25 * 1797, abs=1)
    mean, std = d.X_train.mean(axis=0), d.X_train.std(axis=0)
    assert np.abs(mean).max() < 1e-5
    assert np.all((np.abs(std - 1) < 1e-4) | (std == 0))  # constant pixels stay 0
    assert set(np.bincount(d.y_test)) <= {43, 44, 45, 46}  # stratified: ~45 of each digit
    again = problems.load_digits(test_fraction=0.25, seed=0)
    np.testing.assert_array_equal(d.X_train, again.X_train)
    with pytest.raises(ValueError, match="test_fraction"):
        problems.load_digits(test_fraction=1.0)


def small_classification(seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((15, 5)), rng.integers(0, 4, 15)


def test_cross_entropy_values():
    logits = np.array([[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]])
    loss, _ = problems.cross_entropy(logits, np.array([0, 2]))
    want = np.mean([-np.log(np.exp(2) / (np.exp(2) + 1 + np.exp(-1))), np.log(3)])
    assert loss == pytest.approx(want, rel=1e-14)
    big = problems.cross_entropy(np.array([[1000.0, 0.0]]), np.array([1]))[0]
    assert big == pytest.approx(1000.0)  # stable: no overflow


def test_softmax_gradient_matches_finite_differences():
    X, y = small_classification()
    rng = np.random.default_rng(1)
    params = {"W": rng.standard_normal((5, 4)) * 0.3, "b": rng.standard_normal(4) * 0.1}
    loss, grads = problems.softmax_loss_and_grad(params, X, y)
    fd = finite_difference(
        lambda p: problems.cross_entropy(problems.softmax_logits(p, X), y)[0], params
    )
    assert_grads_close(grads, fd)


def test_mlp_gradient_matches_finite_differences():
    X, y = small_classification(2)
    params = problems.init_mlp(5, 7, 4, seed=3, dtype=np.float64)
    loss, grads = problems.mlp_loss_and_grad(params, X, y)
    fd = finite_difference(
        lambda p: problems.cross_entropy(problems.mlp_logits(p, X), y)[0], params
    )
    assert_grads_close(grads, fd)
    assert loss == pytest.approx(problems.cross_entropy(problems.mlp_logits(params, X), y)[0])


def test_init_mlp_like_torch_linear():
    p = problems.init_mlp(64, 32, 10, seed=0)
    assert {k: v.shape for k, v in p.items()} == {
        "W1": (64, 32),
        "b1": (32,),
        "W2": (32, 10),
        "b2": (10,),
    }
    assert all(v.dtype == np.float32 for v in p.values())
    assert np.abs(p["W1"]).max() <= 1 / 8 and np.abs(p["W2"]).max() <= 1 / np.sqrt(32)
    np.testing.assert_array_equal(p["W1"], problems.init_mlp(64, 32, 10, seed=0)["W1"])


def test_numpy_optimizers_train_on_digits_in_float32():
    d = problems.load_digits()
    soft = problems.init_softmax()
    opt = ol.Adam(lr=0.01)
    for xb, yb in problems.minibatches(d.X_train, d.y_train, 64, epochs=5, seed=0):
        _, grads = problems.softmax_loss_and_grad(soft, xb, yb)
        assert all(g.dtype == np.float32 for g in grads.values())
        opt.update(soft, grads)
    assert problems.accuracy(problems.softmax_logits(soft, d.X_test), d.y_test) > 0.93

    mlp = problems.init_mlp(seed=0)
    opt = ol.SGD(lr=0.1, momentum=0.9)
    for xb, yb in problems.minibatches(d.X_train, d.y_train, 64, epochs=5, seed=0):
        opt.update(mlp, problems.mlp_loss_and_grad(mlp, xb, yb)[1])
    assert all(v.dtype == np.float32 for v in mlp.values())
    assert problems.accuracy(problems.mlp_logits(mlp, d.X_test), d.y_test) > 0.93


def test_linear_regression_landscape_matches_the_loss_and_its_gradient():
    x, y = problems.linear_data(n=40, seed=3)
    bowl = problems.linear_regression_landscape(x, y)
    for w, b in [(0.0, 0.0), (1.5, -2.0), (-3.0, 7.0)]:
        params = {"w": np.array(w), "b": np.array(b)}
        assert np.isclose(bowl.f(w, b), problems.mse_loss(params, x, y), rtol=1e-12)
        g = problems.mse_grad(params, x, y)
        assert np.allclose(bowl.grad(w, b), (g["w"], g["b"]), rtol=1e-12, atol=1e-12)
    w_star, b_star, f_star = bowl.minima[0]
    assert np.allclose((w_star, b_star), problems.least_squares(x, y))
    assert np.allclose(bowl.grad(w_star, b_star), 0.0, atol=1e-10)
    assert np.allclose(bowl.eigenvalues, np.linalg.eigvalsh(problems.mse_hessian(x)))
