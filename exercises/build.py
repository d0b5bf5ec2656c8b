"""Generate the student and autograder versions of every exercise set (``make exercises``).

Usage: ``python -m exercises.build [--force] [SET ...]``

For each master ``exercises/<set>/<set>.ipynb`` this runs ``otter assign`` into
``exercises/dist/<set>/`` (skipped when the master and otter's version are unchanged since the last
run), writes ``<set>-student.zip`` (the student notebook and its public tests as files, which otter
needs on Colab), checks that no student notebook leaks a solution or a hidden test, and writes the
set's book page ``exercises/<set>.md`` from its student notebook. It then regenerates the table of
sets in ``exercises/index.md`` from every master (:mod:`exercises.pages`). Any failure is printed
in full and the command exits with status 1.
"""

import argparse
import hashlib
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import DIST, autograder_zip, masters, student_notebook
from .pages import write_index, write_page

#: seconds one ``otter assign`` may take before it counts as failed
ASSIGN_TIMEOUT = 300
#: text that must never appear in a student notebook (sources or metadata)
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "# SOLUTION", "BEGIN TESTS", "# HIDDEN")
_STAMP = ".master-sha256"


def _otter_version():
    return importlib.metadata.version("otter-grader")  # importing otter itself takes seconds


def _fingerprint(master):
    data = Path(master).read_bytes() + _otter_version().encode()
    return hashlib.sha256(data).hexdigest()


def _is_fresh(name, master):
    out = DIST / name
    stamp = out / _STAMP
    try:
        autograder_zip(name)
    except FileNotFoundError:
        return False
    return (
        stamp.is_file()
        and stamp.read_text().strip() == _fingerprint(master)
        and student_notebook(name).is_file()
        and (out / f"{name}-student.zip").is_file()
    )


def assign(name, master):
    """Run ``otter assign`` for one set; return ``(name, seconds, error message or None)``."""
    out = DIST / name
    shutil.rmtree(out, ignore_errors=True)
    start = time.monotonic()
    cmd = [sys.executable, "-m", "otter", "assign", master.name, str(out)]
    try:
        proc = subprocess.run(
            cmd,
            cwd=master.parent,
            capture_output=True,
            text=True,
            timeout=ASSIGN_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return name, time.monotonic() - start, f"otter assign took over {ASSIGN_TIMEOUT} s"
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        output = proc.stdout + proc.stderr
        return name, seconds, f"otter assign failed ({proc.returncode}):\n{output}"
    try:
        autograder_zip(name)
        if not student_notebook(name).is_file():
            raise FileNotFoundError(f"no student notebook at {student_notebook(name)}")
        write_student_zip(name)
    except (FileNotFoundError, KeyError, ValueError) as exc:
        return name, seconds, str(exc)
    (out / _STAMP).write_text(_fingerprint(master) + "\n")
    return name, seconds, None


def write_student_zip(name):
    """Zip the student notebook with its public tests as ``tests/<question>.py`` files.

    Otter reads the tests from the notebook's metadata, except on Colab where it needs files; a
    ``tests/`` folder beside the notebook takes precedence, so the zip works everywhere.
    """
    nb_path = student_notebook(name)
    tests = json.loads(nb_path.read_text())["metadata"]["otter"]["tests"]
    target = DIST / name / f"{name}-student.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(nb_path, f"{name}/{name}.ipynb")
        for question, source in sorted(tests.items()):
            zf.writestr(f"{name}/tests/{question}.py", source)
    return target


def _cells(nb):
    return [(c["cell_type"], "".join(c["source"])) for c in nb["cells"]]


def _master_secrets(master_nb):
    """Solution lines and hidden-test code of a master (what must not reach students)."""
    solution_lines, hidden = [], []
    in_solution = in_tests = False
    for kind, source in _cells(master_nb):
        head = source.strip().splitlines()[0].strip() if source.strip() else ""
        if kind == "raw":
            in_solution = {"# BEGIN SOLUTION": True, "# END SOLUTION": False}.get(head, in_solution)
            in_tests = {"# BEGIN TESTS": True, "# END TESTS": False}.get(head, in_tests)
            continue
        if kind != "code":
            continue
        if in_solution:
            inside = False
            for line in source.splitlines():
                text = line.strip()
                if text.endswith("# END SOLUTION"):
                    inside = False
                elif inside or text.endswith("# SOLUTION"):
                    code = text.removesuffix("# SOLUTION").strip()
                    if len(code) >= 12 and not code.startswith("#"):
                        solution_lines.append(code)
                if text.startswith("# BEGIN SOLUTION"):
                    inside = True
        if in_tests and re.match(r"#\s*hidden\b", head, flags=re.IGNORECASE):
            hidden += re.findall(r"^def (\w+)\(", source, flags=re.MULTILINE)
    return solution_lines, hidden


def find_leaks(master, student):
    """Messages for every solution line, hidden test or otter marker found in ``student``."""
    master_nb = json.loads(Path(master).read_text())
    text = Path(student).read_text()
    student_nb = json.loads(text)
    student_lines = {
        line.strip()
        for kind, source in _cells(student_nb)
        if kind == "code"
        for line in source.splitlines()
    }
    everything = "\n".join(s for _, s in _cells(student_nb)) + json.dumps(student_nb["metadata"])
    solution_lines, hidden = _master_secrets(master_nb)
    leaks = [f"solution line `{line}`" for line in solution_lines if line in student_lines]
    leaks += [f"hidden test `{name}`" for name in hidden if name in everything]
    leaks += [f"otter marker `{m}`" for m in MARKERS if m in everything]
    if not solution_lines:
        leaks.append("the master has no solution lines between # BEGIN/END SOLUTION: check it")
    return leaks


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m exercises.build", description=__doc__)
    parser.add_argument("sets", nargs="*", help="set names (default: all)")
    parser.add_argument("--force", action="store_true", help="regenerate even if up to date")
    args = parser.parse_args(argv)

    available = masters()
    unknown = [s for s in args.sets if s not in available]
    if unknown:
        parser.error(f"unknown set(s) {unknown}; available: {', '.join(available)}")
    chosen = {s: available[s] for s in (args.sets or available)}
    todo = {s: m for s, m in chosen.items() if args.force or not _is_fresh(s, m)}
    for name in sorted(chosen.keys() - todo.keys()):
        print(f"{name}: up to date")

    failures = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for name, seconds, error in pool.map(lambda item: assign(*item), todo.items()):
            if error:
                failures.append(f"{name}: {error}")
                print(f"{name}: FAILED after {seconds:.1f} s", file=sys.stderr)
            else:
                print(f"{name}: generated in {seconds:.1f} s")

    for name, master in chosen.items():
        if any(f.startswith(f"{name}:") for f in failures):
            continue
        leaks = find_leaks(master, student_notebook(name))
        if leaks:
            failures.append(f"{name}: the student notebook leaks " + "; ".join(leaks))
        else:
            write_page(name, master)

    try:
        write_index()  # the table of sets in exercises/index.md, from every master
    except ValueError as exc:
        failures.append(f"exercises/index.md: {exc}")

    if failures:
        print("\n\n".join(failures), file=sys.stderr)
        return 1
    print(f"{len(chosen)} exercise set(s) ready in {DIST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
