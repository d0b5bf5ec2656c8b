"""The autograder zips work where teachers grade (Gradescope): they name everything they need.

Gradescope builds its grading image from the zip alone: ``setup.sh`` creates a conda
environment from the zip's ``environment.yml``, whose pip part must therefore install the
course's package and numpy. The fast checks read every set's zip; the slow one builds what
Gradescope would, a fresh virtual environment (no system site-packages, not this venv) holding
only what the zip names, and grades the solved master (full marks) and a blank student notebook
(zero) there with ``otter run``. The first run on a machine resolves otter's dependencies
against the package index and keeps their wheels (``~/.cache/optimlite/grading-wheels``, or
``$OPTIMLITE_WHEELHOUSE``); later runs build the venv from them offline.
"""

import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import venv
import zipfile
from pathlib import Path

import pytest
import yaml
from exercise_harness import autograder_notebook, question_sources

from exercises import DIST, autograder_zip, masters, student_notebook
from exercises.build import GRADESCOPE_SOURCE, PYTHON_VERSION, package_wheel, pinned_version

SETS = list(masters())
SET = "08_adam"
#: seconds the fresh environment's install may take (a cold pip cache downloads ~150 MB)
INSTALL_TIMEOUT = 900
#: seconds one ``otter run`` may take in it
RUN_TIMEOUT = 300
#: wheels of the zip's third-party requirements, kept between runs (see ``_wheelhouse``)
WHEELHOUSE = Path(
    os.environ.get("OPTIMLITE_WHEELHOUSE", Path.home() / ".cache" / "optimlite" / "grading-wheels")
)


def _environment(zip_path):
    """The zip's ``environment.yml``: (conda dependencies, pip requirements)."""
    with zipfile.ZipFile(zip_path) as zf:
        env = yaml.safe_load(zf.read("environment.yml"))
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    return conda, pip


def _version(requirement, name):
    """The ``==`` version of ``name`` in a requirement line, or None if the line is not for it."""
    match = re.fullmatch(rf"{re.escape(name)}(\[[^\]]*\])?==(\S+)", requirement.strip(), re.I)
    return match.group(2) if match else None


@pytest.mark.parametrize("set_name", SETS)
def test_zip_requirements_pin_the_course_versions(exercise_sets, set_name):
    zip_path = autograder_zip(set_name)
    conda, pip = _environment(zip_path)
    assert f"python={PYTHON_VERSION}" in conda, conda
    versions = {
        name: [v for r in pip if (v := _version(r, name))] for name in ("numpy", "otter-grader")
    }
    assert versions["numpy"] == [pinned_version("numpy")], pip
    assert versions["otter-grader"] == [pinned_version("otter-grader")], pip
    wheels = [r for r in pip if r.endswith(".whl")]
    assert len(wheels) == 1 and wheels[0].startswith(f"{GRADESCOPE_SOURCE}/files/optimlite-"), pip
    arcname = wheels[0].removeprefix(f"{GRADESCOPE_SOURCE}/")
    with zipfile.ZipFile(zip_path) as zf:
        assert arcname in zf.namelist(), f"the zip names {arcname} but does not contain it"
        with zipfile.ZipFile(zf.open(arcname)) as wheel:
            modules = set(wheel.namelist())
    assert {"optimlite/__init__.py", "optimlite/grading.py"} <= modules


@pytest.mark.parametrize("set_name", SETS)
def test_student_versions_carry_no_grading_files(exercise_sets, set_name):
    """The wheel and the requirements go to the autograder only, not to learners."""
    student_dir = student_notebook(set_name).parent
    assert sorted(p.name for p in student_dir.iterdir()) == [f"{set_name}.ipynb"]
    with zipfile.ZipFile(DIST / set_name / f"{set_name}-student.zip") as zf:
        names = zf.namelist()
    assert not [n for n in names if n.endswith((".whl", "requirements.txt", "environment.yml"))]
    assert "/autograder/" not in student_notebook(set_name).read_text()


def _requirements_of(zip_path, source_dir):
    """What to pip-install to build the zip's grading environment in ``source_dir``.

    The pip requirements, with Gradescope's unpack folder replaced by ``source_dir``, and the
    conda dependencies other than python and pip, which have the same names on PyPI
    (``jupyter_server``).
    """
    conda, pip = _environment(zip_path)
    local = [r.replace(GRADESCOPE_SOURCE, str(source_dir)) for r in pip]
    extra = [d for d in conda if not re.match(r"(python|pip)\b", d)]
    return local + extra


def _run(cmd, *, timeout, **kwargs):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kwargs)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{proc.stdout}{proc.stderr}"
    return proc.stdout


def _wheel_requires(wheel):
    """The ``Requires-Dist`` lines of a wheel's metadata."""
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        lines = zf.read(name).decode().splitlines()
    return [line for line in lines if line.startswith("Requires-Dist:")]


def _wheelhouse(requirements, wheel, env):
    """A folder of wheels for ``requirements`` and everything they need, made once per machine.

    Resolving otter's ~140 dependencies against the package index takes most of a cold install;
    the wheels are kept in :data:`WHEELHOUSE` under a key of the third-party requirements (and
    the optimlite wheel's own ``Requires-Dist``), so later runs install offline. The optimlite
    wheel itself always comes from the zip.
    """
    third_party = sorted(r for r in requirements if r != str(wheel))
    key_text = "\n".join([*third_party, *_wheel_requires(wheel), sys.version, platform.machine()])
    folder = WHEELHOUSE / hashlib.sha256(key_text.encode()).hexdigest()[:16]
    if (folder / ".complete").is_file():
        return folder, "reused"
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix="partial-", dir=WHEELHOUSE))
    try:
        cmd = [sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", partial]
        _run([*cmd, *requirements], timeout=INSTALL_TIMEOUT, env=env)
        (partial / wheel.name).unlink(missing_ok=True)  # the wheel under test is not cached
        (partial / ".complete").write_text(key_text + "\n")
        try:
            partial.rename(folder)
        except OSError:  # made meanwhile by another run
            pass
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return folder, "made"


@pytest.fixture(scope="module")
def unpacked(exercise_sets, tmp_path_factory):
    """The set's zip unpacked as on Gradescope; (root, zip, requirements, wheelhouse, clean env)."""
    root = tmp_path_factory.mktemp("gradescope")
    zip_path = autograder_zip(SET)
    source = root / "source"  # Gradescope's /autograder/source
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(source)
    requirements = _requirements_of(zip_path, source)
    wheel = next(source / "files" / Path(r).name for r in requirements if r.endswith(".whl"))
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "JUPYTER", "VIRTUAL_ENV"))
    }
    env |= {
        "JUPYTER_CONFIG_DIR": str(root / "jupyter-config"),  # no kernels or config of this user
        "JUPYTER_DATA_DIR": str(root / "jupyter-data"),
        "IPYTHONDIR": str(root / "ipython"),
        "PYTHONNOUSERSITE": "1",
    }
    start = time.monotonic()
    wheels, how = _wheelhouse(requirements, wheel, env)
    print(f"grading wheelhouse {how} in {time.monotonic() - start:.0f} s")  # shown with -s
    return root, zip_path, requirements, wheels, env


def _fresh_venv(unpacked, name, requirements):
    """A new venv holding ``requirements`` (offline, from the wheelhouse); its bin folder."""
    root, _, _, wheels, env = unpacked
    start = time.monotonic()
    listed = root / f"{name}-requirements.txt"
    listed.write_text("\n".join(requirements) + "\n")
    # this venv's pip (with --python) installs into the new one: faster than the old pip
    # ensurepip would put there, and the new venv then holds the requirements and nothing else
    venv.EnvBuilder(with_pip=False, system_site_packages=False).create(root / name)
    bin_dir = root / name / "bin"
    pip = [sys.executable, "-m", "pip", "--python", bin_dir / "python", "install", "--no-compile"]
    pip += ["--no-index", "--find-links", wheels, "-r", listed]
    _run(pip, timeout=INSTALL_TIMEOUT, cwd=root, env=env)
    print(f"venv {name} installed in {time.monotonic() - start:.0f} s")  # shown with -s
    return bin_dir


@pytest.fixture(scope="module")
def grading_env(unpacked):
    """A fresh venv with exactly the zip's requirements; returns (bin folder, zip, clean env)."""
    _, zip_path, requirements, _, env = unpacked
    return _fresh_venv(unpacked, "venv", requirements), zip_path, env


def _otter_run(grading_env, notebook, tmp_path):
    """Grade ``notebook`` with ``otter run`` in the fresh venv; return {question: score}, total."""
    bin_dir, zip_path, env = grading_env
    submission = tmp_path / "submission" / f"{SET}.ipynb"
    submission.parent.mkdir()
    submission.write_text(Path(notebook).read_text())
    out = tmp_path / "out"
    out.mkdir()
    cmd = [bin_dir / "otter", "run", "--no-logo", "-a", zip_path, "-o", out, submission]
    _run(cmd, timeout=RUN_TIMEOUT, cwd=tmp_path, env=env)  # cwd: no optimlite/ to import
    tests = json.loads((out / "results.json").read_text())["tests"]
    scores = {t["name"]: t["score"] for t in tests if "max_score" in t}
    possible = sum(t["max_score"] for t in tests if "max_score" in t)
    return scores, possible


@pytest.mark.slow
def test_fresh_venv_holds_only_the_zips_requirements(grading_env):
    bin_dir, _, env = grading_env
    python = bin_dir / "python"
    code = "import sys, optimlite, numpy; print(sys.prefix, optimlite.__file__, numpy.__version__)"
    prefix, location, numpy_version = _run(
        [python, "-c", code], timeout=60, cwd=bin_dir, env=env
    ).split()
    assert Path(location).is_relative_to(prefix) and "site-packages" in location, location
    assert numpy_version == pinned_version("numpy")
    assert sys.prefix != prefix
    version = _run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], timeout=60, env=env
    )
    assert version.strip() == PYTHON_VERSION
    specs = json.loads(
        _run([bin_dir / "jupyter", "kernelspec", "list", "--json"], timeout=60, env=env)
    )
    assert list(specs["kernelspecs"]) == ["python3"], specs
    assert Path(specs["kernelspecs"]["python3"]["resource_dir"]).is_relative_to(prefix)


@pytest.mark.slow
def test_solved_master_scores_full_marks_from_the_zip_alone(grading_env, tmp_path):
    scores, possible = _otter_run(grading_env, autograder_notebook(SET), tmp_path)
    assert set(scores) == set(question_sources(SET))
    assert possible > 0 and sum(scores.values()) == possible, scores


@pytest.mark.slow
def test_blank_student_notebook_scores_zero_from_the_zip_alone(grading_env, tmp_path):
    scores, possible = _otter_run(grading_env, student_notebook(SET), tmp_path)
    assert set(scores) == set(question_sources(SET)) and possible > 0
    assert sum(scores.values()) == 0, scores


@pytest.mark.slow
def test_without_the_zips_requirements_the_master_scores_nothing(unpacked, tmp_path):
    """The check above can fail: with otter alone (the zip before this fix) nothing is scored:
    the trusted grader's plugin cannot load, and every test would fail without optimlite."""
    _, zip_path, requirements, _, env = unpacked
    otter_only = [r for r in requirements if _version(r, "otter-grader")]
    bin_dir = _fresh_venv(unpacked, "otter-only", otter_only)
    out = tmp_path / "out"
    out.mkdir()
    cmd = [bin_dir / "otter", "run", "--no-logo", "-a", zip_path, "-o", out]
    cmd.append(autograder_notebook(SET))
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env)
    if proc.returncode != 0:  # otter run stops: `optimlite.autograde.otter_plugin` is missing
        assert "optimlite" in proc.stdout + proc.stderr, proc.stdout + proc.stderr
        return
    tests = json.loads((out / "results.json").read_text())["tests"]
    assert sum(t.get("score", 0) for t in tests) == 0, tests


PATCHED_HELPERS = """import optimlite.grading as grading
grading.assert_array = grading.assert_scalar = lambda *args, **kwargs: None
def adam_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    return p, m, v
"""


@pytest.mark.slow
def test_the_zip_grades_where_the_learners_code_cannot_reach(grading_env, tmp_path):
    """In otter's own run the attack that patches the helpers passes every test in the kernel;
    the zip's plugin grades again with the trusted grader, which it cannot reach: 0 points."""
    nb = json.loads(student_notebook(SET).read_text())
    for cell in nb["cells"]:
        if "".join(cell["source"]).startswith("def adam_step"):
            cell["source"] = PATCHED_HELPERS
        elif "".join(cell["source"]).startswith("def amsgrad_step"):
            cell["source"] = "def amsgrad_step(p, g, m, v, vmax, t, lr, betas, eps):\n"
            cell["source"] += "    return p, m, v, vmax\n"
    attack = tmp_path / "attack.ipynb"
    attack.write_text(json.dumps(nb))
    scores, possible = _otter_run(grading_env, attack, tmp_path)
    assert possible > 0 and sum(scores.values()) == 0, scores


@pytest.mark.parametrize("set_name", SETS)
def test_zip_carries_the_current_optimlite(exercise_sets, set_name):
    """Built from the working tree as it is now (a stale zip would grade with old code)."""
    wheel = package_wheel()
    with zipfile.ZipFile(autograder_zip(set_name)) as zf:
        assert zf.read(f"files/{wheel.name}") == wheel.read_bytes()


def test_refresh_wheel_replaces_only_the_wheel(exercise_sets, tmp_path, monkeypatch):
    import exercises
    from exercises import build

    shutil.copytree(DIST / SET, tmp_path / "dist" / SET)
    monkeypatch.setattr(exercises, "DIST", tmp_path / "dist")
    monkeypatch.setattr(build, "DIST", tmp_path / "dist")
    zip_path = autograder_zip(SET)
    with zipfile.ZipFile(zip_path) as zf:
        before = {n: zf.read(n) for n in zf.namelist()}
    name = next(n for n in before if n.startswith("files/optimlite-"))
    new_wheel = tmp_path / name.removeprefix("files/")
    new_wheel.write_bytes(b"another build")
    assert build.refresh_wheel(SET, new_wheel)
    with zipfile.ZipFile(autograder_zip(SET)) as zf:
        after = {n: zf.read(n) for n in zf.namelist()}
    assert after.pop(name) == b"another build"
    before.pop(name)
    assert after == before
    assert (zip_path.parent / new_wheel.name).read_bytes() == b"another build"
    other = tmp_path / "optimlite-9.9-py3-none-any.whl"
    other.write_bytes(b"")
    assert not build.refresh_wheel(SET, other)  # another version: otter assign must run again
