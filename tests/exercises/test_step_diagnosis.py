"""optimlite.grading.assert_steps: a drifting optimizer is told the first step and value to differ.

Each learner below is right except for one thing, which starts at a known step; the message must
name that step, the first value that differs there (``p`` before the buffers), by how much, and
what still agreed.
"""

import re

import numpy as np
import pytest

import optimlite
from optimlite.grading import answer, assert_steps

ADAM = {"m": "exp_avg", "v": "exp_avg_sq"}
AMSGRAD = {"m": "exp_avg", "v": "exp_avg_sq", "vmax": "max_exp_avg_sq"}


def _data(steps=100, shape=(3, 5), seed=6):
    rng = np.random.default_rng(seed)
    p0 = rng.normal(size=shape).astype(np.float32)
    grads = [rng.normal(size=shape).astype(np.float32) for _ in range(steps)]
    return p0, grads


def _adam_step(v_factor_from=None, beta1=0.9, p_wrong_from=None):
    """An Adam step (float32 in and out) with one optional mistake from a given step on."""

    def adam_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        beta2 = betas[1]
        m = beta1 * m + (1.0 - beta1) * g
        v = beta2 * v + (1.0 - beta2) * (g * g)
        if v_factor_from is not None and t >= v_factor_from:
            v = v * np.float32(1.01)  # a wrong v: too large by 1 %
        bc1 = 1.0 - betas[0] ** t
        if p_wrong_from is not None and t >= p_wrong_from:
            bc1 = 1.0 - betas[0] ** (t + 1)  # a wrong step from right moments
        p = p - lr * (m / bc1) / (np.sqrt(v / (1.0 - beta2**t)) + eps)
        return p, m, v

    return adam_step


def _adam(**mistake):
    return answer("adam_step", _adam_step(**mistake))


def _run(step, steps=100, buffers=ADAM, opt=None, **kwargs):
    p0, grads = _data(steps)
    state = [np.zeros_like(p0) for _ in buffers]
    opt = opt or optimlite.Adam()
    assert_steps(step, opt, p0, grads, state, buffers=buffers, with_t=True, rtol=1e-5, **kwargs)


def _message(step, **kwargs):
    with pytest.raises(AssertionError) as exc:
        _run(step, **kwargs)
    return str(exc.value)


def test_a_right_answer_passes_every_step():
    _run(_adam())


def test_a_drifting_buffer_is_named_at_its_first_step():
    message = _message(_adam(v_factor_from=37))
    assert message.startswith("step 37 of 100: v differs from the reference at index ("), message
    assert "p, m and v agreed at steps 1 to 36, and at step 37 p and m still agree" in message
    assert message.endswith("Look at how you update v.")
    found = re.search(r"largest difference ([0-9.e-]+)\)", message)
    assert found and 1e-5 < float(found.group(1)) < 1e-2, message  # by how much: about 1 % of v


def test_a_wrong_step_from_right_buffers_names_p():
    message = _message(_adam(p_wrong_from=5))
    assert message.startswith("step 5 of 100: p differs from the reference"), message
    assert "at step 5 m and v still agree" in message
    assert "The state still agrees, so look at how you compute p from it." in message


def test_p_comes_first_and_the_wrong_buffer_is_pointed_at():
    """A wrong beta1 spoils m and p at step 1: p is reported (the order), m named as the cause."""
    message = _message(_adam(beta1=0.8))
    assert message.startswith("step 1 of 100: p differs"), message
    assert "at step 1 v still agrees and m differs too" in message
    assert "look at how you update m first" in message


def test_a_buffer_can_differ_while_p_still_agrees():
    """vmax returned as v: right until v first falls, where only vmax is wrong (p is not yet)."""

    def amsgrad_step(p, g, m, v, vmax, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        beta1, beta2 = betas
        m = beta1 * m + (1.0 - beta1) * g
        v = beta2 * v + (1.0 - beta2) * (g * g)
        running = np.maximum(vmax, v)
        p = p - lr * (m / (1.0 - beta1**t)) / (np.sqrt(running / (1.0 - beta2**t)) + eps)
        return p, m, v, v  # the mistake: v, not the running maximum

    opt = optimlite.Adam(amsgrad=True)
    message = _message(answer("amsgrad_step", amsgrad_step), buffers=AMSGRAD, opt=opt)
    step = int(re.match(r"step (\d+) of 100: vmax differs", message).group(1))
    assert step > 1 and f"at step {step} p, m and v still agree" in message, message
    assert message.endswith("Look at how you update vmax.")
    # the first step where some v fell below its running maximum, computed independently
    p0, grads = _data()
    v, vmax, first = np.zeros_like(p0), np.zeros_like(p0), None
    for t, g in enumerate(grads, start=1):
        v = 0.999 * v + 0.001 * g * g
        if first is None and np.any(v < vmax):
            first = t
        vmax = np.maximum(vmax, v)
    assert step == first


def test_momentum_velocity_is_mapped_explicitly():
    def momentum_step(p, g, velocity, lr, momentum):
        velocity = momentum * velocity + 0.5 * g  # dampened: wrong from step 1
        return p - lr * velocity, velocity

    rng = np.random.default_rng(0)
    p0 = rng.normal(size=4)
    grads = [rng.normal(size=4) for _ in range(10)]
    opt = optimlite.MomentumSGD(lr=0.1, momentum=0.9)
    f = answer("momentum_step", momentum_step)
    with pytest.raises(AssertionError, match=r"^step 1 of 10: p differs.*velocity differs too"):
        assert_steps(
            f,
            opt,
            p0,
            grads,
            [np.zeros(4)],
            buffers={"velocity": "momentum_buffer"},
            lr=0.1,
            momentum=0.9,
        )


def test_an_error_inside_the_learners_step_names_the_step():
    def adam_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        if t == 3:
            raise ZeroDivisionError("division by zero")
        return _adam_step()(p, g, m, v, t, lr, betas, eps)

    with pytest.raises(AssertionError, match=r"^step 3 of 100: `adam_step` raised ZeroDivision"):
        _run(answer("adam_step", adam_step))


def test_a_wrong_dtype_is_reported_at_its_step():
    def adam_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        return _adam_step()(p, g, m, v.astype(np.float64), t, lr, betas, eps)

    message = _message(answer("adam_step", adam_step))
    assert message.startswith("step 1 of 100: p should keep the dtype float32"), message


class _Remote:
    """A learner's step seen across a process boundary: it can be called, nothing else."""

    def __init__(self, func):
        object.__setattr__(self, "_func", func)

    def __call__(self, *args, **kwargs):
        return object.__getattribute__(self, "_func")(*args, **kwargs)

    def __getattribute__(self, name):
        raise AssertionError(f"assert_steps read the attribute {name!r} of the learner's step")


def test_the_learners_step_is_only_called():
    _run(_Remote(_adam_step()))
    with pytest.raises(AssertionError, match=r"^step 37 of 100: v differs"):
        _run(_Remote(_adam_step(v_factor_from=37)))


def test_the_test_authors_mistakes_are_errors_not_failures():
    step = _adam()
    with pytest.raises(ValueError, match=r"Adam has no state \['momentum_buffer'\]"):
        _run(step, buffers={"m": "exp_avg", "v": "momentum_buffer"})
    with pytest.raises(ValueError, match="2 initial state values for the buffers"):
        p0, grads = _data(3)
        assert_steps(step, optimlite.Adam(), p0, grads, [p0, p0], buffers={"m": "exp_avg"})
    used = optimlite.Adam()
    used.update({"p": np.zeros(1)}, {"p": np.ones(1)})
    with pytest.raises(ValueError, match="has already taken steps"):
        _run(step, opt=used)
