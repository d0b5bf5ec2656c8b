"""Run an optimizer on a 2-D landscape and record its path (what every explorer plots)."""

import math
from dataclasses import dataclass, field

import numpy as np

from .validation import check_int, check_non_negative, check_positive

__all__ = ["Trajectory", "run_trajectory"]


@dataclass
class Trajectory:
    """The record of one run of :func:`run_trajectory`.

    Attributes:
        path: ``(steps_run + 1, 2)`` float64 array of points, the start first.
        losses: ``(steps_run + 1,)`` float64 array, the loss at each point of ``path``.
        diverged_at: the update (counted from 1) whose result left the bound or gave a
            non-finite loss or gradient; that point is not recorded. ``None`` if the run finished.
        steps_run: number of updates recorded (``len(path) - 1``).
        recorded: the optimizer state asked for with ``run_trajectory(..., record=keys)``:
            ``recorded[key]`` stacks ``optimizer.state["xy"][key]`` as it was after each update
            made, one row per update (row ``k - 1`` after update ``k``). A run that diverged at
            step ``k`` has ``k`` rows, one more than ``steps_run``: the last one is the state the
            diverging update left. Empty when nothing was recorded.
    """

    path: np.ndarray
    losses: np.ndarray
    diverged_at: int | None
    steps_run: int
    recorded: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def diverged(self):
        """True when the run stopped early because it diverged."""
        return self.diverged_at is not None

    @property
    def final_loss(self):
        """The loss at the last recorded point."""
        return float(self.losses[-1])

    @property
    def message(self):
        """One line for a plot title: ``"diverged at step 37"`` or
        ``"reached loss 1.2e-08 after 500 steps"``."""
        if self.diverged_at is not None:
            return f"diverged at step {self.diverged_at}"
        return f"reached loss {self.final_loss:.2g} after {self.steps_run} steps"


def run_trajectory(
    optimizer,
    landscape,
    start=None,
    steps=500,
    grad_noise=0.0,
    seed=None,
    scheduler=None,
    bound=1e6,
    record=(),
    stochastic_grad=None,
):
    """Run ``optimizer`` for ``steps`` updates on ``landscape`` and return a :class:`Trajectory`.

    The parameters are ``{"xy": np.array([x, y])}`` (float64). At each step the analytic gradient
    at the current point, plus ``grad_noise`` times standard Gaussian noise when ``grad_noise > 0``
    (drawn up front from ``np.random.default_rng(seed)``, so a seed gives the same run), is passed
    to ``optimizer.update``; then ``scheduler.step()`` is called if a scheduler is given (the
    torch order: optimizer first).

    Divergence never raises: when an update sends a coordinate beyond ``bound`` in absolute value
    (or to NaN/inf), or the loss or the gradient at the new point is not finite, the run stops,
    the point is dropped and ``diverged_at`` records the step. No non-finite gradient ever reaches
    the optimizer. Bad arguments (a start off the landscape, negative noise) still raise
    ``ValueError``.

    The optimizer is used as given: pass a fresh one for a fresh run (its state and step count
    carry over from earlier calls, and so does a scheduler's position). A scheduler stepped past
    its end (``OneCycleLR`` with ``total_steps < steps``) raises its own ``ValueError``.

    ``stochastic_grad`` replaces the gradient the optimizer sees: a function ``(x, y) -> (gx, gy)``
    called once per update at the current point, such as a mini-batch gradient
    (:class:`optimlite.problems.MinibatchGrad`); ``grad_noise`` is added on top of it. The path's
    losses stay the landscape's ``f`` (the full loss), and the landscape's exact gradient is still
    what the divergence test checks. A non-finite stochastic gradient is a divergence at that
    update (it never reaches the optimizer).

    ``record`` names entries of the optimizer's state (``"sum"`` for AdaGrad, ``"square_avg"``
    for RMSprop, ``"exp_avg"`` for Adam, ...) to copy after every update into
    ``Trajectory.recorded``; a name the optimizer's state lacks raises ``ValueError`` (after the
    first update, when the state exists).

    Args:
        optimizer: any optimlite optimizer (``update(params, grads)``).
        landscape: a :class:`~optimlite.landscapes.Landscape`.
        start: ``(x, y)``; default ``landscape.start``.
        steps (int): number of updates (default 500).
        grad_noise (float): standard deviation of the Gaussian noise added to each gradient
            component (default 0: exact gradients).
        seed: seed of the noise generator (int or None).
        scheduler: an optimlite scheduler attached to ``optimizer``, stepped after each update.
        bound (float): coordinates beyond ``±bound`` count as divergence (default 1e6).
        record: a state name or a sequence of them (default: none).
        stochastic_grad: ``(x, y) -> (gx, gy)`` used instead of ``landscape.grad`` for the
            updates (default None: the exact gradient).
    """
    steps = check_int("steps", steps, minimum=0)
    record = _check_record(record)
    grad_noise = check_non_negative("grad_noise", grad_noise)
    bound = check_positive("bound", bound)
    if stochastic_grad is not None and not callable(stochastic_grad):
        raise ValueError(
            f"stochastic_grad must be a function (x, y) -> (gx, gy), got {stochastic_grad!r}"
        )
    if start is None:
        start = landscape.start
    if len(start) != 2:
        raise ValueError(f"start must be a point (x, y), got {start!r}")
    x, y = float(start[0]), float(start[1])
    f, grad = landscape.f, landscape.grad
    with np.errstate(all="ignore"):
        if not (abs(x) <= bound and abs(y) <= bound):
            raise ValueError(f"start must be finite and within ±bound={bound:g}, got {start!r}")
        loss = f(x, y)
        gx, gy = grad(x, y)
        if not math.isfinite(loss + gx + gy):
            raise ValueError(f"the loss or its gradient is not finite at start {start!r}")
        noise = None
        if grad_noise > 0.0:
            noise = (np.random.default_rng(seed).standard_normal((steps, 2)) * grad_noise).tolist()

        xy = np.array([x, y], dtype=np.float64)
        g = np.zeros(2, dtype=np.float64)
        params, grads = {"xy": xy}, {"xy": g}
        update = optimizer.update
        step_scheduler = scheduler.step if scheduler is not None else None
        points = [x, y]
        losses = [loss]
        rows = {key: [] for key in record}
        diverged_at = None
        for k in range(1, steps + 1):
            if stochastic_grad is not None:
                try:
                    gx, gy = map(float, stochastic_grad(x, y))
                except (OverflowError, ZeroDivisionError):  # math on huge Python floats
                    diverged_at = k
                    break
                if not math.isfinite(gx + gy):
                    diverged_at = k
                    break
            if noise is None:
                g[0] = gx
                g[1] = gy
            else:
                nx, ny = noise[k - 1]
                g[0] = gx + nx
                g[1] = gy + ny
            update(params, grads)
            if step_scheduler is not None:
                step_scheduler()
            if rows:
                _record_state(optimizer, rows)
            x, y = xy.tolist()
            if not (abs(x) <= bound and abs(y) <= bound):  # also false for NaN
                diverged_at = k
                break
            try:
                loss = f(x, y)
                gx, gy = grad(x, y)
            except (OverflowError, ValueError, ZeroDivisionError):  # math on Python floats
                diverged_at = k
                break
            # one test for all three: a sum is finite only if every term is (values here are far
            # below the float range, so a finite sum cannot overflow)
            if not math.isfinite(loss + gx + gy):
                diverged_at = k
                break
            points.append(x)
            points.append(y)
            losses.append(loss)

    path = np.array(points, dtype=np.float64).reshape(-1, 2)
    return Trajectory(
        path=path,
        losses=np.array(losses, dtype=np.float64),
        diverged_at=diverged_at,
        steps_run=len(losses) - 1,
        recorded={key: _stack(values) for key, values in rows.items()},
    )


def _check_record(record):
    """``record`` as a tuple of distinct state names."""
    if isinstance(record, str):
        record = (record,)
    try:
        record = tuple(record)
    except TypeError:
        raise ValueError(
            f"record must be a state name or a sequence of them, got {record!r}"
        ) from None
    if not all(isinstance(key, str) for key in record) or len(set(record)) != len(record):
        raise ValueError(f"record must be distinct state names, got {record!r}")
    return record


def _record_state(optimizer, rows):
    """Append a copy of each recorded entry of the optimizer's state of ``"xy"``."""
    state = getattr(optimizer, "state", {}).get("xy", {})
    for key, values in rows.items():
        if key not in state:
            have = ", ".join(map(repr, state)) or "none"
            raise ValueError(
                f"record: {type(optimizer).__name__} has no state {key!r} (its state: {have})"
            )
        values.append(np.array(state[key], copy=True))


def _stack(values):
    return np.stack(values) if values else np.empty((0, 2))
