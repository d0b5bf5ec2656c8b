"""The shared plotting helpers: paths, divergence labels, loss curves, contours, style."""

import dataclasses
import subprocess
import sys

import numpy as np
import pytest

from optimlite import SGD, landscapes, plots, problems, registry, run_trajectory


@pytest.fixture
def ax():
    fig = plots.figure(4, 3, dpi=50)
    return fig.subplots()


def test_finite_prefix_stops_at_first_bad_row():
    pts = np.array([[0.0, 1.0], [2.0, 3.0], [np.nan, 1.0], [4.0, 5.0]])
    assert plots.finite_prefix(pts).tolist() == [[0.0, 1.0], [2.0, 3.0]]
    huge = np.array([[0.0, 0.0], [1e7, 0.0]])
    assert len(plots.finite_prefix(huge)) == 1
    assert len(plots.finite_prefix(huge, limit=1e8)) == 2


def test_divergence_text():
    assert plots.divergence_text(37) == "diverged at step 37"


def test_path_of_a_diverging_run_is_drawn_and_labelled(ax):
    land = landscapes.ill_conditioned_quadratic(10.0)
    run = run_trajectory(SGD(lr=0.25), land, steps=100)  # lr > 2 / lambda_max = 0.2
    assert run.diverged_at is not None
    artists = plots.draw_path(ax, run, label="GD")
    x, y = artists.line.get_data()
    assert len(x) == len(run.path) >= 2  # drawn up to the divergence, not empty
    assert artists.note.get_visible()
    assert artists.note.get_text() == f"GD: diverged at step {run.diverged_at}"


def test_path_shown_up_to_a_step_hides_a_later_divergence(ax):
    path = np.cumsum(np.ones((10, 2)), axis=0)
    artists = plots.PathArtists(ax, label="SGD")
    artists.set_path(path, diverged_at=9, upto=3)
    assert len(artists.line.get_data()[0]) == 4
    assert artists.end.get_data()[0].tolist() == [4.0]
    assert not artists.note.get_visible()
    artists.set_path(path, diverged_at=9, upto=9)
    assert artists.note.get_visible()


def test_loss_curve_floors_and_cuts(ax):
    plots.setup_loss_axes(ax, 10, 1e-6, 1e2)
    curve = plots.LossCurve(ax)
    curve.set_losses([1.0, 1e-3, 0.0, 1e-9, np.inf, 5.0], diverged_at=4)
    steps, values = curve.line.get_data()
    assert steps.tolist() == [0, 1, 2, 3]
    assert values.min() == pytest.approx(1e-6)  # <= 0 and tiny values sit on the floor
    assert curve.note.get_text() == "diverged at step 4"
    assert ax.get_yscale() == "log"


def test_contours_cover_the_window_and_mark_minima(ax):
    land = landscapes.himmelblau()
    cs = plots.contours(ax, land)
    assert len(cs.levels) >= 5
    assert ax.get_xlim() == land.xlim and ax.get_ylim() == land.ylim
    stars = [line for line in ax.lines if line.get_marker() == "*"]
    assert len(stars) == len(land.minima) == 4


def test_contours_with_a_level_count_on_a_landscape_without_levels(ax):
    class Bowl:
        xlim, ylim = (-1.0, 1.0), (-1.0, 1.0)
        minima = [(0.0, 0.0, 0.0)]

        @staticmethod
        def f(x, y):
            return x**2 + 3 * y**2

    cs = plots.contours(ax, Bowl(), levels=7)
    assert len(cs.levels) == 7
    assert np.all(np.diff(cs.levels) > 0)


def test_contour_level_count_gives_the_landscapes_log_levels(ax):
    land = landscapes.rosenbrock()
    cs = plots.contours(ax, land, levels=12, xlim=(-1.0, 1.0), ylim=(0.0, 2.0))
    expected = landscapes.log_levels(land.f, (-1.0, 1.0), (0.0, 2.0), 0.0, n=12)
    np.testing.assert_allclose(cs.levels, expected)
    assert ax.get_xlim() == (-1.0, 1.0) and ax.get_ylim() == (0.0, 2.0)


def test_color_for_is_stable_and_falls_back_to_the_palette():
    for name, spec in registry.REGISTRY.items():
        assert plots.color_for(name, 5) == spec.color == registry.color(name)
        for alias in spec.aliases:
            assert plots.color_for(alias) == spec.color
    assert plots.color_for("Adagrad") == plots.color_for("AdaGrad")
    assert plots.color_for("GD") == plots.color_for("SGD")
    assert plots.color_for("mystery", 2) == plots.PALETTE[2]
    assert plots.color_for("mystery", 2 + len(plots.PALETTE)) == plots.PALETTE[2]


def regression_bowl():
    return problems.linear_regression_landscape(*problems.linear_data(seed=0))


def test_landscapes_carry_their_coordinates_names():
    assert landscapes.rosenbrock().labels == ("x", "y")
    assert all(make().labels == ("x", "y") for make in landscapes.LANDSCAPES.values())
    assert regression_bowl().labels == ("w", "b")


def test_contours_label_the_axes_with_the_landscapes_coordinates(ax):
    plots.contours(ax, regression_bowl())
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$w$", "$b$")
    ax.clear()
    plots.contours(ax, landscapes.himmelblau())
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x$", "$y$")
    ax.clear()
    plots.contours(ax, dataclasses.replace(landscapes.saddle(), labels=("\\theta_1", "\\theta_2")))
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$\\theta_1$", "$\\theta_2$")


def test_contours_of_an_object_without_labels_use_x_and_y(ax):
    class Bowl:
        xlim, ylim = (-1.0, 1.0), (-1.0, 1.0)

        @staticmethod
        def f(x, y):
            return x**2 + y**2

    plots.contours(ax, Bowl(), levels=5)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x$", "$y$")
    assert plots.axis_labels(Bowl()) == ("$x$", "$y$")


def test_every_panel_of_a_landscape_grid_is_labelled_as_the_landscape():
    """Chapter 2's 2x2 figure once showed x / y on the top row and w / b only below."""
    bowl = regression_bowl()
    fig = plots.figure(8, 6, dpi=40)
    axes = fig.subplots(2, 2, sharex=True, sharey=True)
    for panel in axes.flat:
        plots.contours(panel, bowl, resolution=20)
    assert {(panel.get_xlabel(), panel.get_ylabel()) for panel in axes.flat} == {("$w$", "$b$")}


def test_step_axes_can_be_linear(ax):
    plots.setup_loss_axes(ax, 50, 0.0, 0.2, ylabel="learning rate", yscale="linear")
    assert ax.get_yscale() == "linear" and ax.get_ylim() == (0.0, 0.2)
    assert ax.get_xlim() == (0.0, 50.0) and ax.get_xlabel() == "step"
    assert ax.get_ylabel() == "learning rate"


def test_style_is_applied_inside_the_context_only():
    import matplotlib as mpl

    before = mpl.rcParams["axes.spines.top"]
    with plots.style():
        assert mpl.rcParams["axes.spines.top"] is False
        assert mpl.rcParams["font.size"] == plots.STYLE["font.size"]
    assert mpl.rcParams["axes.spines.top"] == before


def test_figures_and_explorer_frames_never_touch_pyplot():
    code = (
        "import sys\n"
        "from optimlite import plots, explorers\n"
        "fig = plots.figure(); fig.subplots(); fig.canvas.draw()\n"
        "ex = explorers.momentum(steps=20, lrs=(0.01, 0.02), momenta=(0.0, 0.9))\n"
        "ex.frame(lr=0.02); ex.to_html()\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_draw_losses_leaves_out_zero_gaps_and_keeps_a_sane_scale(ax):
    curve = plots.draw_losses(ax, [10.0, 1.0, 0.1, 0.0, -1e-16], label="GD")
    assert ax.get_yscale() == "log"
    assert ax.get_ylim()[0] > 1e-6  # not dragged to 1e-300 by the zero and the rounding error
    assert np.isnan(curve.line.get_data()[1][3:]).all()


def test_style_restores_only_its_own_keys():
    """A backend set up inside the block (the inline backend turns interactive mode on when
    pyplot makes its first figure) must stay set up, or later notebook figures never show."""
    import matplotlib as mpl

    before = mpl.rcParams["interactive"]
    try:
        with plots.style():
            mpl.rcParams["interactive"] = not before
        assert mpl.rcParams["interactive"] is (not before)
    finally:
        mpl.rcParams["interactive"] = before
