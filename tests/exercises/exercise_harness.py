"""Run the exercise sets' otter tests in-process, fast, for the per-question checks.

Grading one notebook with ``otter run`` takes 5-10 s (a kernel, the whole notebook); the hint
checks run the same otter test files (``ExceptionTestFile``, hidden tests included) directly
against a namespace built by executing a notebook's code cells, in well under a second.
"""

import json
from pathlib import Path

from exercises import DIST

_OTTER_CELLS = ("grader", "import otter")


def autograder_notebook(set_name):
    """A set's generated autograder notebook: the solutions, every test in its metadata."""
    return DIST / set_name / "autograder" / f"{set_name}.ipynb"


def question_sources(set_name):
    """Dict question -> otter test-file source (public and hidden test cases)."""
    nb = json.loads(autograder_notebook(set_name).read_text())
    return dict(nb["metadata"]["otter"]["tests"])


def code_cells(nb_path):
    """The notebook's code cells, without otter's own (init, check, export)."""
    nb = json.loads(Path(nb_path).read_text())
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    return [c for c in cells if not any(marker in c for marker in _OTTER_CELLS)]


def namespace(nb_path, replace=None):
    """Execute a notebook's code cells in one fresh namespace, as a kernel would.

    ``replace`` (source code) runs after them, e.g. a wrong answer redefining one function.
    """
    env = {"__name__": "__main__"}
    for i, source in enumerate(code_cells(nb_path)):
        exec(compile(source, f"<cell {i}>", "exec"), env)
    if replace is not None:
        exec(compile(replace, "<answer>", "exec"), env)
    return env


def run_question(set_name, question, env):
    """Run one question's otter tests against ``env``; return the otter ``TestFile`` (graded)."""
    from otter.test_files import ExceptionTestFile

    source = question_sources(set_name)[question]
    test_file = ExceptionTestFile.from_string(source, path=f"{question}.py")
    test_file.run(env)
    return test_file


def public_messages(test_file):
    """The failure messages a learner sees from ``grader.check`` (public test cases)."""
    return [
        r.message for r in test_file.test_case_results if not r.passed and not r.test_case.hidden
    ]
