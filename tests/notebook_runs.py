"""The second, independent execution of every chapter: a fresh kernel per notebook.

``make test`` executes each chapter exactly twice, the minimum for what it proves:

1. the strict book build (``tools/book.py``) executes every chapter once and leaves the executed
   copy under ``_build/jupyter_execute``. That run is checked three ways:
   the build fails on any warning or cell error (``test_book.py``), its claim cells must equal
   the outputs committed in git (``test_notebook_claims.py``), and
2. this module's run, started by the ``book`` fixture (``tests/conftest.py``) *at the same time*
   as the build, one fresh kernel per chapter, writes its executed copies under ``_build/fresh``;
   ``test_notebook_determinism.py`` compares them with the build's (two fresh kernels, same
   claims).

Run as a script: ``python tests/notebook_runs.py OUT NOTEBOOK...`` executes the notebooks one
after the other (each in its own kernel, the notebook's folder as working directory, as the book
does), writes ``OUT/<name>.ipynb`` for each (the partial notebook when a cell failed) and
``OUT/runs.json``: per notebook, the seconds it took and the error, if any. It never stops at a
failing notebook. The seconds are for information (``benchmarks/book_build.py``), never tested.
"""

import copy
import json
import sys
import time
from pathlib import Path

#: seconds one cell may take (a chapter should run in well under a minute on two cores)
CELL_TIMEOUT = 300
RUNS = "runs.json"


def execute(nb, folder, in_place=False):
    """``nb`` executed in a fresh kernel whose working directory is ``folder`` (a copy, unless
    ``in_place``: then a cell error leaves the outputs so far in ``nb``)."""
    from nbclient import NotebookClient

    nb = nb if in_place else copy.deepcopy(nb)
    client = NotebookClient(
        nb, kernel_name="python3", timeout=CELL_TIMEOUT, resources={"metadata": {"path": folder}}
    )
    client.execute()
    return nb


def run_all(out, paths):
    """Execute every notebook of ``paths`` in turn into ``out``; return the runs.json dict."""
    import nbformat

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    runs = {}
    for path in map(Path, paths):
        nb = nbformat.read(path, as_version=4)
        start = time.monotonic()
        error = None
        try:
            execute(nb, str(path.parent), in_place=True)
        except Exception as exc:  # a failing chapter is reported, the others still run
            error = f"{type(exc).__name__}: {exc}"[-3000:]
        runs[path.name] = {"seconds": round(time.monotonic() - start, 2), "error": error}
        nbformat.write(nb, out / path.name)
        (out / RUNS).write_text(json.dumps(runs, indent=1) + "\n")
    return runs


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: python tests/notebook_runs.py OUT NOTEBOOK...")
    results = run_all(sys.argv[1], sys.argv[2:])
    sys.exit(1 if any(r["error"] for r in results.values()) else 0)
