"""Chapter 11's explorer: a learning-rate schedule's curve, and noisy SGD trained with it."""

from __future__ import annotations

import numpy as np

from .. import landscapes as _landscapes
from .. import plots
from .. import schedules as _schedules
from ..sgd import SGD
from ..trajectory import run_trajectory
from ..validation import check_int
from .core import Explorer, Scene
from .scenes import RunCache, fmt_gap, gap, loss_axis_top, resolve_landscape
from .sliders import Slider

__all__ = ["schedule", "SCHEDULE_KINDS"]


def _step_grid(steps: int, fractions, minimum: int) -> tuple[int, ...]:
    """Step counts ``int(steps * f)`` (at least ``minimum``) for increasing fractions ``f``,
    duplicates dropped (short runs round several fractions to the same count)."""
    return tuple(dict.fromkeys(max(minimum, int(steps * f)) for f in fractions))


def _pct_starts(total_steps: int) -> tuple[float, ...]:
    """The one-cycle ``pct_start`` values offered, less those ``OneCycleLR`` cannot start with
    (a warm-up phase that ends at step 0, ``pct_start * total_steps == 1``: torch's divides by
    zero there, and optimlite's follows it)."""

    def starts(pct):
        try:
            _schedules.OneCycleLR(SGD(lr=1.0, momentum=0.9), 1.0, total_steps, pct_start=pct)
        except ZeroDivisionError:
            return False
        return True

    return tuple(p for p in (0.1, 0.2, 0.3, 0.4, 0.5) if starts(p))


def _floor_slider(name: str, label: str) -> Slider:
    """The final learning rate a decay ends at (``eta_min``, ``min_lr``)."""
    return Slider(name, (0.0, 0.001, 0.01, 0.03), label=label, default=0.0)


_SCHEDULES = {
    # kind: (sliders, scheduler factory(optimizer, steps, **values), describe(**values))
    "step": (
        lambda steps: [
            Slider("step_size", (5, 10, 20, 25, 50), label="step size", default=25),
            Slider("gamma", (0.1, 0.2, 0.3, 0.5, 0.7, 0.9), label="γ (drop factor)", default=0.5),
        ],
        lambda opt, steps, step_size, gamma: _schedules.StepLR(
            opt, step_size=step_size, gamma=gamma
        ),
        "StepLR: η = η₀·γ^⌊t/step⌋",
    ),
    "exponential": (
        lambda steps: [
            Slider(
                "gamma", (0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999), label="γ", default=0.97
            ),
        ],  # fmt: skip
        lambda opt, steps, gamma: _schedules.ExponentialLR(opt, gamma=gamma),
        "ExponentialLR: η = η₀·γ^t",
    ),
    "cosine": (
        lambda steps: [
            Slider(
                "T_max",
                _step_grid(steps, (0.25, 0.5, 0.75, 1.0, 1.5, 2.0), minimum=1),
                label="T_max",
                default=steps,
            ),
            _floor_slider("eta_min", "η_min"),
        ],  # fmt: skip
        lambda opt, steps, T_max, eta_min: _schedules.CosineAnnealingLR(
            opt, T_max=T_max, eta_min=eta_min
        ),
        "CosineAnnealingLR: η_min + (η₀ − η_min)(1 + cos πt/T)/2",
    ),
    "warmup_cosine": (
        lambda steps: [
            Slider(
                "warmup_steps",
                _step_grid(steps, (0, 0.05, 0.1, 0.2, 0.3, 0.5), minimum=0),
                label="warmup steps",
                default=int(steps * 0.1),
            ),
            _floor_slider("min_lr", "min lr"),
        ],  # fmt: skip
        lambda opt, steps, warmup_steps, min_lr: _schedules.WarmupCosineLR(
            opt, warmup_steps=warmup_steps, total_steps=steps, min_lr=min_lr
        ),
        "WarmupCosineLR: linear warmup, then cosine",
    ),
    "one_cycle": (
        lambda steps: [
            Slider("pct_start", _pct_starts(steps + 1), label="pct_start", default=0.3),
            Slider("div_factor", (5.0, 10.0, 25.0, 100.0), label="div_factor", default=25.0),
        ],
        lambda opt, steps, pct_start, div_factor: _schedules.OneCycleLR(
            opt, max_lr=opt.lr, total_steps=steps + 1, pct_start=pct_start, div_factor=div_factor
        ),
        "OneCycleLR: lr up then down, momentum opposite",
    ),
}


#: The schedules :func:`schedule` can show.
SCHEDULE_KINDS = tuple(_SCHEDULES)


class _ScheduleScene(Scene):
    """The learning rate per step (left) and noisy SGD trained with it (right)."""

    def __init__(self, kind, steps, base_lr, land, noise, seed):
        self.kind, self.steps, self.base_lr = kind, steps, base_lr
        self.land, self.noise, self.seed = land, noise, seed
        self.make = _SCHEDULES[kind][1]
        self.formula = _SCHEDULES[kind][2]
        self.fmin = plots.minimum_value(land)
        self.cache = RunCache()
        self.size = (7.2, 3.0)

    def run(self, **values):
        def make():
            momentum = 0.9 if self.kind == "one_cycle" else 0.0
            # the lr the schedule gives at each step (recorded on a twin optimizer)
            probe = SGD(lr=self.base_lr, momentum=momentum)
            sched = self.make(probe, self.steps, **values)
            lrs, moms = [], []
            for _ in range(self.steps):
                lrs.append(probe.lr)
                moms.append(probe.momentum)
                sched.step()
            opt = SGD(lr=self.base_lr, momentum=momentum)
            run = run_trajectory(
                opt, self.land, steps=self.steps, grad_noise=self.noise, seed=self.seed,
                scheduler=self.make(opt, self.steps, **values),
            )  # fmt: skip
            return np.array(lrs), np.array(moms), run

        return self.cache.get_or_run(tuple(sorted(values.items())), make)

    def setup(self, fig):
        fig.set_layout_engine("constrained")
        ax_lr, ax_loss = fig.subplots(1, 2)
        plots.setup_loss_axes(
            ax_lr, self.steps, 0, self.base_lr * 1.12, ylabel="learning rate", yscale="linear"
        )
        ax_lr.set_title(self.formula, fontsize=8.5)
        ax_lr.axhline(self.base_lr, color=plots.REFERENCE_COLOR, lw=1.0, ls="--",
                      label=f"constant η₀ = {self.base_lr:g}")  # fmt: skip
        (self.lr_line,) = ax_lr.plot([], [], color=plots.PALETTE[0], lw=2.0, label="schedule")
        self.moving(self.lr_line)
        if self.kind == "one_cycle":
            ax_m = ax_lr.twinx()
            ax_m.set_ylim(0.8, 1.0)
            ax_m.set_ylabel("momentum", color=plots.PALETTE[1])
            ax_m.spines["right"].set_visible(True)
            (self.mom_line,) = ax_m.plot([], [], color=plots.PALETTE[1], lw=1.4, ls="-.")
            self.moving(self.mom_line)
            ax_lr.plot([], [], color=plots.PALETTE[1], lw=1.4, ls="-.", label="momentum")
        else:
            self.mom_line = None
        ax_lr.legend(loc="lower left")
        # constant-lr baseline on the right, static
        baseline = run_trajectory(
            SGD(lr=self.base_lr, momentum=0.9 if self.kind == "one_cycle" else 0.0), self.land,
            steps=self.steps, grad_noise=self.noise, seed=self.seed,
        )  # fmt: skip
        top = loss_axis_top(self.land, tuple(map(float, self.land.start)), self.fmin)
        plots.setup_loss_axes(ax_loss, self.steps, top * 1e-7, top, ylabel="$f - f^\\star$")
        ax_loss.set_title(f"noisy SGD on {self.land.title}", fontsize=8.5)
        base_curve = plots.LossCurve(
            ax_loss, color=plots.REFERENCE_COLOR, linewidth=1.0, note=False
        )
        base_curve.set_losses(gap(baseline, self.fmin), baseline.diverged_at)
        self.baseline = baseline
        ax_loss.plot([], [], color=plots.REFERENCE_COLOR, lw=1.0, label="constant η₀")
        ax_loss.plot([], [], color=plots.PALETTE[0], lw=1.6, label="with the schedule")
        ax_loss.legend(loc="lower left")
        self.curve = self.moving(plots.LossCurve(ax_loss, color=plots.PALETTE[0], note=True))

    def update(self, **values):
        lrs, moms, run = self.run(**values)
        steps = np.arange(len(lrs))
        self.lr_line.set_data(steps, lrs)
        if self.mom_line is not None:
            self.mom_line.set_data(steps, moms)
        self.curve.set_losses(gap(run, self.fmin), run.diverged_at)
        tail = max(1, self.steps // 5)
        if run.diverged:
            result = plots.divergence_text(run.diverged_at)
        else:
            mean_tail = float(np.mean(gap(run, self.fmin)[-tail:]))
            base_tail = float(np.mean(gap(self.baseline, self.fmin)[-tail:]))
            result = (f"mean f − f* over the last {tail} steps {fmt_gap(mean_tail)} "
                      f"(constant η₀: {fmt_gap(base_tail)})")  # fmt: skip
        settings = ", ".join(f"{k} = {v:g}" for k, v in values.items())
        return f"{settings}: final lr {lrs[-1]:.3g}; {result}."


def schedule(
    kind: str = "cosine",
    *,
    steps: int = 100,
    base_lr: float = 0.1,
    landscape=None,
    grad_noise: float = 2.0,
    seed: int = 0,
    title=None,
) -> Explorer:
    """A learning-rate schedule's curve as its parameters change, and SGD with noisy gradients
    trained with it (against the constant learning rate, grey): a decaying lr shrinks the noise
    ball that a constant lr leaves.

    Args:
        kind: ``"step"`` (StepLR), ``"exponential"`` (ExponentialLR), ``"cosine"``
            (CosineAnnealingLR; past ``T_max`` it rises again, as torch's), ``"warmup_cosine"``
            (WarmupCosineLR) or ``"one_cycle"`` (OneCycleLR, with SGD momentum 0.9 cycled).
        steps: training steps; ``base_lr``: :math:`\\eta_0` (``max_lr`` for one-cycle).
        landscape: Landscape or name for the training run (default: quadratic, κ = 5).
        grad_noise, seed: Gaussian gradient noise and its seed.
    """
    if kind not in _SCHEDULES:
        raise ValueError(f"kind must be one of {', '.join(_SCHEDULES)}, got {kind!r}")
    steps = check_int("steps", steps, minimum=1)
    if landscape is None:
        land = _landscapes.ill_conditioned_quadratic(5.0)
    else:
        land = resolve_landscape(landscape)
    scene = _ScheduleScene(kind, steps, float(base_lr), land, float(grad_noise), seed)
    sliders = _SCHEDULES[kind][0](steps)
    names = {"step": "Step decay", "exponential": "Exponential decay", "cosine": "Cosine annealing",
             "warmup_cosine": "Warmup + cosine", "one_cycle": "One-cycle policy"}  # fmt: skip
    return Explorer(scene, sliders, title=title or f"{names[kind]} (η₀ = {base_lr:g})")
