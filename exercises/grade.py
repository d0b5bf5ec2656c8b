"""Grade a folder of submitted exercise notebooks into one CSV (``make grade SUBMISSIONS=dir``).

Usage: ``python -m exercises.grade FOLDER [-o grades.csv] [--timeout 300] [--cell-timeout 60]``

Every ``.ipynb`` (or otter export ``.zip``) under FOLDER is graded offline, without Docker, by
``otter run`` with its set's autograder zip (hidden tests included), each in its own subprocess
with a wall-clock limit. The set comes from the notebook's metadata (``otter.assignment_name``),
else from the file name. One CSV row per submission: ``file, set, q1.., total, max, status,
message``; a submission that loops, crashes or cannot be read gets its row with the reason, and
the batch goes on.
"""

import argparse
import copy
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

from . import autograder_zip, masters
from .otter_run import INTERRUPTED

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


def grade_one(path, set_name, *, timeout=300, cell_timeout=60, nb=None):
    """Grade one submission in a subprocess; return its CSV row (a dict).

    ``nb`` is the submission's notebook when the caller has already read it."""
    row = {"file": str(path), "set": set_name or "", "total": "", "max": ""}
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        tmp = Path(tmp)
        nb = _read_notebook(path) if nb is None else copy.deepcopy(nb)
        # the init cell opens "<set>.ipynb" and otter checks the assignment name: provide both
        nb.setdefault("metadata", {}).setdefault("otter", {})["assignment_name"] = set_name
        submission = tmp / "submission" / f"{set_name}.ipynb"
        submission.parent.mkdir()
        submission.write_text(json.dumps(nb), encoding="utf-8")
        out = tmp / "out"
        out.mkdir()
        cmd = [
            sys.executable,
            "-m",
            "exercises.otter_run",
            "--cell-timeout",
            str(cell_timeout),
            "-a",
            str(autograder_zip(set_name)),
            "-o",
            str(out),
            str(submission),
        ]
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
        proc = subprocess.Popen(
            cmd,
            cwd=tmp,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # one process group: the kernel dies with it on timeout
        )
        try:
            log, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return row | {
                "status": "timeout",
                "message": f"grading did not finish within {timeout} s; not graded",
            }
        results_path = out / "results.json"
        if proc.returncode != 0 or not results_path.is_file():
            tail = [line for line in log.strip().splitlines() if line.strip()][-1:] or ["no output"]
            return row | {"status": "error", "message": f"otter run failed: {tail[0][:300]}"}
        results = json.loads(results_path.read_text())
    scores, total, most = _scores(results)
    message = _messages(results)
    notes = [line.strip() for line in log.splitlines() if line.startswith(INTERRUPTED)]
    if notes:
        message = " | ".join(n.replace("otter_run: i", "I", 1) for n in notes + [message] if n)
    return row | scores | {"total": total, "max": most, "status": "graded", "message": message}


def find_submissions(folder):
    """Every notebook or zip under ``folder`` (checkpoints skipped), sorted."""
    found = [
        p
        for p in Path(folder).rglob("*")
        if p.suffix in {".ipynb", ".zip"} and ".ipynb_checkpoints" not in p.parts
    ]
    return sorted(found)


def grade_folder(folder, output, *, timeout=300, cell_timeout=60, jobs=1):
    """Grade every submission under ``folder`` into the CSV ``output``; return the rows."""
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
        return grade_one(path, set_name, timeout=timeout, cell_timeout=cell_timeout, nb=nb)

    def one(path):
        start = time.monotonic()
        try:
            row = grade(path)
        except Exception as exc:  # one bad submission must not stop the batch
            row = {"file": str(path), "status": "error"}
            row["message"] = f"{type(exc).__name__}: {exc}"[:300]
        print(
            f"{path}: {row['status']} {row.get('total', '')}/{row.get('max', '')} "
            f"({time.monotonic() - start:.1f} s)",
            flush=True,
        )
        return row

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
    parser.add_argument("-j", "--jobs", type=int, default=1, help="submissions graded at once")
    args = parser.parse_args(argv)
    if not Path(args.folder).is_dir():
        parser.error(f"{args.folder} is not a folder")
    if args.timeout <= 0 or args.cell_timeout <= 0:
        parser.error("--timeout and --cell-timeout must be positive")
    rows = grade_folder(
        args.folder,
        args.output,
        timeout=args.timeout,
        cell_timeout=args.cell_timeout,
        jobs=args.jobs,
    )
    graded = sum(r["status"] == "graded" for r in rows)
    print(f"{graded} of {len(rows)} submission(s) graded; wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
