"""``python -m exercises.build``: an assign error fails loudly; up-to-date sets are skipped."""

import json

import pytest

import exercises
from exercises import build

BROKEN_CELLS = [
    ("raw", "# ASSIGNMENT CONFIG\nname: broken\ntests:\n  files: false\n  ok_format: false"),
    ("raw", "# BEGIN QUESTION\nname: q1\npoints: 1"),
    ("markdown", "**Question 1.** Write `f`."),
    ("raw", "# BEGIN SOLUTION"),
    ("code", "def f():\n    return 1  # SOLUTION"),
    ("raw", "# END SOLUTION"),
    ("raw", "# BEGIN TESTS"),
    # an exception-based test cell holds one function (and a call to it): otter must refuse this
    ("code", "def test_f(f):\n    assert f() == 1\n\n\nx = 1\ntest_f(f)"),
    ("raw", "# END TESTS"),
    ("raw", "# END QUESTION"),
]


def _notebook(cells):
    return {
        "cells": [
            {"cell_type": kind, "metadata": {}, "source": source}
            | ({"outputs": [], "execution_count": None} if kind == "code" else {})
            for kind, source in cells
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 4,
    }


def test_assign_error_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(exercises, "DIST", tmp_path / "dist")
    monkeypatch.setattr(build, "DIST", tmp_path / "dist")
    master = tmp_path / "broken" / "broken.ipynb"
    master.parent.mkdir()
    master.write_text(json.dumps(_notebook(BROKEN_CELLS)))
    name, _, error = build.assign("broken", master)
    assert name == "broken"
    assert error is not None and error.startswith("otter assign failed"), error
    assert "exception-based test cell may have at most a function definition" in error
    assert not (tmp_path / "dist" / "broken" / build._STAMP).exists()


def test_up_to_date_sets_are_skipped(exercise_sets, capsys):
    assert build.main(exercise_sets[:2]) == 0
    out = capsys.readouterr().out
    assert f"{exercise_sets[0]}: up to date" in out and "generated" not in out


def test_unknown_set_is_an_error(capsys):
    with pytest.raises(SystemExit) as exc:
        build.main(["no_such_set"])
    assert exc.value.code == 2
    assert "unknown set(s) ['no_such_set']" in capsys.readouterr().err
