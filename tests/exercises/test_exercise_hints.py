"""Typical wrong answers lose their points, and the learner's hint names the mistake.

Runs each question's otter tests (public and hidden) in-process against the solved notebook
with one function replaced by a known-wrong version (see ``wrong_answers.py``).
"""

import numpy as np
import pytest
from exercise_harness import autograder_notebook, namespace, public_messages, run_question
from wrong_answers import WRONG

from exercises import masters


@pytest.mark.parametrize(
    ("set_name", "question", "code", "hint"),
    [pytest.param(s, q, code, hint, id=f"{s}-{q}-{label}") for s, q, label, code, hint in WRONG],
)
def test_wrong_answer_loses_points_with_a_hint(exercise_sets, set_name, question, code, hint):
    env = namespace(autograder_notebook(set_name), replace=code)
    with np.errstate(all="ignore"):  # the wrong answers divide by zero, overflow, ...
        result = run_question(set_name, question, env)
    assert result.score < result.possible, result.summary()
    messages = public_messages(result)
    assert any(hint in m for m in messages), messages


def test_every_question_has_a_wrong_answer(exercise_sets):
    from exercise_harness import question_sources

    covered = {(s, q) for s, q, *_ in WRONG}
    for set_name in masters():
        for question in question_sources(set_name):
            assert (set_name, question) in covered, f"{set_name} {question}: no wrong answer"
