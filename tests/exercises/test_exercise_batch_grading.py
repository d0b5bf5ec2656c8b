"""``python -m exercises.grade``: real ``otter run`` grading of a small batch into one CSV.

A few end-to-end cases only (each ``otter run`` starts a kernel, 5-15 s): a solved notebook, an
unanswered one, an export zip of another set, one whose answer loops (called from a top-level
cell too), one whose answer raises, an unreadable file; and a run stopped by the wall-clock
limit.
"""

import csv
import json
import zipfile

import pytest
from exercise_harness import autograder_notebook

from exercises import grade, student_notebook

SET = "02_gradient_descent"

LOOPING = """def mse_gradient(w, b, X, y):
    grad_w = np.zeros_like(w)
    while True:
        grad_w = grad_w + 0.0
    return grad_w, 0.0
"""
DEMO_CALL = "mse_gradient(np.zeros(2), 0.0, np.ones((3, 2)), np.ones(3))\n"
RAISING = """def gradient_descent(grad_fn, w0, b0, lr, steps):
    w, b = w0.copy(), b0
    for _ in range(steps):
        grad_w, grad_b = grad_fn(w)
        w = w - lr * grad_w
    return w, b
"""


def _variant(target, replacements, drop_metadata=False, extra_cell=None):
    nb = json.loads(autograder_notebook(SET).read_text())
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        for prefix, new in replacements.items():
            if cell["cell_type"] == "code" and source.startswith(prefix):
                cell["source"] = new
    if extra_cell is not None:
        at = next(
            i for i, c in enumerate(nb["cells"]) if 'grader.check("q1")' in "".join(c["source"])
        )
        cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
        nb["cells"].insert(at, cell | {"id": "demo", "source": extra_cell})
    if drop_metadata:
        del nb["metadata"]["otter"]
    target.write_text(json.dumps(nb))


@pytest.fixture(scope="module")
def graded(exercise_sets, tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    (folder / "solved.ipynb").write_text(autograder_notebook(SET).read_text())
    (folder / "jane.ipynb").write_text(student_notebook(SET).read_text())
    with zipfile.ZipFile(folder / "adam_export.zip", "w") as zf:  # as grader.export() writes
        zf.writestr("08_adam.ipynb", autograder_notebook("08_adam").read_text())
    # no otter metadata: recognised by its file name; its demo cell loops at the top level
    _variant(
        folder / "02-looping.ipynb",
        {"def mse_gradient": LOOPING},
        drop_metadata=True,
        extra_cell=DEMO_CALL,
    )
    _variant(folder / "raising.ipynb", {"def gradient_descent": RAISING})
    (folder / "notes.ipynb").write_text("{not a notebook")
    (folder / "list.ipynb").write_text("[]")  # valid JSON, not a notebook
    out = folder / "grades.csv"
    grade.grade_folder(folder, out, timeout=240, cell_timeout=10, jobs=2)
    with open(out, newline="") as f:
        rows = {r["file"].rsplit("/", 1)[-1]: r for r in csv.DictReader(f)}
    return rows


def test_one_row_per_submission_with_question_columns(graded):
    assert set(graded) == {
        "solved.ipynb",
        "jane.ipynb",
        "adam_export.zip",
        "02-looping.ipynb",
        "raising.ipynb",
        "notes.ipynb",
        "list.ipynb",
    }
    assert list(graded["solved.ipynb"])[:5] == ["file", "set", "q1", "q2", "q3"]
    adam = graded["adam_export.zip"]  # another set, zipped, in the same CSV: no q3 there
    assert (adam["set"], adam["q1"], adam["q2"], adam["q3"], adam["total"]) == (
        "08_adam",
        "3.0",
        "2.0",
        "",
        "5.0",
    )


def test_solved_notebook_scores_full_marks(graded):
    row = graded["solved.ipynb"]
    assert (row["status"], row["set"], float(row["total"]), float(row["max"])) == (
        "graded",
        SET,
        5.0,
        5.0,
    )
    assert row["message"] == ""


def test_unanswered_notebook_scores_zero_with_reasons(graded):
    row = graded["jane.ipynb"]
    assert row["status"] == "graded" and float(row["total"]) == 0.0
    assert "`mse_gradient` returned None" in row["message"]


def test_looping_answer_is_stopped_and_the_rest_graded(graded):
    row = graded["02-looping.ipynb"]
    assert row["status"] == "graded" and row["set"] == SET
    assert float(row["q1"]) == 0.0 and float(row["q2"]) == 2.0 and float(row["q3"]) == 1.0
    assert "interrupted after 10 s: `mse_gradient(np.zeros(2)" in row["message"]
    assert "`mse_gradient` did not finish within 3 s" in row["message"]


def test_raising_answer_gets_its_score_and_the_error(graded):
    row = graded["raising.ipynb"]
    assert float(row["q1"]) == 2.0 and float(row["q2"]) == 0.0
    assert "`gradient_descent` raised TypeError" in row["message"]
    assert "grad_fn(w)" in row["message"]


def test_unreadable_file_gets_a_row(graded):
    row = graded["notes.ipynb"]
    assert row["status"] == "unreadable" and row["total"] == ""
    row = graded["list.ipynb"]
    assert row["status"] == "unreadable" and "not a Jupyter notebook" in row["message"]


def test_csv_has_a_column_for_every_question_name(exercise_sets, tmp_path, monkeypatch):
    (tmp_path / "a.ipynb").write_text(student_notebook(SET).read_text())
    scores = {"q10": 1.0, "q2": 1.0, "q2a": 0.5, "q1": 0.0}
    monkeypatch.setattr(
        grade,
        "grade_one",
        lambda path, set_name, **kw: {
            "file": str(path),
            "set": set_name,
            "status": "graded",
            **scores,
        },
    )
    out = tmp_path / "grades.csv"
    grade.grade_folder(tmp_path, out)
    header = out.read_text().splitlines()[0].split(",")
    assert header == ["file", "set", "q1", "q2", "q2a", "q10", "total", "max", "status", "message"]


def test_wall_clock_limit_stops_a_run(exercise_sets, tmp_path):
    path = tmp_path / "slow.ipynb"
    path.write_text(autograder_notebook(SET).read_text())
    row = grade.grade_one(path, SET, timeout=1, cell_timeout=10)
    assert row["status"] == "timeout"
    assert "did not finish within 1 s" in row["message"]


def test_identify_set_by_metadata_then_file_name(tmp_path):
    known = ["02_gradient_descent", "08_adam", "09_adamw"]
    meta = {"metadata": {"otter": {"assignment_name": "08_adam"}}}
    assert grade.identify_set(tmp_path / "x.ipynb", meta, known) == "08_adam"
    assert grade.identify_set(tmp_path / "ann_09_adamw.ipynb", {}, known) == "09_adamw"
    assert grade.identify_set(tmp_path / "8-bob.ipynb", {}, known) == "08_adam"
    assert grade.identify_set(tmp_path / "bob.ipynb", {}, known) is None
