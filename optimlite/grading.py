"""Helpers for the graded exercises' tests: time limits, safe calls and comparisons with hints.

The exercise notebooks (``exercises/``) are graded by otter-grader with exception-based tests: a
test passes when it returns and fails with the message of the exception it raises. These helpers
make that message useful to a learner and keep a broken answer from hanging the notebook::

    from optimlite.grading import answer, assert_array

    step = answer("adam_step", adam_step)      # fails at once if adam_step is not defined
    p1, m1, v1 = step(p, g, m, v, t=1)         # time limit; errors and in-place edits reported
    assert_array(p1, expected, "p after the first step",
                 mistakes={"no bias correction: divide m by (1 - beta1**t)": p_without})

* :func:`time_limit` stops a call after ``seconds`` (``SIGALRM``, so in the main thread on POSIX,
  which is where Jupyter kernels and ``otter run`` execute tests; elsewhere it does not limit).
* :class:`Answer` wraps a learner's function: a time limit per call, any exception turned into an
  ``AssertionError`` naming the learner's line, arrays changed in place detected.
* :func:`assert_array` compares a result with the reference and, when it differs, names the known
  mistake it matches (``mistakes``), or else where and by how much it differs.
"""

import contextlib
import inspect
import math
import os
import signal
import threading
import time
import traceback

import numpy as np

__all__ = [
    "DEFAULT_SECONDS",
    "TimeLimitExceeded",
    "time_limit",
    "Answer",
    "answer",
    "InputChanged",
    "in_place_message",
    "changed_inputs",
    "learner_line",
    "unpack",
    "reference_steps",
    "learner_steps",
    "assert_steps",
    "number",
    "assert_array",
    "assert_scalar",
]

#: default time limit of one call to a learner's function, in seconds
DEFAULT_SECONDS = 3.0

_HERE = os.path.abspath(__file__)
_STDLIB = os.path.dirname(os.path.abspath(os.__file__)) + os.sep


class TimeLimitExceeded(BaseException):
    """Raised inside code that runs past its :func:`time_limit`.

    A ``BaseException`` (like ``KeyboardInterrupt``), so ``except Exception`` in the learner's
    code does not swallow it; the alarm also re-fires every 0.1 s until the limit's block exits.
    """


@contextlib.contextmanager
def time_limit(seconds):
    """Raise :class:`TimeLimitExceeded` in the block if it runs longer than ``seconds``.

    Uses ``signal.setitimer`` (POSIX, main thread only); elsewhere the block runs unlimited. An
    enclosing limit is suspended inside and restored (with its remaining time) afterwards.
    """
    if seconds <= 0 or not math.isfinite(seconds):
        raise ValueError(f"seconds must be a positive number, got {seconds!r}")
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        signal.setitimer(signal.ITIMER_REAL, 0.1)  # fire again if the learner's code catches it
        raise TimeLimitExceeded(f"time limit of {seconds:g} s exceeded")

    start = time.monotonic()
    previous_handler = signal.signal(signal.SIGALRM, on_alarm)
    previous_delay, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay > 0:
            left = previous_delay - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3))


def learner_line(tb, also_skip=()):
    """``'line N: source'`` of the innermost traceback frame outside this module, libraries and
    the files ``also_skip``."""
    best = None
    for frame in traceback.extract_tb(tb):
        name = os.path.abspath(frame.filename) if not frame.filename.startswith("<") else ""
        if name in (_HERE, *also_skip) or "site-packages" in name or name.startswith(_STDLIB):
            continue
        best = frame
    if best is None:
        return ""
    code = (best.line or "").strip()
    return f" (line {best.lineno}: `{code}`)" if code else f" (line {best.lineno})"


class Answer:
    """A learner's function, called safely by the tests.

    Each call runs under :func:`time_limit`; an exception or a timeout becomes an
    ``AssertionError`` that names the function, the error and the learner's line. With
    ``pure=True`` the numpy arrays passed in are compared before and after the call, and an array
    changed in place fails with a hint (the exercises ask for new arrays, inputs left as given).
    """

    def __init__(self, name, func, *, seconds=DEFAULT_SECONDS, pure=True):
        if func is None:
            raise AssertionError(
                f"`{name}` is not defined: run the cell where you define it (and the cells above "
                "it) first."
            )
        if not callable(func):
            kind = type(func).__name__
            raise AssertionError(f"`{name}` should be a function, but it is a {kind}")
        self.name, self.func, self.seconds, self.pure = name, func, seconds, pure

    def _check_signature(self, args, kwargs):
        try:
            inspect.signature(self.func).bind(*args, **kwargs)
        except (TypeError, ValueError) as exc:
            raise AssertionError(
                f"`{self.name}` cannot be called as the exercise describes: {exc}. "
                "Keep the signature given in the question."
            ) from None

    def __call__(self, *args, **kwargs):
        self._check_signature(args, kwargs)
        checking = (
            changed_inputs(self.func, args, kwargs) if self.pure else contextlib.nullcontext([])
        )
        try:
            with time_limit(self.seconds), checking as changed:
                result = self.func(*args, **kwargs)
        except TimeLimitExceeded:
            raise AssertionError(
                f"`{self.name}` did not finish within {self.seconds:g} s: it probably loops "
                "forever. Check that every loop moves towards its end (is the counter updated? "
                "can the stopping condition become true?)."
            ) from None
        except InputChanged as exc:  # reported from the learner's process (exercises.sandbox)
            changed = [exc.path]
        except Exception as exc:  # the learner's bug, reported as a failed test
            kind = getattr(exc, "learner_type", type(exc).__name__)
            where = getattr(exc, "learner_line", None)
            where = learner_line(exc.__traceback__) if where is None else where
            raise AssertionError(f"`{self.name}` raised {kind}: {exc}{where}") from None
        if changed:
            raise AssertionError(in_place_message(self.name, changed[0]))
        return result


class InputChanged(Exception):
    """The learner's function changed the argument array at ``path`` in place."""

    def __init__(self, path):
        super().__init__(path)
        self.path = path


def in_place_message(func_name, path):
    """The hint for a function that changed its input ``path`` (``"p"``, ``"state[0]"``)."""
    return (
        f"`{func_name}` changed its input `{path}` in place (for example with `{path} -= ...`, "
        f"`{path} *= ...` or `{path}[...] = ...`): the caller's array must stay as it was. Build "
        f"a new array instead, e.g. `new = {path} - ...`."
    )


@contextlib.contextmanager
def changed_inputs(func, args, kwargs):
    """Yield a list that, after the block, holds the argument arrays changed in place (paths
    like ``"p"`` or ``"state[0]"``, named by ``func``'s parameters)."""
    try:
        named = dict(inspect.signature(func).bind(*args, **kwargs).arguments)
    except (TypeError, ValueError):
        named = {f"argument {i}": a for i, a in enumerate(args)} | kwargs
    before = {k: c for k, c in ((k, _arrays(v)) for k, v in named.items()) if c}
    changed = []
    yield changed
    for key, old in before.items():
        for where, (array, copy) in old.items():
            if array.shape != copy.shape or not np.array_equal(array, copy, equal_nan=True):
                changed.append(f"{key}{where}")


def _arrays(value, where=""):
    """Dict path -> (array, copy of it) for the arrays in ``value`` (nested dicts/lists too)."""
    if isinstance(value, np.ndarray):
        return {where: (value, value.copy())}
    found = {}
    if isinstance(value, dict):
        for k, v in value.items():
            found.update(_arrays(v, f"{where}[{k!r}]"))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            found.update(_arrays(v, f"{where}[{i}]"))
    return found


def answer(name, func, *, seconds=DEFAULT_SECONDS, pure=True):
    """Wrap the learner's ``func`` (called ``name`` in the exercise) in an :class:`Answer`."""
    return Answer(name, func, seconds=seconds, pure=pure)


def unpack(result, names, func_name):
    """Check that ``result`` is a tuple of ``len(names)`` values (named ``names``) and return it."""
    want = f"({', '.join(names)})"
    if result is None:
        raise AssertionError(
            f"`{func_name}` returned None: replace the `...` with your code and `return {want}`."
        )
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        got = f"{len(result)} values" if isinstance(result, (tuple, list)) else _describe(result)
        raise AssertionError(f"`{func_name}` should return {want}, got {got}")
    return tuple(result)


def reference_steps(optimizer, p0, grads):
    """The parameter after each step of an optimlite ``optimizer`` fed ``grads`` from ``p0``.

    Returns a list of copies, one per gradient; ``p0`` is left unchanged.
    """
    params = {"p": np.array(p0, copy=True)}
    out = []
    for g in grads:
        optimizer.update(params, {"p": np.asarray(g, dtype=params["p"].dtype)})
        out.append(params["p"].copy())
    return out


def learner_steps(step, p0, grads, state, *, with_t=False, names=None, **hyper):
    """The parameter after each call of a learner's ``step`` (an :class:`Answer`).

    Calls ``step(p, g, *state, [t,] **hyper)`` for each ``g`` (``t`` counts from 1 when
    ``with_t``); the step returns ``(p, *state)``, and the new state is passed to the next call.
    ``names`` names the returned values for messages (default ``p`` and ``state0, ...``).
    """
    names = names or ["p", *(f"state{i}" for i in range(len(state)))]
    p, state, out = p0, tuple(state), []
    for t, g in enumerate(grads, start=1):
        args = (p, g, *state, t) if with_t else (p, g, *state)
        p, *state = unpack(step(*args, **hyper), names, step.name)
        out.append(p)
    return out


def _reference_run(optimizer, p0, grads, buffers):
    """Yield, after each step of an optimlite ``optimizer`` from ``p0``, a dict name -> copy.

    ``buffers`` maps the exercise's names to the optimizer's state keys (``{"m": "exp_avg"}``);
    the dict holds ``"p"`` and those names (a name mapped to None is not recorded).
    """
    if optimizer.state_dict()["t"] != 0:
        raise ValueError(f"{optimizer!r} has already taken steps: give assert_steps a new one")
    params = {"p": np.array(p0, copy=True)}
    for g in grads:
        optimizer.update(params, {"p": np.asarray(g, dtype=params["p"].dtype)})
        state = optimizer.state_dict()["state"]["p"]  # copies
        missing = [key for key in buffers.values() if key is not None and key not in state]
        if missing:
            raise ValueError(
                f"{type(optimizer).__name__} has no state {missing}; its state is {sorted(state)}"
            )
        values = {name: state[key] for name, key in buffers.items() if key is not None}
        yield {"p": params["p"].copy(), **values}


def _learner_run(step, p0, grads, state, names, func_name, with_t, hyper):
    """Yield, after each call of the learner's ``step``, a dict name -> returned value.

    Uses ``step`` only through calls (arguments in, a tuple of arrays out), so it works the same
    when ``step`` runs the learner's code in another process. A failing call is reported with its
    step number.
    """
    p, state = p0, tuple(state)
    for t, g in enumerate(grads, start=1):
        args = (p, g, *state, t) if with_t else (p, g, *state)
        try:
            p, *state = unpack(step(*args, **hyper), names, func_name)
        except AssertionError as exc:
            raise AssertionError(f"step {t} of {len(grads)}: {exc}") from None
        yield dict(zip(names, (p, *state), strict=True))


def _and(names):
    """``'p'``, ``'p and m'``, ``'p, m and v'``."""
    return " and ".join(names) if len(names) < 3 else f"{', '.join(names[:-1])} and {names[-1]}"


def assert_steps(
    step, optimizer, p0, grads, state, *, buffers, with_t=False, rtol=1e-6, atol=1e-9, **hyper
):
    """Assert that a learner's ``step`` follows the reference ``optimizer`` at every step.

    Runs both from ``p0`` on the same ``grads``: the learner's ``step(p, g, *state, [t,]
    **hyper)`` (``t`` from 1 when ``with_t``) returns ``(p, *state)``, and its own new state goes
    into the next call. ``buffers`` names the learner's state values, in the order the step takes
    and returns them, each mapped explicitly to the optimlite state it must equal (Adam:
    ``{"m": "exp_avg", "v": "exp_avg_sq"}``; a value without a counterpart maps to None and is
    only passed on). ``state`` holds their initial values.

    After each step ``p`` and then each buffer are compared with the reference: shape, dtype, NaN
    and, with the tolerance ``rtol`` relative to each element and ``atol + rtol * max|reference|``
    absolute (float32 rounding is relative to the array's scale, and buffers such as a squared
    average have their own scale). The first difference, in step order and then in the order
    ``p``, buffers, fails with the step, the value, where and by how much it differs, what still
    agreed, and where to look::

        step 37 of 100: v differs from the reference at index (1, 4): got 0.0123, expected
        0.0144 (largest difference 0.0021). This is the first difference: p, m and v agreed at
        steps 1 to 36, and at step 37 p and m still agree. Look at how you update v.

    ``step`` is an :class:`Answer` (its name is used in messages) or any callable; it is only
    called. ``optimizer`` must be new (no step taken).
    """
    buffers = dict(buffers)
    if len(state) != len(buffers):
        raise ValueError(f"{len(state)} initial state values for the buffers {list(buffers)}")
    names = ["p", *buffers]
    compared = ["p", *(name for name, key in buffers.items() if key is not None)]
    func_name = step.name if issubclass(type(step), Answer) else "your step"  # no getattr
    reference = _reference_run(optimizer, p0, grads, buffers)
    learner = _learner_run(step, p0, grads, state, names, func_name, with_t, hyper)
    n = len(grads)
    for t, (want, got) in enumerate(zip(reference, learner, strict=True), start=1):
        problems = {}
        for name in compared:
            scale = np.max(np.abs(want[name]), initial=0.0)
            try:
                assert_array(got[name], want[name], name, rtol=rtol, atol=atol + rtol * scale)
            except AssertionError as exc:
                problems[name] = str(exc)
        if problems:
            raise AssertionError(_drift_message(t, n, compared, problems))


def _drift_message(t, n, compared, problems):
    """The message of :func:`assert_steps` for the first step ``t`` where ``problems`` arose."""
    first = next(name for name in compared if name in problems)
    agree = [name for name in compared if name not in problems]
    also = [name for name in compared if name in problems and name != first]
    context = []
    if t > 1:
        steps = "step 1" if t == 2 else f"steps 1 to {t - 1}"
        context.append(f"{_and(compared)} agreed at {steps}")
    now = []
    if agree:
        now.append(f"{_and(agree)} still agree{'s' if len(agree) == 1 else ''}")
    if also:
        now.append(f"{_and(also)} differ{'s' if len(also) == 1 else ''} too")
    if now:
        context.append(f"at step {t} {' and '.join(now)}")
    context = f" This is the first difference: {', and '.join(context)}." if context else ""
    if first != "p":
        hint = f"Look at how you update {first}."
    elif also:
        hint = f"A wrong buffer makes p wrong: look at how you update {also[0]} first."
    elif len(compared) > 1:
        hint = "The state still agrees, so look at how you compute p from it."
    else:
        hint = "Look at how you compute p."
    return f"step {t} of {n}: {problems[first]}{context} {hint}"


def _describe(x):
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    return f"a {type(x).__name__}"


def assert_array(
    got, want, what, *, rtol=1e-6, atol=1e-9, mistakes=None, check_dtype=True, nan_hint=None
):
    """Assert that ``got`` (the learner's result) equals the reference array ``want``.

    ``what`` names the value in messages ("p after the first step"). On a mismatch the hint of the
    first entry of ``mistakes`` (a dict hint -> the array that mistake produces) that ``got``
    matches is raised; otherwise the largest difference is reported. ``check_dtype`` requires
    ``got.dtype == want.dtype`` (float32 in, float32 out). ``nan_hint`` replaces the generic
    hint given when ``got`` has NaN or inf where ``want`` is finite.
    """
    want = np.asarray(want)
    if got is None:
        raise AssertionError(
            f"{what}: got None. Replace the `...` with your code and `return` the result."
        )
    if not isinstance(got, np.ndarray):
        if np.ndim(got) == 0 and want.ndim == 0 and not check_dtype:
            got = np.asarray(got)
        else:
            raise AssertionError(f"{what} should be a numpy array, got {_describe(got)}")
    if got.shape != want.shape:
        raise AssertionError(f"{what} should have shape {want.shape}, got shape {got.shape}")
    if check_dtype and got.dtype != want.dtype:
        raise AssertionError(
            f"{what} should keep the dtype {want.dtype}, got {got.dtype}. numpy promotes "
            "float32 to float64 when it meets a float64 array or an np.float64 scalar (np.sqrt, "
            "np.cos, np.float64 hyperparameters): use Python floats (`float(x)`) for the scalars "
            "and build new arrays with the input's dtype."
        )
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(want)):
        hint = nan_hint or "a division by zero (where does eps go?) or a step that diverges?"
        raise AssertionError(f"{what} contains NaN or inf where the reference is finite: {hint}")
    tol = dict(rtol=rtol, atol=atol)
    if np.allclose(got, want, **tol):
        return
    for hint, wrong in (mistakes or {}).items():
        wrong = np.asarray(wrong)
        if wrong.shape == got.shape and np.allclose(got, wrong, **tol):
            raise AssertionError(f"{what} is not right: {hint}")
    err = np.abs(got.astype(np.float64) - want.astype(np.float64))
    i = np.unravel_index(int(np.nanargmax(np.where(np.isnan(err), np.inf, err))), err.shape)
    where = f" at index {tuple(int(k) for k in i)}" if want.ndim else ""
    raise AssertionError(
        f"{what} differs from the reference{where}: got {float(got[i]):.8g}, expected "
        f"{float(want[i]):.8g} (largest difference {err[i]:.3g})."
    )


def number(got, what):
    """``got`` as a Python float; an ``AssertionError`` naming ``what`` unless it is a number."""
    if got is None:
        raise AssertionError(
            f"{what}: got None. Replace the `...` with your code and `return` the result."
        )
    if isinstance(got, np.ndarray) and got.size == 1:
        got = got.reshape(())[()]
    if not isinstance(got, (int, float, np.integer, np.floating)) or isinstance(got, bool):
        raise AssertionError(f"{what} should be a number, got {_describe(got)}")
    return float(got)


def assert_scalar(got, want, what, *, rtol=1e-9, atol=1e-12, mistakes=None):
    """Assert that the number ``got`` equals ``want``; ``mistakes`` as in :func:`assert_array`."""
    got = number(got, what)
    if math.isclose(got, want, rel_tol=rtol, abs_tol=atol):
        return
    for hint, wrong in (mistakes or {}).items():
        if math.isclose(got, float(wrong), rel_tol=rtol, abs_tol=atol):
            raise AssertionError(f"{what} is not right: {hint}")
    raise AssertionError(f"{what} should be {want!r}, got {got!r}")
