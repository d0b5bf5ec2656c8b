"""Four touches to the HTML the book ships, kept in one small local Sphinx extension.

1. Serve MathJax from the built book itself, so equations render offline too.

Sphinx loads MathJax from a CDN by default: a reader of a local build without internet, or any
browser test on this machine, then sees raw TeX. This extension points ``mathjax_path`` at a copy
of MathJax 3's self-contained ``tex-svg.js`` (from the ``django-static-mathjax`` wheel, which only
packages MathJax's files) and copies that one file into ``_static/mathjax/`` after the build. It is
copied after the build, not placed in a static folder, because Jupyter Book injects every ``.js``
of a static folder into every page.

2. Copy the book's favicon to ``/favicon.ico`` as well: browsers ask for that path before (or
instead of) reading the page's icon link, and a 404 there is a console error on every page.

3. Give the theme an explicit default colour mode. Jupyter Book leaves it empty and the theme's
script then logs "Got invalid theme mode" as a console error on every page. (Setting it from
``_config.yml`` would need ``recursive_update``, which drops the theme's stylesheets.)

4. Accessibility (axe-core finds no critical or serious violation on any page): the sidebar's
expand toggles (``<summary>`` holding only an icon) get a name, the bibliography's
``role="list"`` (whose entries are no list items) is dropped, admonition links get a darker
blue (contrast 4.5:1 on their tint) and long inline code wraps on narrow screens
(``static/course_access.css``).
"""

import shutil
from importlib.resources import files
from pathlib import Path

BUNDLE = "tex-svg.js"
STATIC = Path(__file__).resolve().parent / "static"
ACCESS_CSS = "course_access.css"
#: runs once the page is parsed, before any reader (or audit) reaches it
ACCESS_JS = """document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("summary").forEach((summary) => {
    if (summary.textContent.trim() || summary.getAttribute("aria-label")) return;
    const item = summary.closest("li");
    const link = item && item.querySelector(":scope > a");
    const name = link ? link.textContent.trim() : "this section";
    summary.setAttribute("aria-label", "Show or hide the pages of " + name);
  });
  document.querySelectorAll('.citation-list[role="list"]').forEach((list) => {
    list.removeAttribute("role");
  });
});"""


def _source() -> Path:
    return Path(str(files("mathjax") / "static" / "mathjax" / "es5" / BUNDLE))


def _copy(app, exception):
    if exception is None and app.builder.format == "html":
        target = Path(app.outdir) / "_static" / "mathjax"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(_source(), target / BUNDLE)
        icon = app.config.html_favicon
        if icon and not str(icon).startswith(("http:", "https:")):
            shutil.copy2(Path(app.srcdir) / icon, Path(app.outdir) / "favicon.ico")


def _theme_mode(app, config):
    config.html_context.setdefault("default_mode", "light")  # read by the pydata layout
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def setup(app):
    if not _source().is_file():
        raise RuntimeError(f"no MathJax at {_source()}: pip install -r requirements.txt")
    app.config.mathjax_path = f"mathjax/{BUNDLE}"
    app.connect("config-inited", _theme_mode)
    app.connect("build-finished", _copy)
    app.add_css_file(ACCESS_CSS)
    app.add_js_file(None, body=ACCESS_JS)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
