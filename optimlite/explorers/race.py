"""The course-wide explorer: several optimizers racing on one landscape (chapters 10, 12)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from .. import registry
from ..trajectory import run_trajectory
from .core import Explorer
from .scenes import RunsScene, fmt_gap, resolve_landscape
from .sliders import Slider

__all__ = ["race", "DEFAULT_RACE", "RACE_LRS", "tuned_lr"]

#: Learning rates of the default race, per landscape: each optimizer's best final loss after
#: 500 steps over the log grid :data:`RACE_LRS` (``race(..., tune=True)`` redoes the search).
DEFAULT_RACE = {
    "rosenbrock": {
        "SGD": 0.002,
        "Momentum": 0.002,
        "Nesterov": 0.001,
        "AdaGrad": 3.0,
        "RMSprop": 0.06,
        "Adam": 1.0,
    },  # fmt: skip
    "ill_conditioned_quadratic": {
        "SGD": 0.1,
        "Momentum": 0.1,
        "Nesterov": 0.1,
        "AdaGrad": 3.0,
        "RMSprop": 0.1,
        "Adam": 3.0,
    },  # fmt: skip
    "beale": {
        "SGD": 0.03,
        "Momentum": 0.005,
        "Nesterov": 0.005,
        "AdaGrad": 1.0,
        "RMSprop": 0.03,
        "Adam": 0.6,
    },  # fmt: skip
    "himmelblau": {
        "SGD": 0.01,
        "Momentum": 0.005,
        "Nesterov": 0.001,
        "AdaGrad": 1.0,
        "RMSprop": 0.03,
        "Adam": 1.0,
    },  # fmt: skip
}

#: The learning rates a tuned race tries (log grid, 1e-4 .. 3).
RACE_LRS = (1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.03, 0.06, 0.1, 0.3, 0.6, 1.0, 3.0)


def tuned_lr(name: str, landscape, steps: int = 500, start=None, lrs=RACE_LRS) -> float:
    """The learning rate from ``lrs`` giving optimizer ``name`` the lowest final loss on
    ``landscape`` after ``steps`` steps without diverging."""
    best, best_lr = math.inf, lrs[0]
    for lr in lrs:
        run = run_trajectory(registry.make(name, lr=lr), landscape, start, steps=steps)
        if not run.diverged and run.final_loss < best:
            best, best_lr = run.final_loss, lr
    return best_lr


def race(
    optimizers=None,
    landscape="rosenbrock",
    *,
    steps: int = 500,
    frames: int = 51,
    start=None,
    tune: bool = False,
    title=None,
) -> Explorer:
    """Several optimizers on one landscape, scrubbed over the steps.

    Args:
        optimizers: ``{name: optimizer}`` (fresh optimlite optimizers), or names from
            :mod:`optimlite.registry` (``registry.make(name, lr=...)``: SGD, Momentum,
            Nesterov, AdaGrad, RMSprop, Adam, AdamW, RAdam, Lion, ...), each run at its
            learning rate from :data:`DEFAULT_RACE`, or at :func:`tuned_lr` where the table has
            none (default: the first six).
        landscape: Landscape or name.
        steps: length of the race.
        frames: positions of the step slider in the book (the live slider has ~100).
        start: starting point (default: the landscape's).
        tune: search every named optimizer's learning rate (:func:`tuned_lr`) even where the
            table has one.
    """
    land = resolve_landscape(landscape)
    table = DEFAULT_RACE.get(getattr(land, "name", None), {})
    if optimizers is None:
        optimizers = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]
    if not isinstance(optimizers, Mapping):
        for name in optimizers:
            registry.get(name)  # an unknown name fails now, listing the registry

        def lr_for(name):
            if name in table and not tune:
                return table[name]
            return tuned_lr(name, land, steps, start)

        optimizers = {name: registry.make(name, lr=lr_for(name)) for name in optimizers}
    if not optimizers:
        raise ValueError("optimizers must name at least one optimizer")
    runs = {name: run_trajectory(opt, land, start, steps=steps) for name, opt in optimizers.items()}
    names = list(runs)

    def caption(runs_, step):
        parts = [f"step {step}:"]
        for name in names:
            r = runs_[name]
            if r.diverged_at is not None and step >= r.diverged_at:
                parts.append(f"{name} diverged at step {r.diverged_at};")
            else:
                k = min(step, r.steps_run)
                parts.append(f"{name} {fmt_gap(float(r.losses[k]) - scene.fmin)};")
        return " ".join(parts).rstrip(";") + "."

    scene = RunsScene(
        land, names, lambda step: runs, steps=steps, scrub="step", caption=caption, start=start,
        status=lambda step: f"step {step} of {steps}",
    )  # fmt: skip
    positions = tuple(int(round(v)) for v in np.linspace(0, steps, frames))
    positions = tuple(dict.fromkeys(positions))
    live = tuple(range(0, steps + 1, max(1, steps // 100)))
    live = tuple(sorted(set(live) | set(positions)))
    slider = Slider("step", positions, label="step", default=positions[-1], live_values=live)
    return Explorer(scene, [slider], title=title or f"Optimizer race on {land.title}")
