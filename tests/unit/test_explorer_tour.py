"""Chapter 1's tour: landscape x optimizer x learning rate, both faces, honest captions."""

import pytest

from optimlite import explorers, registry
from optimlite.explorers import MAX_HTML_BYTES
from optimlite.explorers.tour import TOUR_LRS, TOUR_OPTIMIZERS


@pytest.fixture(scope="module")
def tour():
    return explorers.tour()


def test_sliders_offer_landscapes_optimizers_and_learning_rates(tour):
    land, opt, lr = tour.sliders
    assert land.values == tuple(explorers.TOUR_LANDSCAPES) and not land.is_numeric
    assert [land.format(v) for v in land.values] == [
        "local minimum", "saddle point", "plateau", "ravine",
    ]  # fmt: skip
    assert opt.values == TOUR_OPTIMIZERS and all(registry.get(n) for n in opt.values)
    assert lr.values == TOUR_LRS and set(lr.values) <= set(lr.live_values)
    assert tour.shape == (4, 3, len(TOUR_LRS))


def test_the_default_view_is_gd_trapped_in_the_poor_minimum(tour):
    tour.frame(landscape="double_well", optimizer="GD", lr=0.02)
    assert "stuck in a poorer local minimum" in tour.caption
    tour.frame(landscape="double_well", optimizer="Momentum", lr=0.02)
    assert "ends in the global minimum" in tour.caption


def test_each_feature_shows_its_difficulty(tour):
    tour.frame(landscape="plateau", optimizer="GD", lr=0.2)
    assert tour.caption.startswith("plateau: GD") and "still on its way" in tour.caption
    tour.frame(landscape="plateau", optimizer="Adam", lr=0.2)
    assert "ends in the global minimum" in tour.caption
    tour.frame(landscape="ill_conditioned_quadratic", optimizer="GD", lr=0.2)
    assert "diverged at step" in tour.caption  # eta * lambda_max = 5 > 2
    assert not tour.errors


def test_changing_the_landscape_changes_the_picture(tour):
    a = tour.frame(landscape="saddle", optimizer="Adam", lr=0.02)
    b = tour.frame(landscape="plateau", optimizer="Adam", lr=0.02)
    c = tour.frame(landscape="plateau", optimizer="GD", lr=0.02)
    assert len({a, b, c}) == 3


def test_live_controls_redraw(tour):
    tour.widget  # noqa: B018
    before = bytes(tour.image.value)
    tour.controls["landscape"].value = "saddle"
    tour.controls["lr"].value = tour.sliders[2].live_values[1]  # a live-only rate
    assert bytes(tour.image.value) != before
    assert tour.caption.startswith("saddle point:")


def test_static_face_fits_the_budget_with_one_frame_per_grid_point(tour):
    html = tour.to_html()
    assert len(html.encode()) < MAX_HTML_BYTES
    static = tour.static_frames()
    assert len(static.frames) == tour.n_frames == 60
    assert len(set(static.frames)) == len(static.frames)
    assert not tour.errors


def test_bad_arguments_name_the_problem():
    with pytest.raises(ValueError, match="unknown landscape"):
        explorers.tour(["nowhere"])
    with pytest.raises(ValueError, match="unknown optimizer"):
        explorers.tour(optimizers=("GD", "Gradient Ascent"))
    with pytest.raises(ValueError, match="offered twice"):
        explorers.tour(["saddle", "saddle"])
    with pytest.raises(ValueError, match="positive"):
        explorers.tour(lrs=(0.0, 0.1))


def test_other_landscapes_use_their_own_start():
    ex = explorers.tour(["rosenbrock", "himmelblau"], optimizers=("Adam",), lrs=(0.01, 0.1))
    ex.frame(landscape="himmelblau", optimizer="Adam", lr=0.1)
    assert ex.caption.startswith("Himmelblau: Adam at η = 0.1")
    assert not ex.errors
