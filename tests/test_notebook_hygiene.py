"""Chapter notebooks are committed clean: only claim cells keep their outputs.

A claim cell is tagged ``nbval-check-output`` (nbval compares its output, so a change to optimlite
that changes a number on the page fails) and carries ``"keep_output": true`` metadata so that
``make strip`` (nbstripout) keeps it.
"""

import json
import sys
from pathlib import Path

import pytest
import yaml

from tools import colab_cell

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
CLAIM = "nbval-check-output"


def _cells(path):
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_only_claim_cells_keep_outputs(path):
    for i, cell in enumerate(_cells(path)):
        tagged = CLAIM in cell.get("metadata", {}).get("tags", [])
        if cell.get("outputs"):
            assert tagged, f"{path.name} cell {i} keeps outputs without the {CLAIM} tag"
        if tagged:
            assert cell["metadata"].get("keep_output") is True, f"{path.name} cell {i}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_claim_cells_have_committed_outputs(path):
    claims = [c for c in _cells(path) if CLAIM in c.get("metadata", {}).get("tags", [])]
    assert claims, f"{path.name} states no checked claim"
    for cell in claims:
        assert cell.get("outputs"), f"{path.name}: a {CLAIM} cell has no committed output"
        kinds = {o["output_type"] for o in cell["outputs"]}
        assert "error" not in kinds


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_notebook_uses_optimlite(path):
    # determinism (seeding) is checked by running each chapter twice: test_notebook_determinism.py
    source = "\n".join("".join(c["source"]) for c in _cells(path))
    assert "optimlite" in source, f"{path.name} does not import optimlite"


#: characters of code the book's code cells show without scrolling sideways (measured in
#: Chromium at 1280 px: the 81st character is cut off)
CODE_WIDTH = 80


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_visible_code_fits_the_page(path):
    long = [
        f"cell {i}: {line!r} ({len(line)} characters)"
        for i, cell in enumerate(_cells(path))
        if "remove-cell" not in cell.get("metadata", {}).get("tags", [])
        for line in "".join(cell["source"]).splitlines()
        if len(line) > CODE_WIDTH
    ]
    assert not long, f"{path.name}: code lines scroll sideways on the page:\n" + "\n".join(long)


# Colab: the first code cell installs the course where it is missing (tools/colab_cell.py)
INSTALLABLE = colab_cell.notebooks()


@pytest.mark.parametrize("path,kind", INSTALLABLE, ids=lambda v: getattr(v, "name", v))
def test_first_code_cell_installs_the_course_where_missing(path, kind):
    nb = json.loads(path.read_text())
    assert colab_cell.has_current_cell(nb, kind), (
        f"{path.name}: its first code cell is not the current Colab install cell (hidden, "
        "installs the course from repository.url): run `make colab-cells` "
        "(python -m tools.colab_cell) and commit"
    )


def _run_install_cell(kind, optimlite_importable):
    """Run the install cell in an IPython shell; return the lines given to ``%pip``."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    calls = []
    original = shell.magics_manager.magics["line"].get("pip")
    shell.register_magic_function(calls.append, "line", "pip")
    saved = sys.modules.get("optimlite")
    if not optimlite_importable:
        sys.modules["optimlite"] = None  # import optimlite now raises ImportError
    try:
        result = shell.run_cell(colab_cell.cell_source(kind))
        result.raise_error()
    finally:
        if saved is not None:
            sys.modules["optimlite"] = saved
        else:
            sys.modules.pop("optimlite", None)
        if original is not None:
            shell.magics_manager.magics["line"]["pip"] = original
    return calls


@pytest.mark.parametrize("kind,extra", [("chapter", "myst-nb=="), ("exercise", "otter-grader==")])
def test_install_cell_installs_from_the_repository_only_when_needed(kind, extra):
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    assert _run_install_cell(kind, optimlite_importable=True) == []
    (line,) = _run_install_cell(kind, optimlite_importable=False)
    words = line.split()
    assert words[:2] == ["install", "--quiet"]
    assert f"git+{url.rstrip('/')}" in words
    assert any(w.startswith(extra) for w in words), line
