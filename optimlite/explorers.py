"""The course's ready explorers: one call each; live sliders in Jupyter, working ones in the book.

=========================  ====================================================================
``lr_dilemma()``           gradient descent at a learning rate on a log grid (the article's
                           linear regression by default): too small, right, too large, diverging
``momentum()``             learning rate x momentum in the ravine, against plain GD
                           (``nesterov=True`` adds Nesterov's method)
``adagrad_vs_rmsprop()``   RMSprop's decay rate vs AdaGrad's ever-shrinking effective step
``adam_betas()``           Adam's :math:`\\beta_1` x :math:`\\beta_2`
``race()``                 several optimizers on one landscape, scrubbed step by step
``schedule(kind)``         a learning-rate schedule's curve as its parameters change, and what
                           it does to noisy SGD
=========================  ====================================================================

Use one as the last expression of a notebook cell::

    from optimlite import explorers
    explorers.momentum(kappa=50)

Each returns an :class:`~optimlite.explorer_core.Explorer`; the machinery (two faces, the HTML
structure, how to declare your own with :class:`Slider` and a :class:`Scene`) is documented in
:mod:`optimlite.explorer_core`. Every run goes through :func:`optimlite.run_trajectory` with the
package's optimizers; a run that diverges is drawn up to the divergence and labelled.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from . import landscapes as _landscapes
from . import plots
from .explorer_core import Explorer, Scene, Slider, linear_grid, log_grid
from .trajectory import run_trajectory
from .validation import check_int

__all__ = [
    "Explorer",
    "Scene",
    "Slider",
    "RunsScene",
    "log_grid",
    "linear_grid",
    "lr_dilemma",
    "momentum",
    "adagrad_vs_rmsprop",
    "adam_betas",
    "race",
    "schedule",
    "SCHEDULE_KINDS",
    "DEFAULT_RACE",
    "RACE_LRS",
    "tuned_lr",
    "curvature",
]


# --- helpers ---------------------------------------------------------------------------------


def _landscape(landscape, default: str = "rosenbrock", **kwargs):
    """A Landscape from a Landscape, a registry name or None (``default``)."""
    if landscape is None:
        landscape = default
    if isinstance(landscape, str):
        try:
            return _landscapes.LANDSCAPES[landscape](**kwargs)
        except KeyError:
            names = ", ".join(_landscapes.LANDSCAPES)
            raise ValueError(f"unknown landscape {landscape!r}; choose one of {names}") from None
    if not (hasattr(landscape, "f") and hasattr(landscape, "grad")):
        raise ValueError(f"landscape must be a Landscape or a name, got {landscape!r}")
    return landscape


def curvature(landscape, point=None) -> np.ndarray:
    """Eigenvalues (ascending) of the Hessian of ``landscape`` at ``point`` (default: its first
    minimum): ``landscape.eigenvalues`` when known, else central differences of the gradient."""
    known = getattr(landscape, "eigenvalues", None)
    if known is not None and point is None:
        return np.sort(np.asarray(known, dtype=float))
    if point is None:
        point = landscape.minima[0][:2]
    x, y = map(float, point[:2])
    h = 1e-5 * max(1.0, abs(x), abs(y))
    gxp, gyp = landscape.grad(x + h, y)
    gxm, gym = landscape.grad(x - h, y)
    hxp, hyp = landscape.grad(x, y + h)
    hxm, hym = landscape.grad(x, y - h)
    H = np.array([[gxp - gxm, gyp - gym], [hxp - hxm, hyp - hym]], dtype=float) / (2 * h)
    return np.linalg.eigvalsh(0.5 * (H + H.T))


def _gap(trajectory, fmin: float) -> np.ndarray:
    return np.asarray(trajectory.losses, dtype=float) - fmin


def _rate(trajectory, fmin: float) -> float | None:
    """Measured contraction per step of the distance to the minimum, from the loss gap over the
    second half of the run (:math:`\\sqrt{\\Delta f}` shrinks like the distance)."""
    gap = _gap(trajectory, fmin)
    valid = np.flatnonzero(np.isfinite(gap) & (gap > 1e-200))
    if trajectory.diverged_at is not None or len(valid) < 20:
        return None
    end = int(valid[-1])
    begin = end // 2
    if gap[begin] <= 0 or end - begin < 10:
        return None
    return float((gap[end] / gap[begin]) ** (0.5 / (end - begin)))


def _fmt_gap(value: float) -> str:
    return f"{value:.1e}" if value > 0 else "0"


class _Cache(dict):
    """Trajectories by hyperparameters: revisiting a slider position costs nothing."""

    def get_or_run(self, key, make: Callable):
        if key not in self:
            self[key] = make()
        return self[key]


# --- the generic scene: runs on a landscape + loss curves --------------------------------


class RunsScene(Scene):
    """Optimizer runs on a landscape (left) and their loss gap :math:`f - f^\\star` per step on
    log axes (right).

    Args:
        landscape: the :class:`~optimlite.landscapes.Landscape`.
        names: the runs, in drawing order (each gets a path and a loss curve).
        compute: ``compute(**values) -> {name: Trajectory}`` (a name missing is not drawn).
        steps: length of the runs (x range of the loss axes).
        reference: names drawn thin and grey (a baseline).
        status: ``status(**values) -> str`` shown above the loss axes.
        caption: ``caption(runs, **values) -> str``, the summary under the figure.
        scrub: name of a slider whose value is the step to show the runs up to.
        colors: colour per name (default: the course colours, by name).
        step_markers: dot every iterate (useful for short runs).
        start: the runs' starting point, which sets the loss axes' range (default:
            ``landscape.start``).
    """

    def __init__(
        self,
        landscape,
        names: Sequence[str],
        compute: Callable,
        *,
        steps: int,
        reference: Sequence[str] = (),
        status: Callable | None = None,
        caption: Callable | None = None,
        scrub: str | None = None,
        colors: Mapping[str, str] | None = None,
        step_markers: bool = False,
        title: str | None = None,
        size: tuple[float, float] = (7.2, 3.0),
        start=None,
    ):
        self.landscape = landscape
        self.start = tuple(map(float, landscape.start if start is None else start))
        self.names = list(names)
        self.compute = compute
        self.steps = int(steps)
        self.reference = set(reference)
        self.status_fn = status
        self.caption_fn = caption
        self.scrub = scrub
        self.colors = dict(colors or {})
        self.step_markers = step_markers
        self.title = title or getattr(landscape, "title", "")
        self.size = size
        self.fmin = plots.minimum_value(landscape)

    def _color(self, i, name):
        if name in self.reference:
            return plots.REFERENCE_COLOR
        return self.colors.get(name) or plots.color_for(name.split(" ")[0], i)

    def setup(self, fig):
        fig.set_layout_engine("constrained")
        ax_path, ax_loss = fig.subplots(1, 2, width_ratios=[1.1, 1.0])
        plots.contours(ax_path, self.landscape)
        ax_path.set_title(self.title, fontsize=9)
        gap0 = max(float(self.landscape.f(*self.start)) - self.fmin, 1e-12)
        top = 10 ** math.ceil(math.log10(gap0 * 30))
        plots.setup_loss_axes(ax_loss, self.steps, top * 1e-13, top, ylabel="$f - f^\\star$")
        self.paths, self.curves = {}, {}
        slot = 0
        for i, name in enumerate(self.names):
            ref = name in self.reference
            color = self._color(i, name)
            self.paths[name] = self.moving(
                plots.PathArtists(
                    ax_path, color=color, label=name, linewidth=1.1 if ref else 1.6,
                    step_markers=self.step_markers and not ref, label_slot=slot,
                    alpha=0.9 if ref else 1.0,
                )
            )  # fmt: skip
            slot += 1
            self.curves[name] = self.moving(
                plots.LossCurve(ax_loss, color=color, linewidth=1.1 if ref else 1.6, note=False)
            )
            ax_loss.plot([], [], color=color, lw=1.1 if ref else 1.6, label=name)
        ax_loss.legend(loc="lower left", ncols=2 if len(self.names) > 3 else 1)
        self.status_text = self.moving(
            ax_loss.text(0.5, 1.02, "", transform=ax_loss.transAxes, ha="center", va="bottom")
        )

    def update(self, **values):
        runs = self.compute(**values)
        upto = int(values[self.scrub]) if self.scrub else None
        for name in self.names:
            run = runs.get(name)
            path, curve = self.paths[name], self.curves[name]
            if run is None:
                path.set_path(np.empty((0, 2)))
                curve.set_losses([])
                continue
            path.set_path(run.path, run.diverged_at, upto=upto)
            curve.set_losses(_gap(run, self.fmin), run.diverged_at, upto=upto)
        self.status_text.set_text(self.status_fn(**values) if self.status_fn else "")
        if self.caption_fn:
            return self.caption_fn(runs, **values)
        return None


# --- lr_dilemma ------------------------------------------------------------------------------


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
    from .sgd import SGD

    if landscape is None:
        from . import problems

        land = problems.linear_regression_landscape(*problems.linear_data(seed=0))
    else:
        land = _landscape(landscape)
    axis = ("$w$", "$b$") if getattr(land, "name", "") == "linear_regression" else None
    lam_max = float(curvature(land)[-1])
    critical = 2.0 / lam_max if lam_max > 0 else 1.0
    if lrs is None:
        lrs = log_grid(critical / 300, critical * 1.5, 15)
    slider = Slider("lr", tuple(lrs), label="learning rate η", default=_nearest(lrs, critical / 4))
    cache = _Cache()

    def compute(lr):
        run = cache.get_or_run(lr, lambda: run_trajectory(SGD(lr=lr), land, start, steps=steps))
        return {"GD": run}

    start = tuple(map(float, land.start if start is None else start))
    gap0 = float(land.f(*start)) - plots.minimum_value(land)

    def caption(runs, lr):
        run = runs["GD"]
        ratio = lr * lam_max
        head = f"η = {lr:.3g} (η·λmax = {ratio:.2g}; GD diverges above 2): "
        gap = float(_gap(run, scene.fmin)[-1])
        if run.diverged:
            return head + f"too large, {plots.divergence_text(run.diverged_at)}."
        if gap > gap0:
            return head + f"too large, the loss grows (×{gap / gap0:.3g} in {steps} steps)."
        done = f"f − f* = {_fmt_gap(gap)} after {run.steps_run} steps"
        if gap > 1e-4 * gap0:  # not even 4 decades down
            return head + f"too small, {done} (it started at {_fmt_gap(gap0)})."
        if ratio > 1:
            return head + f"large: overshoots and oscillates, yet converges, {done}."
        return head + f"about right, {done}."

    scene = RunsScene(
        land, ["GD"], compute, steps=steps, caption=caption, step_markers=True, start=start,
        status=lambda lr: f"η = {lr:.3g}",
    )  # fmt: skip
    if axis is not None:
        _set_axis_labels(scene, axis)
    return Explorer(scene, [slider], title=title or "The learning-rate dilemma")


def _set_axis_labels(scene, labels):
    original = scene.setup

    def setup(fig):
        original(fig)
        ax = fig.axes[0]
        ax.set_xlabel(labels[0])
        ax.set_ylabel(labels[1])

    scene.setup = setup


def _nearest(values, target):
    values = list(values)
    return min(values, key=lambda v: abs(math.log(v) - math.log(target)))


# --- momentum --------------------------------------------------------------------------------


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
    from .sgd import SGD, NesterovMomentum

    land = _landscapes.ill_conditioned_quadratic(kappa, angle=angle)
    lam = curvature(land)
    if lrs is None:
        lrs = log_grid(0.05 / lam[-1], 3.8 / lam[-1], 10)
    names = ["GD (μ = 0)", "Momentum"] + (["Nesterov"] if nesterov else [])
    cache = _Cache()

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
            measured = _rate(r, scene.fmin)
            gap = float(_gap(r, scene.fmin)[-1])
            rate = f"rate/step {measured:.3f}" if measured is not None else "rate/step n/a"
            parts.append(f"{short}: f − f* = {_fmt_gap(gap)}, {rate} (theory {theory:.3f}).")
        return " ".join(parts)

    colors = {"Momentum": plots.color_for("Momentum"), "Nesterov": plots.color_for("Nesterov")}
    scene = RunsScene(
        land, names, compute, steps=steps, reference=[names[0]], caption=caption, colors=colors,
        status=lambda lr, momentum: f"η = {lr:.3g},  μ = {momentum:g}",
    )  # fmt: skip
    sliders = [
        Slider("lr", tuple(lrs), label="learning rate η", default=_nearest(lrs, 1.0 / lam[-1])),
        Slider("momentum", tuple(momenta), label="momentum μ",
               default=0.9 if 0.9 in momenta else None),
    ]  # fmt: skip
    default_title = "Momentum vs Nesterov in a ravine" if nesterov else "Momentum in a ravine"
    return Explorer(scene, sliders, title=title or f"{default_title} (κ = {kappa:g})")


# --- AdaGrad vs RMSprop ----------------------------------------------------------------------


class _EffectiveLRScene(RunsScene):
    """Paths (left) and the effective step size :math:`\\eta/(\\sqrt{s_t}+\\epsilon)` per step
    and coordinate (right) for AdaGrad and RMSprop."""

    def setup(self, fig):
        fig.set_layout_engine("constrained")
        ax_path, ax_lr = fig.subplots(1, 2, width_ratios=[1.1, 1.0])
        plots.contours(ax_path, self.landscape)
        ax_path.set_title(self.title, fontsize=9)
        ax_lr.set_yscale("log")
        ax_lr.set_xlim(0, self.steps)
        ax_lr.set_ylim(*self.lr_limits)
        ax_lr.set_xlabel("step")
        ax_lr.set_ylabel("effective step size η/(√s + ε)")
        ax_lr.grid(True, color="#E5E5E5", lw=0.6)
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
        self.status_text = self.moving(
            ax_lr.text(0.5, 1.02, "", transform=ax_lr.transAxes, ha="center", va="bottom")
        )

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


def _effective_lrs(optimizer, run, land) -> np.ndarray:
    """Effective step :math:`\\eta_t/(\\sqrt{s_t}+\\epsilon)` per step and coordinate that
    ``optimizer`` took in ``run``, with the accumulator :math:`s_t` rebuilt from the gradients
    the run saw (exact: no noise) and every constant read from ``optimizer`` itself.

    AdaGrad: :math:`s_t = s_0 + \\sum_{k \\le t} g_k^2` (``initial_accumulator_value``
    :math:`s_0`), :math:`\\eta_t = \\eta/(1 + (t - 1)\\,\\text{lr\\_decay})`. RMSprop:
    :math:`s_t = \\alpha s_{t-1} + (1 - \\alpha) g_t^2`, :math:`s_0 = 0`. Weight decay, momentum
    and centering change the step's form, so they are refused.
    """
    from .adaptive import AdaGrad, RMSprop

    if not isinstance(optimizer, AdaGrad | RMSprop):
        raise ValueError(f"optimizer must be AdaGrad or RMSprop, got {type(optimizer).__name__}")
    if optimizer.weight_decay != 0 or getattr(optimizer, "momentum", 0) != 0:
        raise ValueError("effective step sizes need weight_decay=0 and momentum=0")
    if getattr(optimizer, "centered", False):
        raise ValueError("effective step sizes need centered=False")
    pts = run.path[:-1] if run.diverged_at is None else run.path
    gx, gy = land.grad(pts[:, 0], pts[:, 1])
    g2 = np.stack([np.asarray(gx, float) ** 2, np.asarray(gy, float) ** 2], axis=1)
    if isinstance(optimizer, AdaGrad):
        s = optimizer.initial_accumulator_value + np.cumsum(g2, axis=0)
        t = np.arange(1, len(g2) + 1)[:, None]
        lr = optimizer.lr / (1.0 + (t - 1) * optimizer.lr_decay)
    else:
        alpha, lr = optimizer.alpha, optimizer.lr
        s = np.empty_like(g2)
        v = np.zeros(g2.shape[1])
        for k, row in enumerate(g2):
            v = alpha * v + (1.0 - alpha) * row
            s[k] = v
    return lr / (np.sqrt(s) + optimizer.eps)


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
    otherwise; the effective-step curves read eps, :math:`\\alpha` and the initial accumulator
    from the optimizers that ran.

    Args:
        landscape: Landscape or name (default: the rotated ravine, κ = 10, 0.5 rad).
        lrs: learning rates offered; ``alphas``: RMSprop decay rates offered.
        steps: steps per run.
    """
    from .adaptive import AdaGrad, RMSprop

    if landscape is None:
        land = _landscapes.ill_conditioned_quadratic(10.0, angle=0.5)
    else:
        land = _landscape(landscape)
    cache = _Cache()

    def run_with_curves(opt):
        run = run_trajectory(opt, land, steps=steps)
        return run, _effective_lrs(opt, run, land)

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
                gap = float(_gap(r, scene.fmin)[-1])
                parts.append(f"{name} f − f* = {_fmt_gap(gap)} after {r.steps_run} steps.")
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


# --- Adam's betas ----------------------------------------------------------------------------


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
    from .adaptive import Adam

    land = _landscape(landscape, "rosenbrock")
    cache = _Cache()

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
        gap = float(_gap(r, scene.fmin)[-1])
        return head + f"f − f* = {_fmt_gap(gap)} after {r.steps_run} steps."

    scene = RunsScene(
        land, ["Adam"], compute, steps=steps, caption=caption,
        status=lambda beta1, beta2: f"β1 = {beta1:g},  β2 = {beta2:g}",
    )  # fmt: skip
    sliders = [
        Slider("beta1", tuple(beta1s), label="β1", default=0.9 if 0.9 in beta1s else None),
        Slider("beta2", tuple(beta2s), label="β2", default=0.999 if 0.999 in beta2s else None),
    ]
    return Explorer(scene, sliders, title=title or f"Adam's betas (η = {lr:g})")


# --- race ------------------------------------------------------------------------------------

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
        run = run_trajectory(_make_optimizer(name, lr), landscape, start, steps=steps)
        if not run.diverged and run.final_loss < best:
            best, best_lr = run.final_loss, lr
    return best_lr


def _make_optimizer(name: str, lr: float):
    from . import adaptive, lion, sgd

    factories = {
        "SGD": lambda: sgd.SGD(lr=lr),
        "Momentum": lambda: sgd.MomentumSGD(lr=lr, momentum=0.9),
        "Nesterov": lambda: sgd.NesterovMomentum(lr=lr, momentum=0.9),
        "AdaGrad": lambda: adaptive.AdaGrad(lr=lr),
        "RMSprop": lambda: adaptive.RMSprop(lr=lr),
        "Adam": lambda: adaptive.Adam(lr=lr),
        "AdamW": lambda: adaptive.AdamW(lr=lr),
        "RAdam": lambda: adaptive.RAdam(lr=lr),
        "Lion": lambda: lion.Lion(lr=lr),
    }
    if name not in factories:
        raise ValueError(f"unknown optimizer {name!r}; pass an optimizer instance instead")
    return factories[name]()


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
        optimizers: ``{name: optimizer}`` (fresh optimlite optimizers), or names among SGD,
            Momentum, Nesterov, AdaGrad, RMSprop, Adam, AdamW, RAdam, Lion, each run at its
            learning rate from :data:`DEFAULT_RACE`, or at :func:`tuned_lr` where the table has
            none (default: the first six).
        landscape: Landscape or name.
        steps: length of the race.
        frames: positions of the step slider in the book (the live slider has ~100).
        start: starting point (default: the landscape's).
        tune: search every named optimizer's learning rate (:func:`tuned_lr`) even where the
            table has one.
    """
    land = _landscape(landscape)
    table = DEFAULT_RACE.get(getattr(land, "name", None), {})
    if optimizers is None:
        optimizers = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]
    if not isinstance(optimizers, Mapping):
        optimizers = {
            name: _make_optimizer(
                name,
                table[name] if name in table and not tune else tuned_lr(name, land, steps, start),
            )
            for name in optimizers
        }
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
                parts.append(f"{name} {_fmt_gap(float(r.losses[k]) - scene.fmin)};")
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


# --- schedules -------------------------------------------------------------------------------


def _step_grid(steps: int, fractions, minimum: int) -> tuple[int, ...]:
    """Step counts ``int(steps * f)`` (at least ``minimum``) for increasing fractions ``f``,
    duplicates dropped (short runs round several fractions to the same count)."""
    return tuple(dict.fromkeys(max(minimum, int(steps * f)) for f in fractions))


def _pct_starts(total_steps: int) -> tuple[float, ...]:
    """The one-cycle ``pct_start`` values offered, less those that put the end of the warm-up
    phase at step 0 (``pct_start * total_steps == 1``): torch's ``OneCycleLR`` divides by zero
    there, and optimlite's follows it."""
    return tuple(p for p in (0.1, 0.2, 0.3, 0.4, 0.5) if float(p * total_steps) != 1.0)


_SCHEDULES = {
    # kind: (sliders, scheduler factory(optimizer, steps, **values), describe(**values))
    "step": (
        lambda steps: [
            Slider("step_size", (5, 10, 20, 25, 50), label="step size", default=25),
            Slider("gamma", (0.1, 0.2, 0.3, 0.5, 0.7, 0.9), label="γ (drop factor)", default=0.5),
        ],
        lambda opt, steps, step_size, gamma: _sched("StepLR")(
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
        lambda opt, steps, gamma: _sched("ExponentialLR")(opt, gamma=gamma),
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
            Slider("eta_min", (0.0, 0.001, 0.01, 0.03), label="η_min", default=0.0),
        ],  # fmt: skip
        lambda opt, steps, T_max, eta_min: _sched("CosineAnnealingLR")(
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
            Slider("min_lr", (0.0, 0.001, 0.01, 0.03), label="min lr", default=0.0),
        ],  # fmt: skip
        lambda opt, steps, warmup_steps, min_lr: _sched("WarmupCosineLR")(
            opt, warmup_steps=warmup_steps, total_steps=steps, min_lr=min_lr
        ),
        "WarmupCosineLR: linear warmup, then cosine",
    ),
    "one_cycle": (
        lambda steps: [
            Slider("pct_start", _pct_starts(steps + 1), label="pct_start", default=0.3),
            Slider("div_factor", (5.0, 10.0, 25.0, 100.0), label="div_factor", default=25.0),
        ],
        lambda opt, steps, pct_start, div_factor: _sched("OneCycleLR")(
            opt, max_lr=opt.lr, total_steps=steps + 1, pct_start=pct_start, div_factor=div_factor
        ),
        "OneCycleLR: lr up then down, momentum opposite",
    ),
}


#: The schedules :func:`schedule` can show.
SCHEDULE_KINDS = tuple(_SCHEDULES)


def _sched(name):
    from . import schedules

    return getattr(schedules, name)


class _ScheduleScene(Scene):
    """The learning rate per step (left) and noisy SGD trained with it (right)."""

    def __init__(self, kind, steps, base_lr, land, noise, seed):
        self.kind, self.steps, self.base_lr = kind, steps, base_lr
        self.land, self.noise, self.seed = land, noise, seed
        self.make = _SCHEDULES[kind][1]
        self.formula = _SCHEDULES[kind][2]
        self.fmin = plots.minimum_value(land)
        self.cache = _Cache()
        self.size = (7.2, 3.0)

    def run(self, **values):
        from .sgd import SGD

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
        from .sgd import SGD

        fig.set_layout_engine("constrained")
        ax_lr, ax_loss = fig.subplots(1, 2)
        ax_lr.set_xlim(0, self.steps)
        ax_lr.set_ylim(0, self.base_lr * 1.12)
        ax_lr.set_xlabel("step")
        ax_lr.set_ylabel("learning rate")
        ax_lr.grid(True, color="#E5E5E5", lw=0.6)
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
        gap0 = float(self.land.f(*map(float, self.land.start))) - self.fmin
        top = 10 ** math.ceil(math.log10(gap0 * 30))
        plots.setup_loss_axes(ax_loss, self.steps, top * 1e-7, top, ylabel="$f - f^\\star$")
        ax_loss.set_title(f"noisy SGD on {self.land.title}", fontsize=8.5)
        base_curve = plots.LossCurve(
            ax_loss, color=plots.REFERENCE_COLOR, linewidth=1.0, note=False
        )
        base_curve.set_losses(_gap(baseline, self.fmin), baseline.diverged_at)
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
        self.curve.set_losses(_gap(run, self.fmin), run.diverged_at)
        tail = max(1, self.steps // 5)
        if run.diverged:
            result = plots.divergence_text(run.diverged_at)
        else:
            mean_tail = float(np.mean(_gap(run, self.fmin)[-tail:]))
            base_tail = float(np.mean(_gap(self.baseline, self.fmin)[-tail:]))
            result = (f"mean f − f* over the last {tail} steps {_fmt_gap(mean_tail)} "
                      f"(constant η₀: {_fmt_gap(base_tail)})")  # fmt: skip
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
        land = _landscape(landscape)
    scene = _ScheduleScene(kind, steps, float(base_lr), land, float(grad_noise), seed)
    sliders = _SCHEDULES[kind][0](steps)
    names = {"step": "Step decay", "exponential": "Exponential decay", "cosine": "Cosine annealing",
             "warmup_cosine": "Warmup + cosine", "one_cycle": "One-cycle policy"}  # fmt: skip
    return Explorer(scene, sliders, title=title or f"{names[kind]} (η₀ = {base_lr:g})")
