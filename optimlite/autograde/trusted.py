"""Grade one submission where the learner's code cannot reach: the trusted side.

Usage (by :mod:`exercises.grade`, one process per submission): ``python -m
optimlite.autograde.trusted -a AUTOGRADER_ZIP [--cell-timeout S] [--memory-mb M] [--cpu-seconds
S] [--hide FOLDER ...] NOTEBOOK`` prints one line of JSON: ``{"tests": [...], "cell_errors":
[...], "isolation": ...}``, the tests in otter's ``results.json`` shape.

otter-grader runs its tests in the learner's kernel, so a learner's cell can patch whatever the
tests use (the grading helpers, numpy, otter itself) and score full marks with empty answers.
Here the learner's cells run in a sandbox process (:mod:`.isolation`,
:mod:`.sandbox`); this process imports its own numpy, :mod:`optimlite.grading` and
otter, reads the tests (public and hidden) from the set's autograder zip, never from the
submission, and runs them with otter's own test runner (``ExceptionTestFile``) on a namespace
whose entries stand for the learner's definitions: a function becomes a :class:`RemoteFunction`
that sends its arguments to the sandbox and gets back plain data only (:mod:`.wire`),
a plain value arrives as a copy. The comparison with the reference, the hints and the score are
all computed here. If a call runs past its time limit or the learner's process dies, the
process is replaced by a fresh one (the cells run again) for the next test.
"""

import argparse
import inspect
import json
import re
import sys
import tempfile
import zipfile
from pathlib import Path

from . import wire
from .isolation import Sandbox, SandboxGone, isolation_level

#: a submission's sandbox is started at most this many times (after timeouts or crashes)
MAX_STARTS = 4
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,79}$")


class LearnerError(Exception):
    """An exception raised by the learner's code in the sandbox, as :class:`Answer` reports it:
    its type name and line come from there."""

    def __init__(self, kind, message, line=""):
        super().__init__(message)
        self.learner_type = kind if _IDENTIFIER.match(str(kind)) else "Exception"
        self.learner_line = str(line)[:300]


def _opaque(type_name):
    """A stand-in for a learner's object that cannot cross (its type's name only)."""
    name = type_name if _IDENTIFIER.match(str(type_name)) else "object"
    return type(name, (), {"__repr__": lambda self: f"<a {name} in the learner's notebook>"})()


_DEFAULT = object()


def _signature(parameters):
    """An ``inspect.Signature`` from the sandbox's description, or ``(*args, **kwargs)``."""
    try:
        return inspect.Signature(
            [
                inspect.Parameter(
                    name,
                    inspect._ParameterKind(kind),
                    default=_DEFAULT if has_default else inspect.Parameter.empty,
                )
                for name, kind, has_default in parameters
            ]
        )
    except (TypeError, ValueError):
        return inspect.Signature(
            [
                inspect.Parameter("args", inspect.Parameter.VAR_POSITIONAL),
                inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD),
            ]
        )


def _run_callback(functions, request):
    """Call the grader's function a learner's function asked for; the answer to send back."""
    try:
        func = functions[request["callback"]]
        args, kwargs = wire.decode(request.get("args")), wire.decode(request.get("kwargs"))
        return {"value": wire.encode(func(*args, **kwargs))}
    except Exception as exc:  # e.g. a gradient called with an array of the wrong shape
        return {"raised": [type(exc).__name__, str(exc)[:300]]}


class RemoteFunction:
    """A learner's function, living in the sandbox; calling it sends the arguments there."""

    def __init__(self, learner, name, parameters):
        self._learner, self.__name__ = learner, name
        self.__signature__ = _signature(parameters or ())

    def __call__(self, *args, **kwargs):
        from optimlite.grading import InputChanged

        functions = []  # the grader's functions among the arguments (a gradient, a loss)
        message = {"op": "call", "name": self.__name__,
                   "args": wire.encode(args, functions=functions),
                   "kwargs": wire.encode(kwargs, functions=functions)}  # fmt: skip
        reply = self._learner.request(message)
        while "callback" in reply:  # the learner's code calls one of them: run it here
            reply = self._learner.request(_run_callback(functions, reply))
        if "value" in reply:
            try:
                return wire.decode(reply["value"])
            except wire.WireError as exc:
                raise LearnerError("TypeError", f"it returned {exc}") from None
        if "changed" in reply:
            raise InputChanged(str(reply["changed"])[:200])
        if "unsendable" in reply:
            raise LearnerError(
                "TypeError",
                f"it returned {str(reply['unsendable'])[:200]}, which is not a plain value: "
                "return numpy arrays, numbers, or tuples and lists of them",
            )
        raised = reply.get("raised")
        if isinstance(raised, list) and len(raised) == 3:
            raise LearnerError(*(str(part)[:500] for part in raised))
        raise LearnerError("RuntimeError", "the grader received a malformed reply")

    def __repr__(self):
        return f"<the learner's function {self.__name__}>"


class Learner:
    """The learner's definitions, seen from here (``.get(name)``, as otter's runner asks for
    them); starts and restarts the sandbox as needed."""

    def __init__(self, notebook, folder, **limits):
        self.notebook, self.folder, self.limits = notebook, folder, limits
        self.sandbox, self.starts, self.cell_errors, self.notes = None, 0, [], []
        self.skip = set()  # cells that ended the process: left out when it starts again

    def _sandbox(self):
        while self.sandbox is None or not self.sandbox.alive:
            if self.starts >= MAX_STARTS:
                raise SandboxGone(f"the notebook's process was started {MAX_STARTS} times")
            self.starts += 1
            try:
                self.sandbox = Sandbox(self.notebook, self.folder, skip=self.skip, **self.limits)
            except SandboxGone as exc:
                if exc.cell is None:
                    raise
                self.skip.add(exc.cell)
                self._note(f"code cell {exc.cell + 1} ended the notebook's process ({exc})")
                continue
            self.cell_errors = self.sandbox.cell_errors
        return self.sandbox

    def _note(self, note):
        if note not in self.notes:
            self.notes.append(note)

    def request(self, message):
        try:
            return self._sandbox().request(message)
        except SandboxGone as exc:
            note = f"the learner's code could not be run: {exc}"
            self._note(note)
            raise LearnerError("RuntimeError", note) from None

    def get(self, name, default=None):
        if not _IDENTIFIER.match(name):
            return default
        try:
            described = self.request({"op": "describe", "name": name})
        except LearnerError:
            return default
        kind = described.get("kind")
        if kind == "function":
            return RemoteFunction(self, name, described.get("parameters"))
        if kind == "value":
            try:
                return wire.decode(described.get("value"))
            except wire.WireError:
                return _opaque("object")
        if kind == "object":
            return _opaque(described.get("type"))
        return default

    def close(self):
        if self.sandbox is not None:
            self.sandbox.kill()


def _natural(name):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def test_files(source):
    """The set's otter test files (public and hidden cases), in order, from its autograder zip
    or from a folder holding them (``tests/*.py`` of an unpacked zip, as on Gradescope)."""
    from otter.test_files import ExceptionTestFile

    if Path(source).is_dir():
        paths = sorted(Path(source).glob("*.py"), key=lambda p: _natural(p.name))
        return [ExceptionTestFile.from_string(p.read_text("utf-8"), path=str(p)) for p in paths]
    with zipfile.ZipFile(source) as zf:
        names = [n for n in zf.namelist() if re.fullmatch(r"tests/[^/]+\.py", n)]
        return [
            ExceptionTestFile.from_string(zf.read(n).decode("utf-8"), path=n)
            for n in sorted(names, key=_natural)
        ]


def run_tests(notebook, tests, **limits):
    """Run the otter ``tests`` against the learner's ``notebook`` (each test file's results are
    then in it, as after otter's own run); return the :class:`Learner` (its cell errors and
    notes). ``limits``: ``cell_timeout``, ``memory_mb``, ``cpu_seconds``, ``hidden``."""
    with tempfile.TemporaryDirectory(prefix="trusted-") as folder:
        learner = Learner(notebook, folder, **limits)
        try:
            for test_file in tests:
                test_file.run(learner)
        finally:
            learner.close()
    return learner


def grade(notebook, autograder_zip, *, cell_timeout=60, memory_mb=2048, cpu_seconds=300, hidden=()):
    """Run every test of the set against the learner's notebook; the results as a dict.
    ``hidden``: folders the learner's process must not see (solutions, tests)."""
    tests = test_files(autograder_zip)
    learner = run_tests(
        notebook, tests, cell_timeout=cell_timeout, memory_mb=memory_mb,
        cpu_seconds=cpu_seconds, hidden=hidden,
    )  # fmt: skip
    results = [
        {"name": t.name, "score": t.score, "max_score": t.possible,
         "output": "\n".join(r.message for r in t.test_case_results if not r.passed)}
        for t in tests
    ]  # fmt: skip
    return {
        "tests": results,
        "cell_errors": learner.cell_errors,
        "notes": learner.notes,
        "isolation": isolation_level(),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m optimlite.autograde.trusted", description=__doc__
    )
    parser.add_argument("-a", "--autograder", required=True, help="the set's autograder zip")
    parser.add_argument("--cell-timeout", type=float, default=60, help="seconds per cell")
    parser.add_argument("--memory-mb", type=int, default=2048, help="the learner's memory")
    parser.add_argument("--cpu-seconds", type=int, default=300, help="the learner's CPU time")
    parser.add_argument(
        "--hide", action="append", default=[], help="a folder the learner must not read"
    )
    parser.add_argument("notebook", help="the submitted notebook (.ipynb)")
    args = parser.parse_args(argv)
    results = grade(
        Path(args.notebook).resolve(), args.autograder, cell_timeout=args.cell_timeout,
        memory_mb=args.memory_mb, cpu_seconds=args.cpu_seconds, hidden=args.hide,
    )  # fmt: skip
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
