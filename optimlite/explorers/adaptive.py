"""Chapters 6 to 8's explorers: AdaGrad's shrinking step against RMSprop's decay, RMSprop's
learning rate x decay rate, Adam's betas."""

from __future__ import annotations

import numpy as np

from .. import landscapes as _landscapes
from .. import plots
from ..adaptive import AdaGrad, Adam, RMSprop
from ..trajectory import run_trajectory
from .core import Explorer
from .scenes import RunCache, RunsScene, fmt_gap, gap, resolve_landscape
from .sliders import Slider

__all__ = [
    "adagrad_vs_rmsprop",
    "rmsprop_decay",
    "adam_betas",
    "effective_steps",
    "accumulator",
    "relative_steps",
]


def _ravine_or(landscape):
    """``landscape`` (a Landscape or a name), or the chapters' rotated ravine (κ = 10, 0.5 rad)."""
    if landscape is None:
        return _landscapes.ill_conditioned_quadratic(10.0, angle=0.5)
    return resolve_landscape(landscape)


def accumulator(optimizer) -> str:
    """The name of the state entry :math:`s_t` that scales the step of ``optimizer``: ``"sum"``
    (AdaGrad) or ``"square_avg"`` (RMSprop). Weight decay, momentum and centering change the
    step's form (it is then no longer :math:`\\eta_t/(\\sqrt{s_t}+\\epsilon)` times the
    gradient), so they are refused with ``ValueError``."""
    if not isinstance(optimizer, AdaGrad | RMSprop):
        raise ValueError(f"optimizer must be AdaGrad or RMSprop, got {type(optimizer).__name__}")
    if optimizer.weight_decay != 0 or getattr(optimizer, "momentum", 0) != 0:
        raise ValueError("effective step sizes need weight_decay=0 and momentum=0")
    if getattr(optimizer, "centered", False):
        raise ValueError("effective step sizes need centered=False")
    return "sum" if isinstance(optimizer, AdaGrad) else "square_avg"


def effective_steps(optimizer, run) -> np.ndarray:
    """Effective step :math:`\\eta_t/(\\sqrt{s_t}+\\epsilon)` per update (rows) and coordinate
    that ``optimizer`` took in ``run``: :math:`s_t` is the optimizer's own state after update
    :math:`t`, recorded by ``run_trajectory(optimizer, ..., record=(accumulator(optimizer),))``,
    and every constant is read from ``optimizer``: AdaGrad's
    :math:`\\eta_t = \\eta/(1 + (t - 1)\\,\\text{lr\\_decay})`, RMSprop's :math:`\\eta_t = \\eta`.
    """
    key = accumulator(optimizer)
    if key not in run.recorded:
        raise ValueError(f"run must record the optimizer's {key!r}: run_trajectory(record=...)")
    s = run.recorded[key]
    lr = optimizer.lr
    if isinstance(optimizer, AdaGrad):
        t = np.arange(1, len(s) + 1)[:, None]
        lr = lr / (1.0 + (t - 1) * optimizer.lr_decay)
    return lr / (np.sqrt(s) + optimizer.eps)


class _EffectiveLRScene(RunsScene):
    """Paths (left) and the effective step size :math:`\\eta/(\\sqrt{s_t}+\\epsilon)` per step
    and coordinate (right) for AdaGrad and RMSprop."""

    def setup(self, fig):
        ax_path, ax_lr = self.setup_path_axes(fig)
        plots.setup_loss_axes(
            ax_lr, self.steps, *self.lr_limits, ylabel="effective step size η/(√s + ε)"
        )
        self.paths, self.lr_lines = {}, {}
        for i, name in enumerate(self.names):
            color = self._color(i, name)
            self.paths[name] = self.moving(
                plots.PathArtists(ax_path, color=color, label=name, label_slot=i)
            )
            lines = []
            for style in ("-", "--"):
                (line,) = ax_lr.plot([], [], style, color=color, lw=1.5)
                lines.append(self.moving(line))
            self.lr_lines[name] = lines
            ax_lr.plot([], [], color=color, label=name)
        ax_lr.plot([], [], "-", color="#555555", lw=1, label="x coordinate")
        ax_lr.plot([], [], "--", color="#555555", lw=1, label="y coordinate")
        ax_lr.legend(loc="lower left", ncols=2)
        self.setup_status(ax_lr)

    def update(self, **values):
        runs = self.compute(**values)
        for name in self.names:
            run, curves = runs[name]
            self.paths[name].set_path(run.path, run.diverged_at)
            steps = np.arange(1, curves.shape[0] + 1)
            for k, line in enumerate(self.lr_lines[name]):
                line.set_data(steps, np.clip(curves[:, k], *self.lr_limits))
        self.status_text.set_text(self.status_fn(**values))
        return self.caption_fn({k: v[0] for k, v in runs.items()}, **values)


def adagrad_vs_rmsprop(
    landscape=None,
    *,
    lrs=(0.03, 0.1, 0.3, 1.0),
    alphas=(0.5, 0.8, 0.9, 0.95, 0.99, 0.999),
    steps: int = 200,
    title=None,
) -> Explorer:
    """RMSprop's decay rate :math:`\\alpha` against AdaGrad's ever-growing sum.

    AdaGrad: :math:`s_t = s_{t-1} + g_t^2`, so its effective step :math:`\\eta/(\\sqrt{s_t}+
    \\epsilon)` only shrinks (like :math:`1/\\sqrt t` for steady gradients). RMSprop:
    :math:`v_t = \\alpha v_{t-1} + (1-\\alpha) g_t^2` forgets old gradients, so its step follows
    the current gradient scale. Both use the same :math:`\\eta` (slider) and PyTorch's defaults
    otherwise; the effective-step curves come from the state the optimizers kept during the
    run (:func:`effective_steps`).

    Args:
        landscape: Landscape or name (default: the rotated ravine, κ = 10, 0.5 rad).
        lrs: learning rates offered; ``alphas``: RMSprop decay rates offered.
        steps: steps per run.
    """
    land = _ravine_or(landscape)
    cache = RunCache()

    def run_with_curves(opt):
        run = run_trajectory(opt, land, steps=steps, record=(accumulator(opt),))
        return run, effective_steps(opt, run)

    def adagrad(lr):
        return cache.get_or_run(("adagrad", lr), lambda: run_with_curves(AdaGrad(lr=lr)))

    def rmsprop(lr, alpha):
        key = ("rmsprop", lr, alpha)
        return cache.get_or_run(key, lambda: run_with_curves(RMSprop(lr=lr, alpha=alpha)))

    def compute(lr, alpha):
        return {"AdaGrad": adagrad(lr), "RMSprop": rmsprop(lr, alpha)}

    def caption(runs, lr, alpha):
        parts = [f"η = {lr:g}, α = {alpha:g}:"]
        for name in ("AdaGrad", "RMSprop"):
            r = runs[name]
            if r.diverged:
                parts.append(f"{name} {plots.divergence_text(r.diverged_at)}.")
            else:
                last = float(gap(r, scene.fmin)[-1])
                parts.append(f"{name} f − f* = {fmt_gap(last)} after {r.steps_run} steps.")
        return " ".join(parts)

    scene = _EffectiveLRScene(
        land, ["AdaGrad", "RMSprop"], compute, steps=steps, caption=caption,
        status=lambda lr, alpha: f"η = {lr:g},  α = {alpha:g}",
    )  # fmt: skip
    scene.lr_limits = (min(lrs) * 1e-3, max(lrs) * 1e3)
    sliders = [
        Slider("lr", tuple(lrs), label="learning rate η", default=lrs[len(lrs) // 2]),
        Slider("alpha", tuple(alphas), label="RMSprop decay α",
               default=0.9 if 0.9 in alphas else None),
    ]  # fmt: skip
    return Explorer(scene, sliders, title=title or "AdaGrad's shrinking step vs RMSprop's decay")


def relative_steps(run, lr: float) -> np.ndarray:
    """Each update's size per coordinate in units of the learning rate,
    :math:`|\\theta_{t+1} - \\theta_t| / \\eta` (rows: updates, columns: x and y).

    RMSprop's step is :math:`\\eta\\, g_t/(\\sqrt{v_t}+\\epsilon)`; as the decay rate
    :math:`\\alpha \\to 0`, :math:`v_t \\to g_t^2` and every entry tends to 1: the step becomes
    :math:`\\eta\\,\\mathrm{sign}(g_t)`. Entries far from 1 measure how far a run is from that
    sign-descent limit. A run with no update gives an empty ``(0, 2)`` array."""
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr!r}")
    return np.abs(np.diff(np.asarray(run.path, dtype=float), axis=0)) / lr


def rmsprop_decay(
    landscape=None,
    *,
    lrs=(0.01, 0.03, 0.1, 0.3),
    alphas=(0.0, 0.5, 0.9, 0.99, 0.999),
    steps: int = 300,
    title=None,
) -> Explorer:
    """RMSprop's learning rate :math:`\\eta` x decay rate :math:`\\alpha` (PyTorch's name;
    the article's :math:`\\gamma`), with the sign-descent limit :math:`\\alpha = 0` at the same
    :math:`\\eta` drawn thin and grey for reference.

    The caption reads the run: its memory :math:`1/(1-\\alpha)` in steps, its first step in
    units of :math:`\\eta` (:math:`1/\\sqrt{1-\\alpha}` when the state starts at zero), the
    median step in units of :math:`\\eta` (:func:`relative_steps`; 1 is sign descent) and the
    final gap :math:`f - f^\\star`, or where the run diverged.

    Args:
        landscape: Landscape or name (default: the rotated ravine, κ = 10, 0.5 rad).
        lrs: learning rates offered; ``alphas``: decay rates offered (each in [0, 1)).
        steps: steps per run.
    """
    land = _ravine_or(landscape)
    cache = RunCache()
    sign_name = "sign limit (α = 0)"

    def rmsprop(lr, alpha):
        return cache.get_or_run(
            (lr, alpha), lambda: run_trajectory(RMSprop(lr=lr, alpha=alpha), land, steps=steps)
        )

    def compute(lr, alpha):
        return {"RMSprop": rmsprop(lr, alpha), sign_name: rmsprop(lr, 0.0)}

    def caption(runs, lr, alpha):
        r = runs["RMSprop"]
        memory = 1 / (1 - alpha)
        unit = "step" if memory == 1 else "steps"
        head = f"RMSprop, η = {lr:g}, α = {alpha:g}: memory 1/(1 − α) = {memory:.4g} {unit}"
        if r.diverged:
            return f"{head}; {plots.divergence_text(r.diverged_at)}."
        rel = relative_steps(r, lr)
        if len(rel) == 0:
            return head + "."
        first, median = float(np.max(rel[0])), float(np.median(rel))
        last = float(gap(r, scene.fmin)[-1])
        return (
            f"{head}; first step {first:.3g}·η, median step {median:.3g}·η per coordinate "
            f"(sign descent: 1); f − f* = {fmt_gap(last)} after {r.steps_run} steps."
        )

    scene = RunsScene(
        land, ["RMSprop", sign_name], compute, steps=steps, caption=caption,
        reference=(sign_name,), status=lambda lr, alpha: f"η = {lr:g},  α = {alpha:g}",
    )  # fmt: skip
    sliders = [
        Slider("lr", tuple(lrs), label="learning rate η", default=lrs[len(lrs) // 2]),
        Slider("alpha", tuple(alphas), label="decay rate α",
               default=0.9 if 0.9 in alphas else None),
    ]  # fmt: skip
    return Explorer(scene, sliders, title=title or "RMSprop: learning rate × decay rate")


def adam_betas(
    landscape=None,
    *,
    lr: float = 0.05,
    beta1s=(0.0, 0.5, 0.8, 0.9, 0.95, 0.99),
    beta2s=(0.5, 0.9, 0.99, 0.999, 0.9999),
    steps: int = 500,
    title=None,
) -> Explorer:
    """Adam's :math:`\\beta_1` (first-moment EMA: momentum) x :math:`\\beta_2` (second-moment
    EMA: per-coordinate scale), at a fixed learning rate.

    Args:
        landscape: Landscape or name (default: Rosenbrock).
        lr: Adam's learning rate.
        beta1s, beta2s: the values offered.
        steps: steps per run.
    """
    land = resolve_landscape(landscape, "rosenbrock")
    cache = RunCache()

    def compute(beta1, beta2):
        run = cache.get_or_run(
            (beta1, beta2),
            lambda: run_trajectory(Adam(lr=lr, betas=(beta1, beta2)), land, steps=steps),
        )
        return {"Adam": run}

    def caption(runs, beta1, beta2):
        r = runs["Adam"]
        head = f"Adam, η = {lr:g}, β1 = {beta1:g}, β2 = {beta2:g}: "
        if r.diverged:
            return head + plots.divergence_text(r.diverged_at) + "."
        last = float(gap(r, scene.fmin)[-1])
        return head + f"f − f* = {fmt_gap(last)} after {r.steps_run} steps."

    scene = RunsScene(
        land, ["Adam"], compute, steps=steps, caption=caption,
        status=lambda beta1, beta2: f"β1 = {beta1:g},  β2 = {beta2:g}",
    )  # fmt: skip
    sliders = [
        Slider("beta1", tuple(beta1s), label="β1", default=0.9 if 0.9 in beta1s else None),
        Slider("beta2", tuple(beta2s), label="β2", default=0.999 if 0.999 in beta2s else None),
    ]
    return Explorer(scene, sliders, title=title or f"Adam's betas (η = {lr:g})")
