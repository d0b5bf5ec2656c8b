"""Fixtures for the exercise tests: the generated sets (built once, shared by xdist workers)."""

import fcntl

import pytest

from exercises import DIST, build, masters


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
