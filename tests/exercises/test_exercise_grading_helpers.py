"""optimlite.grading: time limits, safe calls and comparisons whose messages name the mistake."""

import numpy as np
import pytest

from optimlite.grading import (
    TimeLimitExceeded,
    answer,
    assert_array,
    assert_scalar,
    number,
    time_limit,
    unpack,
)


def _spin():
    while True:
        pass


def _spin_and_swallow():
    while True:
        try:
            _spin()
        except Exception:
            continue


def test_time_limit_interrupts_a_loop():
    with pytest.raises(TimeLimitExceeded):
        with time_limit(0.2):
            _spin()


def test_time_limit_is_not_swallowed_by_except_exception():
    with pytest.raises(TimeLimitExceeded):
        with time_limit(0.2):
            _spin_and_swallow()


def test_time_limit_nested_restores_the_outer_limit():
    with pytest.raises(TimeLimitExceeded, match="0.5 s"):
        with time_limit(0.5):
            with time_limit(5):
                pass
            _spin()


def test_time_limit_rejects_bad_seconds():
    with pytest.raises(ValueError, match="seconds"):
        with time_limit(0):
            pass


def test_answer_reports_a_loop_within_its_limit():
    with pytest.raises(AssertionError, match="`f` did not finish within 0.3 s"):
        answer("f", lambda: _spin(), seconds=0.3)()


def test_answer_reports_the_exception_and_the_learners_line():
    def f(x):
        return x / np.zeros(0)[1]

    with pytest.raises(AssertionError, match=r"`f` raised IndexError: .*\(line \d+: `return x / "):
        answer("f", f)(1.0)


def test_answer_reports_missing_and_non_callable():
    with pytest.raises(AssertionError, match="`g` is not defined: run the cell"):
        answer("g", None)
    with pytest.raises(AssertionError, match="`g` should be a function, but it is a int"):
        answer("g", 3)


def test_answer_detects_an_input_changed_in_place():
    def step(p, g):
        p -= 0.1 * g
        return p

    with pytest.raises(AssertionError, match="changed its input `p` in place"):
        answer("step", step)(np.ones(3), np.ones(3))
    p = np.ones(3)
    answer("step", step, pure=False)(p, np.ones(3))
    assert np.allclose(p, 0.9)


def test_answer_reports_a_wrong_signature():
    with pytest.raises(AssertionError, match="cannot be called as the exercise describes"):
        answer("f", lambda a: a)(1, 2)


def test_assert_array_names_the_matching_mistake():
    want = np.array([1.0, 2.0])
    with pytest.raises(AssertionError, match="x is not right: forgot the bias correction"):
        assert_array(
            want / 10,
            want,
            "x",
            mistakes={"eps misplaced": want + 1, "forgot the bias correction": want / 10},
        )
    with pytest.raises(AssertionError, match=r"differs from the reference at index \(1,\)"):
        assert_array(np.array([1.0, 2.5]), want, "x")
    assert_array(want + 1e-12, want, "x")


def test_assert_array_checks_none_type_shape_dtype_and_nan():
    want = np.ones(2, np.float32)
    with pytest.raises(AssertionError, match="got None"):
        assert_array(None, want, "x")
    with pytest.raises(AssertionError, match="should be a numpy array, got a list"):
        assert_array([1.0, 1.0], want, "x")
    with pytest.raises(AssertionError, match=r"should have shape \(2,\)"):
        assert_array(np.ones(3, np.float32), want, "x")
    with pytest.raises(AssertionError, match="should keep the dtype float32, got float64"):
        assert_array(np.ones(2), want, "x")
    with pytest.raises(AssertionError, match="NaN or inf"):
        assert_array(np.array([1.0, np.nan], np.float32), want, "x")


def test_scalars_and_tuples():
    assert number(np.float32(2.5), "v") == 2.5
    with pytest.raises(AssertionError, match="should be a number, got a str"):
        number("2", "v")
    with pytest.raises(AssertionError, match="v is not right: twice"):
        assert_scalar(4.0, 2.0, "v", mistakes={"twice": 4.0})
    with pytest.raises(AssertionError, match=r"should return \(a, b\), got 3 values"):
        unpack((1, 2, 3), ["a", "b"], "f")
    assert unpack([1, 2], ["a", "b"], "f") == (1, 2)


def test_answer_detects_an_array_changed_inside_a_dict():
    def clip(grads):
        grads["w"] *= 0.5
        return grads

    with pytest.raises(AssertionError, match=r"changed its input `grads\['w'\]` in place"):
        answer("clip", clip)({"w": np.ones(2), "b": np.ones(1)})
