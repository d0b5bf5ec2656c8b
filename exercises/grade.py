"""Grade a folder of submitted exercise notebooks into one CSV (``make grade SUBMISSIONS=dir``).

Usage: ``python -m exercises.grade FOLDER [-o grades.csv] [-j JOBS] [--timeout 300]
[--cell-timeout 60] [--memory-mb 2048]``

Every ``.ipynb`` (or otter export ``.zip``) under FOLDER is graded offline, without Docker, with
its set's tests (hidden ones included) from the set's autograder zip, ``JOBS`` submissions at a
time (default: the number of cores). Each submission is graded by its own trusted process
(:mod:`optimlite.autograde.trusted`), which runs the learner's cells in a sandbox
(:mod:`optimlite.autograde.isolation`: memory, CPU time and file limits, no network, read-only
files) and decides the score outside it, so no cell can change its own grade. The set comes from
the notebook's metadata (``otter.assignment_name``), else from the file name. One CSV row per
submission: ``file, set, q1.., total, max, status, message``. ``status`` is ``graded``, or
``flagged`` when the code reaches for the grader, the process or the files
(:mod:`optimlite.autograde.tamper`; the score stands, a teacher should look), ``timeout``,
``error``, ``unreadable`` or ``unknown set``; a submission that loops, crashes or cannot be read
gets its row with the reason, and the batch goes on. One line per submission is printed as it
finishes, and a summary at the end."""

import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from optimlite.autograde import tamper

from . import HERE, autograder_zip, masters

_ERROR_LINE = re.compile(r"^\s*([A-Za-z_][\w.]*(?:Error|Exception|Exceeded|Interrupt)): (.*)$")


def _read_notebook(path):
    """The submission's notebook as a dict (from a .ipynb, or the one .ipynb inside a .zip)."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n.endswith(".ipynb") and "checkpoint" not in n]
            if len(names) != 1:
                raise ValueError(f"the zip holds {len(names)} notebooks, expected 1")
            nb = json.loads(zf.read(names[0]))
    else:
        nb = json.loads(path.read_text(encoding="utf-8"))
    if not (isinstance(nb, dict) and isinstance(nb.get("cells"), list)):
        raise ValueError("not a Jupyter notebook (no list of cells)")
    if not isinstance(nb.get("metadata", {}), dict):
        raise ValueError("not a Jupyter notebook (metadata is not a mapping)")
    return nb


def _natural(name):
    """Sort key putting q2 before q10 (and q2a after q2)."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def identify_set(path, nb, known):
    """The set a submission belongs to: its otter metadata, else its file name; None if unknown."""
    name = nb.get("metadata", {}).get("otter", {}).get("assignment_name")
    if name in known:
        return name
    stem = path.stem.lower()
    for candidate in sorted(known, key=len, reverse=True):
        if candidate.lower() in stem:
            return candidate
    number = re.match(r"\d+", stem)  # "08-adam-jane.ipynb" -> set 08_...
    if number:
        for candidate in known:
            prefix = candidate.split("_")[0]
            if prefix.isdigit() and int(prefix) == int(number.group()):
                return candidate
    return None


def _messages(results):
    """``q1: hint | q2: hint``: the error lines of the failed test cases, per question."""
    parts = []
    for test in results.get("tests", []):
        if "score" not in test or test.get("score") == test.get("max_score"):
            continue
        seen = []
        for line in test.get("output", "").splitlines():
            m = _ERROR_LINE.match(line)
            if m:
                text = m.group(2) if m.group(1) == "AssertionError" else line.strip()
                if text not in seen:
                    seen.append(text)
        parts.append(f"{test['name']}: " + (" / ".join(seen) or "failed"))
    return " | ".join(parts)


def _scores(results):
    """Dict question -> score, and the total and maximum."""
    scores, total, most = {}, 0.0, 0.0
    for test in results.get("tests", []):
        if "score" in test and "max_score" in test:
            scores[test["name"]] = test["score"]
            total += test["score"]
            most += test["max_score"]
    return scores, total, most


def grade_one(path, set_name, *, timeout=300, cell_timeout=60, memory_mb=2048, nb=None):
    """Grade one submission in a trusted subprocess (``optimlite.autograde.trusted``); its row.

    ``nb`` is the submission's notebook when the caller has already read it."""
    row = {"file": str(path), "set": set_name or "", "total": "", "max": ""}
    nb = _read_notebook(path) if nb is None else nb
    findings = tamper.findings(nb)
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        submission = Path(tmp) / f"{set_name}.ipynb"
        submission.write_text(json.dumps(nb), encoding="utf-8")
        cmd = [
            sys.executable, "-m", "optimlite.autograde.trusted",
            "-a", str(autograder_zip(set_name)),
            "--cell-timeout", str(cell_timeout), "--memory-mb", str(memory_mb),
            "--cpu-seconds", str(timeout), *(f"--hide={folder}" for folder in _hidden()),
            str(submission),
        ]  # fmt: skip
        proc = subprocess.Popen(
            cmd, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True,  # one process group: the sandbox goes with it on timeout
        )  # fmt: skip
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return row | {
                "status": "flagged" if findings else "timeout",
                "message": _join(f"grading did not finish within {timeout} s; not graded",
                                 tamper.describe(findings)),
            }  # fmt: skip
    lines = out.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = [line for line in err.strip().splitlines() if line.strip()][-1:] or ["no output"]
        return row | {"status": "error", "message": f"grading failed: {tail[0][:300]}"}
    results = json.loads(lines[-1])
    scores, total, most = _scores(results)
    cells = results.get("cell_errors", [])[:3]
    failed_cells = [f"code cell {i + 1} failed: {error}" for i, error in cells]
    message = _join(
        *results.get("notes", []), *failed_cells, _messages(results), tamper.describe(findings)
    )
    status = "flagged" if findings else "graded"
    return row | scores | {"total": total, "max": most, "status": status, "message": message}


def _join(*parts):
    """The non-empty parts, joined by `` | ``."""
    return " | ".join(part for part in parts if part)


def _hidden():
    """The folders a learner's process must not read: every set's master (solutions, hidden
    tests) and the generated autograder zips."""
    return sorted(p for p in HERE.iterdir() if p.is_dir() and p.name != "__pycache__")


def find_submissions(folder):
    """Every notebook or zip under ``folder`` (checkpoints skipped), sorted."""
    found = [
        p
        for p in Path(folder).rglob("*")
        if p.suffix in {".ipynb", ".zip"} and ".ipynb_checkpoints" not in p.parts
    ]
    return sorted(found)


def grade_folder(folder, output, *, timeout=300, cell_timeout=60, memory_mb=2048, jobs=None):
    """Grade every submission under ``folder`` into the CSV ``output``, ``jobs`` at a time
    (default: the number of cores); return the rows."""
    known = list(masters())
    if not known:
        raise SystemExit("no exercise sets found under exercises/")
    for name in known:
        autograder_zip(name)  # fails early, with advice, when `make exercises` has not run
    submissions = find_submissions(folder)

    def grade(path):
        try:
            nb = _read_notebook(path)
        except (ValueError, OSError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
            return {"file": str(path), "status": "unreadable", "message": str(exc)[:300]}
        set_name = identify_set(path, nb, known)
        if set_name is None:
            hint = "no otter metadata and no set name or number (e.g. 08_adam) in the file name"
            return {"file": str(path), "status": "unknown set", "message": hint}
        return grade_one(
            path, set_name, timeout=timeout, cell_timeout=cell_timeout, memory_mb=memory_mb, nb=nb
        )

    done = iter(range(1, len(submissions) + 1))  # next() is atomic enough under the GIL

    def one(path):
        start = time.monotonic()
        try:
            row = grade(path)
        except Exception as exc:  # one bad submission must not stop the batch
            row = {"file": str(path), "status": "error"}
            row["message"] = f"{type(exc).__name__}: {exc}"[:300]
        score = f" {row['total']:g}/{row['max']:g}" if row.get("max") not in (None, "") else ""
        print(
            f"[{next(done)}/{len(submissions)}] {path}: {row['status']}{score} "
            f"({time.monotonic() - start:.1f} s)",
            flush=True,
        )
        return row

    jobs = jobs or os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        rows = list(pool.map(one, submissions))

    fixed = ["file", "set", "total", "max", "status", "message"]
    questions = sorted({k for r in rows for k in r if k not in fixed}, key=_natural)
    fields = ["file", "set", *questions, "total", "max", "status", "message"]
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    with open(output, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m exercises.grade", description=__doc__)
    parser.add_argument("folder", help="folder of submitted notebooks (.ipynb or otter .zip)")
    parser.add_argument("-o", "--output", default="grades.csv", help="CSV to write")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per submission")
    parser.add_argument("--cell-timeout", type=int, default=60, help="seconds per cell")
    parser.add_argument("--memory-mb", type=int, default=2048, help="memory per submission (MB)")
    parser.add_argument(
        "-j", "--jobs", type=int, default=None, help="submissions graded at once (default: cores)"
    )
    args = parser.parse_args(argv)
    if not Path(args.folder).is_dir():
        parser.error(f"{args.folder} is not a folder")
    if min(args.timeout, args.cell_timeout, args.memory_mb, args.jobs or 1) <= 0:
        parser.error("--timeout, --cell-timeout, --memory-mb and --jobs must be positive")
    start = time.monotonic()
    rows = grade_folder(
        args.folder,
        args.output,
        timeout=args.timeout,
        cell_timeout=args.cell_timeout,
        memory_mb=args.memory_mb,
        jobs=args.jobs,
    )
    print(summary(rows, time.monotonic() - start, args.output))
    return 0


def summary(rows, seconds, output):
    """``12 submissions in 41 s (17.6 per minute): 10 graded, 1 flagged, 1 timeout; wrote ...``"""
    counts = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    statuses = ", ".join(f"{n} {status}" for status, n in counts.items()) or "nothing to grade"
    rate = f" ({60 * len(rows) / seconds:.1f} per minute)" if rows and seconds > 0 else ""
    return f"{len(rows)} submission(s) in {seconds:.0f} s{rate}: {statuses}; wrote {output}"


if __name__ == "__main__":
    sys.exit(main())
