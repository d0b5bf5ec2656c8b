"""Explorer machinery: one declaration, two faces.

An explorer is declared once, as a *scene* (a drawing of the slider values) and the *sliders*
(the values each one offers)::

    ex = Explorer(scene, [Slider.log("lr", 1e-3, 1.0, n=13, label="learning rate η")])
    ex            # as a notebook cell's last expression

Shown in a notebook, ``ex`` yields one output with two representations
(``_repr_mimebundle_``):

- ``application/vnd.jupyter.widget-view+json`` -- the **live face**: ipywidgets controls and an
  ``ipywidgets.Image`` of PNG bytes, redrawn on every change (blitting: the static parts are drawn
  once, only the moving artists are redrawn, then PNG encoded; tens of milliseconds);
- ``text/html`` -- the **static face**: every point of the slider grid pre-rendered to a small
  palette PNG and embedded as a data URI in one self-contained block with range inputs and a
  few lines of inline JS (:mod:`optimlite.explorers.static_html` lays it out). No kernel, no
  network, several per page.

Jupyter front ends show the widget; the book (``nb_mime_priority_overrides`` puts ``text/html``
first) shows the static face.

Scenes
------
A scene is either a plain function ``draw(fig, **values) -> caption`` (the whole figure is
redrawn each time: simple, ~100+ ms), or, for speed, a :class:`Scene` subclass that draws its
static parts once in ``setup(fig)``, registers the artists that move with :meth:`Scene.moving`,
and moves them in ``update(**values) -> caption`` (``set_data``/``set_text`` only; axes limits
stay fixed). ``caption`` is an optional one-line summary shown under the figure.

A scene never takes the page or the kernel down: an exception in it becomes a message on the
figure (``Explorer.errors`` keeps the last one).
"""

from __future__ import annotations

import html
import io
import itertools
import math
import time
import warnings
from collections.abc import Sequence

import numpy as np

from .. import plots
from .sliders import Slider
from .static_html import MAX_HTML_BYTES, StaticFrames, page_template, with_fresh_id

__all__ = ["Scene", "Explorer"]


# --- scenes ----------------------------------------------------------------------------------


class Scene:
    """A fast scene: static parts drawn once, moving artists updated in place (blitting).

    Subclasses implement :meth:`setup` (draw the static parts, create the moving artists and
    register them with :meth:`moving`) and :meth:`update` (move them; return a caption).
    Axes limits must not change in :meth:`update`: the static parts are drawn only once.
    """

    #: Figure size in inches (width, height).
    size: tuple[float, float] = (7.2, 3.0)

    def setup(self, fig) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def update(self, **values) -> str | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def moving(self, *items):
        """Register artists (or objects with an ``.artists`` list) that :meth:`update` moves.

        Returns the single item, or the tuple of items.
        """
        registry = self.__dict__.setdefault("_moving", [])
        for item in items:
            for artist in getattr(item, "artists", None) or [item]:
                artist.set_animated(True)
                registry.append(artist)
        return items[0] if len(items) == 1 else items

    @property
    def moving_artists(self) -> list:
        return sorted(self.__dict__.get("_moving", []), key=lambda a: a.get_zorder())


class _FunctionScene:
    """Wraps ``draw(fig, **values) -> caption``: the whole figure is redrawn each time."""

    size = (7.2, 3.0)

    def __init__(self, draw):
        self.draw = draw
        self.size = getattr(draw, "size", self.size)


def _error_scene(exc: BaseException, size) -> _FunctionScene:
    message = f"This explorer could not be set up:\n{type(exc).__name__}: {exc}"[:300]

    def draw(fig, **values):
        fig.text(0.5, 0.5, message, ha="center", va="center", wrap=True,
                 color=plots.DIVERGED_COLOR)  # fmt: skip
        return "error: " + message.replace("\n", " ")

    draw.size = size
    return _FunctionScene(draw)


# --- rendering -------------------------------------------------------------------------------


def _png(rgba: np.ndarray, *, colors: int | None = None, compress_level: int = 1) -> bytes:
    """PNG bytes of an RGBA buffer: RGB when opaque, palette-quantized when ``colors``.

    Quantization is Pillow's fast octree without dithering; palette entries within 4 levels of
    white are snapped to pure white so that frames sit seamlessly on a white page.
    """
    from PIL import Image

    opaque = bool(rgba[..., 3].min() == 255)
    image = Image.fromarray(np.ascontiguousarray(rgba[..., :3] if opaque else rgba))
    if colors:
        image = image.quantize(colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        mode, raw = image.palette.getdata()
        width = len(mode)
        palette = np.frombuffer(raw, np.uint8).reshape(-1, width).copy()
        near_white = np.all(palette[:, :3] >= 251, axis=1)
        if near_white.any():
            palette[near_white, :3] = 255
            image.putpalette(palette.tobytes(), rawmode=mode)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=compress_level)
    return out.getvalue()


class _Renderer:
    """Owns the figure of one explorer; composes live frames and static overlays."""

    def __init__(self, scene, dpi: int):
        self.scene = scene
        self.fast = isinstance(scene, Scene)
        with plots.style():
            self.fig = plots.figure(*scene.size, dpi=dpi)
            self.canvas = self.fig.canvas
            self.error_text = None
            self.background = None
            if self.fast:
                scene.setup(self.fig)
                self.error_text = self._make_error_text()
                self.canvas.draw()
                self.background = self.canvas.copy_from_bbox(self.fig.bbox)

    def _make_error_text(self):
        text = self.fig.text(
            0.5, 0.5, "", ha="center", va="center", wrap=True, color=plots.DIVERGED_COLOR,
            fontsize=10, animated=True, zorder=100,
            bbox={"boxstyle": "round,pad=0.5", "fc": "#FFF3F0", "ec": plots.DIVERGED_COLOR},
        )  # fmt: skip
        text.set_visible(False)
        return text

    @property
    def pixel_size(self) -> tuple[int, int]:
        w, h = self.canvas.get_width_height()
        return int(w), int(h)

    def _draw_moving(self):
        for artist in self.scene.moving_artists:
            if artist.axes is not None:
                artist.axes.draw_artist(artist)
            else:
                self.fig.draw_artist(artist)

    def _buffer(self) -> np.ndarray:
        return np.asarray(self.canvas.buffer_rgba())

    def render(self, values: dict, *, overlay: bool = False) -> tuple[np.ndarray, str | None]:
        """RGBA pixels of the frame at ``values`` (an overlay on transparency when
        ``overlay``, for a Scene) and its caption. Raises what the scene raises."""
        if not self.fast:
            with plots.style():  # new artists take the style when they are created
                self.fig.clear()
                caption = self.scene.draw(self.fig, **values)
                self.canvas.draw()
            return self._buffer(), caption
        caption = self.scene.update(**values)
        if overlay:
            self.canvas.get_renderer().clear()
        else:
            self.canvas.restore_region(self.background)
        self._draw_moving()
        return self._buffer(), caption

    def render_error(self, exc: BaseException, *, overlay: bool = False) -> np.ndarray:
        """A frame that says what went wrong (never raises)."""
        message = f"This view could not be drawn:\n{type(exc).__name__}: {exc}"[:300]
        try:
            with plots.style():
                if not self.fast:
                    self.fig.clear()
                    self.fig.text(0.5, 0.5, message, ha="center", va="center", wrap=True,
                                  color=plots.DIVERGED_COLOR)  # fmt: skip
                    self.canvas.draw()
                    return self._buffer()
                if overlay:
                    self.canvas.get_renderer().clear()
                else:
                    self.canvas.restore_region(self.background)
                self.error_text.set_text(message)
                self.error_text.set_visible(True)
                self.fig.draw_artist(self.error_text)
                self.error_text.set_visible(False)
                return self._buffer()
        except Exception:  # the last resort: a plain light-red image
            w, h = self.pixel_size
            img = np.empty((h, w, 4), np.uint8)
            img[...] = (255, 235, 230, 255)
            return img

    def background_rgba(self) -> np.ndarray | None:
        if not self.fast:
            return None
        with plots.style():
            self.canvas.restore_region(self.background)
        return self._buffer()


# --- the explorer ----------------------------------------------------------------------------


class Explorer:
    """An interactive figure declared once: ``scene`` (see the module docstring) and
    ``sliders``; shows live ipywidgets in Jupyter and a kernel-free HTML block in the book.

    Args:
        scene: a :class:`Scene` instance or a function ``draw(fig, **values) -> caption``.
        sliders: the :class:`Slider` controls, in display order.
        title: a heading shown above the controls.
        dpi: resolution of the frames (pixels per inch of ``scene.size``).
        colors: palette size of the static frames (PNG quantization).
        max_bytes: page-weight budget; a larger static face warns (see :data:`MAX_HTML_BYTES`).
    """

    def __init__(
        self,
        scene,
        sliders: Sequence[Slider],
        *,
        title: str | None = None,
        dpi: int = 96,
        colors: int = 48,
        max_bytes: int = MAX_HTML_BYTES,
    ):
        if isinstance(sliders, Slider):
            sliders = [sliders]
        sliders = list(sliders)
        if not sliders or not all(isinstance(s, Slider) for s in sliders):
            raise ValueError("sliders must be a non-empty sequence of Slider")
        names = [s.name for s in sliders]
        if len(set(names)) != len(names):
            raise ValueError(f"slider names must be distinct, got {names!r}")
        if not (isinstance(scene, Scene) or callable(scene)):
            raise ValueError(
                f"scene must be a Scene or a function draw(fig, **values), got {scene!r}"
            )
        if not 2 <= int(colors) <= 256:
            raise ValueError(f"colors must be in [2, 256], got {colors!r}")
        self.scene = scene if isinstance(scene, Scene) else _FunctionScene(scene)
        self.sliders = sliders
        self.title = title
        self.dpi = int(dpi)
        self.colors = int(colors)
        self.max_bytes = int(max_bytes)
        self.values = {s.name: s.default for s in sliders}
        self.caption: str | None = None
        self.errors: list[str] = []
        self._renderer = None
        self._static = None
        self._html = None
        self._widget = None

    # -- drawing

    @property
    def renderer(self) -> _Renderer:
        if self._renderer is None:
            try:
                self._renderer = _Renderer(self.scene, self.dpi)
            except Exception as exc:  # a scene that cannot even set up: every frame says why
                self.errors.append(f"setup: {type(exc).__name__}: {exc}")
                self._renderer = _Renderer(_error_scene(exc, self.scene.size), self.dpi)
        return self._renderer

    @property
    def figure(self):
        """The matplotlib ``Figure`` the frames are drawn in."""
        return self.renderer.fig

    @property
    def shape(self) -> tuple[int, ...]:
        """Grid shape of the static face: one entry per slider."""
        return tuple(len(s.values) for s in self.sliders)

    @property
    def n_frames(self) -> int:
        return math.prod(self.shape)

    def _check_values(self, values: dict) -> dict:
        unknown = set(values) - set(self.values)
        if unknown:
            raise ValueError(
                f"unknown slider(s) {sorted(unknown)}; sliders are {list(self.values)}"
            )
        return {**self.values, **values}

    def _safe_render(self, values: dict, overlay: bool = False):
        try:
            rgba, caption = self.renderer.render(values, overlay=overlay)
            return rgba, caption, None
        except Exception as exc:  # a scene error becomes a message on the figure
            self.errors.append(f"{type(exc).__name__}: {exc}")
            return self.renderer.render_error(exc, overlay=overlay), None, exc

    def frame(self, *, _colors: int | None = None, **values) -> bytes:
        """PNG bytes of the live face at ``values`` (other sliders keep their values).

        Also sets :attr:`values` and :attr:`caption`. Never raises for a scene error.
        """
        values = self._check_values(values)
        rgba, caption, exc = self._safe_render(values)
        self.values = values
        self.caption = caption if exc is None else f"error: {self.errors[-1]}"
        # 256 colours: visually lossless here, and quantize + deflate beats deflating RGB
        # (about 6 ms instead of 13 ms, and a third of the bytes sent to the front end)
        return _png(rgba, colors=_colors or 256, compress_level=1)

    def describe(self, values: dict) -> str:
        """``"lr = 0.01, momentum = 0.9"`` for the given slider values."""
        return ", ".join(f"{s.title} = {s.format(values[s.name])}" for s in self.sliders)

    # -- static face

    def static_frames(self) -> StaticFrames:
        """Render every grid point (cached). Frames are overlays on the background for a
        :class:`Scene`, whole pictures for a plain draw function."""
        if self._static is not None:
            return self._static
        start = time.perf_counter()
        renderer = self.renderer
        background = renderer.background_rgba()
        background_png = None
        if background is not None:
            # one image: a richer palette keeps contour and legend colours true
            background_png = _png(background, colors=max(self.colors, 128), compress_level=9)
        frames, captions, alts = [], [], []
        for combo in itertools.product(*(s.values for s in self.sliders)):
            values = dict(zip(self.values, combo, strict=True))
            rgba, caption, exc = self._safe_render(values, overlay=renderer.fast)
            frames.append(_png(rgba, colors=self.colors, compress_level=9))
            description = self.describe(values)
            if exc is not None:
                caption = f"error: {type(exc).__name__}: {exc}"
            captions.append(caption or description)
            alts.append(f"{self.title or 'Explorer'}: {description}")
        self._static = StaticFrames(
            background_png, frames, captions, alts, time.perf_counter() - start
        )
        return self._static

    def to_html(self) -> str:
        """The static face: one self-contained HTML block (its structure is documented in
        :mod:`optimlite.explorers.static_html`).

        Frames are rendered once; each call gets a fresh element id, so the same explorer can
        be shown twice on a page.
        """
        if self._html is None:
            static = self.static_frames()
            width, height = self.renderer.pixel_size
            self._html = page_template(self.sliders, static, width, height, self.title)
            size = len(self._html.encode())
            if size > self.max_bytes:
                warnings.warn(
                    f"explorer {self.title or ''!r}: static HTML is {size / 1e6:.2f} MB "
                    f"(> {self.max_bytes / 1e6:.2f} MB); use fewer grid points or colours",
                    stacklevel=2,
                )
        return with_fresh_id(self._html)

    # -- live face

    def _control(self, slider: Slider):
        import ipywidgets as W

        values = slider.live_values or slider.values
        options = [(slider.format(v), v) for v in values]
        style = {"description_width": "initial"}
        if slider.is_numeric:
            return W.SelectionSlider(
                options=options,
                value=slider.default,
                description=slider.title,
                continuous_update=True,
                style=style,
                layout=W.Layout(width="330px"),
            )
        if len(values) <= 6:
            return W.ToggleButtons(
                options=options, value=slider.default, description=slider.title, style=style
            )
        return W.Dropdown(
            options=options, value=slider.default, description=slider.title, style=style
        )

    @property
    def controls(self) -> dict:
        """The live face's ipywidgets controls by slider name."""
        self.widget  # noqa: B018  (builds it)
        return self._controls

    @property
    def image(self):
        """The live face's ``ipywidgets.Image``."""
        self.widget  # noqa: B018
        return self._image

    @property
    def widget(self):
        """The live face: an ipywidgets box (controls, image, caption); built once."""
        if self._widget is not None:
            return self._widget
        import ipywidgets as W

        self._controls = {s.name: self._control(s) for s in self.sliders}
        width, _ = self.renderer.pixel_size
        # The first frame is also what a batch run (nbclient, the book build) stores as widget
        # state in the notebook: 128 colours keep it small.
        png = self.frame(_colors=128, **{s.name: s.default for s in self.sliders})
        self._image = W.Image(
            value=png, format="png", layout=W.Layout(width=f"{width}px", max_width="100%")
        )
        self._caption = W.HTML(value=html.escape(self.caption or ""))
        for control in self._controls.values():
            control.observe(self._on_change, names="value")
        rows = [W.HBox(list(self._controls.values()), layout=W.Layout(flex_flow="row wrap"))]
        if self.title:
            rows.insert(0, W.HTML(f"<b>{html.escape(self.title)}</b>"))
        self._widget = W.VBox([*rows, self._image, self._caption])
        return self._widget

    def _on_change(self, change=None) -> None:
        """Redraw after a control moved. Never raises (errors are drawn on the figure)."""
        try:
            values = {name: c.value for name, c in self._controls.items()}
            self._image.value = self.frame(**values)
            self._caption.value = html.escape(self.caption or self.describe(values))
        except Exception as exc:  # pragma: no cover - frame() already guards the scene
            self.errors.append(f"{type(exc).__name__}: {exc}")

    # -- notebook display

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": repr(self)}
        try:
            view = self.widget._repr_mimebundle_()
        except Exception as exc:  # no ipywidgets or no kernel: the static face still shows
            self.errors.append(f"widget: {type(exc).__name__}: {exc}")
            view = None
        if view:
            bundle.update({k: v for k, v in view.items() if k != "text/plain"})
        bundle["text/html"] = self.to_html()
        return bundle

    def __repr__(self) -> str:
        grid = " x ".join(f"{s.name}[{len(s.values)}]" for s in self.sliders)
        title = f"{self.title!r}, " if self.title else ""
        return f"Explorer({title}{grid})"
