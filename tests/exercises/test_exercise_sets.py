"""Every exercise set: generated, leak-free, solved master full marks, blank notebook zero."""

import json
import zipfile

import pytest
from exercise_harness import (
    autograder_notebook,
    namespace,
    public_messages,
    question_sources,
    run_question,
)

from exercises import DIST, autograder_zip, masters, student_notebook
from exercises.build import find_leaks

SETS = list(masters())


def test_there_are_eleven_sets():
    assert len(SETS) == 11, SETS


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


def test_index_and_toc_list_every_set():
    import yaml

    from exercises import HERE

    index = (HERE / "index.md").read_text()
    toc = yaml.safe_load((HERE.parent / "_toc.yml").read_text())
    part = next(p for p in toc["parts"] if p["caption"] == "Exercises")
    sections = [s["file"] for s in part["chapters"][0]["sections"]]
    assert sections == [f"exercises/{name}" for name in SETS]
    for name in SETS:
        assert f"{{doc}}`{name}`" in index, f"{name} is not listed in exercises/index.md"
