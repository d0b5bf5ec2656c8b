"""run_trajectory: same path as a hand-written loop, clean stops on divergence, seeded noise."""

import math

import numpy as np
import pytest

import optimlite as ol
from optimlite import landscapes
from optimlite.trajectory import Trajectory, run_trajectory


def manual_run(optimizer, land, start, steps, noise=None, scheduler=None):
    """The loop written plainly, with fresh arrays every step."""
    params = {"xy": np.array(start, dtype=np.float64)}
    path = [params["xy"].copy()]
    for k in range(steps):
        gx, gy = land.grad(*params["xy"].tolist())
        g = np.array([gx, gy])
        if noise is not None:
            g = g + noise[k]
        optimizer.update(params, {"xy": g})
        if scheduler is not None:
            scheduler.step()
        path.append(params["xy"].copy())
    return np.array(path)


@pytest.mark.parametrize(
    "make",
    [
        lambda lr: ol.SGD(lr=lr),
        lambda lr: ol.SGD(lr=lr, momentum=0.9),
        lambda lr: ol.SGD(lr=lr, momentum=0.9, nesterov=True),
        lambda lr: ol.Adam(lr=10 * lr),
    ],
    ids=["sgd", "momentum", "nesterov", "adam"],
)
@pytest.mark.parametrize(
    "name, lr", [("ill_conditioned_quadratic", 0.02), ("rosenbrock", 1e-3), ("rastrigin", 1e-3)]
)
def test_path_matches_a_plain_loop(make, name, lr):
    land = landscapes.LANDSCAPES[name]()
    tr = run_trajectory(make(lr), land, steps=200)
    ref = manual_run(make(lr), land, land.start, 200)
    assert tr.diverged_at is None and tr.steps_run == 200
    np.testing.assert_array_equal(tr.path, ref)
    assert tr.path.shape == (tr.steps_run + 1, 2) and tr.path.dtype == np.float64
    assert tr.losses.shape == (tr.steps_run + 1,)
    np.testing.assert_array_equal(tr.losses, [land.f(x, y) for x, y in tr.path.tolist()])


def test_converges_and_reports():
    land = landscapes.ill_conditioned_quadratic(kappa=10.0)
    tr = run_trajectory(ol.SGD(lr=0.1, momentum=0.5), land, steps=300)
    assert isinstance(tr, Trajectory)
    assert tr.diverged_at is None and not tr.diverged
    assert tr.final_loss < 1e-12
    assert tr.message == f"reached loss {tr.final_loss:.2g} after 300 steps"
    np.testing.assert_array_equal(tr.path[0], land.start)


def test_divergence_stops_cleanly_at_the_right_step():
    # plain GD on (x^2 + 10 y^2)/2 with lr 0.3: y is multiplied by 1 - 0.3 * 10 = -2 per step
    land = landscapes.ill_conditioned_quadratic(kappa=10.0)
    tr = run_trajectory(ol.SGD(lr=0.3), land, start=(1.0, 1.0), steps=500, bound=1e6)
    first_out = next(k for k in range(1, 100) if 2.0**k > 1e6)  # |y_k| = 2^k
    assert tr.diverged_at == first_out == 20
    assert tr.steps_run == first_out - 1
    assert np.all(np.abs(tr.path) <= 1e6) and np.all(np.isfinite(tr.losses))
    assert tr.message == "diverged at step 20"
    np.testing.assert_allclose(np.abs(tr.path[:, 1]), 2.0 ** np.arange(first_out))


class Spy:
    """Plain GD that fails the test if it ever receives a non-finite gradient."""

    def __init__(self, lr):
        self.lr = lr
        self.calls = 0

    def update(self, params, grads):
        assert np.all(np.isfinite(grads["xy"]))
        self.calls += 1
        params["xy"] -= self.lr * grads["xy"]
        return params


class Cliff:
    """A landscape whose loss or gradient breaks beyond x = 1 (or raises, as math does)."""

    start = (0.0, 0.0)

    def __init__(self, mode):
        self.mode = mode

    def f(self, x, y):
        if x > 1.0 and self.mode == "loss":
            return math.inf
        if x > 1.0 and self.mode == "raise":
            return math.exp(1e6)  # OverflowError, as Python floats do
        return -x

    def grad(self, x, y):
        if x > 1.0 and self.mode == "grad":
            return math.nan, 0.0
        return -1.0, 0.0


@pytest.mark.parametrize("mode", ["loss", "grad", "raise"])
def test_non_finite_loss_or_gradient_never_reaches_the_optimizer(mode):
    spy = Spy(lr=0.25)
    tr = run_trajectory(spy, Cliff(mode), steps=100)
    # x = 0.25 k: x = 1.25 at k = 5 is the first point past the cliff
    assert tr.diverged_at == 5 and tr.steps_run == 4 and spy.calls == 5
    np.testing.assert_allclose(tr.path[:, 0], 0.25 * np.arange(5))


def test_overflowing_optimizer_is_a_divergence_not_an_error():
    land = landscapes.rosenbrock()
    for make in (lambda: ol.SGD(lr=1.0), lambda: ol.SGD(lr=10.0, momentum=0.99)):
        tr = run_trajectory(make(), land, steps=500)
        assert tr.diverged_at is not None and tr.diverged_at <= 10
        assert np.all(np.isfinite(tr.path)) and np.all(np.isfinite(tr.losses))


def test_noise_is_seeded_and_added_to_the_gradient():
    land = landscapes.ill_conditioned_quadratic()
    a = run_trajectory(ol.SGD(lr=0.05), land, steps=100, grad_noise=0.3, seed=7)
    b = run_trajectory(ol.SGD(lr=0.05), land, steps=100, grad_noise=0.3, seed=7)
    c = run_trajectory(ol.SGD(lr=0.05), land, steps=100, grad_noise=0.3, seed=8)
    np.testing.assert_array_equal(a.path, b.path)
    assert not np.array_equal(a.path, c.path)
    noise = np.random.default_rng(7).standard_normal((100, 2)) * 0.3
    np.testing.assert_array_equal(a.path, manual_run(ol.SGD(lr=0.05), land, land.start, 100, noise))
    quiet = run_trajectory(ol.SGD(lr=0.05), land, steps=100, seed=7)
    np.testing.assert_array_equal(quiet.path, manual_run(ol.SGD(lr=0.05), land, land.start, 100))


def test_noise_lets_sgd_leave_the_saddle():
    land = landscapes.saddle()  # the start lies on y = 0: exact gradients never leave that line
    exact = run_trajectory(ol.SGD(lr=0.05), land, steps=400)
    assert np.all(exact.path[:, 1] == 0.0)
    assert exact.final_loss == pytest.approx(0.0, abs=1e-12)  # stuck at the saddle point
    noisy = run_trajectory(ol.SGD(lr=0.05), land, steps=400, grad_noise=0.05, seed=0)
    assert noisy.final_loss < -0.45  # reached a minimum (f = -0.5)


def test_scheduler_is_stepped_after_each_update():
    land = landscapes.ill_conditioned_quadratic()
    opt = ol.SGD(lr=0.1, momentum=0.9)
    sched = ol.StepLR(opt, step_size=10, gamma=0.5)
    tr = run_trajectory(opt, land, steps=60, scheduler=sched)
    assert sched.last_epoch == 60 and opt.lr == pytest.approx(0.1 * 0.5**6)
    ref_opt = ol.SGD(lr=0.1, momentum=0.9)
    ref = manual_run(ref_opt, land, land.start, 60, scheduler=ol.StepLR(ref_opt, 10, 0.5))
    np.testing.assert_array_equal(tr.path, ref)


def test_zero_steps_and_custom_start():
    land = landscapes.himmelblau()
    tr = run_trajectory(ol.Adam(lr=0.1), land, start=(1, -2), steps=0)
    assert tr.steps_run == 0 and tr.path.tolist() == [[1.0, -2.0]]
    assert tr.losses.tolist() == [land.f(1.0, -2.0)]
    assert tr.message.endswith("after 0 steps")
    tr = run_trajectory(ol.SGD(lr=0.01), land, start=np.array([1.0, -2.0]), steps=np.int64(3))
    assert tr.steps_run == 3 and type(tr.steps_run) is int


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"steps": -1}, "steps"),
        ({"steps": 2.5}, "steps"),
        ({"steps": True}, "steps"),
        ({"steps": "10"}, "steps"),
        ({"grad_noise": -0.1}, "grad_noise"),
        ({"start": (1.0, 2.0, 3.0)}, "start"),
        ({"start": (math.nan, 0.0)}, "start"),
        ({"start": (1e7, 0.0)}, "start"),
        ({"bound": 0.0}, "bound"),
    ],
)
def test_bad_arguments_raise(kwargs, word):
    with pytest.raises(ValueError, match=word):
        run_trajectory(ol.SGD(lr=0.1), landscapes.saddle(), **kwargs)


# ----- recording the optimizer's state ----------------------------------------------------------
def manual_states(optimizer, land, steps, keys):
    """The plain loop again, copying ``optimizer.state["xy"][key]`` after each update."""
    params = {"xy": np.array(land.start, dtype=np.float64)}
    rows = {key: [] for key in keys}
    for _ in range(steps):
        gx, gy = land.grad(*params["xy"].tolist())
        optimizer.update(params, {"xy": np.array([gx, gy])})
        for key in keys:
            rows[key].append(optimizer.state["xy"][key].copy())
    return {key: np.array(values) for key, values in rows.items()}


@pytest.mark.parametrize(
    "make, keys",
    [
        (lambda: ol.AdaGrad(lr=0.3, initial_accumulator_value=0.5, lr_decay=0.01), ("sum",)),
        (lambda: ol.RMSprop(lr=0.01, alpha=0.9), ("square_avg",)),
        (lambda: ol.RMSprop(lr=0.01, momentum=0.5, centered=True),
         ("square_avg", "momentum_buffer", "grad_avg")),
        (lambda: ol.Adam(lr=0.05, amsgrad=True), ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")),
        (lambda: ol.SGD(lr=1e-3, momentum=0.9), ("momentum_buffer",)),
    ],
    ids=["adagrad", "rmsprop", "rmsprop-centered", "adam-amsgrad", "momentum"],
)  # fmt: skip
def test_recorded_state_is_the_optimizers_state_after_each_step(make, keys):
    land = landscapes.rosenbrock()
    tr = run_trajectory(make(), land, steps=60, record=keys)
    assert tr.diverged_at is None and set(tr.recorded) == set(keys)
    expected = manual_states(make(), land, 60, keys)
    for key in keys:
        assert tr.recorded[key].shape == (tr.steps_run, 2)
        np.testing.assert_array_equal(tr.recorded[key], expected[key])
    # recording changes nothing about the run
    np.testing.assert_array_equal(tr.path, run_trajectory(make(), land, steps=60).path)


def test_recorded_rows_are_copies_and_the_last_is_the_optimizers_state_now():
    opt = ol.AdaGrad(lr=0.5)
    tr = run_trajectory(opt, landscapes.beale(), steps=25, record="sum")  # one name is fine
    np.testing.assert_array_equal(tr.recorded["sum"][-1], opt.state["xy"]["sum"])
    assert not np.shares_memory(tr.recorded["sum"], opt.state["xy"]["sum"])
    assert np.all(np.diff(tr.recorded["sum"], axis=0) >= 0)  # AdaGrad's sum only grows


def test_a_diverged_run_records_the_update_that_diverged():
    land = landscapes.ill_conditioned_quadratic(kappa=10.0)
    opt = ol.SGD(lr=0.3, momentum=0.1)
    tr = run_trajectory(opt, land, start=(1.0, 1.0), steps=500, record=("momentum_buffer",))
    assert tr.diverged_at is not None
    rows = tr.recorded["momentum_buffer"]
    assert rows.shape == (tr.diverged_at, 2) == (tr.steps_run + 1, 2)
    np.testing.assert_array_equal(rows[-1], opt.state["xy"]["momentum_buffer"])


def test_nothing_recorded_by_default_and_zero_steps_record_nothing():
    land = landscapes.himmelblau()
    assert run_trajectory(ol.Adam(lr=0.1), land, steps=5).recorded == {}
    tr = run_trajectory(ol.Adam(lr=0.1), land, steps=0, record=("exp_avg",))
    assert tr.recorded["exp_avg"].shape == (0, 2)


@pytest.mark.parametrize(
    "optimizer, record, word",
    [
        (lambda: ol.AdaGrad(lr=0.1), ("square_avg",), "no state 'square_avg'.*'sum'"),
        (lambda: ol.SGD(lr=0.1), ("momentum_buffer",), "no state 'momentum_buffer'.*none"),
        (lambda: ol.SGD(lr=0.1), 3, "record"),
        (lambda: ol.SGD(lr=0.1), ("sum", "sum"), "record"),
        (lambda: ol.SGD(lr=0.1), (None,), "record"),
    ],
)
def test_recording_what_the_optimizer_lacks_raises(optimizer, record, word):
    with pytest.raises(ValueError, match=word):
        run_trajectory(optimizer(), landscapes.saddle(), steps=3, record=record)
