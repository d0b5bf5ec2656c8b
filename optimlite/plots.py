"""The course's shared plotting helpers: one style, one palette, a few drawing functions.

Every chapter and every explorer draws with these, so a landscape, a path or a loss curve looks
the same on every page. They use matplotlib's object API and draw into an ``ax`` you pass
(``plots.figure`` makes a pyplot-free one; ``plots.subplots`` a pyplot one for notebook cells).

- :func:`contours` -- level lines of a 2-D landscape, log-spaced in :math:`f - f^\\star`, minima
  marked with a star.
- :func:`draw_path` / :class:`PathArtists` -- an optimizer's path
  :math:`\\theta_0, \\dots, \\theta_k` with start and end markers; a run
  that diverged is drawn up to the divergence and labelled "diverged at step k" (never an
  exception, never empty axes).
- :func:`draw_losses` / :class:`LossCurve` -- loss (or the gap :math:`f - f^\\star`) per step on
  log axes, same divergence rule.
- :func:`setup_loss_axes` -- fixed per-step axes (log by default) for losses and step sizes.
- :func:`color_for` -- the colour an optimizer has everywhere (from :mod:`optimlite.registry`;
  Okabe-Ito and Tol's colour-blind-safe sets).

The ``*Artists`` classes keep their matplotlib artists so an explorer can move them with
``set_data`` and redraw only them (blitting) instead of replotting the figure.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np

from . import landscapes as _landscapes
from . import registry as _registry

__all__ = [
    "STYLE",
    "PALETTE",
    "color_for",
    "style",
    "figure",
    "subplots",
    "contours",
    "axis_labels",
    "minimum_value",
    "finite_prefix",
    "divergence_text",
    "PathArtists",
    "draw_path",
    "LossCurve",
    "draw_losses",
    "setup_loss_axes",
]

#: Okabe-Ito colours (distinguishable with the common colour-vision deficiencies).
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # green
    "#CC79A7",  # purple
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#999933",  # olive
)

#: Colours for things that are not optimizers.
DIVERGED_COLOR = "#C0392B"
REFERENCE_COLOR = "#9A9A9A"
CONTOUR_CMAP = "viridis"

#: rcParams of the course style (small figures that read well at ~700 px wide).
STYLE = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.edgecolor": "#444444",
    "axes.grid": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "font.size": 9,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
    "savefig.dpi": 100,
}


def color_for(name: str, index: int = 0) -> str:
    """The colour of optimizer ``name`` (a registry name or alias, e.g. ``"Adam"``, ``"GD"``),
    the same in every chapter and explorer (:func:`optimlite.registry.color`); for any other
    name ``PALETTE[index]`` (cycling)."""
    return _registry.color(name, None) or PALETTE[index % len(PALETTE)]


@contextlib.contextmanager
def style():
    """Context manager applying :data:`STYLE` (and the palette as the colour cycle)."""
    import matplotlib as mpl
    from cycler import cycler

    # Restore only the keys set here (``rc_context`` restores every rcParam, which also undoes
    # what a backend sets up inside the block, e.g. the inline backend's interactive mode).
    new = {**STYLE, "axes.prop_cycle": cycler(color=list(PALETTE))}
    old = {key: mpl.rcParams[key] for key in new}
    mpl.rcParams.update(new)
    try:
        yield
    finally:
        mpl.rcParams.update(old)


def figure(width: float = 7.2, height: float = 3.0, dpi: int = 96):
    """A pyplot-free ``Figure`` with an Agg canvas attached (safe in callbacks and threads)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def subplots(nrows: int = 1, ncols: int = 1, *, figsize=None, **kwargs):
    """``plt.subplots`` in the course style, for notebook cells (shown inline as usual)."""
    import matplotlib.pyplot as plt

    if figsize is None:
        figsize = (3.6 * ncols + 0.4, 3.0 * nrows)
    with style():
        fig, axes = plt.subplots(nrows, ncols, figsize=figsize, layout="constrained", **kwargs)
    return fig, axes


# --- landscapes ------------------------------------------------------------------------------


def _minimum_value(landscape, Z) -> float:
    values = []
    for point in getattr(landscape, "minima", None) or ():
        with np.errstate(all="ignore"):
            v = float(point[2]) if len(point) > 2 else float(landscape.f(*map(float, point[:2])))
        if math.isfinite(v):
            values.append(v)
    finite = Z[np.isfinite(Z)]
    grid_min = float(finite.min()) if finite.size else 0.0
    return min(values) if values else grid_min


def minimum_value(landscape) -> float:
    """:math:`f^\\star`: the lowest known minimum of ``landscape`` (else the lowest value on a
    coarse grid over its window)."""
    Z = _landscapes.grid_values(landscape.f, landscape.xlim, landscape.ylim, 41)[2]
    return _minimum_value(landscape, Z)


def contours(
    ax,
    landscape,
    *,
    levels=None,
    resolution: int = 160,
    filled: bool = False,
    mark_minima: bool = True,
    xlim=None,
    ylim=None,
    cmap: str = CONTOUR_CMAP,
    linewidths: float = 0.8,
    alpha: float = 0.75,
):
    """Level lines of ``landscape.f`` over its window; minima marked with a star; the axes
    labelled with the landscape's coordinates (``landscape.labels``, default :math:`x, y`).

    ``levels``: a sequence of values, or a count of levels log-spaced over four decades of
    :math:`f - f_{\\min}` (:func:`optimlite.landscapes.log_levels`: shows both a valley's floor
    and its steep walls); default: ``landscape.levels`` when the landscape has them, else 16
    log-spaced levels. Returns the contour set.
    """
    xlim = landscape.xlim if xlim is None else xlim
    ylim = landscape.ylim if ylim is None else ylim
    X, Y, Z = _landscapes.grid_values(landscape.f, xlim, ylim, resolution)
    if levels is None:
        levels = getattr(landscape, "levels", None)
        levels = 16 if levels is None else levels
    if np.ndim(levels) == 0:
        fmin = _minimum_value(landscape, Z)
        levels = _landscapes.log_levels(landscape.f, xlim, ylim, fmin, n=int(levels))
    levels = np.unique(np.asarray(levels, dtype=float))
    import matplotlib as mpl

    colors = mpl.colormaps[cmap](np.linspace(0.0, 0.92, len(levels)))
    with np.errstate(all="ignore"):
        Z = np.where(np.isfinite(Z), Z, levels[-1] * 10 + 1)
    if filled:
        cs = ax.contourf(X, Y, Z, levels=levels, colors=colors[:-1], alpha=alpha * 0.5)
    else:
        cs = ax.contour(X, Y, Z, levels=levels, colors=colors, linewidths=linewidths, alpha=alpha)
    if mark_minima:
        for point in getattr(landscape, "minima", None) or ():
            ax.plot(
                [point[0]], [point[1]], marker="*", color="#222222", markersize=10, zorder=3, lw=0
            )
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    xlabel, ylabel = axis_labels(landscape)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return cs


def axis_labels(landscape) -> tuple[str, str]:
    """The axis labels of a landscape panel: its coordinates' symbols (``landscape.labels``,
    TeX math without the dollars; ``("x", "y")`` for objects that have none) as mathtext."""
    labels = getattr(landscape, "labels", None) or _landscapes.Landscape.labels
    return tuple(f"${name}$" for name in labels)


# --- paths and divergence --------------------------------------------------------------------


def finite_prefix(points, limit: float = 1e6) -> np.ndarray:
    """The rows of ``points`` before the first non-finite (or beyond ``limit``) one.

    Huge coordinates are cut so that the drawing stays well defined; the last kept segment
    still leaves the axes in the direction the run was going.
    """
    arr = np.asarray(points, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    with np.errstate(invalid="ignore"):
        bad = ~np.all(np.isfinite(arr) & (np.abs(arr) <= limit), axis=1)
    if bad.any():
        first = int(np.argmax(bad))
        return arr[:first]
    return arr


def divergence_text(diverged_at) -> str:
    """The label a diverged run gets on every plot: ``"diverged at step k"``."""
    return f"diverged at step {int(diverged_at)}"


class PathArtists:
    """A path on a landscape: line, start marker (circle), end marker (cross) and the label
    "diverged at step k" when the run diverged. Move it with :meth:`set_path`.

    ``animated=True`` marks the artists for blitting (they are then left out of
    ``canvas.draw()`` and drawn by the caller).
    """

    def __init__(
        self,
        ax,
        *,
        color: str = PALETTE[0],
        label: str | None = None,
        animated: bool = False,
        linewidth: float = 1.6,
        step_markers: bool = False,
        alpha: float = 1.0,
        label_slot: int = 0,
    ):
        self.ax = ax
        (self.line,) = ax.plot(
            [], [], color=color, lw=linewidth, label=label, animated=animated, zorder=4,
            alpha=alpha, marker="o" if step_markers else None, markersize=2.5,
        )  # fmt: skip
        (self.start,) = ax.plot(
            [], [], "o", color=color, markersize=6, markerfacecolor="white", markeredgewidth=1.6,
            animated=animated, zorder=5, alpha=alpha,
        )  # fmt: skip
        (self.end,) = ax.plot(
            [], [], "X", color=color, markersize=8, markeredgecolor="white", markeredgewidth=0.8,
            animated=animated, zorder=6, alpha=alpha,
        )  # fmt: skip
        self.note = ax.text(
            0.98, 0.96 - 0.1 * label_slot, "", transform=ax.transAxes, ha="right", va="top",
            color=DIVERGED_COLOR, fontsize=9, fontweight="bold", animated=animated, zorder=7,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85},
        )  # fmt: skip
        self.note.set_visible(False)
        self.name = label

    @property
    def artists(self) -> list:
        return [self.line, self.start, self.end, self.note]

    def set_path(self, path, diverged_at=None, upto: int | None = None) -> None:
        """Show ``path[:upto + 1]`` (all of it by default); label it if it diverged by then."""
        pts = finite_prefix(path)
        if upto is not None:
            pts = pts[: max(int(upto), 0) + 1]
        if len(pts) == 0:
            pts = np.asarray(path, dtype=float)[:1]
        self.line.set_data(pts[:, 0], pts[:, 1])
        self.start.set_data(pts[:1, 0], pts[:1, 1])
        self.end.set_data(pts[-1:, 0], pts[-1:, 1])
        shown = diverged_at is not None and (upto is None or int(upto) >= int(diverged_at))
        if shown:
            who = f"{self.name}: " if self.name else ""
            self.note.set_text(who + divergence_text(diverged_at))
        self.note.set_visible(shown)


def draw_path(ax, path, *, color=None, label=None, diverged_at=None, index: int = 0, **kwargs):
    """Draw one optimizer path (see :class:`PathArtists`); ``color`` defaults to the course
    colour of ``label``. A ``Trajectory`` may be passed as ``path`` (its ``.path`` and
    ``.diverged_at`` are used)."""
    if hasattr(path, "path"):
        diverged_at = getattr(path, "diverged_at", None) if diverged_at is None else diverged_at
        path = path.path
    color = color or color_for(label or "", index)
    artists = PathArtists(ax, color=color, label=label, **kwargs)
    artists.set_path(path, diverged_at)
    return artists


# --- loss curves -----------------------------------------------------------------------------


def setup_loss_axes(
    ax, steps: int, lo: float = 1e-10, hi: float = 1e3, *, ylabel="loss", yscale="log"
):
    """Fixed axes for a quantity per step (a loss, a step size, a learning rate): steps
    ``0..steps`` on x, ``[lo, hi]`` on a ``yscale`` (log by default) y axis, a light grid."""
    ax.set_yscale(yscale)
    ax.set_xlim(0, max(int(steps), 1))
    ax.set_ylim(lo, hi)
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", color="#E5E5E5", lw=0.6)


class LossCurve:
    """A loss-per-step curve on log axes, cut at a divergence and then labelled.

    Values :math:`\\le 0` are shown at the axis floor (log axes cannot show them).
    """

    def __init__(self, ax, *, color=PALETTE[0], label=None, animated=False, linewidth=1.6,
                 alpha=1.0, label_slot: int = 0, note: bool = True):  # fmt: skip
        self.ax = ax
        self.show_note = note
        (self.line,) = ax.plot(
            [], [], color=color, lw=linewidth, label=label, animated=animated, alpha=alpha
        )
        (self.dot,) = ax.plot([], [], "o", color=color, markersize=4, animated=animated)
        self.note = ax.text(
            0.98, 0.96 - 0.09 * label_slot, "", transform=ax.transAxes, ha="right", va="top",
            color=DIVERGED_COLOR, fontsize=9, animated=animated,
        )  # fmt: skip
        self.note.set_visible(False)

    @property
    def artists(self) -> list:
        return [self.line, self.dot, self.note]

    def set_losses(self, losses, diverged_at=None, upto: int | None = None, floor=None) -> None:
        """Show ``losses[:upto + 1]``; values below ``floor`` (default: the axis floor) sit on
        it, or, with ``floor="drop"``, non-positive values are left out (for autoscaled axes).
        """
        values = finite_prefix(np.asarray(losses, dtype=float), limit=1e300)[:, 0]
        if upto is not None:
            values = values[: max(int(upto), 0) + 1]
        if floor == "drop":
            values = np.where(values > 0, values, np.nan)
        else:
            values = np.maximum(values, self.ax.get_ylim()[0] if floor is None else floor)
        steps = np.arange(len(values))
        self.line.set_data(steps, values)
        self.dot.set_data(steps[-1:], values[-1:])
        shown = diverged_at is not None and (upto is None or int(upto) >= int(diverged_at))
        shown = shown and self.show_note
        self.note.set_text(divergence_text(diverged_at) if shown else "")
        self.note.set_visible(shown)


def draw_losses(ax, losses, *, color=None, label=None, diverged_at=None, index: int = 0, **kw):
    """Draw a loss curve on log axes (see :class:`LossCurve`); accepts a ``Trajectory``.
    Non-positive values (a gap :math:`f - f^\\star` that reached 0) are left out."""
    if hasattr(losses, "losses"):
        diverged_at = getattr(losses, "diverged_at", None) if diverged_at is None else diverged_at
        losses = losses.losses
    if ax.get_yscale() != "log":
        ax.set_yscale("log")
    curve = LossCurve(ax, color=color or color_for(label or "", index), label=label, **kw)
    curve.set_losses(losses, diverged_at, floor="drop")
    ax.relim()
    ax.autoscale_view()
    return curve
