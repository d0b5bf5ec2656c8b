"""Reddi, Kale & Kumar's (2018) online problem (chapter 8): its gradients, its average loss, the
projected run, and the paper's result that Adam (beta1 = 0, beta2 = 1/(1 + C^2)) ends at the wrong
end point +1 while AMSGrad ends at the minimiser -1."""

import numpy as np
import pytest

import optimlite as ol
from optimlite import problems


def test_gradients_follow_the_period():
    g = problems.reddi_gradient(np.arange(1, 8), c=3.0, period=3)
    np.testing.assert_array_equal(g, [3.0, -1.0, -1.0, 3.0, -1.0, -1.0, 3.0])
    assert g.dtype == np.float64
    big = problems.reddi_gradient(np.array([1, 2, 101, 102]), c=101.0, period=101, scale=10.0)
    np.testing.assert_array_equal(big, [1010.0, -10.0, -10.0, 1010.0])


@pytest.mark.parametrize("bad", [0, -3, 1.5, np.array([2, 0])])
def test_steps_count_from_one(bad):
    with pytest.raises(ValueError, match="t must be an integer"):
        problems.reddi_gradient(bad)


def test_average_loss_is_minimised_at_minus_one():
    x = np.linspace(-1, 1, 5)
    avg = problems.reddi_average_loss(x, c=3.0, period=3)
    # the mean of f_t over one period, computed from the gradients themselves
    per_step = problems.reddi_gradient(np.arange(1, 4))[:, None] * x
    np.testing.assert_allclose(avg, per_step.mean(axis=0))
    assert np.argmin(avg) == 0


def test_run_projects_and_restores_lr():
    opt = ol.SGD(lr=10.0)
    xs = problems.reddi_run(opt, steps=6, sqrt_decay=False)
    assert xs.shape == (7,) and xs[0] == 0.0
    assert np.all(np.abs(xs) <= 1.0)
    # SGD with a huge step: the +3 gradient sends x to -1, each -1 gradient back to +1
    np.testing.assert_array_equal(xs[1:], [-1.0, 1.0, 1.0, -1.0, 1.0, 1.0])
    problems.reddi_run(opt, steps=5)
    assert opt.lr == 10.0


def test_run_uses_the_sqrt_schedule():
    opt = ol.SGD(lr=0.1)
    xs = problems.reddi_run(opt, steps=3, c=3.0)
    g = problems.reddi_gradient(np.arange(1, 4))
    np.testing.assert_allclose(np.diff(xs), -0.1 / np.sqrt([1, 2, 3]) * g)


def test_adam_fails_and_amsgrad_converges():
    c = 3.0
    betas = (0.0, 1.0 / (1.0 + c**2))
    adam = problems.reddi_run(ol.Adam(lr=0.5, betas=betas), steps=3000, c=c)
    ams = problems.reddi_run(ol.Adam(lr=0.5, betas=betas, amsgrad=True), steps=3000, c=c)
    assert adam[-300:].mean() > 0.95
    assert ams[-300:].mean() < -0.95


@pytest.mark.parametrize(
    "kwargs",
    [{"c": 0.0}, {"period": 0}, {"scale": -1.0}, {"x0": 2.0}, {"steps": 0}],
)
def test_bad_arguments_raise(kwargs):
    args = {"steps": 3, **kwargs}
    with pytest.raises(ValueError):
        problems.reddi_run(ol.Adam(), **args)
