"""Fixtures for the exercise tests: the generated sets (built once, shared by xdist workers)."""

import fcntl
import sys
from pathlib import Path

import pytest

# `exercises` is the repository's package, not this test folder (a namespace package candidate
# when the repository root is not on sys.path, e.g. under the `pytest` entry point)
ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from exercises import DIST, build, masters  # noqa: E402


@pytest.fixture(scope="session")
def exercise_sets():
    """Generate every set if needed (``make test`` already did) and return the set names."""
    DIST.mkdir(exist_ok=True)
    with open(DIST / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            assert build.main([]) == 0, "python -m exercises.build failed (see its output)"
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return list(masters())
