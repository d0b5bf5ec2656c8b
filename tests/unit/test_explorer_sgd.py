"""Chapter 3's explorer ``sgd_noise``: mini-batch SGD runs, the predicted noise ball, both faces."""

import io
import json
import re

import numpy as np
import pytest
from PIL import Image

import optimlite as ol
from optimlite import explorers, problems
from optimlite.explorers import MAX_HTML_BYTES

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def explorer():
    return explorers.sgd_noise()


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(bytes(png))).convert("RGB"))


def test_sliders_are_learning_rate_and_batch_size(explorer):
    lr, batch = explorer.sliders
    assert lr.name == "lr" and batch.name == "batch_size"
    assert batch.values == (1, 4, 16, 64, 256)
    lam_max = explorers.curvature(explorer.scene.landscape)[-1]
    assert max(lr.values) < 2 / lam_max  # full-batch GD converges at every offered rate


def test_runs_are_run_trajectory_with_the_packages_minibatch_gradient(explorer):
    x, y = problems.linear_data(n=1024, seed=0)
    runs = explorer.scene.compute(lr=0.044, batch_size=4)
    want = ol.run_trajectory(
        ol.SGD(lr=0.044), explorer.scene.landscape, steps=300,
        stochastic_grad=problems.MinibatchGrad(x, y, 4, seed=0, replace=True),
    )  # fmt: skip
    np.testing.assert_array_equal(runs["SGD"].path, want.path)
    gd = ol.run_trajectory(ol.SGD(lr=0.044), explorer.scene.landscape, steps=300)
    np.testing.assert_array_equal(runs["GD (full batch)"].path, gd.path)


def test_caption_compares_the_measured_gap_with_the_predicted_ball(explorer):
    explorer.frame(lr=0.092, batch_size=16)
    caption = explorer.caption
    assert caption.startswith("η = 0.092, |B| = 16:")
    measured = float(caption.split("steps ")[1].split(" ")[0])
    predicted = float(caption.split("noise ball ")[1].split(")")[0])
    assert 0.5 < measured / predicted < 2  # stationary by then: theory and run agree
    w_star, b_star, _ = explorer.scene.landscape.minima[0]
    ex, ey = explorer.scene.ellipse.get_data()
    assert np.mean(ex) == pytest.approx(w_star, abs=0.05)  # centred on the minimum
    assert np.mean(ey) == pytest.approx(b_star, abs=0.05)


def test_the_ball_shrinks_with_the_batch_and_grows_with_the_rate(explorer):
    def radius(lr, batch_size):
        explorer.frame(lr=lr, batch_size=batch_size)
        ex, ey = explorer.scene.ellipse.get_data()
        return np.ptp(ex) + np.ptp(ey)

    assert radius(0.092, 4) > 1.9 * radius(0.092, 16)  # ~ sqrt(4): 1/sqrt(|B|)
    assert radius(0.19, 16) > 1.3 * radius(0.092, 16)  # ~ sqrt(eta)
    assert "still on its way in" in (explorer.frame(lr=0.01, batch_size=256) and explorer.caption)


def test_moving_either_slider_redraws_the_live_face(explorer):
    image = explorer.image
    first = pixels(image.value)
    explorer.controls["batch_size"].value = 256
    second = pixels(image.value)
    explorer.controls["lr"].value = explorer.sliders[0].values[-1]
    third = pixels(image.value)
    assert np.any(first != second) and np.any(second != third)
    assert explorer.errors == []


def test_static_face_fits_the_budget_with_every_frame(explorer):
    html_text = explorer.to_html()
    assert len(html_text.encode()) < MAX_HTML_BYTES
    data = re.search(r'<script[^>]*class="ol-data"[^>]*>(.*?)</script>', html_text, re.S)
    assert len(json.loads(data.group(1))["frames"]) == explorer.n_frames == 30
    assert WIDGET_MIME in explorer._repr_mimebundle_()
    assert explorer.errors == []


def test_a_diverging_rate_is_drawn_and_labelled_not_raised():
    ex = explorers.sgd_noise(lrs=(0.05, 0.6), batch_sizes=(1, 8), steps=60)
    ex.frame(lr=0.6, batch_size=1)
    assert "diverged at step" in ex.caption
    assert len(ex.scene.ellipse.get_data()[0]) == 0  # no stationary ball beyond 2/lambda_max
    assert ex.errors == []


def test_custom_data_and_bad_input():
    x, y = problems.linear_data(n=200, true_w=-1.0, true_b=0.5, seed=3)
    ex = explorers.sgd_noise(x, y, lrs=(0.02, 0.1), batch_sizes=(2, 8), steps=50)
    assert ex.title == "SGD's noise ball (200 points)"
    ex.frame(lr=0.1, batch_size=8)
    assert ex.errors == [] and "|B| = 8" in ex.caption
    with pytest.raises(ValueError):
        explorers.sgd_noise(x, y, batch_sizes=())
