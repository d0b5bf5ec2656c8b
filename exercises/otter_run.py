"""``otter run`` with a time limit on every notebook cell.

Usage: ``python -m exercises.otter_run --cell-timeout SECONDS -a AUTOGRADER_ZIP -o OUT NOTEBOOK``

otter-grader executes a submission with nbclient and no cell timeout, so one cell that never ends
(a ``while`` loop at the top level of a learner's cell) hangs the whole grading run. This runs the
same ``otter run`` command with nbclient's ``timeout`` set and ``interrupt_on_timeout`` on: such a
cell is interrupted (``KeyboardInterrupt``), counts as an error like any other, and the remaining
cells and the tests still run, so the submission gets its scores. Calls to the learner's functions
inside the tests have their own, shorter limit (:mod:`optimlite.grading`).
"""

import argparse
import sys

#: printed (to stderr) with the cell's first line whenever a cell is interrupted
INTERRUPTED = "otter_run: interrupted a cell after"


def limit_cells(seconds):
    """Make every nbconvert ``ExecutePreprocessor`` interrupt a cell after ``seconds``."""
    from nbconvert.preprocessors import ExecutePreprocessor

    original_init = ExecutePreprocessor.__init__
    original_handler = getattr(ExecutePreprocessor, "_async_handle_timeout", None)  # nbclient 0.11

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.timeout = seconds
        self.interrupt_on_timeout = True

    async def _async_handle_timeout(self, timeout, cell=None):
        lines = (cell.source if cell is not None else "").strip().splitlines() or [""]
        print(f"{INTERRUPTED} {timeout} s: `{lines[0][:80]}`", file=sys.stderr, flush=True)
        return await original_handler(self, timeout, cell)

    ExecutePreprocessor.__init__ = __init__
    if original_handler is not None:  # only the note in the CSV depends on this private hook
        ExecutePreprocessor._async_handle_timeout = _async_handle_timeout


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m exercises.otter_run", description=__doc__)
    parser.add_argument("--cell-timeout", type=int, default=60, help="seconds per cell")
    parser.add_argument("-a", "--autograder", required=True, help="the autograder zip")
    parser.add_argument("-o", "--output-dir", required=True, help="where results.json goes")
    parser.add_argument("submission", help="the notebook to grade")
    args = parser.parse_args(argv)
    if args.cell_timeout <= 0:
        parser.error("--cell-timeout must be positive")

    limit_cells(args.cell_timeout)
    from otter.cli import cli

    cli.main(
        ["run", "--no-logo", "-a", args.autograder, "-o", args.output_dir, args.submission],
        prog_name="otter",
        standalone_mode=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
