"""``make book`` and ``make preview``: the strict book build, its notebooks executed in parallel.

Both build from a copy of ``_config.yml`` in cache mode (``_config.cache.yml``, git-ignored) and
run Sphinx just as strictly (``-W -n --keep-going``: any warning or cell error fails). Before
Sphinx reads a page, jupyter-cache executes the notebooks it has no current run of, one worker
per core (its ``local-parallel`` executor, each kernel in the notebook's folder, as the book
does), so on two cores the chapters take half the time they take one after another. Sphinx then
finds every notebook in the cache and only renders.

- ``make book`` (``python -m tools.book``) empties the cache first: every notebook executes
  afresh on every build, and ``--all`` makes Sphinx re-read every page, so a change to
  ``optimlite`` reaches every page.
- ``make preview`` (``--preview``) keeps the cache: a notebook executes only when its code
  changed, so an unchanged rebuild takes seconds and after editing one chapter only that chapter
  executes. The cache cannot see a change to the package a notebook imports, so it is emptied
  whenever ``optimlite``, ``pyproject.toml`` or ``requirements.txt`` changed since it was filled.

In cache mode myst-nb renders the cached outputs but writes the notebook *as read* (committed
outputs, or none) to ``_build/jupyter_execute``, where force mode writes the executed one; after
Sphinx, ``write_executed_copies`` puts the executed notebooks there, as force mode leaves them
(glued values taken out), so the claims tests read what this build computed.

A notebook that fails is reported with its traceback, and the build stops there (exit 1).
``jupyter-book build .`` alone still works: it executes every notebook itself, one at a time
(``execute_notebooks: force``).
"""

import argparse
import hashlib
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "_config.cache.yml"
CACHE = ROOT / "_build" / ".jupyter_cache"
EXECUTED = ROOT / "_build" / "jupyter_execute"
STAMP = ".sources-sha256"
STRICT = ["-W", "-n", "--keep-going"]
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
#: one kernel per core, so each kernel's numpy and torch use one thread: with a thread pool each,
#: two kernels on two cores fight over them (chapter 10 took 57 s instead of 22)
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def sources_digest(root=ROOT):
    """sha256 of what every notebook imports from the repository and the pins it runs on."""
    root = Path(root)
    files = [root / "pyproject.toml", root / "requirements.txt"]
    files += sorted(p for p in (root / "optimlite").rglob("*.py") if "__pycache__" not in p.parts)
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def cache_config(text):
    """``_config.yml``'s text with notebooks executed in cache mode."""
    forced = "execute_notebooks: force"
    if forced not in text:
        raise ValueError(f"_config.yml has no `{forced}` line to switch to cache mode")
    return text.replace(forced, "execute_notebooks: cache", 1)


def toc_files(root=ROOT):
    """Every file ``_toc.yml`` names (root first, then in reading order), without its suffix."""
    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections", []))

    for part in toc.get("parts", []):
        walk(part["chapters"])
    return files


def book_notebooks(root=ROOT):
    """The notebooks the book executes: every ``.ipynb`` the table of contents names, less the
    ``execute.exclude_patterns`` of ``_config.yml`` (the exercise sets)."""
    root = Path(root)
    excluded = yaml.safe_load((root / "_config.yml").read_text())["execute"]["exclude_patterns"]
    paths = [root / f"{name}.ipynb" for name in toc_files(root)]
    return [
        p
        for p in paths
        if p.is_file() and not any(p.relative_to(root).match(pat) for pat in excluded)
    ]


def execute_into_cache(notebooks, timeout, cache_path=CACHE):
    """Execute every notebook the cache has no run of, one per core at a time; return the failed
    ones as (path, traceback) pairs. Prints one line per notebook, with its seconds, as it ends.

    jupyter-cache's own ``local-parallel`` executor hands its workers the notebooks in fixed
    pairs (``Pool.map``'s chunks), so a core can idle while the other runs two long chapters;
    here each worker takes the next notebook when it is free, with that executor's worker
    (which runs the notebook in its folder and caches the result).
    """
    import multiprocessing

    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor
    from jupyter_cache.executors.basic import ExecutionWorkerLocalMProc, ProcessData

    cache = get_cache(str(cache_path))
    uris = [str(p) for p in notebooks]
    for uri in uris:
        cache.add_nb_to_project(uri)
    executor = load_executor("local-parallel", cache, logger=logging.getLogger("tools.book"))
    records = executor.get_records(filter_uris=uris, clear_tracebacks=True)
    jobs = [ProcessData(r.pk, r.uri, cache, timeout, False) for r in records]
    multiprocessing.log_to_stderr(logging.WARNING)  # a worker's errors, with their tracebacks
    start = time.monotonic()
    failed = []
    if jobs:
        print(f"executing {len(jobs)} notebook(s), {os.cpu_count()} at a time:", flush=True)
    with multiprocessing.Pool() as pool:
        for status, uri in pool.imap_unordered(ExecutionWorkerLocalMProc(), jobs, chunksize=1):
            name = os.path.relpath(uri, ROOT)
            if status == 0:
                seconds = cache.get_cached_project_nb(uri).data.get("execution_seconds", 0.0)
                print(f"  {name}: {seconds:.1f} s", flush=True)
                continue
            print(f"  {name}: FAILED", flush=True)
            record = cache.get_project_record(uri)
            traceback = record.traceback or "(no traceback: see the log above)"
            failed.append((Path(uri), ANSI_COLOUR.sub("", traceback)))
    if jobs:
        print(f"executed {len(jobs)} notebook(s) in {time.monotonic() - start:.0f} s", flush=True)
    return failed


def write_executed_copies(notebooks, cache_path=CACHE, out=EXECUTED, root=ROOT):
    """Write each notebook with the outputs of its cached run to ``out`` (same relative path), as
    myst-nb's force mode leaves it: glued values taken out of their cells' outputs."""
    import nbformat
    from jupyter_cache import get_cache
    from myst_nb.ext.glue import extract_glue_data_cell

    cache = get_cache(str(cache_path))
    for path in map(Path, notebooks):
        _, executed = cache.merge_match_into_notebook(nbformat.read(path, as_version=4))
        for cell in executed.cells:
            if cell.cell_type == "code":
                extract_glue_data_cell(cell)
        target = Path(out) / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(executed, target)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--preview", action="store_true", help="keep the cache: execute only what changed"
    )
    args = parser.parse_args(argv)
    os.environ.update(ONE_THREAD)  # the kernels inherit it
    config_text = (ROOT / "_config.yml").read_text()
    CONFIG.write_text(cache_config(config_text))
    timeout = yaml.safe_load(config_text)["execute"]["timeout"]
    digest = sources_digest()
    stamp = CACHE / STAMP
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT)]
    cmd += ["--config", str(CONFIG)] + STRICT
    stale = not stamp.is_file() or stamp.read_text().strip() != digest
    if CACHE.exists() and (not args.preview or stale):
        if args.preview:
            print("optimlite or the pins changed: every notebook executes again")
        shutil.rmtree(CACHE)
    if not args.preview or stale:
        cmd.append("--all")  # Sphinx would otherwise keep the pages of unchanged notebooks
    notebooks = book_notebooks()
    failed = execute_into_cache(notebooks, timeout)
    for path, traceback in failed:
        print(f"\n{os.path.relpath(path, ROOT)} failed:\n{traceback}", file=sys.stderr)
    if failed:
        print(f"{len(failed)} notebook(s) failed: the book is not built", file=sys.stderr)
        return 1
    stamp.write_text(digest + "\n")
    returncode = subprocess.call(cmd, cwd=ROOT)
    write_executed_copies(notebooks)
    return returncode


if __name__ == "__main__":
    sys.exit(main())
