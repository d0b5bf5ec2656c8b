"""Every kernel-free explorer in the built book works in a real browser, offline.

On every page under ``_build/html`` that has a static explorer (``div.ol-explorer``), for each of
its sliders: move it with the keyboard (End/Home, then one arrow step), and check that the shown
frame changed, really loaded (``img.complete && img.naturalWidth > 0``), is the frame of the
grid point the sliders now select, and that the value label, ``aria-valuetext`` and the caption
follow. The structure is documented in ``optimlite/explorers/static_html.py``.
"""

# State of one explorer, read in the page. The frame index is recomputed here independently of
# the explorer's own script (row-major over the sliders, first slider slowest).
_STATE_JS = """root => {
  const d = JSON.parse(root.querySelector("script.ol-data").textContent);
  const ins = Array.from(root.querySelectorAll("input.ol-slider"));
  const outs = Array.from(root.querySelectorAll("output.ol-value"));
  const img = root.querySelector("img.ol-frame");
  const idx = ins.map(i => parseInt(i.value, 10));
  let k = 0, stride = 1;
  for (let i = ins.length - 1; i >= 0; i--) { k += idx[i] * stride; stride *= d.labels[i].length; }
  return {
    labels: d.labels,
    n_frames: d.frames.length,
    idx: idx,
    outputs: outs.map(o => o.textContent),
    valuetexts: ins.map(i => i.getAttribute("aria-valuetext")),
    arialabels: ins.map(i => i.getAttribute("aria-label")),
    src: img.src,
    loaded: img.complete && img.naturalWidth > 0,
    width: img.naturalWidth,
    shows_frame_k: img.src === "data:image/png;base64," + d.frames[k],
    caption_ok: !root.querySelector(".ol-caption")
      || root.querySelector(".ol-caption").textContent === d.captions[k],
  };
}"""

_CHANGED_AND_LOADED_JS = """([id, before]) => {
  const img = document.getElementById(id).querySelector("img.ol-frame");
  return img.src !== before && img.complete && img.naturalWidth > 0;
}"""


def pages_with_explorers(html_root):
    """Built pages (relative paths) whose HTML holds a static explorer."""
    pages = []
    for path in sorted(html_root.rglob("*.html")):
        rel = path.relative_to(html_root).as_posix()
        if rel.startswith("_"):  # _static, _sources, ...
            continue
        if 'class="ol-explorer"' in path.read_text(encoding="utf-8", errors="ignore"):
            pages.append(rel)
    return pages


def _state(page, root_id):
    return page.locator(f"#{root_id}").evaluate(_STATE_JS)


def _move(page, root_id, slider_index, key, expected_index, where, problems):
    """Press ``key`` on a slider; record what did not follow."""
    before = _state(page, root_id)
    slider = page.locator(f"#{root_id} input.ol-slider").nth(slider_index)
    slider.press(key)
    try:
        page.wait_for_function(_CHANGED_AND_LOADED_JS, arg=[root_id, before["src"]], timeout=5000)
    except Exception:
        problems.append(f"{where}: after {key} the image did not change to a loaded frame")
        return
    after = _state(page, root_id)
    label = after["labels"][slider_index][expected_index]
    checks = {
        f"slider at {after['idx'][slider_index]}, expected {expected_index}": after["idx"][
            slider_index
        ]
        == expected_index,
        f"value label {after['outputs'][slider_index]!r}, expected {label!r}": after["outputs"][
            slider_index
        ]
        == label,
        f"aria-valuetext {after['valuetexts'][slider_index]!r}": after["valuetexts"][slider_index]
        == label,
        "the shown image is not the frame of the selected grid point": after["shows_frame_k"],
        "the caption does not match the selected grid point": after["caption_ok"],
        "the new image did not load": after["loaded"] and after["width"] > 0,
    }
    problems.extend(f"{where}, {key}: {what}" for what, ok in checks.items() if not ok)


def check_explorers_on_page(page, url):
    """Exercise every explorer on the page at ``url``; return (number of explorers, problems)."""
    problems = []
    page.goto(url, wait_until="load")
    ids = page.locator("div.ol-explorer").evaluate_all("els => els.map(e => e.id)")
    if len(set(ids)) != len(ids):
        problems.append(f"{url}: explorer ids are not unique: {ids}")
    for root_id in ids:
        state = _state(page, root_id)
        where = f"{url} #{root_id}"
        if not state["loaded"]:
            problems.append(f"{where}: the first frame did not load")
        if not state["shows_frame_k"]:
            problems.append(f"{where}: the first frame is not the selected grid point's")
        if state["n_frames"] != _product(len(labels) for labels in state["labels"]):
            problems.append(f"{where}: {state['n_frames']} frames for grid {state['labels']}")
        for i, labels in enumerate(state["labels"]):
            if not state["arialabels"][i]:
                problems.append(f"{where}: slider {i} has no aria-label")
            n = len(labels)
            if n < 2:
                continue
            here = f"{where} slider {i} ({state['arialabels'][i]})"
            current = _state(page, root_id)["idx"][i]
            if current < n - 1:  # jump to the end, then one step back
                _move(page, root_id, i, "End", n - 1, here, problems)
                _move(page, root_id, i, "ArrowLeft", n - 2, here, problems)
            else:  # already at the end: jump to the start, then one step on
                _move(page, root_id, i, "Home", 0, here, problems)
                _move(page, root_id, i, "ArrowRight", 1, here, problems)
    return len(ids), problems


def _product(values):
    out = 1
    for v in values:
        out *= v
    return out


def test_every_static_explorer_responds_to_its_sliders(site, book, browser_page):
    pages = pages_with_explorers(book.html)
    assert pages, "no built page has a static explorer (div.ol-explorer)"
    problems, total = [], 0
    for rel in pages:
        count, found = check_explorers_on_page(browser_page, f"{site}/{rel}")
        assert count > 0, f"{rel} holds an explorer in its HTML but none was found in the page"
        total += count
        problems += found
    assert problems == [], "\n".join(problems)
    assert total >= len(pages)
    # Uncaught script errors (an explorer's JS failing) fail here; other console messages of the
    # page (theme, missing favicon) are test_pages.py's business.
    script_errors = [e for e in browser_page.real_errors() if "[pageerror]" in e]
    assert script_errors == []
