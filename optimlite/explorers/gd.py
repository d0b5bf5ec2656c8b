"""Chapters 2 and 3's explorers: the learning-rate dilemma of gradient descent, and the noise
ball of mini-batch SGD."""

from __future__ import annotations

import numpy as np

from .. import plots
from ..sgd import SGD
from ..trajectory import run_trajectory
from .core import Explorer
from .scenes import RunCache, RunsScene, curvature, fmt_gap, gap, nearest, resolve_landscape
from .sliders import Slider, log_grid

__all__ = ["lr_dilemma", "sgd_noise"]


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


class _NoiseBallScene(RunsScene):
    """:class:`RunsScene` plus the predicted noise ball: a 2σ ellipse around the minimum (left)
    and the predicted mean loss gap as a dashed level (right)."""

    def __init__(self, *args, ball, **kwargs):
        super().__init__(*args, **kwargs)
        self.ball = ball  # ball(lr, batch_size) -> (ellipse points (m, 2), mean gap) or None

    def setup(self, fig):
        super().setup(fig)
        ax_path, ax_loss = fig.axes[:2]
        ball = {"color": "#111111", "ls": "--"}  # dark, on top of the jittering SGD path
        (self.ellipse,) = ax_path.plot([], [], lw=1.6, zorder=8, **ball)
        (self.level,) = ax_loss.plot([], [], lw=1.2, zorder=8, **ball)
        self.moving(self.ellipse, self.level)
        ax_path.plot([], [], lw=1.6, label="predicted noise ball (2σ)", **ball)
        ax_path.legend(loc="lower right", fontsize=7)
        ax_loss.plot([], [], lw=1.2, label="predicted mean gap", **ball)
        ax_loss.legend(loc="lower left", fontsize=7)

    def update(self, **values):
        caption = super().update(**values)
        ball = self.ball(values["lr"], values["batch_size"])
        if ball is None:
            self.ellipse.set_data([], [])
            self.level.set_data([], [])
        else:
            points, level = ball
            self.ellipse.set_data(points[:, 0], points[:, 1])
            self.level.set_data([0, self.steps], [level, level])
        return caption


def sgd_noise(
    x=None,
    y=None,
    *,
    lrs=None,
    batch_sizes=(1, 4, 16, 64, 256),
    steps: int = 300,
    seed: int = 0,
    title=None,
) -> Explorer:
    """Mini-batch SGD on the article's linear regression, learning rate x batch size, against
    full-batch gradient descent (grey) at the same rate, with the noise ball a constant rate
    leaves: the stationary covariance :math:`P` of
    :func:`optimlite.problems.sgd_stationary_covariance` drawn as a 2σ ellipse around the
    least-squares point, and its mean loss gap :math:`\\tfrac12\\operatorname{tr}(HP)` as a
    dashed level on the loss axes.

    Batches are independent uniform draws (:class:`optimlite.problems.MinibatchGrad` with
    ``replace=True``, seeded: the same slider values give the same run), so the gradient noise
    has the covariance :math:`\\Sigma/|B|` the prediction uses
    (:func:`~optimlite.problems.minibatch_grad_covariance` at the minimum).

    Args:
        x, y: the data (default: ``problems.linear_data(n=1024, seed=0)``, chapter 3's).
        lrs: the learning rates offered (default: 6 on a log grid from 0.01 to
            :math:`0.9 \\cdot 2/\\lambda_{\\max}`, where single samples can already diverge).
        batch_sizes: the batch sizes offered.
        steps: SGD steps per run.
        seed: seed of the batch sampler.
    """
    from .. import problems

    if x is None or y is None:
        x, y = problems.linear_data(n=1024, seed=0)
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    land = problems.linear_regression_landscape(x, y)
    lam_max = float(curvature(land)[-1])
    if lrs is None:
        lrs = log_grid(0.01, 0.9 * 2.0 / lam_max, 6)
    batch_sizes = tuple(int(b) for b in batch_sizes)
    w_star, b_star, _ = land.minima[0]
    minimum = problems.linear_params(w_star, b_star)
    hessian = problems.mse_hessian(x)
    turn = np.linspace(0.0, 2.0 * np.pi, 73)
    circle = np.stack([np.cos(turn), np.sin(turn)])  # the unit circle, mapped to the ellipse
    cache = RunCache()

    def ball(lr, batch_size):
        def make():
            cov = problems.minibatch_grad_covariance(minimum, x, y, batch_size, replace=True)
            try:
                P = problems.sgd_stationary_covariance(hessian, cov, lr)
            except ValueError:  # beyond the stable range: no stationary state
                return None
            vals, vecs = np.linalg.eigh(P)
            points = (vecs @ (2.0 * np.sqrt(np.maximum(vals, 0.0))[:, None] * circle)).T
            return points + np.array([w_star, b_star]), 0.5 * float(np.trace(hessian @ P))

        return cache.get_or_run(("ball", lr, batch_size), make)

    def compute(lr, batch_size):
        gd = cache.get_or_run(("GD", lr), lambda: run_trajectory(SGD(lr=lr), land, steps=steps))
        sgd = cache.get_or_run(
            ("SGD", lr, batch_size),
            lambda: run_trajectory(
                SGD(lr=lr), land, steps=steps,
                stochastic_grad=problems.MinibatchGrad(x, y, batch_size, seed=seed, replace=True),
            ),
        )  # fmt: skip
        return {"GD (full batch)": gd, "SGD": sgd}

    def caption(runs, lr, batch_size):
        head = f"η = {lr:.3g}, |B| = {batch_size}: "
        sgd, gd = runs["SGD"], runs["GD (full batch)"]
        if sgd.diverged:
            text = f"SGD {plots.divergence_text(sgd.diverged_at)}"
            if not gd.diverged:
                text += " (a batch can be steeper than the full loss)"
            return head + text + "."
        tail = gap(sgd, scene.fmin)[steps // 2 :]
        predicted = ball(lr, batch_size)
        text = f"SGD's mean f − f* over the last {len(tail)} steps {fmt_gap(float(np.mean(tail)))}"
        if predicted is not None:
            text += f" (predicted noise ball {fmt_gap(predicted[1])})"
            if float(gap(gd, scene.fmin)[steps // 2]) > predicted[1]:
                text += ", still on its way in"
        gd_text = (
            plots.divergence_text(gd.diverged_at)
            if gd.diverged
            else f"f − f* = {fmt_gap(float(gap(gd, scene.fmin)[-1]))}"
        )
        return head + text + f"; full-batch GD {gd_text}."

    scene = _NoiseBallScene(
        land, ["GD (full batch)", "SGD"], compute, steps=steps, reference=["GD (full batch)"],
        caption=caption, colors={"SGD": plots.color_for("SGD")}, ball=ball,
        status=lambda lr, batch_size: f"η = {lr:.3g},  |B| = {batch_size}",
    )  # fmt: skip
    sliders = [
        Slider("lr", tuple(lrs), label="learning rate η", default=nearest(lrs, 0.1)),
        Slider("batch_size", batch_sizes, label="batch size |B|",
               default=16 if 16 in batch_sizes else None),
    ]  # fmt: skip
    return Explorer(scene, sliders, title=title or f"SGD's noise ball ({len(x)} points)")
