"""Every exercise set: generated, leak-free, solved master full marks, blank notebook zero."""

import json
import re
import zipfile

import pytest
import yaml
from exercise_harness import (
    autograder_notebook,
    namespace,
    public_messages,
    question_sources,
    run_question,
)

from exercises import DIST, HERE, autograder_zip, masters, student_notebook
from exercises.build import find_leaks

SETS = list(masters())
ROOT = HERE.parent
#: the course's chapters, existing or planned (DESIGN.md section 4): 1 to 15; 14, the
#: conclusion, has no graded set
CHAPTERS_WITH_A_SET = set(range(1, 16)) - {14}
_SET_NAME = re.compile(r"(\d\d)_[a-z0-9_]+")


def _toc_sets():
    """The exercise pages listed under ``exercises/index`` in ``_toc.yml``, in order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    part = next(p for p in toc["parts"] if p["caption"] == "Exercises")
    index = next(c for c in part["chapters"] if c["file"] == "exercises/index")
    return [s["file"] for s in index.get("sections", [])]


def _config(master):
    """A master's otter ``ASSIGNMENT CONFIG`` (its first cell)."""
    source = "".join(json.loads(master.read_text())["cells"][0]["source"])
    assert source.startswith("# ASSIGNMENT CONFIG"), master
    return yaml.safe_load(source.split("\n", 1)[1])


def test_there_are_sets_and_each_is_in_the_toc_in_chapter_order():
    assert SETS, "no master notebook exercises/<set>/<set>.ipynb found"
    toc = _toc_sets()
    for name in SETS:
        assert f"exercises/{name}" in toc, f"{name} has no entry under exercises/index in _toc.yml"
    for entry in toc:
        name = entry.removeprefix("exercises/")
        assert name in SETS, f"_toc.yml lists {entry}, which has no master {name}/{name}.ipynb"
    assert toc == sorted(toc, key=lambda e: int(e.split("/")[1].split("_")[0])), toc


@pytest.mark.parametrize("set_name", SETS)
def test_set_is_named_after_its_chapter(set_name):
    match = _SET_NAME.fullmatch(set_name)
    assert match, f"{set_name}: name it NN_topic, NN its chapter's number"
    number = int(match.group(1))
    assert number in CHAPTERS_WITH_A_SET, f"{set_name}: chapter {number} has no graded set"
    others = [s for s in SETS if s != set_name and int(s[:2]) == number]
    assert not others, f"chapter {number} has several sets: {set_name}, {others}"
    master = masters()[set_name]
    assert _config(master)["name"] == set_name, f"{master}: ASSIGNMENT CONFIG name"
    intro = "".join(json.loads(master.read_text())["cells"][1]["source"])
    assert intro.startswith(f"# Exercises {number}:"), intro.splitlines()[0]


CHAPTER_NOTEBOOKS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("chapter", CHAPTER_NOTEBOOKS, ids=lambda p: p.stem)
def test_chapter_links_its_own_set(chapter):
    number = int(chapter.name[:2])
    cells = json.loads(chapter.read_text())["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    linked = re.findall(r"\{doc\}`\.\./exercises/([^`]+)`", text)
    for name in linked:
        assert name in SETS or name == "index", f"{chapter.name} links a missing set {name}"
    own = [s for s in SETS if int(s[:2]) == number]
    for name in own:
        assert name in linked, f"{chapter.name} does not link its set: {{doc}}`../exercises/{name}`"


@pytest.mark.parametrize("set_name", SETS)
def test_generated_versions_exist(exercise_sets, set_name):
    assert student_notebook(set_name).is_file()
    assert autograder_zip(set_name).is_file()
    with zipfile.ZipFile(autograder_zip(set_name)) as zf:
        graded = {n for n in zf.namelist() if n.startswith("tests/")}
    assert graded == {f"tests/{q}.py" for q in question_sources(set_name)}
    with zipfile.ZipFile(DIST / set_name / f"{set_name}-student.zip") as zf:
        names = set(zf.namelist())
        assert f"{set_name}/{set_name}.ipynb" in names
        for q in question_sources(set_name):
            assert "hidden=True" not in zf.read(f"{set_name}/tests/{q}.py").decode()


@pytest.mark.parametrize("set_name", SETS)
def test_student_notebook_leaks_no_solution_or_hidden_test(exercise_sets, set_name):
    assert find_leaks(masters()[set_name], student_notebook(set_name)) == []
    student = json.loads(student_notebook(set_name).read_text())
    for source in student["metadata"]["otter"]["tests"].values():
        assert "hidden=False" in source and "hidden=True" not in source


def test_leak_check_finds_solutions_and_hidden_tests(exercise_sets):
    """The check itself can fail: the autograder notebook, posing as a student one, leaks."""
    name = SETS[0]
    leaks = find_leaks(masters()[name], autograder_notebook(name))
    assert any(leak.startswith("solution line") for leak in leaks), leaks
    assert any(leak.startswith("hidden test") for leak in leaks), leaks


@pytest.mark.parametrize("set_name", SETS)
def test_solved_master_scores_full_marks(exercise_sets, set_name):
    env = namespace(autograder_notebook(set_name))
    for question in question_sources(set_name):
        result = run_question(set_name, question, env)
        assert result.possible > 0
        assert result.score == result.possible, (question, result.summary())
        assert any(r.test_case.hidden for r in result.test_case_results), f"{question}: no hidden"
        assert any(not r.test_case.hidden for r in result.test_case_results), (
            f"{question}: no public"
        )


@pytest.mark.parametrize("set_name", SETS)
def test_unanswered_student_notebook_scores_zero(exercise_sets, set_name):
    env = namespace(student_notebook(set_name))
    for question in question_sources(set_name):
        result = run_question(set_name, question, env)
        assert result.score == 0, (question, result.summary())
        messages = public_messages(result)
        assert messages and all("None" in m for m in messages), messages


@pytest.mark.parametrize("set_name", SETS)
def test_book_page_is_current_and_holds_no_solution(exercise_sets, set_name):
    from exercises.build import _master_secrets
    from exercises.pages import page_path, render_page

    master = masters()[set_name]
    text = page_path(set_name).read_text()
    assert text == render_page(set_name, master), "stale page: run `make exercises`"
    solution_lines, hidden = _master_secrets(json.loads(master.read_text()))
    assert not [line for line in solution_lines if line in text]
    assert not [name for name in hidden if name in text]
    questions = question_sources(set_name)
    assert text.count("## Question ") == len(questions)
    assert f"<dist/{set_name}/student/{set_name}.ipynb>" in text


def test_index_table_of_sets_is_current():
    """The table in exercises/index.md is generated (questions, points, summary per master)."""
    from exercises.pages import INDEX, render_index

    text = INDEX.read_text()
    assert text == render_index(text), "stale table of sets in exercises/index.md: make exercises"
    for name in SETS:
        assert f"| {{doc}}`{name}` |" in text, f"{name} is not listed in exercises/index.md"


def test_index_table_counts_questions_and_points(tmp_path):
    """The check above can fail: another question or other points change the table."""
    from exercises.pages import render_sets_table, summary

    name = SETS[0]
    nb = json.loads(masters()[name].read_text())
    questions = [
        c
        for c in nb["cells"]
        if c["cell_type"] == "raw" and "".join(c["source"]).startswith("# BEGIN QUESTION")
    ]
    points = [
        yaml.safe_load("".join(c["source"]).split("\n", 1)[1]).get("points", 1) for c in questions
    ]
    row = f"| {{doc}}`{name}` | {summary(masters()[name])} | {len(points)} | {sum(points):g} |"
    assert row in render_sets_table({name: masters()[name]})
    questions[0]["source"] = ["# BEGIN QUESTION\n", "name: q1\n", f"points: {points[0] + 7}"]
    changed = tmp_path / f"{name}.ipynb"
    changed.write_text(json.dumps(nb))
    assert f"| {len(points)} | {sum(points) + 7:g} |" in render_sets_table({name: changed})
