"""Every reader: an axe-core audit of every built page, figures with alt text, narrow screens, and
the book's search.

* axe-core (bundled by ``axe-playwright-python``) audits every HTML page of the built book in
  Chromium: no critical and no serious violation. The whole report (every impact) is written to
  ``_build/axe-report.json`` for reading.
* Every figure a cell draws says what it shows: an ``<img>`` in a cell's output without alt text
  (or with an empty one) fails, naming the page and the cell. Alt text comes from the figure cell's
  metadata, ``"mystnb": {"image": {"alt": "..."}}``; an explorer writes its own (one per frame),
  and its background layer is decorative (``alt=""``, under the frame that describes it all).
* At 400 px wide no page scrolls sideways and every explorer fits the screen.
* Searching the book for a term a chapter teaches lists that chapter.
"""

import json
from pathlib import Path

import pytest

SERIOUS = ("critical", "serious")
NARROW = {"width": 400, "height": 800}


def book_pages(html_root: Path):
    """Every page of the built book (relative paths), less Sphinx's internals."""
    pages = []
    for path in sorted(html_root.rglob("*.html")):
        rel = path.relative_to(html_root).as_posix()
        if rel.split("/")[0].startswith("_") or rel.startswith("reports/"):
            continue
        pages.append(rel)
    return pages


def _open(page, site, rel):
    response = page.goto(f"{site}/{rel}", wait_until="load")
    assert response is not None and response.status == 200, rel
    page.wait_for_load_state("networkidle")


def test_no_page_has_a_critical_or_serious_accessibility_violation(site, book, browser_page):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    report, serious = {}, []
    pages = book_pages(book.html)
    assert len(pages) >= 10, pages
    for rel in pages:
        _open(browser_page, site, rel)
        results = axe.run(browser_page)
        violations = results.response["violations"]
        report[rel] = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:10],
                "count": len(v["nodes"]),
            }
            for v in violations
        ]
        serious += [
            f"{rel}: {v['impact']} {v['id']} ({v['help']}) x{len(v['nodes'])}: "
            f"{[n['target'] for n in v['nodes']][:3]}"
            for v in violations
            if v["impact"] in SERIOUS
        ]
    (book.html.parent / "axe-report.json").write_text(json.dumps(report, indent=1) + "\n")
    assert not serious, "\n".join(serious)


_IMAGES_WITHOUT_ALT_JS = """() => Array.from(document.querySelectorAll('.cell_output img'))
  .filter(img => !img.classList.contains('ol-background'))
  .filter(img => !(img.getAttribute('alt') || '').trim())
  .map(img => {
    const cell = img.closest('.cell');
    const code = cell && cell.querySelector('.cell_input pre');
    return (code ? code.textContent : '(hidden code)').trim().split('\\n').slice(0, 3).join(' | ');
  })"""


def test_every_figure_has_alt_text(site, book, browser_page):
    missing = []
    for rel in book_pages(book.html):
        if not rel.startswith("chapters/"):
            continue
        _open(browser_page, site, rel)
        missing += [f"{rel}: {code}" for code in browser_page.evaluate(_IMAGES_WITHOUT_ALT_JS)]
    assert not missing, (
        "figures without alt text (give the cell metadata "
        '"mystnb": {"image": {"alt": "what the figure shows"}}):\n' + "\n".join(missing)
    )


_WIDTHS_JS = """() => ({
  page: document.documentElement.scrollWidth,
  body: document.body.scrollWidth,
  viewport: window.innerWidth,
  explorers: Array.from(document.querySelectorAll('.ol-explorer')).map(e => {
    const r = e.getBoundingClientRect();
    const img = e.querySelector('img.ol-frame');
    return {right: r.right, width: r.width, img: img ? img.getBoundingClientRect().width : 0,
            natural: img ? img.naturalWidth : 0};
  }),
})"""


@pytest.fixture
def narrow_page(chromium):
    context = chromium.new_context(viewport=NARROW)
    page = context.new_page()
    yield page
    context.close()


def test_narrow_screens_never_scroll_sideways_and_explorers_scale_down(site, book, narrow_page):
    problems, explorers = [], 0
    for rel in book_pages(book.html):
        _open(narrow_page, site, rel)
        widths = narrow_page.evaluate(_WIDTHS_JS)
        if max(widths["page"], widths["body"]) > widths["viewport"]:
            problems.append(f"{rel}: the page is {widths['page']} px wide at 400 px")
        for i, e in enumerate(widths["explorers"]):
            explorers += 1
            if e["right"] > widths["viewport"] + 0.5 or e["img"] > widths["viewport"]:
                problems.append(f"{rel}: explorer {i} overflows ({e})")
            if e["natural"] > widths["viewport"] and e["img"] >= e["natural"]:
                problems.append(f"{rel}: explorer {i}'s image does not scale down ({e})")
    assert explorers, "no explorer found on any page"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "term,chapter",
    [("bias correction", "chapters/08_adam"), ("decoupled weight decay", "chapters/09_adamw")],
)
def test_search_finds_the_chapter_that_teaches_a_term(site, browser_page, term, chapter):
    browser_page.goto(f"{site}/search.html?q={term.replace(' ', '+')}", wait_until="load")
    browser_page.wait_for_function(
        "() => document.querySelectorAll('#search-results li').length > 0", timeout=30_000
    )
    links = browser_page.eval_on_selector_all(
        "#search-results li a", "els => els.map(a => a.getAttribute('href'))"
    )
    assert any(chapter in (href or "") for href in links[:5]), links[:10]
    assert browser_page.real_errors() == []
