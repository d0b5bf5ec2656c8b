"""Chapter 2's explorer: the learning-rate dilemma of gradient descent."""

from __future__ import annotations

from .. import plots
from ..sgd import SGD
from ..trajectory import run_trajectory
from .core import Explorer
from .scenes import RunCache, RunsScene, curvature, fmt_gap, gap, nearest, resolve_landscape
from .sliders import Slider, log_grid

__all__ = ["lr_dilemma"]


def lr_dilemma(landscape=None, *, lrs=None, steps: int = 100, start=None, title=None) -> Explorer:
    """Gradient descent :math:`\\theta_{t+1} = \\theta_t - \\eta\\nabla L(\\theta_t)` at a learning
    rate :math:`\\eta` picked on a log grid: too small, about right, oscillating, diverging.

    Args:
        landscape: a Landscape or a name; default: the article's linear regression
            (:func:`optimlite.problems.linear_regression_landscape` on
            ``problems.linear_data(seed=0)``), in :math:`(w, b)`.
        lrs: the learning rates offered (default: 15 values on a log grid from
            :math:`2/(300\\lambda_{\\max})` to :math:`1.5 \\cdot 2/\\lambda_{\\max}`, so the last
            ones diverge).
        steps: gradient-descent steps per run.
        start: starting point (default: the landscape's).
    """
    if landscape is None:
        from .. import problems

        land = problems.linear_regression_landscape(*problems.linear_data(seed=0))
    else:
        land = resolve_landscape(landscape)
    lam_max = float(curvature(land)[-1])
    critical = 2.0 / lam_max if lam_max > 0 else 1.0
    if lrs is None:
        lrs = log_grid(critical / 300, critical * 1.5, 15)
    slider = Slider("lr", tuple(lrs), label="learning rate η", default=nearest(lrs, critical / 4))
    cache = RunCache()

    def compute(lr):
        run = cache.get_or_run(lr, lambda: run_trajectory(SGD(lr=lr), land, start, steps=steps))
        return {"GD": run}

    start = tuple(map(float, land.start if start is None else start))
    gap0 = float(land.f(*start)) - plots.minimum_value(land)

    def caption(runs, lr):
        run = runs["GD"]
        ratio = lr * lam_max
        head = f"η = {lr:.3g} (η·λmax = {ratio:.2g}; GD diverges above 2): "
        last = float(gap(run, scene.fmin)[-1])
        if run.diverged:
            return head + f"too large, {plots.divergence_text(run.diverged_at)}."
        if last > gap0:
            return head + f"too large, the loss grows (×{last / gap0:.3g} in {steps} steps)."
        done = f"f − f* = {fmt_gap(last)} after {run.steps_run} steps"
        if last > 1e-4 * gap0:  # not even 4 decades down
            return head + f"too small, {done} (it started at {fmt_gap(gap0)})."
        if ratio > 1:
            return head + f"large: overshoots and oscillates, yet converges, {done}."
        return head + f"about right, {done}."

    scene = RunsScene(
        land, ["GD"], compute, steps=steps, caption=caption, step_markers=True, start=start,
        status=lambda lr: f"η = {lr:.3g}",
    )  # fmt: skip
    return Explorer(scene, [slider], title=title or "The learning-rate dilemma")
