"""The league (chapter 12) and the learning-rate range test: behaviour on small cases."""

import math

import numpy as np
import pytest

from optimlite import SGD, league, lr_finder, registry


def test_sweep_shape_and_divergence_is_inf():
    losses, starts = league.sweep("SGD", league.ravine(steps=30), lrs=(0.01, 5.0), seeds=(0, 1))
    assert losses.shape == (2, 2) and starts.shape == (2,)
    assert np.all(np.isfinite(losses[0])) and np.all(losses[1] == math.inf)


def test_league_picks_lowest_median_and_ranks():
    res = league.league([league.ravine(steps=50)], names=["SGD", "Momentum"],
                        lrs=(0.001, 0.01), seeds=(0, 1, 2))  # fmt: skip
    for name in res.names:
        med = res.medians(name, "ravine")
        assert res.best_lr(name, "ravine") == res.lrs[int(np.argmin(med))]
    assert res.ranks("ravine")["Momentum"] == 1  # momentum wins a ravine at equal budget
    assert "Momentum" in res.format().splitlines()[1]


def test_league_reads_the_registry_and_keeps_skip_reasons(monkeypatch):
    class Rejects(ValueError):
        pass

    real_make = registry.make

    def make(name, **kw):
        if name == "Adam":
            raise Rejects("Adam: only 2-D matrices")
        return real_make(name, **kw)

    monkeypatch.setattr(registry, "make", make)
    res = league.league([league.ravine(steps=10)], lrs=(0.01,), seeds=(0,))
    assert res.names == registry.names()
    assert "only 2-D matrices" in res.skipped["Adam", "ravine"]
    assert res.cell("Adam", "ravine") == "skipped"
    assert "Adam skipped on all tasks" in res.format()


def test_seeds_move_the_start_and_bad_input():
    task = league.rosenbrock()
    a, b = task.make(0).params["xy"], task.make(1).params["xy"]
    assert not np.allclose(a, b)
    with pytest.raises(ValueError, match="lrs"):
        league.sweep("SGD", task, lrs=(-1.0,))
    with pytest.raises(ValueError, match="kind"):
        league.League(("t",), ("SGD",), (0.1,), (0,), {("SGD", "t"): np.ones((1, 1))},
                      {"t": np.ones(1)}, {}).cell("SGD", "t", "mean")  # fmt: skip


def test_lr_grid_geometric():
    g = lr_finder.lr_grid(1e-4, 1.0, 5)
    assert np.allclose(g, [1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    with pytest.raises(ValueError, match="lr_min"):
        lr_finder.lr_grid(0.0, 1.0, 5)


def test_range_test_on_a_quadratic_stops_past_the_stable_rate():
    # f = w.w: SGD diverges for lr > 1; the test must stop after the rate passes 1
    def quad(p, step):
        return float(p["w"] @ p["w"]), {"w": 2 * p["w"]}

    w0 = np.ones(3)
    res = lr_finder.range_test(SGD(lr=1.0), {"w": w0}, quad, 1e-3, 100.0, 100)
    assert res.stopped_early and res.lrs[-1] > 1.0
    assert np.array_equal(w0, np.ones(3))  # the caller's params are untouched
    assert np.allclose(res.smoothed, lr_finder.smooth(res.losses))
    assert 1e-3 < res.steepest() <= 1.0
    assert res.valley() == pytest.approx(res.lrs[int(np.argmin(res.smoothed))] / 10)


def test_muon_is_not_applicable_to_vectors_and_says_why():
    res = league.league([league.ravine(steps=5)], names=["SGD", "Muon"], lrs=(0.01,), seeds=(0,))
    assert res.skipped["Muon", "ravine"] == "n/a: matrices only"
    assert res.cell("Muon", "ravine") == "n/a"
    assert "Muon: n/a on all tasks (matrices only)" in res.format()


def test_schedule_free_is_scored_at_x_and_lars_runs_its_trust_ratio():
    task = league.ravine(steps=20)
    problem = task.make(0)
    opt = registry.make("SF-SGD", lr=0.01)
    _, final = league.run(opt, problem, task.steps)
    assert not opt.train_mode  # run() switched it to x before scoring
    lars, _ = league.sweep("LARS", task, lrs=(0.01,), seeds=(0,))
    sgd, _ = league.sweep("SGD", task, lrs=(0.01,), seeds=(0,))
    assert lars[0, 0] != sgd[0, 0]
