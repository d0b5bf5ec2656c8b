"""Grading that cannot be fooled: every kind of attack a learner could type in a cell.

One batch of set ``08_adam`` submissions goes through ``python -m exercises.grade`` (the
trusted grader, learner code in a sandbox): each attack scores 0 for what it did not solve, the
ones that reach for the grader are ``flagged``, and honest answers next to an attack keep their
points. The first attack is the one that used to score 5/5 under ``otter run``: two lines
overwriting the ``assert_*`` helpers, then answers that return their inputs.
"""

import csv
import json
import socket
import threading
from pathlib import Path

import pytest
from exercise_harness import autograder_notebook

from exercises import autograder_zip, grade, student_notebook
from optimlite.autograde.isolation import isolation_level

ROOT = Path(__file__).resolve().parents[2]

SET = "08_adam"
IDENTITY = {
    "adam_step": "def adam_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):\n"
    "    return p, m, v\n",
    "amsgrad_step": "def amsgrad_step(p, g, m, v, vmax, t, lr, betas, eps):\n"
    "    return p, m, v, vmax\n",
}
PATCH_HELPERS = """import optimlite.grading as grading
grading.assert_array = grading.assert_scalar = lambda *args, **kwargs: None
"""
PATCH_NUMPY = """np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.isclose = lambda *args, **kwargs: True
"""
PATCH_MODULES = """import sys, types
fake = types.ModuleType("optimlite.grading")
fake.answer = lambda name, f, **kw: f
fake.assert_array = fake.assert_scalar = lambda *a, **k: None
sys.modules["optimlite.grading"] = fake
import otter
otter.Notebook.check = lambda self, *a, **k: None
"""
EXITS = """import os, sys
try:
    os._exit(0)
except Exception:
    pass
sys.exit(1)
"""
KILLS = """import signal
signal.raise_signal(signal.SIGKILL)  # ignored by pid 1 of a namespace
import posix
posix._exit(3)  # os._exit before the sandbox disarmed it
"""
RIGGED = """class Anything:
    def __eq__(self, other):
        return True
    __array_priority__ = 1000

def adam_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    return Anything(), Anything(), Anything()
"""
MEMORY = """def adam_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    hog = np.ones(20 * 2**30 // 8)  # 20 GB
    return hog, m, v
"""


GRADING_PY = ROOT / "optimlite" / "grading.py"
INJECTED = "assert_array = lambda *args, **kwargs: None  # injected by a submission"
_FAKE_RESULTS = """import json, pathlib
fake = {"tests": [{"name": "q1", "score": 3, "max_score": 3}, {"name": "q2", "score": 2,
        "max_score": 2}]}
for where in ("results.json", "/tmp/results.json", "../results.json", "out/results.json"):
    try:
        pathlib.Path(where).write_text(json.dumps(fake))
    except OSError:
        pass
try:
    with open(GRADING_PY, "a") as f:
        f.write("\\n" + INJECTED + "\\n")
except OSError:
    pass
""".replace("GRADING_PY", repr(str(GRADING_PY))).replace("INJECTED", repr(INJECTED))


def _solution(name):
    nb = json.loads(autograder_notebook(SET).read_text())
    return next(
        "".join(c["source"])
        for c in nb["cells"]
        if c["cell_type"] == "code" and "".join(c["source"]).startswith(f"def {name}")
    )


def _submission(path, answers, before=None, after=None):
    """The student notebook with ``answers`` (name -> source) in the answer cells, ``before``
    prepended to the first answer cell and ``after`` as a cell after the last."""
    nb = json.loads(student_notebook(SET).read_text())
    first = True
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        for name, code in answers.items():
            if cell["cell_type"] == "code" and source.startswith(f"def {name}"):
                cell["source"] = (before or "") + code if first else code
                first = False
    if after is not None:
        at = max(i for i, c in enumerate(nb["cells"]) if "grader.check(" in "".join(c["source"]))
        cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
        nb["cells"].insert(at + 1, cell | {"id": "extra", "source": after})
    path.write_text(json.dumps(nb))


def _escape_attempts(port, secret_path):
    """Answers that are right only where the sandbox lets them out: the network (a server of
    this test), the hidden tests (the autograder zip), a file outside the sandbox."""
    zip_path = str(autograder_zip(SET))
    adam = _solution("adam_step").replace(
        "    beta1, beta2 = betas",
        f"    open({zip_path!r}, 'rb').read(10)  # the hidden tests\n    beta1, beta2 = betas",
        1,
    )
    amsgrad = _solution("amsgrad_step").replace(
        "    beta1, beta2 = betas",
        "    import socket\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=2).close()\n"
        "    beta1, beta2 = betas",
        1,
    )
    writes = (
        f"try:\n    open({str(secret_path)!r}, 'w').write('written from the sandbox')\n"
        "except OSError:\n    pass\n"
    )
    return {"adam_step": adam, "amsgrad_step": amsgrad}, writes


@pytest.fixture(scope="module")
def listener():
    """A TCP server on the loopback: a sandboxed answer must not reach it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    reached = []

    def accept():
        try:
            while True:
                conn, _ = server.accept()
                reached.append(True)
                conn.close()
        except OSError:
            pass

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1], reached
    server.close()


@pytest.fixture(scope="module")
def attacked(exercise_sets, tmp_path_factory, listener):
    folder = tmp_path_factory.mktemp("attacks")
    port, _ = listener
    secret = tmp_path_factory.mktemp("outside") / "written.txt"
    solved = {name: _solution(name) for name in IDENTITY}
    escapes, writes = _escape_attempts(port, secret)
    cases = {
        "patch_helpers": (IDENTITY, PATCH_HELPERS, None),
        "patch_numpy": (IDENTITY, PATCH_NUMPY, None),
        "patch_modules": (IDENTITY, PATCH_MODULES, None),
        "identity": (IDENTITY, None, None),
        "exits": (solved, None, EXITS),
        "kills": (solved, None, KILLS),
        "rigged": (solved | {"adam_step": RIGGED}, None, None),
        "memory": (solved | {"adam_step": MEMORY}, None, None),
        "escapes": (escapes, writes, None),
        "writes_results": (IDENTITY, None, _FAKE_RESULTS),
    }
    for name, (answers, before, after) in cases.items():
        _submission(folder / f"{SET}_{name}.ipynb", answers, before, after)
    out = folder / "grades.csv"
    grade.grade_folder(folder, out, timeout=240, cell_timeout=20, memory_mb=2048, jobs=2)
    with open(out, newline="") as f:
        rows = {r["file"].rsplit("/", 1)[-1][len(SET) + 1 : -6]: r for r in csv.DictReader(f)}
    rows["_secret"] = secret
    rows["_grading_unchanged"] = INJECTED not in GRADING_PY.read_text()
    return rows


def _scores(row):
    return float(row["q1"]), float(row["q2"]), float(row["total"])


@pytest.mark.parametrize(
    "case, reason",
    [
        ("patch_helpers", "assigns grading.assert_array"),
        ("patch_numpy", "assigns np.allclose"),
        ("patch_modules", "sys.modules"),
    ],
)
def test_patching_the_grader_scores_nothing_and_is_flagged(attacked, case, reason):
    row = attacked[case]
    assert _scores(row) == (0.0, 0.0, 0.0), row
    assert row["status"] == "flagged" and reason in row["message"], row


def test_answers_that_return_their_inputs_score_nothing(attacked):
    row = attacked["identity"]
    assert _scores(row) == (0.0, 0.0, 0.0)
    assert row["status"] == "graded"  # wrong, not tampering
    assert "p after the first step" in row["message"]


def test_exiting_the_process_keeps_what_was_solved_and_is_flagged(attacked):
    row = attacked["exits"]
    assert _scores(row) == (3.0, 2.0, 5.0), row
    assert row["status"] == "flagged" and "os._exit" in row["message"]


def test_killing_the_process_keeps_what_was_solved_and_is_flagged(attacked):
    row = attacked["kills"]
    assert _scores(row) == (3.0, 2.0, 5.0), row  # started again without the cell that exited
    assert row["status"] == "flagged" and "ended the notebook's process" in row["message"]


def test_rigged_objects_do_not_cross(attacked):
    row = attacked["rigged"]
    assert _scores(row) == (0.0, 2.0, 2.0), row
    assert row["status"] == "flagged" and "defines __eq__" in row["message"]
    assert "not a plain value" in row["message"]


def test_an_answer_that_allocates_20_gb_gets_its_row(attacked):
    row = attacked["memory"]
    assert _scores(row) == (0.0, 2.0, 2.0), row
    assert row["status"] == "graded" and "MemoryError" in row["message"]


def test_result_files_and_the_course_code_cannot_be_written(attacked):
    row = attacked["writes_results"]
    assert _scores(row) == (0.0, 0.0, 0.0), row
    assert row["status"] == "flagged" and "writes a file" in row["message"]
    assert attacked["_grading_unchanged"], "the sandbox changed optimlite/grading.py"


@pytest.mark.skipif(isolation_level() != "namespaces", reason="no namespaces on this machine")
def test_no_network_no_hidden_tests_no_files_outside(attacked, listener):
    row = attacked["escapes"]
    assert _scores(row) == (0.0, 0.0, 0.0), row
    assert not listener[1], "a sandboxed answer reached a server on the loopback"
    assert not attacked["_secret"].exists(), "the sandbox wrote a file outside its folder"
    assert row["status"] == "flagged"
