"""Chapter 7's explorer (RMSprop, learning rate x decay rate) and its step measurement."""

import numpy as np
import pytest

from optimlite import RMSprop, explorers, landscapes, run_trajectory
from optimlite.explorers.adaptive import relative_steps
from optimlite.explorers.static_html import MAX_HTML_BYTES

RAVINE = landscapes.ill_conditioned_quadratic(10.0, angle=0.5)


@pytest.mark.parametrize("alpha", [0.5, 0.9, 0.99])
def test_first_step_is_the_start_up_bias(alpha):
    # from square_avg = 0 the first step is η g / √((1 − α) g²) = η / √(1 − α) per coordinate
    rel = relative_steps(run_trajectory(RMSprop(lr=0.01, alpha=alpha), RAVINE, steps=5), 0.01)
    np.testing.assert_allclose(rel[0], 1 / np.sqrt(1 - alpha), rtol=1e-6)


def test_zero_decay_is_sign_descent():
    lr = 0.05
    run = run_trajectory(RMSprop(lr=lr, alpha=0.0), RAVINE, steps=200)
    grads = np.array([RAVINE.grad(*xy) for xy in run.path[:-1]])
    steps = np.diff(run.path, axis=0)
    np.testing.assert_allclose(steps, -lr * np.sign(grads), atol=lr * 1e-5)
    np.testing.assert_allclose(relative_steps(run, lr), 1.0, atol=1e-5)


def test_long_memory_is_not_sign_descent():
    rel = relative_steps(run_trajectory(RMSprop(lr=0.1, alpha=0.99), RAVINE, steps=300), 0.1)
    assert np.median(rel) < 0.5  # steps shrink near the minimum


def test_relative_steps_edge_cases():
    run = run_trajectory(RMSprop(lr=0.1), RAVINE, steps=0)
    assert relative_steps(run, 0.1).shape == (0, 2)
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError):
            relative_steps(run, bad)


def small():
    return explorers.rmsprop_decay(lrs=(0.01, 3.0), alphas=(0.0, 0.9, 0.999), steps=60)


def test_caption_reads_the_run():
    ex = small()
    ex.frame(lr=0.01, alpha=0.9)
    assert "memory 1/(1 − α) = 10 steps" in ex.caption
    assert "first step 3.16·η" in ex.caption  # 1/√0.1
    ex.frame(lr=0.01, alpha=0.0)
    assert "first step 1·η, median step 1·η" in ex.caption


def test_frames_change_with_the_sliders():
    ex = small()
    a = ex.frame(lr=0.01, alpha=0.9)
    b = ex.frame(lr=0.01, alpha=0.0)
    assert a != b
    assert ex.frame(lr=3.0, alpha=0.999) not in (a, b)
    assert ex.errors == []


def test_a_diverging_run_is_drawn_and_labelled():
    # a first step of 1e7 / √(1 − 0.9) per coordinate leaves run_trajectory's bound (1e6)
    ex = explorers.rmsprop_decay(lrs=(1e7,), alphas=(0.9,), steps=20)
    ex.frame(lr=1e7, alpha=0.9)
    assert "diverged at step 1" in ex.caption
    assert ex.errors == []


def test_static_face_is_complete_and_small():
    ex = small()
    frames = ex.static_frames()
    assert len(frames.captions) == 6 and ex.errors == []
    assert len(ex.to_html().encode()) < MAX_HTML_BYTES
