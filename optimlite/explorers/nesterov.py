"""Chapter 5's explorer: heavy ball against Nesterov along one eigen-direction of a quadratic.

:func:`overshoot` shows, for the curvature-step product :math:`h = \\eta\\lambda` and the
momentum :math:`\\beta` on the sliders, the two runs on :math:`L(p) = p^2/2` from :math:`p_0 = 1`
(left, with the theory's envelopes :math:`\\pm\\rho^t`) and both methods' rate per step against
:math:`h` at that :math:`\\beta` (right: the theory's curves, the current :math:`h` marked, the
rate measured from the runs as dots). It makes the chapter's three regimes visible: Nesterov
damps moderately curved directions faster, ties in flat ones and diverges first for large steps.

The measurement helpers (:func:`run_1d`, :func:`contraction_rate`, :func:`overshoot_of`) are the
ones the chapter's tables use; the theory is :func:`optimlite.explorers.momentum.spectral_radius`.
"""

from __future__ import annotations

import math

import numpy as np

from .. import landscapes as _landscapes
from .. import plots
from ..sgd import SGD, NesterovMomentum
from ..trajectory import run_trajectory
from ..validation import check_int, check_positive_values
from .core import Explorer, Scene
from .momentum import spectral_radius
from .scenes import RunCache
from .sliders import Slider

__all__ = ["overshoot", "run_1d", "contraction_rate", "overshoot_of"]

#: The isotropic bowl (x^2 + y^2)/2: from (1, 0) its x coordinate is one direction with λ = 1.
_BOWL = _landscapes.ill_conditioned_quadratic(kappa=1.0)

_NAMES = ("heavy ball", "Nesterov")

#: The default values of h = ηλ: flat directions, the moderate range where the lookahead helps,
#: h = 1 (Nesterov lands on the minimum), past Nesterov's limit (2 + 2β)/(1 + 2β) and up to
#: heavy ball's, 2 + 2β.
_DEFAULT_HS = (0.003, 0.01, 0.03, 0.06, 0.1, 0.2, 0.4, 0.7, 1.0, 1.3, 1.6, 2.5, 3.5)


def run_1d(optimizer, steps: int = 300):
    """``optimizer`` on one direction of a quadratic, :math:`L(p) = p^2/2` (so
    :math:`\\eta\\lambda` is the optimizer's ``lr``), from :math:`p_0 = 1`: a
    :func:`~optimlite.run_trajectory` on the isotropic bowl from ``(1, 0)``, whose ``path[:, 0]``
    is :math:`p_t` (the other coordinate stays 0). Divergence is recorded, never raised."""
    return run_trajectory(optimizer, _BOWL, start=(1.0, 0.0), steps=steps)


def contraction_rate(trajectory) -> float:
    """Measured contraction per step of a run towards the minimum at the origin: the
    least-squares slope of :math:`\\log\\lVert(d_t, d_{t-1})\\rVert` (:math:`d_t` the distance to
    the minimum) over the last three quarters of the recorded run, exponentiated. The pair does
    not vanish when an oscillating run crosses the minimum, so ringing runs are measured as well
    as monotone ones; points that underflowed (below 1e-250) are left out. ``nan`` when fewer
    than 8 points remain (a run that landed exactly on the minimum). A diverging run gives its
    growth factor (> 1) over the steps recorded."""
    d = np.linalg.norm(np.asarray(trajectory.path, dtype=float), axis=1)
    pair = np.hypot(d[1:], d[:-1])
    ok = np.flatnonzero(pair > 1e-250)
    ok = ok[len(ok) // 4 :]
    if len(ok) < 8:
        return float("nan")
    return float(math.exp(np.polyfit(ok, np.log(pair[ok]), 1)[0]))


def overshoot_of(trajectory) -> float:
    """How far a :func:`run_1d` run goes past the minimum, as a fraction of the starting
    distance: :math:`\\max(0, -\\min_t p_t)`; ``inf`` for a run that diverged."""
    if trajectory.diverged:
        return float("inf")
    return max(0.0, -float(np.min(trajectory.path[:, 0])))


class OvershootScene(Scene):
    """Left: :math:`p_t` of heavy ball and Nesterov with envelopes :math:`\\pm\\rho^t`. Right:
    rate per step against :math:`h = \\eta\\lambda` at the current :math:`\\beta`, theory lines,
    the current :math:`h` and the measured rates."""

    size = (9.0, 3.2)

    def __init__(self, steps: int, shown: int, h_range: tuple[float, float]):
        self.steps, self.shown = steps, shown
        self.h_curve = np.geomspace(h_range[0], h_range[1], 240)
        self.colors = {"heavy ball": plots.color_for("Momentum"),
                       "Nesterov": plots.color_for("Nesterov")}  # fmt: skip
        self.cache = RunCache()

    def runs(self, h, beta):
        def make():
            runs = {}
            for name, cls in zip(_NAMES, (SGD, NesterovMomentum), strict=True):
                opt = cls(lr=h, momentum=beta)
                opt.check_finite = False  # run_trajectory never passes a non-finite gradient
                runs[name] = run_1d(opt, self.steps)
            return runs

        return self.cache.get_or_run((h, beta), make)

    def curve(self, beta, nesterov):
        """The theory's rate against ``h_curve`` at ``beta`` (clipped at 2 for drawing)."""

        def make():
            rho = [spectral_radius(x, beta, [1.0], nesterov=nesterov) for x in self.h_curve]
            return np.minimum(rho, 2.0)

        return self.cache.get_or_run(("curve", beta, nesterov), make)

    def setup(self, fig):
        fig.set_layout_engine("constrained")
        ax_p, ax_r = fig.subplots(1, 2, width_ratios=[1.25, 1.0])
        ax_p.axhline(0.0, color=plots.REFERENCE_COLOR, lw=0.8)
        ax_p.set_xlim(0, self.shown)
        ax_p.set_ylim(-1.6, 1.6)
        ax_p.set_xlabel("step t")
        ax_p.set_ylabel("p_t (minimum at 0)")
        ax_p.set_title("one direction of a quadratic, p₀ = 1 (dotted: ±ρᵗ)", fontsize=9)
        t = np.arange(self.shown + 1)
        self.t = t
        self.paths, self.envelopes, self.notes = {}, {}, {}
        for i, name in enumerate(_NAMES):
            color = self.colors[name]
            (self.paths[name],) = ax_p.plot([], [], color=color, lw=1.4, marker="o", ms=2.2,
                                            label=name)  # fmt: skip
            upper, lower = ax_p.plot([], [], [], [], color=color, ls=":", lw=1.0)
            self.envelopes[name] = (upper, lower)
            self.notes[name] = ax_p.text(0.98, 0.95 - 0.09 * i, "", transform=ax_p.transAxes,
                                         ha="right", va="top", fontsize=8,
                                         color=plots.DIVERGED_COLOR)  # fmt: skip
            self.moving(self.paths[name], upper, lower, self.notes[name])
        ax_p.legend(loc="lower right")

        ax_r.axhline(1.0, color=plots.REFERENCE_COLOR, lw=0.8)
        ax_r.set_xscale("log")
        ax_r.set_xlim(self.h_curve[0], self.h_curve[-1])
        ax_r.set_ylim(0.0, 1.5)
        ax_r.set_xlabel("h = ηλ")
        ax_r.set_ylabel("rate per step")
        ax_r.set_title("theory (lines) and measured (dots)", fontsize=9)
        ax_r.text(self.h_curve[0] * 1.3, 1.03, "diverges above 1", fontsize=7.5,
                  color=plots.DIVERGED_COLOR, va="bottom")  # fmt: skip
        self.curves, self.dots = {}, {}
        for name in _NAMES:
            color = self.colors[name]
            (self.curves[name],) = ax_r.plot([], [], color=color, lw=1.5, label=name)
            (self.dots[name],) = ax_r.plot([], [], "o", color=color, mfc="white", ms=7,
                                           mew=1.6)  # fmt: skip
            self.moving(self.curves[name], self.dots[name])
        self.marker = self.moving(ax_r.axvline(1.0, color="0.3", lw=0.8, ls="--"))
        ax_r.legend(loc="lower left")

    def update(self, h, beta):
        runs = self.runs(h, beta)
        parts = [f"ηλ = {h:g}, β = {beta:g}."]
        self.marker.set_xdata([h, h])
        for name in _NAMES:
            nesterov = name == "Nesterov"
            run = runs[name]
            theory = spectral_radius(h, beta, [1.0], nesterov=nesterov)
            p = run.path[: self.shown + 1, 0]
            self.paths[name].set_data(np.arange(len(p)), p)
            envelope = theory ** self.t.astype(float) if theory < 1.5 else self.t * np.nan
            upper, lower = self.envelopes[name]
            upper.set_data(self.t, envelope)
            lower.set_data(self.t, -envelope)
            self.curves[name].set_data(self.h_curve, self.curve(beta, nesterov))
            measured = contraction_rate(run)
            shown = measured if math.isfinite(measured) else theory
            self.dots[name].set_data([h], [min(shown, 1.49)])
            if run.diverged:
                self.notes[name].set_text(f"{name}: {plots.divergence_text(run.diverged_at)}")
                parts.append(f"{name}: {plots.divergence_text(run.diverged_at)} "
                             f"(theory: rate {theory:.3f} > 1).")  # fmt: skip
                continue
            self.notes[name].set_text("")
            rate_text = f"{measured:.3f}" if math.isfinite(measured) else "exact (lands on 0)"
            parts.append(f"{name}: overshoot {overshoot_of(run):.2f}, rate/step {rate_text} "
                         f"(theory {theory:.3f}).")  # fmt: skip
        return " ".join(parts)


def overshoot(
    *,
    hs=None,
    betas=(0.5, 0.7, 0.8, 0.9, 0.95, 0.99),
    steps: int = 300,
    shown: int = 80,
    title=None,
) -> Explorer:
    """Heavy ball against Nesterov along one eigen-direction of a quadratic: the step
    :math:`h = \\eta\\lambda` times the momentum :math:`\\beta`.

    Left, the two runs :math:`p_t` with the envelopes :math:`\\pm\\rho^t` of the theory; right,
    both rates per step against :math:`h` at the current :math:`\\beta` (the spectral radii of the
    2 x 2 iteration matrices) with the rates measured from the runs. The caption gives each run's
    overshoot past the minimum and its measured and predicted rates; a diverging run is labelled.

    Args:
        hs: values of :math:`h` offered (default: 13 from 0.003 to 3.5, past Nesterov's limit
            :math:`(2+2\\beta)/(1+2\\beta)`; heavy ball's is :math:`2+2\\beta`).
        betas: momentum values offered, each in (0, 1) (Nesterov needs :math:`\\beta > 0`).
        steps: steps per run (the rates are measured over them); ``shown``: steps drawn.
    """
    steps = check_int("steps", steps, minimum=20)
    shown = check_int("shown", shown, minimum=2)
    if shown > steps:
        raise ValueError(f"shown must be at most steps={steps}, got {shown!r}")
    if hs is None:
        hs = _DEFAULT_HS
    hs = check_positive_values("hs", hs, "positive step-curvature products")
    betas = tuple(float(b) for b in betas)
    if not betas or not all(0.0 < b < 1.0 for b in betas):
        raise ValueError(f"betas must lie in (0, 1), got {betas!r}")
    scene = OvershootScene(steps, shown, (min(0.001, min(hs)), max(4.0, max(hs))))
    default_h = min(hs, key=lambda h: abs(math.log(h / 0.1)))
    sliders = [
        Slider("h", hs, label="ηλ", default=default_h),
        Slider("beta", betas, label="momentum β", default=0.9 if 0.9 in betas else None),
    ]
    return Explorer(scene, sliders, title=title or "Overshoot: heavy ball vs Nesterov")
