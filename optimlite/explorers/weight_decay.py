"""Chapter 9's explorer: L2 regularisation inside Adam against AdamW's decoupled decay.

The problem is :func:`two_scale_bowl`, a quadratic whose two coordinates have very different
curvatures and so very different gradient scales, with its minimum away from the origin (where
weight decay pulls). :func:`decay_share` measures, for one update, how much of the nominal decay
:math:`\\eta\\lambda\\theta` each coordinate actually receives: the update minus the update the
same optimizer would make from the same state without the decay, divided by
:math:`-\\eta\\lambda\\theta`. Decoupled decay gives exactly 1 everywhere; L2 inside Adam gives
about :math:`1/\\sqrt{\\hat v}`, small on the steep coordinate and large on the shallow one.

:func:`weight_decay` shows, for the learning rate and the decay on the sliders, both paths on the
bowl (with the L2-regularised minimum marked) and both optimizers' decay share per coordinate
along the run.
"""

from __future__ import annotations

import copy
import math

import numpy as np

from .. import plots
from ..adaptive import Adam, AdamW
from ..landscapes import Landscape, log_levels
from ..validation import check_int, check_positive, check_positive_values
from .core import Explorer, Scene
from .scenes import RunCache
from .sliders import Slider

__all__ = ["two_scale_bowl", "decay_share", "decay_share_run", "weight_decay"]

_NAMES = ("Adam + L2", "AdamW")
_CLASSES = {"Adam + L2": Adam, "AdamW": AdamW}


def two_scale_bowl(curvatures=(100.0, 0.01), center=(1.0, 1.0)) -> Landscape:
    """:math:`f(x, y) = \\tfrac12\\big(a (x - c_x)^2 + b (y - c_y)^2\\big)` with curvatures
    ``(a, b)``: the gradient on x is :math:`a/b` times larger than on y at the same distance
    from the minimum ``center``. The minimum is away from the origin, so weight decay (which
    pulls towards the origin) has something to pull against."""
    a, b = (check_positive("curvatures", float(k)) for k in curvatures)
    cx, cy = (float(c) for c in center)

    def f(x, y):
        return 0.5 * (a * (x - cx) ** 2 + b * (y - cy) ** 2)

    def grad(x, y):
        return a * (x - cx), b * (y - cy)

    xlim = (min(cx - 1.6, -0.15), cx + 1.6)  # the origin stays in view: decay pulls towards it
    ylim = (min(cy - 1.6, -0.15), cy + 1.6)
    return Landscape(
        name="two_scale_bowl",
        title=f"two gradient scales (curvatures {a:g} and {b:g})",
        f=f,
        grad=grad,
        minima=[(cx, cy, 0.0)],
        xlim=xlim,
        ylim=ylim,
        start=(cx + 1.0, cy + 1.0),
        levels=log_levels(f, xlim, ylim, 0.0, decades=5.0),
        eigenvalues=(min(a, b), max(a, b)),
        description="Coordinates with very different gradient scales: L2 inside Adam decays "
        "them very differently, AdamW equally.",
    )


def decay_share(optimizer, params, grads) -> dict:
    """The fraction of the nominal decay :math:`\\eta\\lambda\\theta` that one update of
    ``optimizer`` (an :class:`~optimlite.Adam` or :class:`~optimlite.AdamW` with
    ``weight_decay > 0``) gives each coordinate, per key of ``params``.

    Computed by running the update twice from the same state: once as is, once with
    ``weight_decay = 0``; the difference is the decay's part of the step. Nothing passed in
    changes (the update runs on copies). A coordinate at exactly 0 gets ``nan`` (it has no decay
    to receive)."""
    own = copy.deepcopy(optimizer)
    copies = {k: np.array(v, copy=True) for k, v in params.items()}
    return _step_and_share(own, _bare_twin(own), copies, grads)


def _bare_twin(optimizer):
    """A copy of ``optimizer`` without decay, for :func:`_step_and_share`."""
    if float(optimizer.weight_decay) <= 0:
        raise ValueError(
            f"weight_decay must be > 0 to measure its share, got {optimizer.weight_decay!r}"
        )
    twin = copy.deepcopy(optimizer)
    twin.weight_decay = 0.0
    return twin


def _step_and_share(optimizer, bare, params, grads) -> dict:
    """Update ``params`` with ``optimizer`` and return the decay's share of that update: ``bare``
    (a :func:`_bare_twin`) is first given a copy of ``optimizer``'s state and makes the same
    update without decay on a copy of ``params``."""
    # the same state as ``optimizer`` (what load_state_dict(state_dict()) would give, without
    # re-validating the hyperparameters at every step)
    bare.t, bare.steps = optimizer.t, dict(optimizer.steps)
    bare.state = {n: {k: v.copy() for k, v in st.items()} for n, st in optimizer.state.items()}
    without = {k: np.array(v, copy=True) for k, v in params.items()}
    bare.update(without, grads)
    scale = -float(optimizer.lr) * float(optimizer.weight_decay)
    nominal = {k: scale * np.asarray(v, dtype=float) for k, v in params.items()}
    optimizer.update(params, grads)
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            k: np.where(nominal[k] != 0, (params[k] - without[k]) / nominal[k], np.nan)
            for k in params
        }


def decay_share_run(optimizer, landscape, start=None, steps: int = 200):
    """Run ``optimizer`` on a 2-D ``landscape`` from ``start`` (default ``landscape.start``),
    measuring :func:`decay_share` at every update. Returns ``(path, shares)``: the ``(k + 1, 2)``
    points and the ``(k, 2)`` shares of the ``k`` updates made; ``k < steps`` when the run left
    the finite range (beyond 1e6 or NaN: a divergence, drawn and labelled by the explorer)."""
    steps = check_int("steps", steps, minimum=1)
    bare = _bare_twin(optimizer)
    params = {"xy": np.array(landscape.start if start is None else start, dtype=float)}
    path, shares = [params["xy"].copy()], []
    for _ in range(steps):
        g = {"xy": np.array(landscape.grad(*params["xy"]), dtype=float)}
        if not np.all(np.isfinite(g["xy"])):
            break
        share = _step_and_share(optimizer, bare, params, g)["xy"]
        if not np.all(np.isfinite(params["xy"])) or np.max(np.abs(params["xy"])) > 1e6:
            break
        shares.append(share)
        path.append(params["xy"].copy())
    return np.array(path), np.array(shares).reshape(-1, 2)


def l2_minimum(landscape_curvatures, center, lam):
    """Where Adam + L2 converges on :func:`two_scale_bowl`: the minimum of
    :math:`f + \\tfrac{\\lambda}{2}\\lVert\\theta\\rVert^2`, per coordinate
    :math:`c_i k_i / (k_i + \\lambda)`."""
    return np.array([c * k / (k + lam) for c, k in zip(center, landscape_curvatures, strict=True)])


class WeightDecayScene(Scene):
    """Left: both paths on the bowl, the L2-regularised minimum marked. Right: each
    optimizer's decay share per coordinate along the run (log scale, 1 = the nominal decay)."""

    size = (9.0, 3.4)

    def __init__(self, curvatures, center, start, steps):
        self.curvatures, self.center, self.start, self.steps = curvatures, center, start, steps
        self.bowl = two_scale_bowl(curvatures, center)
        self.colors = {name: plots.color_for(name.split(" ")[0]) for name in _NAMES}
        self.cache = RunCache()

    def runs(self, lr, weight_decay):
        def make():
            return {
                name: decay_share_run(
                    _CLASSES[name](lr=lr, weight_decay=weight_decay),
                    self.bowl,
                    self.start,
                    self.steps,
                )  # fmt: skip
                for name in _NAMES
            }

        return self.cache.get_or_run((lr, weight_decay), make)

    def setup(self, fig):
        fig.set_layout_engine("constrained")
        ax_p, ax_s = fig.subplots(1, 2, width_ratios=[1.0, 1.15])
        plots.contours(ax_p, self.bowl, levels=8, linewidths=0.6, alpha=0.45)
        ax_p.plot([0], [0], "+", color="0.3", ms=9)
        k1, k2 = self.curvatures
        ax_p.set_title(f"curvature {k1:g} on x, {k2:g} on y (+: origin)", fontsize=9)
        self.paths = {}
        for i, name in enumerate(_NAMES):
            self.paths[name] = self.moving(plots.PathArtists(
                ax_p, color=self.colors[name], label=name, label_slot=i))  # fmt: skip
        (self.l2_min,) = ax_p.plot([], [], "D", color=self.colors["Adam + L2"], mfc="none",
                                   ms=8, mew=1.4, label="minimum of L + λ‖θ‖²/2")  # fmt: skip
        self.moving(self.l2_min)
        ax_p.legend(loc="upper left", fontsize=7.5)

        ax_s.axhline(1.0, color=plots.REFERENCE_COLOR, lw=0.8)
        ax_s.set_yscale("log")
        ax_s.set_xlim(0, self.steps)
        ax_s.set_ylim(1e-3, 1e3)
        ax_s.set_xlabel("step")
        ax_s.set_ylabel("decay received / ηλθ")
        ax_s.set_title("share of the nominal decay, per coordinate", fontsize=9)
        self.shares = {}
        for name in _NAMES:
            for j, (coord, ls) in enumerate((("x", "-"), ("y", "--"))):
                (line,) = ax_s.plot([], [], color=self.colors[name], ls=ls, lw=1.5,
                                    label=f"{name}, {coord}")  # fmt: skip
                self.shares[name, j] = self.moving(line)
        ax_s.legend(loc="upper left", fontsize=7.5, ncol=2)

    def update(self, lr, weight_decay):
        runs = self.runs(lr, weight_decay)
        self.l2_min.set_data(*([v] for v in l2_minimum(self.curvatures, self.center, weight_decay)))
        parts = [f"η = {lr:g}, λ = {weight_decay:g}."]
        for name in _NAMES:
            path, shares = runs[name]
            diverged = len(shares) < self.steps
            self.paths[name].set_path(path, diverged_at=len(path) if diverged else None)
            t = np.arange(1, len(shares) + 1)
            for j in range(2):
                y = np.clip(np.abs(shares[:, j]), 1.1e-3, 0.9e3)
                self.shares[name, j].set_data(t, y)
            if len(shares):
                med = np.nanmedian(np.abs(shares), axis=0)
                parts.append(f"{name}: median share x {med[0]:.3g}, y {med[1]:.3g}; "
                             f"ends at ({path[-1, 0]:.2f}, {path[-1, 1]:.2f}).")  # fmt: skip
        return " ".join(parts)


def weight_decay(
    *,
    lrs=(0.003, 0.01, 0.03, 0.1),
    weight_decays=(0.01, 0.03, 0.1, 0.3, 1.0),
    curvatures=(100.0, 0.01),
    steps: int = 100,
    title=None,
) -> Explorer:
    """Adam with an L2 penalty against AdamW on :func:`two_scale_bowl`: learning rate times
    weight decay.

    Left, both paths from ``(2, 2)`` towards the minimum at ``(1, 1)``, with the minimum of the
    L2-regularised loss (where Adam + L2 heads) marked. Right, the share of the nominal decay
    :math:`\\eta\\lambda\\theta` each optimizer gives each coordinate at every step
    (:func:`decay_share`): AdamW's is 1 on both, Adam + L2's is tiny on the steep coordinate and
    large on the shallow one. The caption gives the median shares and the end points.

    Args:
        lrs: learning rates offered (positive).
        weight_decays: decay coefficients :math:`\\lambda` offered (positive; the same number
            is the L2 coefficient for Adam and the decoupled decay for AdamW, torch's meaning).
        curvatures: the bowl's two curvatures (positive).
        steps: updates per run (at least 10).
    """
    steps = check_int("steps", steps, minimum=10)
    lrs = check_positive_values("lrs", lrs, "positive learning rates")
    wds = check_positive_values("weight_decays", weight_decays)
    curvatures = tuple(float(k) for k in curvatures)
    if len(curvatures) != 2 or not all(math.isfinite(k) and k > 0 for k in curvatures):
        raise ValueError(f"curvatures must be two positive numbers, got {curvatures!r}")
    center = (1.0, 1.0)
    scene = WeightDecayScene(curvatures, center, (2.0, 2.0), steps)
    sliders = [
        Slider("lr", lrs, label="learning rate η", default=0.03 if 0.03 in lrs else None),
        Slider("weight_decay", wds, label="weight decay λ", default=0.1 if 0.1 in wds else None),
    ]
    return Explorer(scene, sliders, title=title or "Weight decay: L2 inside Adam vs AdamW")
