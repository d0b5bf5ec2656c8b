"""The trusted grade inside otter's own grading run (Gradescope, ``otter run``).

otter runs a submission in a kernel and its tests in that same kernel, so the learner's cells can
change what the tests see. With this plugin named in a set's ``otter_config.json``
(``"plugins": ["optimlite.autograde.otter_plugin.TrustedGrading"]``, which
``python -m exercises.build`` writes into every autograder zip), otter's scores are thrown away
after its run and the set's tests are run again by :mod:`.trusted`: the learner's cells in a
sandbox (:mod:`.isolation`), the tests, the comparison and the score in otter's own process,
which the learner's code never reached. On Gradescope that is the score the learner gets.
A submission whose code reaches for the grader is reported in the plugin's report (the
autograder's log, which instructors see), not in the learner's feedback.
"""

import os

from otter.plugins import AbstractOtterPlugin

from . import tamper, trusted


class TrustedGrading(AbstractOtterPlugin):
    """Replace otter's in-kernel results by the trusted grader's (``after_grading``).

    Configuration (``otter_config.json``, all optional): ``{"cell_timeout": 60, "memory_mb":
    2048, "cpu_seconds": 300}``."""

    def after_grading(self, results):
        import json

        with open(self.submission_path, encoding="utf-8") as f:
            notebook = json.load(f)
        self.findings = tamper.findings(notebook)
        tests_dir = os.path.abspath("tests")  # otter grades from ./submission with ./tests
        tests = trusted.test_files(tests_dir)
        config = self.plugin_config or {}
        learner = trusted.run_tests(
            self.submission_path,
            tests,
            cell_timeout=config.get("cell_timeout", 60),
            memory_mb=config.get("memory_mb", 2048),
            cpu_seconds=config.get("cpu_seconds", 300),
            hidden=[
                tests_dir,
                *(p for p in ("../source", "/autograder/source") if os.path.isdir(p)),
            ],
        )
        self.notes = learner.notes + [f"code cell {i + 1}: {e}" for i, e in learner.cell_errors]
        results.results = {test_file.name: test_file for test_file in tests}

    def generate_report(self):
        lines = ["Graded by optimlite.autograde (learner code in a sandbox)."]
        lines += getattr(self, "notes", [])
        found = tamper.describe(getattr(self, "findings", []))
        if found:
            lines.append(f"FLAGGED: {found}")
        return "\n".join(lines)
