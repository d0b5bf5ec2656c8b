"""What the ready explorers share: the runs-on-a-landscape scene and its helpers.

:class:`RunsScene` draws optimizer runs on a landscape (left) and their loss gap per step
(right); the chapter-family modules (:mod:`~optimlite.explorers.gd`,
:mod:`~optimlite.explorers.momentum`, ...) declare their explorers with it. The helpers turn a
landscape argument into a :class:`~optimlite.landscapes.Landscape`, measure curvature and
convergence rates, format gaps and cache runs by slider values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from .. import landscapes as _landscapes
from .. import plots
from .core import Scene

__all__ = ["RunsScene", "curvature"]


def resolve_landscape(landscape, default: str = "rosenbrock", **kwargs):
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
    return np.linalg.eigvalsh(_landscapes.hessian(landscape, x, y))


def gap(trajectory, fmin: float) -> np.ndarray:
    """The loss gap :math:`f - f^\\star` at every point of ``trajectory``."""
    return np.asarray(trajectory.losses, dtype=float) - fmin


def rate(trajectory, fmin: float) -> float | None:
    """Measured contraction per step of the distance to the minimum, from the loss gap over the
    second half of the run (:math:`\\sqrt{\\Delta f}` shrinks like the distance)."""
    g = gap(trajectory, fmin)
    valid = np.flatnonzero(np.isfinite(g) & (g > 1e-200))
    if trajectory.diverged_at is not None or len(valid) < 20:
        return None
    end = int(valid[-1])
    begin = end // 2
    if g[begin] <= 0 or end - begin < 10:
        return None
    return float((g[end] / g[begin]) ** (0.5 / (end - begin)))


def fmt_gap(value: float) -> str:
    """A gap for a caption: ``1.2e-05``, or ``0`` when it reached the minimum."""
    return f"{value:.1e}" if value > 0 else "0"


def loss_axis_top(landscape, start, fmin: float) -> float:
    """The top of a loss-gap axis: the decade above 30 times the gap at ``start``."""
    gap0 = max(float(landscape.f(*start)) - fmin, 1e-12)
    return 10 ** math.ceil(math.log10(gap0 * 30))


def nearest(values, target):
    """The value of ``values`` closest to ``target`` in log scale (a slider's default)."""
    values = list(values)
    return min(values, key=lambda v: abs(math.log(v) - math.log(target)))


class RunCache(dict):
    """Trajectories by hyperparameters: revisiting a slider position costs nothing."""

    def get_or_run(self, key, make: Callable):
        if key not in self:
            self[key] = make()
        return self[key]


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

    def setup_path_axes(self, fig):
        """The figure's two panels, the landscape drawn on the left one: ``(left, right)``."""
        fig.set_layout_engine("constrained")
        ax_path, ax_right = fig.subplots(1, 2, width_ratios=[1.1, 1.0])
        plots.contours(ax_path, self.landscape)
        ax_path.set_title(self.title, fontsize=9)
        return ax_path, ax_right

    def setup_status(self, ax):
        """The status line above ``ax`` (moving)."""
        self.status_text = self.moving(
            ax.text(0.5, 1.02, "", transform=ax.transAxes, ha="center", va="bottom")
        )

    def setup(self, fig):
        ax_path, ax_loss = self.setup_path_axes(fig)
        top = loss_axis_top(self.landscape, self.start, self.fmin)
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
        self.setup_status(ax_loss)

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
            curve.set_losses(gap(run, self.fmin), run.diverged_at, upto=upto)
        self.status_text.set_text(self.status_fn(**values) if self.status_fn else "")
        if self.caption_fn:
            return self.caption_fn(runs, **values)
        return None
