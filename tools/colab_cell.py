"""The first code cell of every chapter and exercise set: install the course where it is missing.

On Colab (or any kernel without the course) ``optimlite`` is not importable, so a notebook opened
from the book's Colab launch button, or an exercise set uploaded there, would stop at its first
import. Each chapter and each exercise master therefore starts its code with one cell that
installs the course from its repository (``repository.url`` in ``_config.yml``, as
``git+<url>``) when ``import optimlite`` fails, together with what the notebooks import and Colab
lacks (chapters: ``myst-nb``; exercise sets: ``otter-grader``, at the pins of
``requirements.txt``). Where the course is installed (the book build, ``make test``, JupyterLab,
Binder, grading) the cell imports ``optimlite`` and does nothing else. The book hides it (tag
``remove-cell``); the exercise build moves it before otter's init cell in the student notebook
(``import otter`` would fail first on Colab) and leaves it off the set's page.

Usage: ``python -m tools.colab_cell`` (``make colab-cells``) inserts the cell into, or updates it
in, every ``chapters/*.ipynb`` and ``exercises/<set>/<set>.ipynb``; running it again changes
nothing. ``--check`` only lists the notebooks whose cell is missing or stale (exit status 1).
``tests/test_notebook_hygiene.py`` fails until every notebook has the current cell.
"""

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
#: the first line of the cell, how it is recognised
HEADER = "# Colab, or any kernel without the course: install it (hidden in the book; a no-op here)."
CELL_ID = "colab-install"
TAG = "remove-cell"


def repository_url(root=ROOT):
    """``repository.url`` of ``_config.yml``, without a trailing slash or ``.git``."""
    config = yaml.safe_load((Path(root) / "_config.yml").read_text())
    url = str(config["repository"]["url"]).rstrip("/")
    return url.removesuffix(".git")


def pin(package, root=ROOT):
    """``package==version`` as ``requirements.txt`` pins it."""
    for line in (Path(root) / "requirements.txt").read_text().splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[^\]]*\])?==(\S+)", line.split("#")[0].strip())
        if match and match.group(1).lower() == package.lower():
            return f"{match.group(1)}=={match.group(3)}"
    raise ValueError(f"requirements.txt does not pin {package} (a line `{package}==VERSION`)")


def cell_source(kind, root=ROOT):
    """The cell's source for ``kind`` ``"chapter"`` or ``"exercise"``."""
    extra = {"chapter": "myst-nb", "exercise": "otter-grader"}[kind]
    return (
        f"{HEADER}\n"
        f'COURSE = "git+{repository_url(root)}"\n'
        "try:\n"
        "    import optimlite  # noqa: F401\n"
        "except ImportError:\n"
        f"    %pip install --quiet {{COURSE}} {pin(extra, root)}"
    )


def new_cell(kind, root=ROOT):
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": CELL_ID,
        "metadata": {"tags": [TAG]},
        "outputs": [],
        "source": cell_source(kind, root).splitlines(keepends=True),
    }


def is_colab_cell(cell):
    """Whether ``cell`` (a dict) is the install cell (any version of it)."""
    source = "".join(cell.get("source", ""))
    return cell.get("cell_type") == "code" and source.startswith(HEADER)


def notebooks(root=ROOT):
    """(path, kind) of every chapter and exercise master."""
    root = Path(root)
    found = [(p, "chapter") for p in sorted((root / "chapters").glob("*.ipynb"))]
    for folder in sorted(p for p in (root / "exercises").iterdir() if p.is_dir()):
        master = folder / f"{folder.name}.ipynb"
        if master.is_file():
            found.append((master, "exercise"))
    return found


def with_cell(nb, kind, root=ROOT):
    """``nb`` (a dict) with the current cell as its first code cell (a new dict)."""
    cells = [c for c in nb["cells"] if not is_colab_cell(c)]
    first_code = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), len(cells))
    cells.insert(first_code, new_cell(kind, root))
    return dict(nb, cells=cells)


def has_current_cell(nb, kind, root=ROOT):
    """Whether the notebook's first code cell is exactly the current install cell."""
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    if not code or not is_colab_cell(code[0]):
        return False
    cell = code[0]
    return (
        "".join(cell["source"]) == cell_source(kind, root)
        and TAG in cell.get("metadata", {}).get("tags", [])
        and not cell.get("outputs")
        and sum(is_colab_cell(c) for c in nb["cells"]) == 1
    )


def hoist(nb):
    """``nb`` (a dict) with its install cell moved to the very top (before otter's init cell)."""
    cells = nb["cells"]
    mine = [c for c in cells if is_colab_cell(c)]
    return dict(nb, cells=mine + [c for c in cells if not is_colab_cell(c)])


def _write(path, nb):
    # the layout nbformat and Jupyter write: one-space indent, non-ASCII kept, final newline
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.colab_cell", description=__doc__)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    stale = []
    for path, kind in notebooks():
        nb = json.loads(path.read_text())
        if has_current_cell(nb, kind):
            continue
        stale.append(path.relative_to(ROOT))
        if not args.check:
            _write(path, with_cell(nb, kind))
    verb = "stale or missing in" if args.check else "written to"
    for path in stale:
        print(f"install cell {verb} {path}")
    if not stale:
        print("every chapter and exercise master has the current install cell")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
