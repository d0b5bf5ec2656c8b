"""Chapter 10's package pieces: lr scaling rules, the digits training loop, RAdam's
rectification and LAMB's recomputed trust ratio."""

import math

import numpy as np
import pytest

from optimlite import LAMB, SGD, RAdam, batch_scaling, problems
from optimlite.adaptive import radam_rectification


def test_scaling_rules():
    assert batch_scaling.scaled_lr(0.1, 128, "linear") == pytest.approx(0.4)
    assert batch_scaling.scaled_lr(0.1, 128, "sqrt") == pytest.approx(0.2)
    assert batch_scaling.scaled_lr(0.1, 128, "none") == 0.1
    with pytest.raises(ValueError, match="rule"):
        batch_scaling.scaled_lr(0.1, 128, "cubic")
    with pytest.raises(ValueError, match="batch_size"):
        batch_scaling.scaled_lr(0.1, 0, "sqrt")


def test_make_optimizer_scales_the_recipe():
    opt = batch_scaling.make_optimizer("SGD-momentum, linear", 64)
    assert isinstance(opt, SGD) and opt.lr == pytest.approx(2 * 0.1) and opt.momentum == 0.9
    with pytest.raises(ValueError, match="name"):
        batch_scaling.make_optimizer("nope", 64)
    assert batch_scaling.make_optimizer("LAMB, sqrt", 64, lr=0.5).lr == 0.5


@pytest.fixture(scope="module")
def digits():
    return problems.load_digits(seed=0)


def test_train_mlp_counts_steps_and_improves(digits):
    r = batch_scaling.train_mlp(SGD(lr=0.1, momentum=0.9), digits, batch_size=256, epochs=3)
    assert r.steps == 3 * math.ceil(len(digits.y_train) / 256)
    assert r.train_loss.shape == (4,) and r.test_accuracy.shape == (4,)
    assert r.train_loss[-1] < r.train_loss[0] and r.test_accuracy[-1] > 0.5
    assert r.diverged_at is None and math.isfinite(r.test_loss)


def test_train_mlp_reports_divergence(digits):
    r = batch_scaling.train_mlp(SGD(lr=1e6), digits, batch_size=512, epochs=3, warmup=0.0)
    assert r.diverged_at is not None and math.isnan(r.test_loss)


def test_train_mlp_calls_on_step_with_the_weights_before(digits):
    seen = []

    def on_step(step, before, grads, opt):
        seen.append((step, sorted(before), sorted(grads)))

    batch_scaling.train_mlp(SGD(lr=0.1), digits, batch_size=700, epochs=1, on_step=on_step)
    assert seen == [(1, ["W1", "W2", "b1", "b2"], ["W1", "W2", "b1", "b2"])] * 1 + [
        (2, ["W1", "W2", "b1", "b2"], ["W1", "W2", "b1", "b2"])
    ]


def test_large_batch_run_is_cached_and_seeded():
    a = batch_scaling.large_batch_run("LAMB, sqrt", 1347, 2)
    assert batch_scaling.large_batch_run("LAMB, sqrt", 1347, 2) is a
    opt = batch_scaling.make_optimizer("LAMB, sqrt", 1347)
    b = batch_scaling.train_mlp(opt, problems.load_digits(seed=0), batch_size=1347, epochs=2)
    np.testing.assert_array_equal(a.train_loss, b.train_loss)


def test_radam_rectification_matches_the_optimizer():
    rho, r = radam_rectification(1, 0.999)
    assert rho == pytest.approx(1.0) and r is None
    assert radam_rectification(5, 0.999)[1] is None and radam_rectification(6, 0.999)[1] > 0
    assert radam_rectification(10**6, 0.999)[0] == pytest.approx(1999.0)
    # RAdam's step 10 from a known state equals the formula with this r
    opt, p = RAdam(lr=0.1), {"w": np.array([1.0, -1.0])}
    g = np.array([0.3, -0.2])
    for _ in range(9):
        opt.update(p, {"w": g})
    before, m, v = p["w"].copy(), opt.state["w"]["exp_avg"].copy(), opt.state["w"]["exp_avg_sq"]
    v = v.copy()
    opt.update(p, {"w": g})
    m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
    r = radam_rectification(10, 0.999)[1]
    step = 0.1 * r * math.sqrt(1 - 0.999**10) / (1 - 0.9**10) * m / (np.sqrt(v) + 1e-8)
    np.testing.assert_allclose(before - p["w"], step, rtol=1e-12)
    with pytest.raises(ValueError, match="t must"):
        radam_rectification(0)
    with pytest.raises(ValueError, match="beta2"):
        radam_rectification(3, 1.0)


def test_lamb_last_trust_ratio_is_the_ratio_of_the_step():
    rng = np.random.default_rng(1)
    opt = LAMB(lr=0.01, weight_decay=0.1, max_grad_norm=None)
    p = {"W": rng.normal(size=(6, 4)), "b": np.zeros(4)}
    for _ in range(4):
        before = {k: v.copy() for k, v in p.items()}
        g = {k: rng.normal(size=v.shape) for k, v in p.items()}
        st = {k: {n: a.copy() for n, a in opt.state.get(k, {}).items()} for k in p}
        opt.update(p, g)
        t = opt.t
        m0 = st["W"].get("exp_avg", np.zeros((6, 4)))
        v0 = st["W"].get("exp_avg_sq", np.zeros((6, 4)))
        m, v = 0.9 * m0 + 0.1 * g["W"], 0.999 * v0 + 0.001 * g["W"] ** 2
        u = (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-6) + 0.1 * before["W"]
        want = np.linalg.norm(before["W"]) / np.linalg.norm(u)
        assert opt.last_trust_ratio("W", before["W"]) == pytest.approx(want, rel=1e-10)
        np.testing.assert_allclose(before["W"] - p["W"], 0.01 * want * u, rtol=1e-10)
    assert opt.last_trust_ratio("b", np.zeros(4)) == 1.0  # zero weights: ratio 1 (timm)
    assert LAMB(weight_decay=0.0).last_trust_ratio is not None
    with pytest.raises(ValueError, match="name"):
        opt.last_trust_ratio("nope", np.zeros(3))


def test_recipes_base_rates_are_the_batch_32_grid_best(digits):
    # RECIPES' comment: each base rate has the lowest test loss after 10 epochs at batch 32 on
    # its grid (the chapter's prose relies on it)
    grids = {"SGD-momentum": (0.03, 0.1, 0.3), "Adam": (3e-3, 1e-2, 3e-2),
             "LARS": (1.0, 3.0, 10.0), "LAMB": (3e-3, 1e-2, 3e-2)}  # fmt: skip
    for method, grid in grids.items():
        name = f"{method}, sqrt"
        losses = [
            batch_scaling.train_mlp(
                batch_scaling.make_optimizer(name, 32, lr), digits, batch_size=32, epochs=10
            ).test_loss
            for lr in grid
        ]
        assert grid[int(np.nanargmin(losses))] == batch_scaling.RECIPES[name].base_lr, method
