"""The course's graded exercise sets (otter-grader).

Each set is a master notebook ``exercises/<set>/<set>.ipynb`` in otter-assign format: the
solutions, public tests (instant feedback, a hint on failure) and hidden tests (``# HIDDEN``, run
only when grading). ``python -m exercises.build`` (``make exercises``) writes, per set,

* ``exercises/dist/<set>/student/<set>.ipynb``: what learners get (no solutions, no hidden tests);
* ``exercises/dist/<set>/autograder/<set>-autograder_<timestamp>.zip``: what grading uses, on
  Gradescope as it is (it carries a wheel of ``optimlite`` and pins numpy: :mod:`exercises.build`);
* ``exercises/dist/<set>/<set>-student.zip``: the student notebook with its public tests as files
  (for Colab, where otter cannot read tests from the notebook);

and the set's book page ``exercises/<set>.md`` (:mod:`exercises.pages`).

``python -m exercises.grade <folder>`` (``make grade SUBMISSIONS=<folder>``) grades a folder of
submissions into one CSV, in parallel; each is graded by a trusted process
(:mod:`optimlite.autograde.trusted`) that runs the set's tests against the learner's definitions
living in a sandbox (:mod:`optimlite.autograde.isolation`, :mod:`optimlite.autograde.sandbox`;
only plain data crosses, :mod:`optimlite.autograde.wire`), so no cell can change its grade;
:mod:`optimlite.autograde.tamper` flags code that tries. The shared test helpers live in
:mod:`optimlite.grading`."""

from pathlib import Path

__all__ = ["HERE", "DIST", "masters", "student_notebook", "autograder_zip"]

HERE = Path(__file__).resolve().parent
DIST = HERE / "dist"


def masters():
    """Dict set name -> master notebook path, in set order (``exercises/<set>/<set>.ipynb``)."""
    found = {}
    for folder in sorted(p for p in HERE.iterdir() if p.is_dir() and p.name != "dist"):
        master = folder / f"{folder.name}.ipynb"
        if master.is_file():
            found[folder.name] = master
    return found


def student_notebook(name):
    """Path of the generated student notebook of set ``name``."""
    return DIST / name / "student" / f"{name}.ipynb"


def autograder_zip(name):
    """Path of the generated autograder zip of set ``name`` (its name carries a timestamp)."""
    zips = sorted((DIST / name / "autograder").glob(f"{name}-autograder_*.zip"))
    if len(zips) != 1:
        raise FileNotFoundError(
            f"expected one autograder zip for {name!r} in {DIST / name / 'autograder'}, found "
            f"{len(zips)}: run `make exercises` (python -m exercises.build) first"
        )
    return zips[0]
