"""The learner's side of grading: run a submission's cells, then answer calls from the grader.

Started by :mod:`.isolation` (never by hand) as ``python -m optimlite.autograde.sandbox
REQUEST_FD REPLY_FD CELL_TIMEOUT NOTEBOOK [SKIP]``, inside the limits and namespaces that module
sets up. Everything here is untrusted once the first learner cell runs:
this process decides no score. It

1. executes the notebook's code cells in order in one IPython shell (no kernel, no network), as a
   kernel would, with a stand-in for ``otter`` (``grader.check`` does nothing here) and a time
   limit per cell; a cell that fails or runs too long is skipped, like ``otter run`` does,
   and each cell's start is reported (a cell that ends the process is left out next time:
   ``SKIP``, the cells' indices separated by commas);
2. reports ``ready`` with the cells that failed;
3. serves requests from the grader, one at a time: ``describe`` a name (a function and its
   parameters, a plain value, missing, or some other object), and ``call`` a function on
   arguments; the reply is the returned value (plain data only, :mod:`.wire`), or the
   exception the learner's code raised with the learner's line, and whether an argument array
   was changed in place.
"""

import builtins
import inspect
import os
import signal
import sys
import types

from . import wire

#: cell errors kept in the ``ready`` report
MAX_CELL_ERRORS = 20


class CellTimeout(BaseException):
    """A top-level cell ran past the per-cell limit."""


def _otter_stand_in():
    """A module named ``otter`` whose ``Notebook`` accepts every call and does nothing."""

    class Notebook:
        def __init__(self, *args, **kwargs):
            pass

        def __getattr__(self, name):
            return lambda *args, **kwargs: None

    module = types.ModuleType("otter")
    module.Notebook = Notebook
    return module


def _refuse(*args, **kwargs):
    raise PermissionError("not allowed while grading")


def _disarm_exits():
    """``os._exit``, ``os.kill``, ``os.abort`` refuse (the usual ways to end a grading run); a
    learner who finds another way only ends their own process (see :mod:`.isolation`)."""
    for name in ("_exit", "kill", "killpg", "abort"):
        setattr(os, name, _refuse)


def _code_cells(path):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


def run_cells(cells, cell_timeout, skip=(), started=None):
    """Execute ``cells`` in a fresh IPython shell; return (its namespace, [cell errors]).

    Cells whose index is in ``skip`` are not run (they ended the process last time);
    ``started(index)`` is called before each cell runs."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    sys.modules["otter"] = _otter_stand_in()
    errors = []

    def on_alarm(signum, frame):
        signal.setitimer(signal.ITIMER_REAL, 0.5)  # again, if the cell catches it
        raise CellTimeout(f"cell stopped after {cell_timeout:g} s")

    for index, source in enumerate(cells):
        if index in skip:
            errors.append([index, "skipped: it ended the notebook's process when it ran"])
            continue
        if started is not None:
            started(index)
        signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, cell_timeout)
        try:
            result = shell.run_cell(source, store_history=False, silent=True)
            failure = result.error_before_exec or result.error_in_exec
        except CellTimeout as exc:  # raised outside the cell's code
            failure = exc
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if isinstance(failure, CellTimeout):
            first = (source.strip().splitlines() or [""])[0][:80]
            failure = f"interrupted after {cell_timeout:g} s: `{first}`"
        if isinstance(failure, BaseException):
            failure = f"{type(failure).__name__}: {str(failure)[:200]}"
        if failure is not None and len(errors) < MAX_CELL_ERRORS:
            errors.append([index, failure])
    return shell.user_ns, errors


def _parameters(func):
    """[[name, kind, has_default], ...] of ``func``'s signature, or None if it has none."""
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    return [
        [p.name, int(p.kind), p.default is not inspect.Parameter.empty]
        for p in signature.parameters.values()
    ]


def describe(namespace, name):
    """What ``name`` is in the learner's namespace, as the grader needs to know it."""
    if name not in namespace:
        return {"kind": "missing"}
    value = namespace[name]
    if callable(value):
        return {"kind": "function", "parameters": _parameters(value)}
    try:
        return {"kind": "value", "value": wire.encode(value)}
    except wire.WireError:
        return {"kind": "object", "type": type(value).__name__}


class GraderError(Exception):
    """A function of the grader's (passed to the learner's, like a gradient) raised."""


def _grader_function(requests, replies):
    """``callback(index)`` for :func:`wire.decode`: a function that asks the grader to call
    its function ``index`` on plain arguments and returns what it answers."""

    def callback(index):
        def grader_function(*args, **kwargs):
            wire.send(replies, {"callback": index, "args": wire.encode(args),
                                "kwargs": wire.encode(kwargs)})  # fmt: skip
            answer = wire.receive(requests)
            if "value" in answer:
                return wire.decode(answer["value"])
            kind, message = answer.get("raised") or ("GraderError", "the grader's function failed")
            error = getattr(builtins, str(kind), None)  # a TypeError there is a TypeError here
            if not (isinstance(error, type) and issubclass(error, Exception)):
                error = GraderError
            raise error(message)

        return grader_function

    return callback


def call(namespace, name, args, kwargs, callback=None):
    """Call the learner's ``name`` on the decoded arguments; the reply for the grader."""
    from optimlite.grading import changed_inputs, learner_line

    func = namespace.get(name)
    if not callable(func):
        return {"raised": ["NameError", f"`{name}` is not a function here", ""]}
    args, kwargs = wire.decode(args, callback=callback), wire.decode(kwargs, callback=callback)
    with changed_inputs(func, args, kwargs) as changed:
        try:
            result = func(*args, **kwargs)
        except Exception as exc:
            where = learner_line(exc.__traceback__, also_skip=(os.path.abspath(__file__),))
            return {"raised": [type(exc).__name__, str(exc)[:500], where]}
    if changed:
        return {"changed": changed[0]}
    try:
        return {"value": wire.encode(result)}
    except wire.WireError as exc:
        return {"unsendable": str(exc)}


def serve(requests, replies, namespace):
    """Answer the grader's requests until it closes the pipe."""
    callback = _grader_function(requests, replies)
    while True:
        try:
            request = wire.receive(requests)
        except EOFError:
            return
        op = request.get("op")
        try:
            if op == "describe":
                reply = describe(namespace, request["name"])
            elif op == "call":
                args, kwargs = request["args"], request["kwargs"]
                reply = call(namespace, request["name"], args, kwargs, callback)
            else:
                reply = {"raised": ["ValueError", f"unknown request {op!r}", ""]}
        except wire.WireError as exc:
            reply = {"raised": ["ValueError", f"a malformed request: {exc}", ""]}
        except BaseException as exc:  # SystemExit, KeyboardInterrupt from the learner's code
            reply = {"raised": [type(exc).__name__, str(exc)[:500], ""]}
        wire.send(replies, reply)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    requests, replies, cell_timeout, notebook = int(argv[0]), int(argv[1]), float(argv[2]), argv[3]
    skip = {int(i) for i in argv[4].split(",") if i} if len(argv) > 4 else set()
    cells = _code_cells(notebook)
    _disarm_exits()
    namespace, errors = run_cells(
        cells, cell_timeout, skip, started=lambda i: wire.send(replies, {"cell": i})
    )
    wire.send(replies, {"ready": True, "cell_errors": errors})
    serve(requests, replies, namespace)
    return 0


if __name__ == "__main__":
    sys.exit(main())
