"""Explorers: the live widget driven from Python, divergence, errors, the static HTML face."""

import base64
import io
import json
import math
import re
from html.parser import HTMLParser

import numpy as np
import pytest
from PIL import Image

from optimlite import explorers, plots
from optimlite.explorers import MAX_HTML_BYTES, Explorer, Scene, Slider, log_grid

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --- helpers ---------------------------------------------------------------------------------


class _Collector(HTMLParser):
    """Collects the elements of the static face by tag and class."""

    def __init__(self):
        super().__init__()
        self.elements = []
        self.scripts = []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag == "script":
            self._in_script = attrs
            self.scripts.append([attrs, ""])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts[-1][1] += data

    def having(self, tag, cls):
        return [a for t, a in self.elements if t == tag and cls in (a.get("class") or "").split()]


def parse(html_text):
    collector = _Collector()
    collector.feed(html_text)
    data_scripts = [text for attrs, text in collector.scripts if attrs.get("class") == "ol-data"]
    assert len(data_scripts) == 1
    return collector, json.loads(data_scripts[0])


def decode_png(data):
    data = bytes(data)  # the Image widget holds a memoryview
    assert data.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


class Bowl:
    """A tiny landscape for fast scenes: f = x^2 + 4 y^2."""

    xlim, ylim = (-2.0, 2.0), (-2.0, 2.0)
    minima = [(0.0, 0.0, 0.0)]
    start = (1.5, 1.0)
    title = "bowl"

    @staticmethod
    def f(x, y):
        return x * x + 4 * y * y


class GDScene(Scene):
    """Gradient descent on Bowl; raises for lr == 0.123 (to test error handling)."""

    size = (4.0, 2.0)

    def setup(self, fig):
        ax_path, ax_loss = fig.subplots(1, 2)
        plots.contours(ax_path, Bowl(), levels=6)
        plots.setup_loss_axes(ax_loss, 30, 1e-12, 1e3)
        self.path = self.moving(plots.PathArtists(ax_path, label="GD"))
        self.loss = self.moving(plots.LossCurve(ax_loss))
        self.status = self.moving(ax_loss.text(0.5, 1.0, "", transform=ax_loss.transAxes))

    def update(self, lr, scale=1.0):
        if lr == 0.123:
            raise RuntimeError("this lr is cursed")
        pts = [(1.5 * scale, 1.0)]
        for _ in range(30):
            x, y = pts[-1]
            pts.append((x - lr * 2 * x, y - lr * 8 * y))
        pts = np.array(pts)
        losses = pts[:, 0] ** 2 + 4 * pts[:, 1] ** 2
        bad = np.flatnonzero(~np.isfinite(losses) | (losses > 1e6))
        diverged = int(bad[0]) if bad.size else None
        self.path.set_path(pts, diverged)
        self.loss.set_losses(losses, diverged)
        self.status.set_text(f"lr = {lr:g}")
        return f"lr = {lr:g}: final loss {losses[-1]:.2g}"


def small_explorer(**kwargs):
    sliders = [
        Slider("lr", (0.01, 0.05, 0.1, 0.123, 0.3), label="learning rate", default=0.05),
        Slider.choice("scale", (1.0, 0.5), label="start scale"),
    ]
    return Explorer(GDScene(), sliders, title="GD on a bowl", dpi=60, **kwargs)


@pytest.fixture
def explorer():
    return small_explorer()


# --- sliders ---------------------------------------------------------------------------------


def test_log_grid_is_rounded_increasing_and_spans_the_range():
    grid = log_grid(1e-3, 1.0, 7)
    assert grid[0] == 0.001 and grid[-1] == 1.0
    assert all(b > a for a, b in zip(grid, grid[1:], strict=False))
    assert all(float(f"{v:.2g}") == v for v in grid)


def test_slider_validation_names_the_parameter():
    with pytest.raises(ValueError, match="default"):
        Slider("lr", (0.1, 0.2), default=0.3)
    with pytest.raises(ValueError, match="name"):
        Slider("learning rate", (0.1, 0.2))
    with pytest.raises(ValueError, match="distinct"):
        Slider("lr", (0.1, 0.1))
    with pytest.raises(ValueError, match="lo"):
        log_grid(0.0, 1.0, 5)


def test_refined_log_slider_keeps_the_static_grid_inside_the_live_one():
    slider = Slider.log("lr", 1e-3, 1.0, 4, refine=3)
    assert set(slider.values) <= set(slider.live_values)
    assert len(slider.live_values) > len(slider.values)


def test_explorer_validation():
    with pytest.raises(ValueError, match="distinct"):
        Explorer(GDScene(), [Slider("lr", (0.1,)), Slider("lr", (0.2,))])
    with pytest.raises(ValueError, match="scene"):
        Explorer(42, [Slider("lr", (0.1,))])
    with pytest.raises(ValueError, match="unknown slider"):
        small_explorer().frame(momentum=0.9)


# --- the live face ---------------------------------------------------------------------------


def test_moving_a_slider_redraws_the_image_with_the_new_value(explorer):
    image = explorer.image
    before = image.value
    assert decode_png(before).size == explorer.renderer.pixel_size
    explorer.controls["lr"].value = 0.3
    after = image.value
    assert after != before
    assert decode_png(after).size == explorer.renderer.pixel_size
    assert explorer.values["lr"] == 0.3
    assert explorer.scene.status.get_text() == "lr = 0.3"  # the figure shows the value
    assert explorer.caption.startswith("lr = 0.3:")
    assert "lr = 0.3" in explorer._caption.value
    explorer.controls["scale"].value = 0.5  # a category control
    assert image.value != after
    assert explorer.values == {"lr": 0.3, "scale": 0.5}


def test_live_frames_differ_only_where_the_moving_parts_are(explorer):
    a = np.asarray(decode_png(explorer.frame(lr=0.01)).convert("RGB"))
    b = np.asarray(decode_png(explorer.frame(lr=0.3)).convert("RGB"))
    changed = np.any(a != b, axis=2)
    assert 0 < changed.mean() < 0.5


def test_controls_offer_the_slider_values(explorer):
    lr = explorer.controls["lr"]
    assert [v for _, v in lr.options] == [0.01, 0.05, 0.1, 0.123, 0.3]
    assert lr.value == 0.05
    assert [v for _, v in explorer.controls["scale"].options] == [1.0, 0.5]


def test_a_scene_error_becomes_a_message_not_an_exception(explorer):
    image = explorer.image
    before = image.value
    explorer.controls["lr"].value = 0.123  # GDScene raises here
    assert image.value != before
    decode_png(image.value)
    assert explorer.errors and "cursed" in explorer.errors[-1]
    assert explorer.caption.startswith("error: RuntimeError")
    explorer.controls["lr"].value = 0.1  # and it recovers
    assert explorer.caption.startswith("lr = 0.1:")


def test_a_plain_draw_function_is_a_scene_too():
    def draw(fig, a):
        ax = fig.subplots()
        ax.plot([0, 1], [0, a])
        ax.set_ylim(0, 3)
        return f"a = {a}"

    ex = Explorer(draw, [Slider("a", (1, 2, 3))], dpi=40)
    assert ex.frame(a=3) != ex.frame(a=1)
    assert ex.caption == "a = 1"
    static = ex.static_frames()
    assert static.background is None and len(static.frames) == 3
    assert decode_png(static.frames[0]).mode == "P"  # quantized


# --- divergence ------------------------------------------------------------------------------


def test_too_large_lr_gives_a_labelled_figure_not_an_exception():
    ex = explorers.lr_dilemma("ill_conditioned_quadratic", steps=40)
    largest = ex.sliders[0].values[-1]
    png = ex.frame(lr=largest)
    decode_png(png)
    assert ex.errors == []
    assert "diverged at step" in ex.caption
    note = ex.scene.paths["GD"].note
    assert note.get_visible() and re.fullmatch(r"GD: diverged at step \d+", note.get_text())
    x, _ = ex.scene.paths["GD"].line.get_data()
    assert len(x) >= 2  # drawn up to the divergence, never empty


def test_lr_dilemma_grid_has_every_regime():
    ex = explorers.lr_dilemma("ill_conditioned_quadratic", steps=60)
    captions = ex.static_frames().captions
    text = " ".join(captions)
    assert "too small" in text and "about right" in text and "too large" in text
    assert "oscillates" in text


def test_momentum_caption_matches_theory_on_the_quadratic():
    ex = explorers.momentum(kappa=25, steps=150, lrs=(0.036,), momenta=(0.9,))
    ex.frame(lr=0.036, momentum=0.9)
    rates = re.findall(r"rate/step ([\d.]+) \(theory ([\d.]+)\)", ex.caption)
    assert len(rates) == 2
    for measured, theory in rates:
        assert float(measured) == pytest.approx(float(theory), abs=0.02)


# --- the static face -------------------------------------------------------------------------


def test_static_html_has_one_frame_per_grid_point_and_valid_pngs(explorer):
    html_text = explorer.to_html()
    collector, data = parse(html_text)
    assert explorer.shape == (5, 2)
    assert len(data["frames"]) == explorer.n_frames == 10
    drawn = [f for f, c in zip(data["frames"], data["captions"], strict=True) if "error" not in c]
    assert len(drawn) == 8 and len(set(drawn)) == 8  # each grid point drew something different
    size = explorer.renderer.pixel_size
    for frame in data["frames"]:
        image = decode_png(base64.b64decode(frame))
        assert image.size == size and image.mode == "P"
    (root,) = collector.having("div", "ol-explorer")
    assert root["id"].startswith("ol-explorer-")
    sliders = collector.having("input", "ol-slider")
    assert [s["data-name"] for s in sliders] == ["lr", "scale"]
    assert [s["max"] for s in sliders] == ["4", "1"]
    assert all(s["type"] == "range" and s["aria-label"] for s in sliders)
    assert len(collector.having("output", "ol-value")) == 2
    (frame_img,) = collector.having("img", "ol-frame")
    (background,) = collector.having("img", "ol-background")
    decode_png(base64.b64decode(background["src"].split(",", 1)[1]))
    # the shown frame is the default one: lr = 0.05 (index 1), scale = 1.0 (index 0)
    assert data["strides"] == [2, 1]
    assert frame_img["src"].endswith(data["frames"][1 * 2 + 0])
    assert data["labels"] == [["0.01", "0.05", "0.1", "0.123", "0.3"], ["1.0", "0.5"]]


def test_frame_order_is_row_major_over_the_sliders(explorer):
    _, data = parse(explorer.to_html())
    assert data["captions"][3 * 2 + 0].startswith("error:")  # lr = 0.123 raises: on the figure
    assert data["captions"][4 * 2 + 1].startswith("lr = 0.3:")
    assert "start scale = 0.5" in data["alts"][4 * 2 + 1]


def test_static_html_is_self_contained_and_ids_are_unique():
    a, b = small_explorer().to_html(), small_explorer().to_html()
    for html_text in (a, b):
        assert "<script src" not in html_text and "http://" not in html_text
        assert "https://" not in html_text
    id_a = re.search(r'id="(ol-explorer-[^"]+)"', a).group(1)
    id_b = re.search(r'id="(ol-explorer-[^"]+)"', b).group(1)
    assert id_a != id_b
    assert f'getElementById("{id_a}")' in a


def test_mime_bundle_carries_the_widget_and_the_html(explorer):
    bundle = explorer._repr_mimebundle_()
    assert bundle[WIDGET_MIME]["model_id"] == explorer.widget.model_id
    html_text = bundle["text/html"]
    assert html_text.startswith('<div class="ol-explorer"') and "ol-data" in html_text
    # the same explorer shown again gets a fresh id (two copies on one page both work)
    ids = {
        re.search(r'id="(ol-explorer-[^"]+)"', h).group(1) for h in (html_text, explorer.to_html())
    }
    assert len(ids) == 2
    assert bundle["text/plain"].startswith("Explorer(")


READY = {
    "lr_dilemma": lambda: explorers.lr_dilemma(),
    "lr_dilemma_rosenbrock": lambda: explorers.lr_dilemma("rosenbrock"),
    "momentum": lambda: explorers.momentum(),
    "momentum_nesterov": lambda: explorers.momentum(nesterov=True),
    "adagrad_vs_rmsprop": lambda: explorers.adagrad_vs_rmsprop(),
    "adam_betas": lambda: explorers.adam_betas(),
    "race": lambda: explorers.race(),
    "race_quadratic": lambda: explorers.race(landscape="ill_conditioned_quadratic"),
    "rmsprop_decay": lambda: explorers.rmsprop_decay(),
    "overshoot": lambda: explorers.overshoot(),
    "weight_decay": lambda: explorers.weight_decay(),
    "clipping": lambda: explorers.clipping(),
    "orthogonalize": lambda: explorers.orthogonalize(),
    **{f"schedule_{k}": (lambda k=k: explorers.schedule(k)) for k in explorers.SCHEDULE_KINDS},
}


@pytest.mark.parametrize("name", list(READY))
def test_ready_explorers_fit_the_page_budget_and_draw_without_errors(name):
    ex = READY[name]()
    html_text = ex.to_html()
    assert len(html_text.encode()) < MAX_HTML_BYTES
    _, data = parse(html_text)
    assert len(data["frames"]) == ex.n_frames == math.prod(len(s.values) for s in ex.sliders)
    assert ex.errors == []
    assert WIDGET_MIME in ex._repr_mimebundle_()


def test_curvature_by_finite_differences_matches_the_known_eigenvalues():
    from optimlite import landscapes

    quad = landscapes.ill_conditioned_quadratic(30.0, angle=0.4)
    at_minimum = explorers.curvature(quad, point=(0.0, 0.0))  # finite differences
    assert at_minimum == pytest.approx(explorers.curvature(quad), rel=1e-6)
    rosen = explorers.curvature(landscapes.rosenbrock())  # Hessian [[802, -400], [-400, 200]]
    assert rosen == pytest.approx(np.linalg.eigvalsh([[802.0, -400.0], [-400.0, 200.0]]), rel=1e-6)


def test_effective_step_sizes_are_the_optimizers_own():
    """The curves rebuilt from the gradients are the steps AdaGrad and RMSprop really took:
    theta_t - theta_{t-1} = -(effective lr) * g_t, coordinate by coordinate."""
    ex = explorers.adagrad_vs_rmsprop(steps=80)
    runs = ex.scene.compute(lr=0.3, alpha=0.9)
    land = ex.scene.landscape
    for name in ("AdaGrad", "RMSprop"):
        run, curves = runs[name]
        gx, gy = land.grad(run.path[:-1, 0], run.path[:-1, 1])
        steps = np.diff(run.path, axis=0)
        assert curves.shape == steps.shape == (80, 2)
        np.testing.assert_allclose(
            steps, -curves * np.stack([gx, gy], axis=1), rtol=1e-9, atol=1e-14
        )


def test_effective_step_sizes_read_the_optimizers_constants():
    """With eps, the initial accumulator, lr_decay and alpha far from the defaults, the curves
    computed from the recorded state are still the steps taken (they once hard-coded eps)."""
    from optimlite import adaptive, landscapes, run_trajectory
    from optimlite.explorers.adaptive import accumulator, effective_steps

    land = landscapes.ill_conditioned_quadratic(10.0, angle=0.5)
    for opt, key in (
        (adaptive.AdaGrad(lr=0.3, eps=0.5, initial_accumulator_value=2.0, lr_decay=0.05), "sum"),
        (adaptive.RMSprop(lr=0.05, alpha=0.7, eps=0.3), "square_avg"),
    ):
        assert accumulator(opt) == key
        run = run_trajectory(opt, land, steps=40, record=(key,))
        curves = effective_steps(opt, run)
        gx, gy = land.grad(run.path[:-1, 0], run.path[:-1, 1])
        np.testing.assert_allclose(
            np.diff(run.path, axis=0), -curves * np.stack([gx, gy], axis=1), rtol=1e-9
        )
    with pytest.raises(ValueError, match="record"):
        effective_steps(opt, run_trajectory(adaptive.RMSprop(lr=0.05), land, steps=3))
    for wrong, word in (
        (adaptive.RMSprop(momentum=0.5), "momentum"),
        (adaptive.RMSprop(centered=True), "centered"),
        (adaptive.AdaGrad(weight_decay=0.1), "weight_decay"),
        (adaptive.Adam(), "AdaGrad or RMSprop"),
    ):
        with pytest.raises(ValueError, match=word):
            accumulator(wrong)


def test_race_takes_its_optimizers_from_the_registry():
    from optimlite import landscapes, registry

    ex = explorers.race(["Momentum", "Lion"], "beale", steps=30, frames=3)
    assert ex.scene.names == ["Momentum", "Lion"] and ex.errors == []
    assert ex.scene._color(0, "Lion") == registry.color("Lion")
    with pytest.raises(ValueError, match="unknown optimizer 'Adamm'.*SGD, Momentum"):
        explorers.race(["Adam", "Adamm"], steps=10, frames=2)
    assert explorers.tuned_lr("SGD", landscapes.beale(), steps=30, lrs=(1e-3, 1e-2)) == 1e-2


def test_landscape_panels_are_labelled_with_the_landscapes_coordinates():
    from optimlite import problems

    bowl = problems.linear_regression_landscape(*problems.linear_data(seed=0))
    for ex, labels in (
        (explorers.lr_dilemma(steps=10), ("$w$", "$b$")),  # the article's regression
        (explorers.lr_dilemma(bowl, steps=10), ("$w$", "$b$")),
        (explorers.lr_dilemma("rosenbrock", steps=10), ("$x$", "$y$")),
        (explorers.adagrad_vs_rmsprop(steps=10), ("$x$", "$y$")),
    ):
        ex.frame()
        ax = ex.figure.axes[0]
        assert (ax.get_xlabel(), ax.get_ylabel()) == labels


def test_the_static_face_needs_no_plotting_library():
    """``static_html`` lays out bytes and strings: it imports the standard library only."""
    import ast
    import sys

    from optimlite.explorers import static_html

    tree = ast.parse(open(static_html.__file__, encoding="utf-8").read())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add("." * node.level + (node.module or "").split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported


def _loss_axis_top(ex):
    ex.frame()
    return ex.figure.axes[1].get_ylim()[1]


def test_a_custom_start_sets_the_loss_axes_and_may_be_a_numpy_array():
    from optimlite import SGD, landscapes

    land = landscapes.rosenbrock()
    near = np.array([0.9, 0.8])  # f = 0.02, far below f(land.start) = 12.5
    expected_top = 10 ** math.ceil(math.log10(float(land.f(*near)) * 30))
    ex = explorers.lr_dilemma("rosenbrock", start=near, steps=20)  # the array once raised
    assert _loss_axis_top(ex) == pytest.approx(expected_top)
    assert ex.errors == [] and "started at 2.0e-02" in ex.caption
    assert ex.scene.compute(lr=ex.values["lr"])["GD"].path[0].tolist() == [0.9, 0.8]
    race = explorers.race({"SGD": SGD(lr=1e-3)}, "rosenbrock", steps=20, frames=3, start=near)
    assert _loss_axis_top(race) == pytest.approx(expected_top) and race.errors == []
    default = explorers.race({"SGD": SGD(lr=1e-3)}, "rosenbrock", steps=20, frames=3)
    assert _loss_axis_top(default) > expected_top


@pytest.mark.parametrize(
    "kind, steps",
    [
        ("cosine", 1),
        ("cosine", 3),
        ("warmup_cosine", 1),
        ("warmup_cosine", 10),
        ("warmup_cosine", 19),
        ("one_cycle", 4),  # pct_start 0.2 would end the warm-up at step 0 (a division by zero)
    ],
)
def test_schedule_explorers_for_short_runs(kind, steps):
    ex = explorers.schedule(kind, steps=steps)
    for slider in ex.sliders:
        assert len(set(slider.values)) == len(slider.values)
    ex.static_frames()
    assert ex.errors == []
    if kind == "cosine":
        assert min(ex.sliders[0].values) >= 1  # T_max
    if kind == "warmup_cosine":
        warmups = ex.sliders[0].values
        assert warmups[0] == 0 and max(warmups) < steps


def test_schedule_needs_at_least_one_step():
    with pytest.raises(ValueError, match="steps"):
        explorers.schedule("cosine", steps=0)


def test_a_scene_that_cannot_set_up_still_gives_both_faces():
    class Broken(Scene):
        def setup(self, fig):
            raise KeyError("no such landscape")

        def update(self, **values):
            return None

    ex = Explorer(Broken(), [Slider("lr", (0.1, 0.2))], dpi=40)
    bundle = ex._repr_mimebundle_()
    assert WIDGET_MIME in bundle
    _, data = parse(bundle["text/html"])
    assert len(data["frames"]) == 2
    assert all(c.startswith("error:") and "no such landscape" in c for c in data["captions"])
    ex.controls["lr"].value = 0.2
    assert "no such landscape" in ex.caption
    assert ex.errors[0].startswith("setup: KeyError")
