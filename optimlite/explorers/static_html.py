"""The static face of an explorer: one self-contained HTML block, no kernel, no network.

Every point of the slider grid is pre-rendered (by :mod:`optimlite.explorers.core`) to a small
palette PNG; this module only lays those pictures out with range inputs and a few lines of
inline JS. It imports no plotting library: what it needs is bytes and strings.

Structure (stable; the browser tests rely on it)
------------------------------------------------
::

    <div class="ol-explorer" id="ol-explorer-<n>-<hash>">       unique per explorer and page
      <div class="ol-title">...</div>                             when a title is given
      <div class="ol-controls">
        <label class="ol-control"><span class="ol-name">η</span>
          <input type="range" class="ol-slider" data-name="lr" min="0" max="12" step="1"
                 value="6" aria-label="learning rate η" aria-valuetext="0.01">
          <output class="ol-value">0.01</output></label>          one per slider
      </div>
      <div class="ol-stage">
        <img class="ol-background" src="data:image/png;base64,...">   static parts (Scene only)
        <img class="ol-frame" src="data:image/png;base64,..." alt="...">  the moving parts,
      </div>                                                      transparent, stacked on top
      <p class="ol-caption" aria-live="polite">...</p>
      <script type="application/json" class="ol-data">{"frames": [...], ...}</script>
      <script>/* ~20 lines: on input, pick frame index, set img.src and the labels */</script>
    </div>

Frame ``k`` belongs to slider indices ``(i_1, ..., i_m)`` with ``k = sum_j i_j * stride_j``
(row-major: the first slider varies slowest). Range inputs move by keyboard (arrows, Home/End,
PageUp/PageDown) as well as by mouse and touch.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["MAX_HTML_BYTES", "StaticFrames", "frame_strides", "page_template", "with_fresh_id"]

#: Page-weight budget of one explorer's static face (HTML, frames included).
MAX_HTML_BYTES = 1_000_000

#: Placeholder for the element id in :func:`page_template`'s output.
ID_PLACEHOLDER = "__ID__"

_counter = itertools.count(1)


@dataclass
class StaticFrames:
    """The static face's pictures: the background (or None) and one PNG per grid point."""

    background: bytes | None
    frames: list[bytes]
    captions: list[str]
    alts: list[str]
    seconds: float


_JS = """(function () {
  var root = document.getElementById("__ID__");
  if (!root) return;
  var d = JSON.parse(root.querySelector("script.ol-data").textContent);
  var ins = root.querySelectorAll("input.ol-slider");
  var outs = root.querySelectorAll("output.ol-value");
  var img = root.querySelector("img.ol-frame");
  var cap = root.querySelector(".ol-caption");
  function show() {
    var k = 0;
    for (var i = 0; i < ins.length; i++) {
      var j = Math.max(0, Math.min(d.labels[i].length - 1, parseInt(ins[i].value, 10) || 0));
      k += j * d.strides[i];
      outs[i].textContent = d.labels[i][j];
      ins[i].setAttribute("aria-valuetext", d.labels[i][j]);
    }
    img.src = "data:image/png;base64," + d.frames[k];
    img.alt = d.alts[k];
    if (cap) cap.textContent = d.captions[k];
  }
  for (var i = 0; i < ins.length; i++) {
    ins[i].addEventListener("input", show);
    ins[i].addEventListener("change", show);
  }
  window.addEventListener("pageshow", show);
  show();
})();"""


def frame_strides(shape: Sequence[int]) -> list[int]:
    """Row-major strides of the frame grid: frame ``k = sum_j i_j * stride_j``."""
    return [math.prod(shape[i + 1 :]) for i in range(len(shape))]


def page_template(
    sliders: Sequence, static: StaticFrames, width: int, height: int, title: str | None = None
) -> str:
    """The static face's HTML (see the module docstring), its element id left as
    :data:`ID_PLACEHOLDER` for :func:`with_fresh_id`.

    ``sliders`` are the explorer's :class:`~optimlite.explorers.Slider` controls (their
    ``name``, ``title``, ``values``, ``format`` and ``default_index``); ``width`` x ``height``
    is the frames' size in pixels.
    """
    uid = ID_PLACEHOLDER
    strides = frame_strides([len(s.values) for s in sliders])
    index = sum(s.default_index * st for s, st in zip(sliders, strides, strict=True))
    data = {
        "frames": [base64.b64encode(f).decode("ascii") for f in static.frames],
        "labels": [[s.format(v) for v in s.values] for s in sliders],
        "strides": strides,
        "captions": static.captions,
        "alts": static.alts,
    }
    esc = html.escape
    parts = [f'<div class="ol-explorer" id="{uid}" style="max-width:{width}px;margin:0.5em 0 1em">']
    if title:
        parts.append(
            f'<div class="ol-title" style="font-weight:600;margin-bottom:0.3em">{esc(title)}</div>'
        )
    parts.append(
        '<div class="ol-controls" style="display:flex;flex-wrap:wrap;gap:0.2em 1.4em;'
        'align-items:center;font-size:0.9em">'
    )
    for slider in sliders:
        label = slider.format(slider.default)
        parts.append(
            '<label class="ol-control" style="display:inline-flex;align-items:center;'
            'gap:0.5em;white-space:nowrap">'
            f'<span class="ol-name">{esc(slider.title)}</span>'
            f'<input type="range" class="ol-slider" data-name="{esc(slider.name)}" min="0" '
            f'max="{len(slider.values) - 1}" step="1" value="{slider.default_index}" '
            f'aria-label="{esc(slider.title)}" aria-valuetext="{esc(label)}" '
            'style="width:9em">'
            '<output class="ol-value" style="min-width:4.5em;font-variant-numeric:'
            f'tabular-nums">{esc(label)}</output></label>'
        )
    parts.append("</div>")
    frame_src = "data:image/png;base64," + data["frames"][index]
    image_style = "display:block;width:100%;height:auto"
    parts.append(f'<div class="ol-stage" style="position:relative;max-width:{width}px">')
    if static.background is not None:
        bg_src = "data:image/png;base64," + base64.b64encode(static.background).decode()
        parts.append(
            f'<img class="ol-background" src="{bg_src}" alt="" width="{width}" '
            f'height="{height}" style="{image_style}">'
        )
        image_style += ";position:absolute;left:0;top:0"
    parts.append(
        f'<img class="ol-frame" src="{frame_src}" alt="{esc(static.alts[index])}" '
        f'width="{width}" height="{height}" style="{image_style}">'
    )
    parts.append("</div>")
    parts.append(
        '<p class="ol-caption" aria-live="polite" style="margin:0.2em 0 0;font-size:0.9em">'
        f"{esc(static.captions[index])}</p>"
    )
    payload = json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")
    parts.append(f'<script type="application/json" class="ol-data">{payload}</script>')
    parts.append(f"<script>{_JS}</script>")
    parts.append("</div>")
    return "".join(parts)


def with_fresh_id(template: str) -> str:
    """``template`` with a page-unique element id (a counter and a digest of the content), so
    the same explorer can be shown twice on a page."""
    digest = hashlib.sha1(template.encode()).hexdigest()[:8]
    return template.replace(ID_PLACEHOLDER, f"ol-explorer-{next(_counter)}-{digest}")
