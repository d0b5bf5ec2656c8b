r"""The data and losses the chapters train on (numpy; scikit-learn loads inside ``load_digits``).

* The article's linear regression :math:`y = wx + b` with MSE loss: a seeded data generator,
  the loss, its analytic gradient, its Hessian, the closed-form least-squares solution.
* Mini-batches sampled without replacement, a fresh permutation each epoch.
* Gradient noise (chapter 3): per-sample gradients, the mini-batch gradient's covariance with and
  without replacement, a fast seeded mini-batch gradient for 2-D runs, and the stationary
  covariance ("noise ball") of constant-rate SGD on a quadratic.
* A sparse-feature regression where some features are rarely non-zero (AdaGrad's case).
* scikit-learn's bundled 8x8 digits, split and standardised (ships offline), with a softmax
  regression and the article's ``SimpleNet`` (one ReLU hidden layer) written in numpy, each with
  loss and analytic gradient, so numpy optimizers train on real data.
* Reddi, Kale & Kumar's (2018) online linear problem on :math:`[-1, 1]`, on which Adam converges
  to the wrong end point and AMSGrad to the right one (chapter 8).

Every loss function takes a params dict (the optimizers' format) and returns gradients with the
same keys, shapes and dtype, ready for ``optimizer.update(params, grads)``.
"""

import math
from typing import NamedTuple

import numpy as np

from .landscapes import Landscape, log_levels
from .validation import check_non_negative, check_positive, check_positive_int

__all__ = [
    "Digits",
    "MinibatchGrad",
    "SparseData",
    "accuracy",
    "cross_entropy",
    "init_mlp",
    "init_softmax",
    "least_squares",
    "linear_data",
    "linear_params",
    "linear_regression_landscape",
    "load_digits",
    "minibatch_indices",
    "minibatches",
    "mlp_logits",
    "mlp_loss_and_grad",
    "mse_grad",
    "mse_hessian",
    "mse_loss",
    "mse_loss_and_grad",
    "mse_sample_grads",
    "minibatch_grad_covariance",
    "reddi_average_loss",
    "reddi_gradient",
    "reddi_run",
    "sgd_stationary_covariance",
    "softmax_logits",
    "softmax_loss_and_grad",
    "sparse_regression_data",
]


def _rng(seed):
    """A numpy Generator from an int/None seed, or the Generator itself (to continue a stream)."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


# ----- the article's linear regression ---------------------------------------------------------
def linear_data(n=100, true_w=3.0, true_b=4.0, noise=1.0, x_range=(0.0, 2.0), seed=0):
    r"""Data for :math:`y = wx + b + \varepsilon`: ``x`` uniform on ``x_range``,
    :math:`\varepsilon \sim N(0, \text{noise}^2)`. Returns float64 arrays ``(x, y)`` of shape
    ``(n,)``; the same seed gives the same data."""
    n = check_positive_int("n", n)
    noise = check_non_negative("noise", noise)
    rng = _rng(seed)
    x = rng.uniform(x_range[0], x_range[1], n)
    y = true_w * x + true_b + noise * rng.standard_normal(n)
    return x, y


def linear_params(w=0.0, b=0.0, dtype=np.float64):
    """The params dict ``{"w": w, "b": b}`` as arrays (0-d for scalars) of ``dtype``."""
    return {"w": np.array(w, dtype=dtype), "b": np.array(b, dtype=dtype)}


def _predict(params, x):
    w = params["w"]
    return (x * w if np.ndim(w) == 0 else x @ w) + params["b"]


def mse_loss(params, x, y):
    r""":math:`L(w, b) = \frac1n \sum_i (y_i - (w x_i + b))^2` as a float. ``w`` is a scalar (the
    article's model, ``x`` of shape ``(n,)``) or a vector (``x`` of shape ``(n, d)``)."""
    r = y - _predict(params, x)
    return float(np.mean(r * r))


def mse_grad(params, x, y):
    r"""The analytic gradient of :func:`mse_loss`:
    :math:`\partial L/\partial w = -\frac2n \sum_i x_i r_i`,
    :math:`\partial L/\partial b = -\frac2n \sum_i r_i` with :math:`r_i = y_i - (w x_i + b)`."""
    return mse_loss_and_grad(params, x, y)[1]


def mse_loss_and_grad(params, x, y):
    """``(mse_loss, mse_grad)`` computed together (one pass over the residuals)."""
    w = params["w"]
    dtype = w.dtype
    r = y - _predict(params, x)
    n = r.shape[0]
    gw = -2.0 / n * (np.dot(x, r) if np.ndim(w) == 0 else x.T @ r)
    gb = -2.0 / n * np.sum(r)
    grads = {"w": np.asarray(gw, dtype=dtype), "b": np.asarray(gb, dtype=params["b"].dtype)}
    return float(np.mean(r * r)), grads


def mse_hessian(x):
    r"""The (constant) Hessian of :func:`mse_loss` in ``(w, b)`` for the scalar model:
    :math:`\frac2n \begin{pmatrix}\sum x_i^2 & \sum x_i \\ \sum x_i & n\end{pmatrix}`.
    Gradient descent is stable for ``lr < 2 / largest eigenvalue``."""
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    sx, sxx = float(np.sum(x)), float(np.dot(x, x))
    return 2.0 / n * np.array([[sxx, sx], [sx, n]])


def least_squares(x, y):
    """The exact minimiser of :func:`mse_loss` (``np.linalg.lstsq`` on ``[x, 1]``).

    Returns ``(w, b)``: floats for the scalar model, ``(w array, b float)`` for ``x`` of shape
    ``(n, d)``."""
    x = np.asarray(x, dtype=np.float64)
    design = np.column_stack([x.reshape(x.shape[0], -1), np.ones(x.shape[0])])
    coef = np.linalg.lstsq(design, np.asarray(y, dtype=np.float64), rcond=None)[0]
    if x.ndim == 1:
        return float(coef[0]), float(coef[1])
    return coef[:-1], float(coef[-1])


def linear_regression_landscape(x, y):
    r"""The MSE of :math:`y = wx + b` on data ``(x, y)`` as a 2-D :class:`Landscape` in
    :math:`(w, b)`, so the trajectory runner, the plots and the explorers can use it.

    The loss is a quadratic bowl with the constant Hessian :func:`mse_hessian` (its eigenvalues
    are ``landscape.eigenvalues``) and its minimum at :func:`least_squares`. ``f`` and ``grad``
    use the data's moments, so they cost the same for 50 points or a million, on floats and on
    meshgrids alike.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    n = float(x.shape[0])
    sxx, sx, sxy, sy, syy = (x @ x / n, x.sum() / n, x @ y / n, y.sum() / n, y @ y / n)
    sxx, sx, sxy, sy, syy = map(float, (sxx, sx, sxy, sy, syy))

    def f(w, b):
        return syy - 2 * w * sxy - 2 * b * sy + w * w * sxx + 2 * w * b * sx + b * b

    def grad(w, b):
        return 2 * (w * sxx + b * sx - sxy), 2 * (w * sx + b - sy)

    w_star, b_star = least_squares(x, y)
    f_star = float(f(w_star, b_star))
    lam = np.linalg.eigvalsh(mse_hessian(x))
    span_w, span_b = max(abs(w_star) * 1.6, 3.0), max(abs(b_star) * 1.6, 3.0)
    xlim = (w_star - span_w, w_star + span_w)
    ylim = (b_star - span_b, b_star + span_b)
    return Landscape(
        name="linear_regression",
        title=f"MSE of y = wx + b ({int(n)} points)",
        f=f,
        grad=grad,
        minima=[(w_star, b_star, f_star)],
        xlim=xlim,
        ylim=ylim,
        start=(w_star - 0.8 * span_w, b_star - 0.7 * span_b),
        levels=log_levels(f, xlim, ylim, f_star, n=16),
        eigenvalues=(float(lam[0]), float(lam[1])),
        description="The article's linear regression: a quadratic bowl in (w, b).",
        labels=("w", "b"),
    )


# ----- mini-batches ------------------------------------------------------------------------------
def minibatch_indices(n, batch_size, epochs=1, seed=None, drop_last=False):
    """Yield index arrays: each epoch is a fresh random permutation of ``range(n)`` cut into
    batches of ``batch_size`` (sampling without replacement: every index once per epoch). The last
    batch of an epoch is smaller unless ``drop_last``. ``seed``: int, None or a Generator."""
    n = check_positive_int("n", n)
    batch_size = check_positive_int("batch_size", batch_size)
    epochs = check_positive_int("epochs", epochs)
    if drop_last and batch_size > n:
        raise ValueError(f"batch_size={batch_size} > n={n} with drop_last gives no batches")
    rng = _rng(seed)
    stop = n - n % batch_size if drop_last else n
    for _ in range(epochs):
        order = rng.permutation(n)
        for i in range(0, stop, batch_size):
            yield order[i : i + batch_size]


def minibatches(x, y, batch_size, epochs=1, seed=None, drop_last=False):
    """Yield ``(x[idx], y[idx])`` for the batches of :func:`minibatch_indices`."""
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    for idx in minibatch_indices(len(x), batch_size, epochs, seed, drop_last):
        yield x[idx], y[idx]


# ----- gradient noise (chapter 3) ---------------------------------------------------------------
def mse_sample_grads(params, x, y):
    r"""The per-sample gradients :math:`\nabla L_i` of :func:`mse_loss`, one row per sample:
    ``{"w": -2 x_i r_i, "b": -2 r_i}`` with shapes ``(n,)`` (``(n, d)`` for a vector ``w``).
    Their mean over the samples is :func:`mse_grad` (the loss is the mean of the
    :math:`L_i = r_i^2`)."""
    r = y - _predict(params, x)
    w = params["w"]
    gw = -2.0 * (x * r if np.ndim(w) == 0 else x * r[:, None])
    return {
        "w": np.asarray(gw, dtype=w.dtype),
        "b": np.asarray(-2.0 * r, dtype=params["b"].dtype),
    }


def minibatch_grad_covariance(params, x, y, batch_size, replace=False):
    r"""Covariance of the mini-batch gradient :math:`\frac1{|B|}\sum_{i\in B}\nabla L_i` of the
    scalar model at ``params``, over the random batch, as a ``(2, 2)`` array in ``(w, b)``.

    With :math:`\Sigma` the covariance of the per-sample gradients over the :math:`N` samples
    (:func:`mse_sample_grads`, divided by :math:`N`), a batch of :math:`|B|` samples drawn
    independently (``replace=True``) has covariance :math:`\Sigma/|B|`; drawn without replacement
    (``replace=False``, a batch of :func:`minibatch_indices`) it has
    :math:`\frac{\Sigma}{|B|}\,\frac{N - |B|}{N - 1}` (the finite-population correction: zero
    for the full batch)."""
    g = mse_sample_grads(params, x, y)
    n = len(y)
    batch_size = check_positive_int("batch_size", batch_size)
    if not replace and batch_size > n:
        raise ValueError(f"batch_size={batch_size} > n={n} without replacement")
    sigma = np.cov(np.stack([g["w"], g["b"]]), bias=True)
    correction = 1.0 if replace else (n - batch_size) / (n - 1) if n > 1 else 0.0
    return sigma / batch_size * correction


def sgd_stationary_covariance(hessian, noise_cov, lr):
    r"""The noise ball of constant-rate SGD on a quadratic with Hessian :math:`H`, when each
    gradient carries independent zero-mean noise of covariance :math:`C`: the covariance
    :math:`P` of :math:`\theta_t - \theta^\star` once the run has forgotten its start,
    the solution of

    .. math:: P = (I - \eta H)\, P\, (I - \eta H) + \eta^2 C .

    Its mean loss gap is :math:`\tfrac12 \operatorname{tr}(HP) \approx \tfrac{\eta}{4}
    \operatorname{tr} C` for small :math:`\eta`: the ball grows in proportion to the learning
    rate. Raises ``ValueError`` when :math:`\eta` is outside the stable range
    :math:`(0, 2/\lambda_{\max})` (no stationary state)."""
    H = np.atleast_2d(np.asarray(hessian, dtype=np.float64))
    C = np.atleast_2d(np.asarray(noise_cov, dtype=np.float64))
    lr = check_positive("lr", lr)
    d = H.shape[0]
    A = np.eye(d) - lr * H
    if np.max(np.abs(np.linalg.eigvals(A))) >= 1.0:
        raise ValueError(f"lr={lr:g} is not in the stable range (0, 2/largest eigenvalue of H)")
    vec_p = np.linalg.solve(np.eye(d * d) - np.kron(A, A), lr * lr * C.reshape(-1))
    P = vec_p.reshape(d, d)
    return 0.5 * (P + P.T)


class MinibatchGrad:
    r"""A seeded stochastic gradient of the article's linear regression, ``grad(w, b) -> (gw, gb)``
    (Python floats): each call returns the MSE gradient on the next mini-batch, the gradient a
    training loop sees. Pass it as ``run_trajectory(..., stochastic_grad=grad)`` on
    :func:`linear_regression_landscape` of the same data.

    ``replace=False`` (default): batches of :func:`minibatch_indices` with ``drop_last=True``,
    epoch after epoch (a fresh permutation each epoch, every sample once per epoch), the stream
    ``minibatch_indices(n, batch_size, epochs, seed, drop_last=True)`` gives.
    ``replace=True``: every sample of every batch an independent uniform draw (the textbook model:
    batches independent, covariance :math:`\Sigma/|B|`, see :func:`minibatch_grad_covariance`).

    The batch gradient equals ``mse_grad(params, x[idx], y[idx])`` (to rounding), computed from
    the batch's moments (:math:`\overline{x^2}, \bar x, \overline{xy}, \bar y`), which are
    prepared for many batches at once: a call costs about a microsecond, so 2-D runs of tens of
    thousands of SGD steps take well under a second. ``last_batch`` holds the indices the last
    call used, ``calls`` the number of calls, ``epochs`` the samples used divided by ``n``.
    """

    def __init__(self, x, y, batch_size, seed=None, replace=False):
        self.x = np.asarray(x, dtype=np.float64).ravel()
        self.y = np.asarray(y, dtype=np.float64).ravel()
        n = self.x.shape[0]
        if self.y.shape[0] != n:
            raise ValueError(f"x and y must have the same length, got {n} and {len(self.y)}")
        self.n = check_positive_int("n", n)
        self.batch_size = check_positive_int("batch_size", batch_size)
        if not replace and self.batch_size > self.n:
            raise ValueError(f"batch_size={batch_size} > n={n} without replacement")
        self.replace = bool(replace)
        self.rng = _rng(seed)
        self.calls = 0
        self.last_batch = None
        self._batches = np.empty((0, self.batch_size), dtype=np.int64)
        self._moments = []
        self._next = 0

    @property
    def epochs(self):
        """Samples used so far divided by ``n``."""
        return self.calls * self.batch_size / self.n

    def _refill(self):
        if self.replace:
            count = max(1, 4096 // self.batch_size)
            batches = self.rng.integers(0, self.n, size=(count, self.batch_size))
        else:  # one epoch of the package's sampler, continuing the same Generator
            epoch = minibatch_indices(self.n, self.batch_size, 1, self.rng, drop_last=True)
            batches = np.stack(list(epoch))
        xb, yb = self.x[batches], self.y[batches]
        moments = np.stack([(xb * xb).mean(1), xb.mean(1), (xb * yb).mean(1), yb.mean(1)], 1)
        self._batches, self._moments, self._next = batches, moments.tolist(), 0

    def __call__(self, w, b):
        if self._next == len(self._moments):
            self._refill()
        sxx, sx, sxy, sy = self._moments[self._next]
        self.last_batch = self._batches[self._next]
        self._next += 1
        self.calls += 1
        # the batch's MSE gradient from its moments (as linear_regression_landscape's grad)
        return 2.0 * (w * sxx + b * sx - sxy), 2.0 * (w * sx + b - sy)


# ----- sparse features (AdaGrad's case) --------------------------------------------------------
class SparseData(NamedTuple):
    """A sparse-feature regression: ``X`` (n, d), ``y`` (n,), the true weights and how often each
    feature is non-zero."""

    X: np.ndarray
    y: np.ndarray
    w_true: np.ndarray
    frequency: np.ndarray


def sparse_regression_data(n=1000, d=20, min_frequency=0.01, max_frequency=1.0, noise=0.1, seed=0):
    r"""Linear regression whose features are non-zero with very different frequencies.

    Feature ``j`` is non-zero (standard normal) with probability log-spaced from
    ``max_frequency`` (feature 0) down to ``min_frequency`` (feature ``d - 1``); the true weights
    are all :math:`\pm 1` (same importance), ``y = X w + noise``. A rare feature gets few, small
    gradient contributions: plain SGD learns its weight slowly, AdaGrad scales its step up.
    Fit with :func:`mse_loss_and_grad` and params ``{"w": zeros(d), "b": 0}``.
    """
    n = check_positive_int("n", n)
    d = check_positive_int("d", d)
    if not 0.0 < min_frequency <= max_frequency <= 1.0:
        raise ValueError(
            "frequencies must satisfy 0 < min_frequency <= max_frequency <= 1, "
            f"got min_frequency={min_frequency}, max_frequency={max_frequency}"
        )
    noise = check_non_negative("noise", noise)
    rng = _rng(seed)
    prob = np.geomspace(max_frequency, min_frequency, d)
    mask = rng.random((n, d)) < prob
    X = np.where(mask, rng.standard_normal((n, d)), 0.0)
    w_true = rng.choice([-1.0, 1.0], d)
    y = X @ w_true + noise * rng.standard_normal(n)
    return SparseData(X, y, w_true, mask.mean(axis=0))


# ----- digits ------------------------------------------------------------------------------------
class Digits(NamedTuple):
    """The digits split: standardised float features and int64 labels 0..9."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def load_digits(test_fraction=0.25, seed=0, dtype=np.float32):
    """scikit-learn's 8x8 digits (1797 images, bundled with scikit-learn, no download), split
    stratified into train and test and standardised with the training mean and standard deviation
    (constant pixels get scale 1). Returns :class:`Digits` with ``(n, 64)`` features of ``dtype``
    and int64 labels."""
    from sklearn.datasets import load_digits as _sk_load_digits
    from sklearn.model_selection import train_test_split

    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    data = _sk_load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        data.data, data.target, test_size=test_fraction, random_state=seed, stratify=data.target
    )
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std[std == 0] = 1.0
    return Digits(
        ((X_train - mean) / std).astype(dtype),
        y_train.astype(np.int64),
        ((X_test - mean) / std).astype(dtype),
        y_test.astype(np.int64),
    )


# ----- softmax regression and a one-hidden-layer network ----------------------------------------
def cross_entropy(logits, y):
    r"""Mean cross-entropy of integer labels ``y`` under ``softmax(logits)`` and its gradient
    with respect to the logits, :math:`(\text{softmax}(z) - \text{onehot}(y)) / n`."""
    n = logits.shape[0]
    z = logits - logits.max(axis=1, keepdims=True)
    ez = np.exp(z)
    sums = ez.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = float(np.mean(np.log(sums[:, 0]) - z[rows, y]))
    d = ez / sums
    d[rows, y] -= 1
    d /= n
    return loss, d


def init_softmax(n_features=64, n_classes=10, dtype=np.float32):
    """Zero weights ``{"W": (n_features, n_classes), "b": (n_classes,)}``."""
    return {
        "W": np.zeros((n_features, n_classes), dtype=dtype),
        "b": np.zeros(n_classes, dtype=dtype),
    }


def softmax_logits(params, X):
    """``X @ W + b``."""
    return X @ params["W"] + params["b"]


def softmax_loss_and_grad(params, X, y):
    """Softmax regression: mean cross-entropy and its gradient ``{"W": X^T d, "b": sum d}``."""
    loss, d = cross_entropy(softmax_logits(params, X), y)
    return loss, {"W": X.T @ d, "b": d.sum(axis=0)}


def init_mlp(n_features=64, hidden=32, n_classes=10, seed=0, dtype=np.float32):
    """The article's ``SimpleNet`` weights, initialised like ``torch.nn.Linear``: every weight and
    bias uniform on :math:`\\pm 1/\\sqrt{\\text{fan\\_in}}`. Keys ``W1, b1, W2, b2``."""
    rng = _rng(seed)

    def uniform(shape, fan_in):
        bound = 1.0 / np.sqrt(fan_in)
        return rng.uniform(-bound, bound, shape).astype(dtype)

    return {
        "W1": uniform((n_features, hidden), n_features),
        "b1": uniform(hidden, n_features),
        "W2": uniform((hidden, n_classes), hidden),
        "b2": uniform(n_classes, hidden),
    }


def mlp_logits(params, X):
    """``relu(X @ W1 + b1) @ W2 + b2``."""
    return np.maximum(X @ params["W1"] + params["b1"], 0) @ params["W2"] + params["b2"]


def mlp_loss_and_grad(params, X, y):
    """One-hidden-layer ReLU network: mean cross-entropy and its gradient by backpropagation."""
    h = X @ params["W1"] + params["b1"]
    a = np.maximum(h, 0)
    loss, d2 = cross_entropy(a @ params["W2"] + params["b2"], y)
    d1 = d2 @ params["W2"].T
    d1 *= h > 0
    grads = {
        "W1": X.T @ d1,
        "b1": d1.sum(axis=0),
        "W2": a.T @ d2,
        "b2": d2.sum(axis=0),
    }
    return loss, grads


def accuracy(logits, y):
    """Fraction of rows whose largest logit is the label."""
    return float(np.mean(np.argmax(logits, axis=1) == y))


# ----- Reddi et al. (2018): an online problem on which Adam does not converge -------------------
def reddi_gradient(t, c=3.0, period=3, scale=1.0):
    r"""The gradient at step ``t`` (counted from 1) of Reddi, Kale & Kumar's online problem.

    The loss at step :math:`t` is linear on the interval :math:`[-1, 1]`:
    :math:`f_t(x) = \text{scale}\cdot c\,x` when :math:`t \bmod \text{period} = 1`, else
    :math:`f_t(x) = -\text{scale}\cdot x`. The rare, large gradient :math:`c` pushes towards
    :math:`-1`, the frequent gradient :math:`-1` towards :math:`+1`. With ``c > period - 1`` the
    average loss :func:`reddi_average_loss` is smallest at :math:`x = -1`. Their Theorem 1 uses
    ``period=3`` (:math:`c > 2`); their synthetic experiment ``c=101, period=101, scale=10``
    (gradients 1010 and -10). ``t`` may be an int or an int array; returns float64.
    """
    c = check_positive("c", c)
    period = check_positive_int("period", period)
    scale = check_positive("scale", scale)
    t = np.asarray(t)
    if not np.issubdtype(t.dtype, np.integer) or np.any(t < 1):
        raise ValueError(f"t must be an integer >= 1 (steps count from 1), got {t!r}")
    return np.where(t % period == 1 % period, scale * c, -scale).astype(np.float64)


def reddi_average_loss(x, c=3.0, period=3, scale=1.0):
    r"""The loss averaged over one period, :math:`\text{scale}\,(c - (\text{period} - 1))\,x /
    \text{period}`: linear in :math:`x`, so its minimiser on :math:`[-1, 1]` is an end point
    (:math:`-1` when ``c > period - 1``). Regret is measured against this minimiser."""
    c = check_positive("c", c)
    period = check_positive_int("period", period)
    scale = check_positive("scale", scale)
    return scale * (c - (period - 1)) * np.asarray(x, dtype=np.float64) / period


def reddi_run(optimizer, steps, c=3.0, period=3, scale=1.0, x0=0.0, sqrt_decay=True):
    r"""Run ``optimizer`` on the online problem of :func:`reddi_gradient` and return the iterates.

    Projected online gradient descent as in Reddi et al.: at step :math:`t` the optimizer gets
    :math:`\nabla f_t(x_t)` and its result is clipped back onto :math:`[-1, 1]`. With
    ``sqrt_decay`` the learning rate is :math:`\alpha/\sqrt{t}` (their theorems' schedule), where
    :math:`\alpha` is ``optimizer.lr`` on entry; ``optimizer.lr`` is restored on return.
    Returns a float64 array of shape ``(steps + 1,)``: :math:`x_0, x_1, \dots, x_T`.
    """
    steps = check_positive_int("steps", steps)
    if not -1.0 <= x0 <= 1.0:
        raise ValueError(f"x0 must lie in [-1, 1], got {x0}")
    grads = reddi_gradient(np.arange(1, steps + 1), c, period, scale)
    base_lr = optimizer.lr
    params, grad = {"x": np.array([float(x0)])}, {"x": np.zeros(1)}
    xs = np.empty(steps + 1)
    xs[0] = x0
    try:
        for t in range(1, steps + 1):
            if sqrt_decay:
                optimizer.lr = base_lr / math.sqrt(t)
            grad["x"][0] = grads[t - 1]
            optimizer.update(params, grad)
            np.clip(params["x"], -1.0, 1.0, out=params["x"])
            xs[t] = params["x"][0]
    finally:
        optimizer.lr = base_lr
    return xs
