"""The exercises' book pages, written from the notebooks by ``python -m exercises.build``.

* ``exercises/<set>.md``, one per set, from its student notebook: what a learner gets, the set's
  introduction, every question with its points and the function to complete (the student's
  skeleton, never the solution), and the downloads.
* The table of sets in ``exercises/index.md`` (between the ``% BEGIN SETS`` and ``% END SETS``
  lines; the rest of that page is written by hand), from the masters: each set's questions and
  points, and what the learner implements, the master's ``**You implement** ...`` sentence (in its
  introduction, so learners read the same words in the notebook, on its page and in the table).

Both are regenerated on every build, so they never drift from the notebooks.
"""

import json
import re

import yaml

from tools import colab_cell

from . import HERE, masters, student_notebook

_QUESTION = re.compile(r"^\*\*Question (\d+): (.+?)\.?\*\*\s*", re.DOTALL)
_SUMMARY = re.compile(r"\*\*You implement\*\*\s+(.+?)\.?\s*\Z", re.DOTALL)
INDEX = HERE / "index.md"
BEGIN_SETS = "% BEGIN SETS: generated from the masters by `make exercises`; edit the masters"
END_SETS = "% END SETS"


def question_points(master):
    """Dict question name -> points, from the master's ``# BEGIN QUESTION`` cells."""
    points = {}
    for cell in json.loads(master.read_text())["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "raw" and source.lstrip().startswith("# BEGIN QUESTION"):
            config = yaml.safe_load(source.split("\n", 1)[1])
            points[config["name"]] = config.get("points", 1)
    return points


def summary(master):
    """What the learner implements in a set: its master's ``**You implement** ...`` paragraph."""
    for cell in json.loads(master.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            for paragraph in "".join(cell["source"]).split("\n\n"):
                match = _SUMMARY.match(paragraph.strip())
                if match:
                    return " ".join(match.group(1).split()).replace("|", "\\|")
    raise ValueError(
        f"{master.name}: no `**You implement** ...` sentence in its markdown cells "
        "(the table of sets in exercises/index.md shows it)"
    )


def render_sets_table(sets=None):
    """The Markdown table of every set (name -> master, default: all): questions and points."""
    sets = masters() if sets is None else sets
    rows = ["| Set | You implement | Questions | Points |", "|---|---|---|---|"]
    for name, master in sets.items():
        points = question_points(master)
        rows.append(
            f"| {{doc}}`{name}` | {summary(master)} | {len(points)} | {sum(points.values()):g} |"
        )
    return "\n".join(rows)


def render_index(text, sets=None):
    """``exercises/index.md``'s text ``text`` with its table of sets regenerated."""
    start, end = text.find(BEGIN_SETS), text.find(END_SETS)
    if start < 0 or end < start:
        raise ValueError(f"{INDEX} lacks the lines {BEGIN_SETS!r} ... {END_SETS!r}")
    table = render_sets_table(sets)
    return f"{text[:start]}{BEGIN_SETS}\n\n{table}\n\n{text[end:]}"


def write_index():
    """Regenerate the table of sets in ``exercises/index.md``; return its path."""
    text = INDEX.read_text()
    new = render_index(text)
    if new != text:
        INDEX.write_text(new)
    return INDEX


def render_page(name, master):
    """The Markdown page of set ``name``."""
    nb = json.loads(student_notebook(name).read_text())
    points = question_points(master)
    total = sum(points.values())
    out = []
    for cell in nb["cells"]:
        source = "".join(cell["source"]).strip()
        if cell["cell_type"] == "markdown":
            if source.startswith("You have finished") or source.startswith("---"):
                break  # otter's check-all and submission cells follow
            if source.startswith("**How to work.**"):
                out.append(
                    f"**{len(points)} questions, {total:g} points.** Download the notebook, "
                    "complete each function, and run its `grader.check` cell: "
                    "{doc}`how to work on the exercises <index>`.\n\n"
                    f"- {{download}}`The student notebook <dist/{name}/student/{name}.ipynb>`\n"
                    f"- {{download}}`The notebook with its tests as files (zip, for Colab) "
                    f"<dist/{name}/{name}-student.zip>`"
                )
                continue
            source = re.sub(r"\n*_Points:_ [\d.]+\s*$", "", source)  # otter's; in the heading here
            match = _QUESTION.match(source)
            if match:
                number, title = match.groups()
                worth = points.get(f"q{number}", 1)
                unit = "point" if worth == 1 else "points"
                source = (
                    f"## Question {number}: {title} ({worth:g} {unit})\n\n"
                    + source[match.end() :].lstrip()
                )
            out.append(source)
        elif cell["cell_type"] == "code":
            if "grader" in source or "import otter" in source or colab_cell.is_colab_cell(cell):
                continue
            out.append(f"```python\n{source}\n```")
            if "otter_answer_cell" in cell.get("metadata", {}).get("tags", []):
                number = len([s for s in out if s.startswith("## Question")])
                out.append(f'Check your answer with `grader.check("q{number}")`.')
    return "\n\n".join(out) + "\n"


def page_path(name):
    """Where the page of set ``name`` lives (beside the set's folder)."""
    return HERE / f"{name}.md"


def write_page(name, master):
    """Write the page of set ``name``; return its path."""
    path = page_path(name)
    text = render_page(name, master)
    if not path.is_file() or path.read_text() != text:
        path.write_text(text)
    return path
