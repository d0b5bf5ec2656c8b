"""Each chapter's execution time and the totals: the budget the next chapter's author sees.

Usage (``make build-times``)::

    python benchmarks/book_build.py            # read the times of the last build (no execution)
    python benchmarks/book_build.py --run      # execute every chapter now, one fresh kernel each

Without ``--run`` it reads what the last runs recorded: the book build's execution of each
notebook (myst-nb keeps the seconds and the mode in Sphinx's environment,
``_build/.doctrees/environment.pickle``; ``make book`` executes the chapters one per core into
jupyter-cache, so the mode reads ``cache`` and the seconds are those of that parallel run) and,
when ``make test`` ran, the second run it made during the build (``_build/fresh/runs.json``).
With ``--run`` it times a fresh execution of every chapter (or of the chapters named) one after
the other, as ``tests/notebook_runs.py`` does; run it on an otherwise idle machine. Times are
wall-clock seconds of this machine, contention included; never a test.

A chapter should run in under 60 s on two cores (aim for 30 s): ``make test`` executes each
chapter twice, at the same time, so the suite's notebook time is about the total below.
"""

import argparse
import json
import pickle
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
ENVIRONMENT = BUILD / ".doctrees" / "environment.pickle"
FRESH_RUNS = BUILD / "fresh" / "runs.json"
#: seconds a chapter may take on two cores (CONTRIBUTING, "Adding a chapter"); 30 s is the aim
BUDGET, AIM = 60.0, 30.0


def chapters():
    return sorted((ROOT / "chapters").glob("*.ipynb"))


def build_times(environment=ENVIRONMENT):
    """Dict notebook name -> (seconds, method) of the last book build's execution."""
    if not environment.is_file():
        return {}
    with open(environment, "rb") as f:
        env = pickle.load(f)
    times = {}
    for docname, data in getattr(env, "nb_metadata", {}).items():
        exec_data = data.get("exec_data") or {}
        if docname.startswith("chapters/") and exec_data.get("runtime") is not None:
            name = docname.split("/", 1)[1] + ".ipynb"
            times[name] = (float(exec_data["runtime"]), exec_data.get("method", "?"))
    return times


def fresh_times(runs=FRESH_RUNS):
    """Dict notebook name -> seconds of the second run ``make test`` made (if it did)."""
    if not runs.is_file():
        return {}
    return {name: r["seconds"] for name, r in json.loads(runs.read_text()).items()}


def run_now(paths):
    """Execute every notebook now, one fresh kernel each; dict name -> seconds (None: failed)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from notebook_runs import run_all

    with tempfile.TemporaryDirectory() as out:
        runs = run_all(out, paths)
    return {name: (None if r["error"] else r["seconds"]) for name, r in runs.items()}


def _cell(seconds):
    return "-" if seconds is None else f"{seconds:7.1f}"


def table(names, columns):
    """The table as text: one row per chapter, a column per source, totals, budget marks."""
    heads = list(columns)
    lines = [f"{'chapter':32s}" + "".join(f"{h:>16s}" for h in heads) + "   budget"]
    totals = dict.fromkeys(heads, 0.0)
    for name in names:
        row = f"{name:32s}"
        worst = 0.0
        for head in heads:
            seconds = columns[head].get(name)
            row += f"{_cell(seconds):>16s}"
            if seconds is not None:
                totals[head] += seconds
                worst = max(worst, seconds)
        mark = "OVER 60 s" if worst > BUDGET else ("over 30 s" if worst > AIM else "ok")
        lines.append(f"{row}   {mark}")
    lines.append(f"{'total':32s}" + "".join(f"{_cell(totals[h]):>16s}" for h in heads))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", action="store_true", help="execute the chapters now and time it")
    parser.add_argument("chapters", nargs="*", help="chapter notebooks (default: all)")
    args = parser.parse_args(argv)
    paths = [Path(p).resolve() for p in args.chapters] or chapters()
    names = [p.name for p in paths]
    columns = {}
    if args.run:
        columns["run now (s)"] = run_now(paths)
    else:
        built = build_times()
        if built:
            methods = "/".join(sorted({method for _, method in built.values()}))
            print(f"last book build: notebooks executed in {methods} mode")
            columns["book build (s)"] = {n: s for n, (s, _) in built.items()}
        fresh = fresh_times()
        if fresh:
            columns["2nd run (s)"] = fresh
        if not columns:
            print("no build recorded yet: run `make book` or `make test`, or pass --run")
            return 1
    print(table(names, columns))
    print(
        f"\nBudget: under {BUDGET:g} s per chapter on two cores, aim for {AIM:g} s. make test "
        "runs every chapter twice at once (the strict build and a second, fresh run), so its "
        "notebook time is about the larger total."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
