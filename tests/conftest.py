"""Shared fixtures: the strict book build, done once per test run even under pytest-xdist.

The build is the one ``make book`` makes (``tools/book.py``: every chapter executed afresh, one
kernel per core, then Sphinx). While it runs, the chapters run a second time, each in a fresh
kernel, one after another, in a process of their own (``tests/notebook_runs.py``); the
determinism test compares the two runs afterwards without executing anything. Every kernel uses
one thread (``ONE_THREAD``): there are more kernels than cores.
"""

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# the repository's own packages (exercises, tools) import from the root, under `pytest` too
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from tools.book import EXECUTED, ONE_THREAD  # noqa: E402 (needs the root on sys.path)

BUILD = ROOT / "_build"
HTML = BUILD / "html"
#: the second run of every chapter (``tests/notebook_runs.py``), made during the build
FRESH = BUILD / "fresh"
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
TIMEOUT = 1800


class BookBuild:
    """The outcome of ``jupyter-book build . -W -n --keep-going`` (exit code and log), and where
    the build's executed notebooks (``executed``) and the second run's (``fresh``) are."""

    def __init__(self, returncode: int, log: str):
        self.returncode = returncode
        self.log = log
        self.html = HTML
        self.executed = EXECUTED
        self.fresh = FRESH


def _build_book() -> BookBuild:
    """Build the book strictly while the second run executes every chapter, in parallel."""
    shutil.rmtree(FRESH, ignore_errors=True)
    runner = [sys.executable, str(ROOT / "tests" / "notebook_runs.py"), str(FRESH)]
    env = {**os.environ, **ONE_THREAD}
    with open(BUILD / ".fresh.log", "w") as fresh_log:
        fresh = subprocess.Popen(
            runner + [str(p) for p in CHAPTERS],
            cwd=ROOT,
            stdout=fresh_log,
            stderr=fresh_log,
            env=env,
        )
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "tools.book"],  # what `make book` runs
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
            )
            fresh.wait(timeout=TIMEOUT)
        finally:
            if fresh.poll() is None:
                fresh.kill()
    return BookBuild(proc.returncode, proc.stdout + proc.stderr)


@pytest.fixture(scope="session")
def book() -> BookBuild:
    """Build the book strictly once per test run; xdist workers share it through a file lock.

    ``BOOK_REUSE=1`` reuses the last build of an earlier run instead (its exit code and log; the
    second run's notebooks only if that build made them): for re-running the page and browser
    tests while fixing them. ``make test`` never sets it.
    """
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID", f"pid{os.getpid()}")
    BUILD.mkdir(exist_ok=True)
    marker = BUILD / f".built-{run_id}"
    log_file = BUILD / ".build.log"
    with open(BUILD / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if os.environ.get("BOOK_REUSE") == "1":
                previous = sorted(BUILD.glob(".built-*"))
                if previous and log_file.exists():
                    marker = previous[-1]
            if marker.exists():
                code, log = marker.read_text().split("\n", 1)[0], log_file.read_text()
                return BookBuild(int(code), log)
            for stale in BUILD.glob(".built-*"):
                stale.unlink()
            result = _build_book()
            log_file.write_text(result.log)
            marker.write_text(f"{result.returncode}\n")
            return result
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
