"""The book layer: the strict build passes and produces every page of the table of contents."""

import json
import re
from pathlib import Path

import yaml

from tools.book import toc_files

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def test_strict_build_passes_without_warnings(book):
    assert book.returncode == 0, book.log[-5000:]
    warnings = [
        line for line in book.log.splitlines() if re.search(r": (WARNING|ERROR|CRITICAL):", line)
    ]
    assert not warnings, "\n".join(warnings[:20])


def test_every_chapter_executes_once_before_sphinx_reads_it(book):
    """``make book`` executes the chapters in parallel into jupyter-cache; Sphinx only renders."""
    executed = re.search(r"executed (\d+) notebook\(s\)", book.log)
    assert executed and int(executed.group(1)) == len(CHAPTERS), book.log[-3000:]
    assert "Executing notebook" not in book.log, "Sphinx executed a notebook itself"
    assert book.log.count("Using cached notebook") == len(CHAPTERS)


def test_every_toc_entry_has_a_page(book):
    for entry in toc_files():
        assert (book.html / f"{entry}.html").is_file(), entry


def test_every_chapter_notebook_is_in_the_toc():
    listed = set(toc_files())
    for nb in CHAPTERS:
        assert f"chapters/{nb.stem}" in listed, f"{nb.name} is not in _toc.yml"


def test_chapter_pages_show_executed_figures_and_math(book):
    for entry in toc_files():
        if not entry.startswith("chapters/"):
            continue
        html = (book.html / f"{entry}.html").read_text()
        assert "<img" in html, f"{entry}: no figure"
        assert "math notranslate" in html, f"{entry}: no rendered math"
        assert "Traceback" not in html, f"{entry}: an error was rendered"


def test_launch_and_download_buttons_are_configured(book):
    html = (book.html / "chapters" / "02_gradient_descent.html").read_text()
    assert "colab.research.google.com" in html
    assert "mybinder.org" in html
    assert "_sources/chapters/02_gradient_descent.ipynb" in html


def test_notebook_execution_is_forced():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["execute"]["execute_notebooks"] == "force"
    assert config["sphinx"]["config"]["nb_execution_raise_on_error"] is True
    assert json.dumps(config["sphinx"]["config"]["nb_mime_priority_overrides"]) == (
        '[["html", "text/html", 0]]'
    )


def test_site_serves_its_own_mathjax_and_favicon(book):
    """Equations render without a CDN, and /favicon.ico exists (no 404 in the console)."""
    assert (book.html / "_static" / "mathjax" / "tex-svg.js").stat().st_size > 1_000_000
    assert (book.html / "favicon.ico").is_file()
    page = (book.html / "chapters" / "02_gradient_descent.html").read_text()
    assert "_static/mathjax/tex-svg.js" in page
    assert "cdn.jsdelivr.net/npm/mathjax" not in page
