"""Chapter 1's explorer: a tour of the landscape's features with three optimizers.

One figure, three sliders: the **landscape** (a local minimum, a saddle, a plateau, a ravine), the
**optimizer** (plain gradient descent, momentum, Adam, from :mod:`optimlite.registry`) and the
**learning rate**. The left panel shows the path on the landscape's contours, the right one the
loss gap relative to the start, :math:`(f - f^\\star)/(f_0 - f^\\star)`, which puts every
landscape on one fixed axis. The caption says where the run ends: at which critical point
(found and classified by :func:`optimlite.landscapes.critical_points`), or still on its way.

The landscape changes the static part of the picture (its contours), which blitting draws only
once; so each landscape's contour panel is rendered once, to pixels, and the chosen one is
drawn as a moving part (an image: a copy, not a redraw of its contours).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .. import landscapes as _landscapes
from .. import plots, registry
from ..trajectory import run_trajectory
from ..validation import check_positive_values
from .core import Explorer
from .scenes import RunCache, RunsScene, fmt_gap, gap, resolve_landscape
from .sliders import Slider

__all__ = ["tour", "TOUR_LANDSCAPES", "TOUR_OPTIMIZERS", "TOUR_LRS"]

#: The tour's landscapes (registry names, with their arguments) and starting points: each shows
#: one feature. The saddle's start is 0.001 off the line y = 0 (on it, exact gradients never
#: leave the saddle); the others are the landscapes' own starts.
TOUR_LANDSCAPES = {
    "double_well": ({}, None),  # a poor local minimum beside the global one
    "saddle": ({}, (-1.5, 1e-3)),  # a strict saddle between two minima
    "plateau": ({}, None),  # a flat region where the gradient vanishes
    "ill_conditioned_quadratic": ({"kappa": 25.0}, None),  # the ravine
}

#: The optimizers offered (registry names; explorer defaults, e.g. momentum 0.9).
TOUR_OPTIMIZERS = ("GD", "Momentum", "Adam")

#: The learning rates of the static face (the live face has three times finer steps).
#: 0.06 makes plain GD zig-zag in the ravine (η λmax = 1.5), 0.2 crosses the plateau with Adam.
TOUR_LRS = (0.002, 0.006, 0.02, 0.06, 0.2)

_FEATURES = {
    "double_well": "local minimum",
    "saddle": "saddle point",
    "plateau": "plateau",
    "ill_conditioned_quadratic": "ravine",
}


def _where_it_ends(run, land, points, fmin, f0) -> str:
    """One clause: the critical point the run ends at, or how far it still is from one."""
    if run.diverged:
        return plots.divergence_text(run.diverged_at)
    x, y = map(float, run.path[-1])
    size = max(land.xlim[1] - land.xlim[0], land.ylim[1] - land.ylim[0])
    rel = (run.final_loss - fmin) / (f0 - fmin) if f0 > fmin else 0.0
    if points:
        near = min(points, key=lambda p: math.hypot(p.x - x, p.y - y))
        if math.hypot(near.x - x, near.y - y) < 0.01 * size:
            if near.kind == "minimum":
                if near.f <= fmin + 1e-9 * max(1.0, abs(fmin)):
                    return "ends in the global minimum"
                return f"stuck in a poorer local minimum (f − f* = {fmt_gap(near.f - fmin)})"
            return f"stalls at the {near.kind} (x, y) = ({near.x:.2f}, {near.y:.2f})"
    g = math.hypot(*land.grad(x, y))
    return f"still on its way: |∇f| = {g:.1e}, loss gap {fmt_gap(rel)} of the start's"


class _Pixels:
    """A moving part that pastes a saved region of the canvas (``canvas.copy_from_bbox``)
    back in place when drawn: a pre-rendered panel, shown in a blink."""

    def __init__(self, zorder=0):
        self.region = None
        self.axes = None
        self.zorder = zorder

    def set_animated(self, value):  # what Scene.moving asks of an artist
        pass

    def get_zorder(self):
        return self.zorder

    def draw(self, renderer):
        if self.region is not None:
            renderer.restore_region(self.region)


class TourScene(RunsScene):
    """:class:`RunsScene` over several landscapes: one contour panel per landscape, stacked in
    the same place, the chosen one drawn with the moving parts; one relative-gap loss panel."""

    def __init__(self, lands: dict, starts: dict, points: dict, compute, *, steps, caption=None):
        first = next(iter(lands.values()))
        super().__init__(first, ["run"], compute, steps=steps, caption=caption)
        self.lands = lands
        self.starts = starts
        self.points = points
        #: f* and the loss at the start, per landscape (the loss panel's scale)
        self.levels_of = {
            name: (plots.minimum_value(land), float(land.f(*starts[name])))
            for name, land in lands.items()
        }

    def setup(self, fig):
        path_rect, loss_rect = [0.08, 0.15, 0.38, 0.74], [0.6, 0.15, 0.38, 0.74]
        self.panels, self.paths = {}, {}
        for name, land in self.lands.items():
            ax = fig.add_axes(path_rect)
            levels = getattr(land, "levels", None)
            if levels is not None and len(levels) > 20:  # each frame carries its contours:
                levels = np.asarray(levels)[::2]  # every other line keeps frames light
            plots.contours(ax, land, levels=levels)
            for p in self.points.get(name, ()):
                if p.kind != "minimum":  # minima already carry their star
                    marker = "D" if p.kind == "saddle" else "^"
                    ax.plot([p.x], [p.y], marker=marker, ms=6, mfc="white", mec="#222222",
                            mew=1.2, lw=0, zorder=3)  # fmt: skip
            ax.set_title(land.title, fontsize=9)
            self.panels[name] = ax
            self.paths[name] = self.moving(
                plots.PathArtists(ax, color=plots.color_for("GD"), step_markers=False)
            )
        self.snapshots = self._snapshot_panels(fig)
        self.panel = self.moving(_Pixels(zorder=0))
        ax_loss = fig.add_axes(loss_rect)
        plots.setup_loss_axes(
            ax_loss, self.steps, 1e-12, 1e2, ylabel="$(f - f^\\star)\\,/\\,(f_0 - f^\\star)$"
        )
        ax_loss.axhline(1.0, color="0.6", lw=0.8, ls=":")
        self.curve = self.moving(plots.LossCurve(ax_loss, note=True))
        self.setup_status(ax_loss)

    def _snapshot_panels(self, fig) -> dict:
        """Each landscape's panel (contours, ticks, title) rendered once and kept as a region
        of pixels: drawing the chosen one is then a copy (well under 1 ms) instead of a redraw
        of its contours (~30 ms). The panels' axes are hidden afterwards; the paths still
        use their coordinates."""
        from matplotlib.transforms import Bbox

        canvas = fig.canvas
        shots = {}
        for name, ax in self.panels.items():
            for other in self.panels.values():
                other.set_visible(other is ax)
            canvas.draw()
            box = ax.get_tightbbox(canvas.get_renderer()).padded(1)
            shots[name] = canvas.copy_from_bbox(Bbox.intersection(box, fig.bbox))
        for ax in self.panels.values():
            ax.set_visible(False)
        return shots

    def update(self, landscape, optimizer, lr):
        run = self.compute(landscape=landscape, optimizer=optimizer, lr=lr)
        color = plots.color_for(optimizer)
        self.panel.region = self.snapshots[landscape]
        for name, path in self.paths.items():
            chosen = name == landscape
            for artist in path.artists[:3]:  # the note's visibility is set_path's business
                artist.set_visible(chosen)
            if chosen:
                path.set_path(run.path, run.diverged_at)
                for artist in path.artists[:3]:
                    artist.set_color(color)
                path.end.set_markeredgecolor("white")
                path.start.set_markerfacecolor("white")
            else:
                path.set_path(np.empty((0, 2)))
        fmin, f0 = self.levels_of[landscape]
        self.curve.set_losses(gap(run, fmin) / max(f0 - fmin, 1e-300), run.diverged_at)
        self.curve.line.set_color(color)
        self.curve.dot.set_color(color)
        self.status_text.set_text(f"{optimizer}, η = {lr:.3g}")
        if self.caption_fn:
            return self.caption_fn(run, landscape=landscape, optimizer=optimizer, lr=lr)
        return None


def tour(
    landscapes: Sequence | None = None,
    *,
    optimizers: Sequence[str] = TOUR_OPTIMIZERS,
    lrs: Sequence[float] = TOUR_LRS,
    steps: int = 300,
    title=None,
) -> Explorer:
    """A tour of the loss landscape's features: landscape x optimizer x learning rate.

    Args:
        landscapes: registry names (or Landscapes) to offer; default :data:`TOUR_LANDSCAPES`,
            with their starting points (a name not in that table uses its landscape's defaults).
        optimizers: registry names (default GD, Momentum with :math:`\\mu = 0.9`, Adam).
        lrs: the learning rates of the static face (the live face adds two between each pair);
            the middle one is the default.
        steps: steps per run.
    """
    if landscapes is None:
        landscapes = list(TOUR_LANDSCAPES)
    lands, starts = {}, {}
    for item in landscapes:
        kwargs, start = ({}, None)
        if isinstance(item, str):
            kwargs, start = TOUR_LANDSCAPES.get(item, ({}, None))
        land = resolve_landscape(item, **kwargs)
        if land.name in lands:
            raise ValueError(f"landscape {land.name!r} is offered twice")
        lands[land.name] = land
        starts[land.name] = tuple(map(float, land.start if start is None else start))
    if not lands:
        raise ValueError("landscapes must name at least one landscape")
    optimizers = tuple(optimizers)
    for name in optimizers:
        registry.get(name)  # an unknown name fails now, listing the registry
    lrs = tuple(sorted(check_positive_values("lrs", lrs, "positive learning rates")))
    points = {name: _landscapes.critical_points(land) for name, land in lands.items()}
    cache = RunCache()

    def compute(landscape, optimizer, lr):
        def make():
            opt = registry.make(optimizer, lr=lr)
            return run_trajectory(opt, lands[landscape], starts[landscape], steps=steps)

        return cache.get_or_run((landscape, optimizer, lr), make)

    def caption(run, landscape, optimizer, lr):
        land = lands[landscape]
        fmin = plots.minimum_value(land)
        f0 = float(land.f(*starts[landscape]))
        where = _where_it_ends(run, land, points[landscape], fmin, f0)
        feature = _FEATURES.get(landscape, land.title)
        return f"{feature}: {optimizer} at η = {lr:.3g}, {steps} steps: {where}."

    scene = TourScene(lands, starts, points, compute, steps=steps, caption=caption)
    fine = np.geomspace(lrs[0], lrs[-1], 3 * len(lrs) - 2) if len(lrs) > 1 else lrs
    live = sorted(set(lrs) | {float(f"{v:.2g}") for v in fine})
    sliders = [
        Slider.choice(
            "landscape", tuple(lands), label="landscape",
            fmt=lambda name: _FEATURES.get(name, name),
        ),
        Slider.choice("optimizer", optimizers, label="optimizer"),
        Slider("lr", lrs, label="learning rate η", live_values=tuple(live)),
    ]  # fmt: skip
    # 32 colours: 72 frames that each carry a contour panel stay well under the 1 MB budget
    return Explorer(scene, sliders, title=title or "A tour of the landscape", colors=32)
