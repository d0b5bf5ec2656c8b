"""Chapters 4 and 5's explorer: momentum (and Nesterov's method) in a ravine."""

from __future__ import annotations

import numpy as np

from .. import landscapes as _landscapes
from .. import plots
from ..sgd import SGD, NesterovMomentum
from ..trajectory import run_trajectory
from .core import Explorer
from .scenes import RunCache, RunsScene, curvature, fmt_gap, gap, nearest, rate
from .sliders import Slider, log_grid

__all__ = ["momentum"]


def _spectral_radius(lr, mu, lam, nesterov=False) -> float:
    """Per-step contraction of (heavy-ball / Nesterov / plain) momentum on a quadratic with
    Hessian eigenvalues ``lam``: the largest spectral radius of the 2x2 iteration matrices

    .. math:: \\text{heavy ball: } \\begin{pmatrix}1-\\eta\\lambda & -\\eta\\mu\\\\ \\lambda & \\mu
        \\end{pmatrix},\\quad \\text{Nesterov: } \\begin{pmatrix}1-\\eta\\lambda(1+\\mu) &
        -\\eta\\mu^2\\\\ \\lambda & \\mu\\end{pmatrix}

    acting on :math:`(\\theta, b)` (PyTorch's buffer :math:`b`)."""
    worst = 0.0
    for lam_i in lam:
        if nesterov:
            M = [[1 - lr * lam_i * (1 + mu), -lr * mu * mu], [lam_i, mu]]
        else:
            M = [[1 - lr * lam_i, -lr * mu], [lam_i, mu]]
        worst = max(worst, float(np.max(np.abs(np.linalg.eigvals(np.array(M))))))
    return worst


def momentum(
    kappa: float = 25.0,
    *,
    nesterov: bool = False,
    lrs=None,
    momenta=(0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99),
    steps: int = 150,
    angle: float = 0.0,
    title=None,
) -> Explorer:
    """Learning rate x momentum on the ravine :math:`\\tfrac12(x^2 + \\kappa y^2)`.

    Heavy ball (``MomentumSGD``, PyTorch's form :math:`b \\leftarrow \\mu b + g,\\ \\theta
    \\leftarrow \\theta - \\eta b`) against plain gradient descent at the same :math:`\\eta` (grey);
    ``nesterov=True`` adds Nesterov's method (``NesterovMomentum``). The caption compares the
    measured convergence rate per step with the theory (spectral radius of the iteration).

    Args:
        kappa: condition number of the quadratic.
        nesterov: also draw Nesterov momentum.
        lrs: learning rates offered (default: 10 on a log grid up to :math:`3.8/\\lambda_{\\max}`,
            momentum's stability limit at :math:`\\mu = 0.9`; GD's is :math:`2/\\lambda_{\\max}`).
        momenta: momentum coefficients :math:`\\mu` offered.
        steps: steps per run.
        angle: rotation of the valley (radians).
    """
    land = _landscapes.ill_conditioned_quadratic(kappa, angle=angle)
    lam = curvature(land)
    if lrs is None:
        lrs = log_grid(0.05 / lam[-1], 3.8 / lam[-1], 10)
    names = ["GD (μ = 0)", "Momentum"] + (["Nesterov"] if nesterov else [])
    cache = RunCache()

    def run(kind, lr, mu):
        def make():
            if kind == "gd" or mu == 0:
                opt = SGD(lr=lr)
            elif kind == "nesterov":
                opt = NesterovMomentum(lr=lr, momentum=mu)
            else:
                opt = SGD(lr=lr, momentum=mu)
            return run_trajectory(opt, land, steps=steps)

        return cache.get_or_run((kind, lr, 0.0 if kind == "gd" else mu), make)

    def compute(lr, momentum):
        runs = {names[0]: run("gd", lr, 0.0), "Momentum": run("heavy", lr, momentum)}
        if nesterov:
            runs["Nesterov"] = run("nesterov", lr, momentum)
        return runs

    def caption(runs, lr, momentum):
        parts = [f"η = {lr:.3g}, μ = {momentum:g}."]
        for name in names[1:] + names[:1]:
            r = runs[name]
            kind = "nesterov" if name == "Nesterov" else "heavy"
            mu = 0.0 if name == names[0] else momentum
            theory = _spectral_radius(lr, mu, lam, nesterov=(kind == "nesterov" and mu > 0))
            short = "GD" if name == names[0] else name
            if r.diverged:
                parts.append(
                    f"{short}: {plots.divergence_text(r.diverged_at)} (rate {theory:.3f} > 1)."
                )
                continue
            measured = rate(r, scene.fmin)
            last = float(gap(r, scene.fmin)[-1])
            shown = f"rate/step {measured:.3f}" if measured is not None else "rate/step n/a"
            parts.append(f"{short}: f − f* = {fmt_gap(last)}, {shown} (theory {theory:.3f}).")
        return " ".join(parts)

    colors = {"Momentum": plots.color_for("Momentum"), "Nesterov": plots.color_for("Nesterov")}
    scene = RunsScene(
        land, names, compute, steps=steps, reference=[names[0]], caption=caption, colors=colors,
        status=lambda lr, momentum: f"η = {lr:.3g},  μ = {momentum:g}",
    )  # fmt: skip
    sliders = [
        Slider("lr", tuple(lrs), label="learning rate η", default=nearest(lrs, 1.0 / lam[-1])),
        Slider("momentum", tuple(momenta), label="momentum μ",
               default=0.9 if 0.9 in momenta else None),
    ]  # fmt: skip
    default_title = "Momentum vs Nesterov in a ravine" if nesterov else "Momentum in a ravine"
    return Explorer(scene, sliders, title=title or f"{default_title} (κ = {kappa:g})")
