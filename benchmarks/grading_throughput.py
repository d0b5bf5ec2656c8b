"""How many submissions ``make grade`` grades per minute.

Builds a batch of set ``08_adam`` submissions (half solved, half blank: the blank ones fail fast,
the solved ones run every hidden test, 160 calls across the sandbox boundary) and grades it with
:func:`exercises.grade.grade_folder`, once with one job and once with one job per core, each
submission in its trusted process with its sandbox (:mod:`optimlite.autograde.trusted`).

Run: ``python benchmarks/grading_throughput.py [N]`` (default 50 submissions; needs
``make exercises``). The last line is ``grading: <x> submissions per minute with <j> jobs
(<y> with 1 job), isolation <level>``.
"""

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exercises import DIST, grade, student_notebook  # noqa: E402
from optimlite.autograde.isolation import isolation_level  # noqa: E402

SET = "08_adam"


def batch(folder, n):
    """``n`` submissions of the set in ``folder``, alternately solved and blank."""
    solved = DIST / SET / "autograder" / f"{SET}.ipynb"
    for i in range(n):
        source = solved if i % 2 == 0 else student_notebook(SET)
        shutil.copy(source, Path(folder) / f"{SET}_{i:03d}.ipynb")


def rate(folder, jobs):
    """Submissions per minute grading ``folder`` with ``jobs`` at a time, and the rows."""
    start = time.monotonic()
    rows = grade.grade_folder(folder, Path(folder) / "grades.csv", jobs=jobs)
    seconds = time.monotonic() - start
    return 60 * len(rows) / seconds, rows


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    n = int(argv[0]) if argv else 50
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as folder:
        batch(folder, n)
        one, rows = rate(folder, 1)
        many, rows = rate(folder, cores)
    statuses = {}
    for row in rows:
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    totals = sorted({row.get("total") for row in rows}, key=str)
    print(f"{n} submissions: statuses {json.dumps(statuses)}, totals {totals}")
    print(
        f"grading: {many:.1f} submissions per minute with {cores} jobs ({one:.1f} with 1 job), "
        f"isolation {isolation_level()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
