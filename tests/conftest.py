"""Shared fixtures: the strict book build, done once per test run even under pytest-xdist."""

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
HTML = BUILD / "html"
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"


class BookBuild:
    """The outcome of ``jupyter-book build . -W -n --keep-going``: exit code and log."""

    def __init__(self, returncode: int, log: str):
        self.returncode = returncode
        self.log = log
        self.html = HTML


def _build_book() -> BookBuild:
    proc = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(ROOT), "-W", "-n", "--keep-going"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    return BookBuild(proc.returncode, proc.stdout + proc.stderr)


@pytest.fixture(scope="session")
def book() -> BookBuild:
    """Build the book strictly once per test run; xdist workers share it through a file lock."""
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID", f"pid{os.getpid()}")
    BUILD.mkdir(exist_ok=True)
    marker = BUILD / f".built-{run_id}"
    log_file = BUILD / ".build.log"
    with open(BUILD / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
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
