"""Generate the student and autograder versions of every exercise set (``make exercises``).

Usage: ``python -m exercises.build [--force] [SET ...]``

For each master ``exercises/<set>/<set>.ipynb`` this runs ``otter assign`` into
``exercises/dist/<set>/`` (skipped when the master and otter's version are unchanged since the
last run; when only the ``optimlite`` sources changed, the new wheel replaces the old one in the
autograder zip), writes ``<set>-student.zip`` (the student notebook and its
public tests as files, which otter needs on Colab), checks that no student notebook leaks a
solution or a hidden test, and writes the set's book page ``exercises/<set>.md`` from its student
notebook. It then regenerates the table of sets in ``exercises/index.md`` from every master
(:mod:`exercises.pages`). Any failure is printed in full and the command exits with status 1.

The autograder zip works on Gradescope as it is: the tests import ``optimlite``, so the zip
carries a wheel of it built offline from the working tree (:func:`package_wheel`), and its
``environment.yml`` installs that wheel and numpy at the version ``requirements.txt`` pins, on the
course's Python (:func:`grading_config`). otter assign reads these settings from the master's
``ASSIGNMENT CONFIG``; they are added to a staged copy of the master, so the masters stay free of
build details and every new set gets them. The wheel goes in ``autograder_files`` (the zip only):
the student versions do not change.
"""

import argparse
import hashlib
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from tools import colab_cell

from . import DIST, HERE, autograder_zip, masters, student_notebook
from .pages import write_index, write_page

#: seconds one ``otter assign`` may take before it counts as failed
ASSIGN_TIMEOUT = 300
#: text that must never appear in a student notebook (sources or metadata)
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "# SOLUTION", "BEGIN TESTS", "# HIDDEN")
_STAMP = ".master-sha256"
#: the repository root: ``pyproject.toml``, ``requirements.txt`` and the ``optimlite`` package
ROOT = HERE.parent
#: where Gradescope unpacks the autograder zip (otter's ``setup.sh`` reads its files there)
GRADESCOPE_SOURCE = "/autograder/source"
#: the grading image's Python: the one ``requirements.txt`` is pinned for
PYTHON_VERSION = "3.11"
#: the otter plugin that grades every zip's submissions where the learner's code cannot reach
TRUSTED_PLUGIN = "optimlite.autograde.otter_plugin.TrustedGrading"
#: seconds building the optimlite wheel may take
WHEEL_TIMEOUT = 120


def _otter_version():
    return importlib.metadata.version("otter-grader")  # importing otter itself takes seconds


def pinned_version(package):
    """The version ``requirements.txt`` pins ``package`` to (a ``name==version`` line)."""
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[^\]]*\])?==(\S+)", line.split("#")[0].strip())
        if match and match.group(1).lower() == package.lower():
            return match.group(3)
    raise ValueError(f"requirements.txt does not pin {package} (a line `{package}==VERSION`)")


def _package_files():
    """The files a wheel of optimlite is built from, in a fixed order."""
    sources = sorted(p for p in (ROOT / "optimlite").rglob("*.py") if "__pycache__" not in p.parts)
    return [ROOT / "pyproject.toml", *sources]


def _package_digest():
    """sha256 of the optimlite sources and pyproject.toml: the wheel changes when this does."""
    digest = hashlib.sha256()
    for path in _package_files():
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def package_wheel():
    """A wheel of ``optimlite`` built from the working tree, offline; return its path.

    Built with the venv's setuptools (``pip wheel --no-deps --no-build-isolation --no-index``) in
    a copy of the sources, so no ``build/`` folder appears in the working tree, into
    ``exercises/dist/wheel/``; rebuilt only when the sources change.
    """
    out = DIST / "wheel"
    stamp = out / ".sources-sha256"
    digest = _package_digest()
    wheels = sorted(out.glob("optimlite-*.whl"))
    if len(wheels) == 1 and stamp.is_file() and stamp.read_text().strip() == digest:
        return wheels[0]
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        for path in _package_files():
            target = src / path.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
        cmd += ["--no-index", "--quiet", "--wheel-dir", str(out), str(src)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=WHEEL_TIMEOUT)
    wheels = sorted(out.glob("optimlite-*.whl"))
    if proc.returncode != 0 or len(wheels) != 1:
        raise RuntimeError(
            f"building the optimlite wheel failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}"
        )
    stamp.write_text(digest + "\n")
    return wheels[0]


def grading_config(wheel_name):
    """What the autograder zip needs installed, as otter assign settings.

    ``requirements`` become the pip part of the zip's ``environment.yml`` (after otter itself):
    the wheel, which otter puts in the zip's ``files/`` folder, and numpy at the course's pin.
    ``plugins``: after otter's own run (in the learner's kernel, which the learner's code can
    patch) the trusted grader decides the scores (:mod:`optimlite.autograde.otter_plugin`).
    """
    return {
        "plugins": [TRUSTED_PLUGIN],
        "python_version": PYTHON_VERSION,
        "requirements": [
            f"{GRADESCOPE_SOURCE}/files/{wheel_name}",
            f"numpy=={pinned_version('numpy')}",
        ],
        "autograder_files": [wheel_name],
    }


def _fingerprint(master):
    """Stamp of what ``otter assign`` reads: the master, otter's version, the grading settings."""
    data = Path(master).read_bytes() + _otter_version().encode()
    data += json.dumps(grading_config("optimlite.whl"), sort_keys=True).encode()
    return hashlib.sha256(data).hexdigest()


def _stamp(master):
    """The set's stamp: its :func:`_fingerprint`, then the digest of the wheel's sources."""
    return f"{_fingerprint(master)}\n{_package_digest()}\n"


def refresh_wheel(name, wheel):
    """Put a new ``wheel`` into a set's generated autograder zip in place of the old one.

    What ``otter assign`` writes depends on the master, not on optimlite's code (the masters do
    not run their tests at assign time), so when only optimlite changed this is all the zip
    needs. Returns False when the zip holds no wheel of that file name (then assign anew).
    """
    zip_path = autograder_zip(name)
    arcname = f"files/{Path(wheel).name}"
    with zipfile.ZipFile(zip_path) as old:
        if arcname not in old.namelist():
            return False
        partial = zip_path.with_suffix(".partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as new:
            for item in old.infolist():
                if item.filename != arcname:
                    new.writestr(item, old.read(item))
            new.write(wheel, arcname)
    partial.replace(zip_path)
    shutil.copy2(wheel, zip_path.parent / Path(wheel).name)
    return True


def stage_master(master, wheel, folder):
    """Copy the master's folder into ``folder`` with the wheel and the grading settings added.

    Returns the staged master. A master that sets one of those settings itself is refused: the
    build owns them.
    """
    master = Path(master)
    staged_dir = Path(folder) / master.parent.name
    shutil.copytree(master.parent, staged_dir, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy2(wheel, staged_dir / Path(wheel).name)
    nb = json.loads(master.read_text())
    cell = nb["cells"][0]
    source = "".join(cell["source"])
    head, _, body = source.partition("\n")
    if cell["cell_type"] != "raw" or head.strip() != "# ASSIGNMENT CONFIG":
        raise ValueError(f"{master}: the first cell must be the raw `# ASSIGNMENT CONFIG` cell")
    config = yaml.safe_load(body) or {}
    extra = grading_config(Path(wheel).name)
    taken = sorted(set(extra) & set(config))
    if taken:
        raise ValueError(
            f"{master}: ASSIGNMENT CONFIG sets {taken}; exercises/build.py sets those for every "
            "set (the zip's requirements): remove them from the master"
        )
    config.update(extra)
    cell["source"] = "# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, sort_keys=False)
    staged = staged_dir / master.name
    staged.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return staged


def _freshness(name, master):
    """``"fresh"``, ``"wheel"`` (only optimlite changed since the last run) or ``"stale"``."""
    out = DIST / name
    stamp = out / _STAMP
    try:
        autograder_zip(name)
    except FileNotFoundError:
        return "stale"
    if not (
        stamp.is_file()
        and student_notebook(name).is_file()
        and (out / f"{name}-student.zip").is_file()
    ):
        return "stale"
    lines = stamp.read_text().splitlines()
    if lines[:1] != [_fingerprint(master)]:
        return "stale"
    return "fresh" if lines[1:2] == [_package_digest()] else "wheel"


def assign(name, master, wheel=None):
    """Run ``otter assign`` for one set; return ``(name, seconds, error message or None)``.

    ``wheel``: the optimlite wheel the autograder zip carries (default: :func:`package_wheel`).
    """
    out = DIST / name
    shutil.rmtree(out, ignore_errors=True)
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as stage:
        try:
            staged = stage_master(master, wheel or package_wheel(), stage)
        except (ValueError, KeyError, RuntimeError, yaml.YAMLError) as exc:
            return name, time.monotonic() - start, str(exc)
        cmd = [sys.executable, "-m", "otter", "assign", staged.name, str(out)]
        try:
            proc = subprocess.run(
                cmd,
                cwd=staged.parent,
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
        hoist_install_cell(student_notebook(name))
        write_student_zip(name)
    except (FileNotFoundError, KeyError, ValueError) as exc:
        return name, seconds, str(exc)
    (out / _STAMP).write_text(_stamp(master))
    return name, seconds, None


def hoist_install_cell(path):
    """Move the master's install cell (:mod:`tools.colab_cell`) to the top of the student
    notebook, before the init cell otter puts first: on Colab ``import otter`` fails until it
    has run."""
    nb = json.loads(Path(path).read_text())
    moved = colab_cell.hoist(nb)
    if moved != nb:
        Path(path).write_text(json.dumps(moved, indent=1, ensure_ascii=False) + "\n")


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
    state = {s: "stale" if args.force else _freshness(s, m) for s, m in chosen.items()}
    for name in sorted(s for s, how in state.items() if how == "fresh"):
        print(f"{name}: up to date")

    failures = []
    wheel = None
    if any(how != "fresh" for how in state.values()):
        try:
            wheel = package_wheel()
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            print(str(exc), file=sys.stderr)
            return 1
    for name in sorted(s for s, how in state.items() if how == "wheel"):
        if refresh_wheel(name, wheel):
            (DIST / name / _STAMP).write_text(_stamp(chosen[name]))
            print(f"{name}: new optimlite wheel put in its autograder zip")
        else:
            state[name] = "stale"
    todo = {s: m for s, m in chosen.items() if state[s] == "stale"}
    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = pool.map(lambda item: assign(*item, wheel=wheel), todo.items())
        for name, seconds, error in jobs:
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
