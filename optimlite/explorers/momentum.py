"""Chapters 4 and 5's explorer: momentum (and Nesterov's method) in a ravine, with its theory.

:func:`momentum` draws the runs (path and loss gap) and, beside them, the plane of
:math:`(\\eta\\lambda, \\mu)` where the theory of heavy-ball momentum lives: shaded by the predicted
rate per step, with the stability boundary :math:`\\eta\\lambda = 2 + 2\\mu` and one moving dot per
eigen-direction of the ravine. A dot leaving the region is the run diverging. The theory helpers
(:func:`spectral_radius`, :func:`gd_optimum`, :func:`heavy_ball_optimum`) are what the caption and
chapter 4 use.
"""

from __future__ import annotations

import numpy as np

from .. import landscapes as _landscapes
from .. import plots
from ..sgd import SGD, NesterovMomentum
from ..trajectory import run_trajectory
from .core import Explorer
from .scenes import RunCache, RunsScene, curvature, fmt_gap, gap, nearest, rate
from .sliders import Slider, log_grid

__all__ = [
    "momentum",
    "MomentumScene",
    "spectral_radius",
    "rate_map",
    "gd_optimum",
    "heavy_ball_optimum",
]


def spectral_radius(lr, momentum, eigenvalues, nesterov=False) -> float:
    """The theory's contraction per step of heavy-ball (or Nesterov) momentum on a quadratic
    whose Hessian has the eigenvalues ``eigenvalues``: the largest spectral radius of the 2x2
    iteration matrices

    .. math:: \\text{heavy ball: } \\begin{pmatrix}1-\\eta\\lambda & -\\eta\\mu\\\\ \\lambda & \\mu
        \\end{pmatrix},\\quad \\text{Nesterov: } \\begin{pmatrix}1-\\eta\\lambda(1+\\mu) &
        -\\eta\\mu^2\\\\ \\lambda & \\mu\\end{pmatrix}

    acting on :math:`(\\theta, b)` (PyTorch's buffer :math:`b`). ``momentum=0`` is gradient
    descent, :math:`\\max_i |1 - \\eta\\lambda_i|`. Above 1 the iteration diverges."""
    worst = 0.0
    for lam_i in np.atleast_1d(np.asarray(eigenvalues, dtype=float)):
        if nesterov:
            M = [[1 - lr * lam_i * (1 + momentum), -lr * momentum * momentum], [lam_i, momentum]]
        else:
            M = [[1 - lr * lam_i, -lr * momentum], [lam_i, momentum]]
        worst = max(worst, float(np.max(np.abs(np.linalg.eigvals(np.array(M))))))
    return worst


def gd_optimum(lam_min: float, lam_max: float) -> tuple[float, float]:
    """Gradient descent's best constant learning rate on a quadratic with extreme curvatures
    ``lam_min``, ``lam_max`` and its rate: :math:`\\eta^\\star = 2/(\\lambda_1 + \\lambda_n)`,
    :math:`\\rho = (\\kappa - 1)/(\\kappa + 1)`."""
    kappa = lam_max / lam_min
    return 2.0 / (lam_min + lam_max), (kappa - 1.0) / (kappa + 1.0)


def heavy_ball_optimum(lam_min: float, lam_max: float) -> tuple[float, float, float]:
    """Heavy ball's best ``(lr, momentum, rate)`` on a quadratic (Polyak 1964; Goh 2017):
    :math:`\\eta^\\star = \\big(2/(\\sqrt{\\lambda_1} + \\sqrt{\\lambda_n})\\big)^2`,
    :math:`\\beta^\\star = \\big((\\sqrt{\\lambda_n} - \\sqrt{\\lambda_1})/(\\sqrt{\\lambda_n} +
    \\sqrt{\\lambda_1})\\big)^2`, rate
    :math:`\\sqrt{\\beta^\\star} = (\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1)`."""
    s1, sn = np.sqrt(lam_min), np.sqrt(lam_max)
    lr = (2.0 / (s1 + sn)) ** 2
    root = (sn - s1) / (sn + s1)
    return float(lr), float(root * root), float(root)


def rate_map(eta_lam, momenta, nesterov=False) -> np.ndarray:
    """The theory's rate per step, ``rate[i, j]`` for momentum ``momenta[i]`` and
    :math:`\\eta\\lambda` = ``eta_lam[j]``: the largest root modulus of
    :math:`z^2 - (1 + \\mu - \\eta\\lambda) z + \\mu` (heavy ball) or of
    :math:`z^2 - (1 + \\mu)(1 - \\eta\\lambda) z + \\mu (1 - \\eta\\lambda)` (Nesterov)."""
    x = np.asarray(eta_lam, dtype=float)[None, :]
    mu = np.asarray(momenta, dtype=float)[:, None]
    if nesterov:
        a, c = (1 + mu) * (1 - x), mu * (1 - x)
    else:
        a, c = 1 + mu - x, mu + 0 * x
    disc = (a * a - 4 * c).astype(complex)
    roots = np.stack([(a + np.sqrt(disc)) / 2, (a - np.sqrt(disc)) / 2])
    return np.max(np.abs(roots), axis=0)


class MomentumScene(RunsScene):
    """:class:`RunsScene` (paths, loss gaps) plus a third panel: the :math:`(\\eta\\lambda, \\mu)`
    plane shaded by heavy ball's predicted rate, its stability boundary, the best parameters
    (stars) and a dot per eigenvalue :math:`\\lambda_i` of the landscape at the current
    :math:`(\\eta\\lambda_i, \\mu)`."""

    def __init__(self, *args, eigenvalues, nesterov=False, optimum=None, **kwargs):
        super().__init__(*args, size=(8.6, 3.2), **kwargs)
        self.eigenvalues = np.sort(np.asarray(eigenvalues, dtype=float))
        self.nesterov = nesterov
        self.optimum = optimum

    def setup_path_axes(self, fig):
        fig.set_layout_engine("constrained")
        ax_path, ax_loss, ax_map = fig.subplots(1, 3, width_ratios=[1.0, 0.95, 0.8])
        plots.contours(ax_path, self.landscape)
        ax_path.set_title(self.title, fontsize=9)
        self._draw_map(ax_map)
        return ax_path, ax_loss

    def _draw_map(self, ax):
        x = np.geomspace(1e-3, 8.0, 160)
        mu = np.linspace(0.0, 0.995, 100)
        rho = rate_map(x, mu)
        shown = np.ma.masked_where(rho >= 1, rho)
        ax.set_facecolor("#F2C4BE")  # what is not shaded diverges
        ax.pcolormesh(x, mu, shown, cmap="viridis", vmin=0.0, vmax=1.0, shading="nearest",
                      rasterized=True)  # fmt: skip
        ax.plot(2 + 2 * mu, mu, color="k", lw=1.2)
        if self.nesterov:
            bound = rate_map(x, mu, nesterov=True)
            ax.contour(x, mu, bound, levels=[1.0], colors="k", linewidths=1.0, linestyles="--")
        if self.optimum is not None:
            lr_opt, mu_opt = self.optimum
            ax.plot(lr_opt * self.eigenvalues, [mu_opt] * len(self.eigenvalues), "*",
                    color="white", markeredgecolor="k", markersize=9, zorder=3)  # fmt: skip
        ax.set_xscale("log")
        ax.set_xlim(x[0], x[-1])
        ax.set_ylim(0.0, 1.0)
        ax.set_xlabel("ηλ (one dot per eigenvalue)")
        ax.set_ylabel("momentum μ")
        ax.set_title("theory: rate per step (dark: fast)", fontsize=9)
        ax.text(5.0, 0.3, "diverges", color=plots.DIVERGED_COLOR, ha="center", va="center",
                rotation=90, fontsize=8)  # fmt: skip
        (self.dots,) = ax.plot([], [], "o", color=plots.color_for("Momentum"),
                               markeredgecolor="k", markersize=7, zorder=4)  # fmt: skip
        self.moving(self.dots)

    def update(self, **values):
        caption = super().update(**values)
        lr, mu = values["lr"], values["momentum"]
        xs = np.clip(lr * self.eigenvalues, 1e-3, 8.0)
        self.dots.set_data(xs, [mu] * len(xs))
        return caption


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
    """Learning rate x momentum on the ravine :math:`\\tfrac12(x^2 + \\kappa y^2)`, with the theory.

    Heavy ball (``SGD(momentum=μ)``, PyTorch's form :math:`b \\leftarrow \\mu b + g,\\ \\theta
    \\leftarrow \\theta - \\eta b`) against plain gradient descent at the same :math:`\\eta` (grey);
    ``nesterov=True`` adds Nesterov's method (``NesterovMomentum``) and its stability boundary
    (dashed). The third panel is the :math:`(\\eta\\lambda, \\mu)` plane shaded by heavy ball's
    predicted rate, with a dot per eigenvalue at the current values and stars at the best
    :math:`(\\eta^\\star, \\mu^\\star)`. The caption puts the rate per step measured from each run
    next to the theory's (spectral radius of the iteration) and the best rate possible.

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
    lr_opt, mu_opt, rho_opt = heavy_ball_optimum(lam[0], lam[-1])
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
            theory = spectral_radius(lr, mu, lam, nesterov=(kind == "nesterov" and mu > 0))
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
        parts.append(
            f"Best heavy ball (stars): rate {rho_opt:.3f} at η = {lr_opt:.3g}, μ = {mu_opt:.3g}."
        )
        return " ".join(parts)

    colors = {"Momentum": plots.color_for("Momentum"), "Nesterov": plots.color_for("Nesterov")}
    scene = MomentumScene(
        land, names, compute, steps=steps, reference=[names[0]], caption=caption, colors=colors,
        status=lambda lr, momentum: f"η = {lr:.3g},  μ = {momentum:g}",
        eigenvalues=lam, nesterov=nesterov, optimum=(lr_opt, mu_opt),
    )  # fmt: skip
    sliders = [
        Slider("lr", tuple(lrs), label="learning rate η", default=nearest(lrs, 1.0 / lam[-1])),
        Slider("momentum", tuple(momenta), label="momentum μ",
               default=0.9 if 0.9 in momenta else None),
    ]  # fmt: skip
    default_title = "Momentum vs Nesterov in a ravine" if nesterov else "Momentum in a ravine"
    return Explorer(scene, sliders, title=title or f"{default_title} (κ = {kappa:g})")
