"""The published pages as a reader's browser sees them: they load, figures load, no JS errors."""

import pytest

PAGES = ["index.html", "chapters/02_gradient_descent.html", "exercises/index.html"]


@pytest.mark.parametrize("page_path", PAGES)
def test_page_loads_with_real_images_and_no_js_errors(site, browser_page, page_path):
    response = browser_page.goto(f"{site}/{page_path}", wait_until="load")
    assert response is not None and response.status == 200
    browser_page.wait_for_load_state("networkidle")
    assert browser_page.title()
    broken = browser_page.evaluate(
        """() => Array.from(document.images)
              .filter(img => !(img.complete && img.naturalWidth > 0))
              .map(img => img.src.slice(0, 80))"""
    )
    assert broken == [], f"images that did not load on {page_path}: {broken}"
    assert browser_page.real_errors() == []


def test_chapter_figures_and_math_render(site, browser_page):
    browser_page.goto(f"{site}/chapters/02_gradient_descent.html", wait_until="load")
    browser_page.wait_for_load_state("networkidle")
    figures = browser_page.evaluate(
        """() => Array.from(document.querySelectorAll('.cell_output img'))
              .filter(img => img.complete && img.naturalWidth > 100).length"""
    )
    assert figures >= 3, f"only {figures} rendered figures in chapter 2"
    # MathJax (served by the book itself) typesets every equation, offline too.
    browser_page.wait_for_function(
        "() => document.querySelectorAll('mjx-container').length"
        " >= document.querySelectorAll('.math').length && "
        "document.querySelectorAll('mjx-container svg').length > 10",
        timeout=30_000,
    )
    # Equation cross-references resolve to links, not "??".
    assert "??" not in browser_page.inner_text("main")
