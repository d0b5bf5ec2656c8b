"""state_dict round trips, dtype preservation, allocation-free steps, lazy per-parameter state."""

import copy
import tracemalloc

import numpy as np
import pytest
from registry_cases import accepted, as_numpy_scalars, build, cases

import optimlite as ol

CASES = cases()


def _fresh_like(spec, variant):
    """An optimizer of the same kind with other hyperparameters (load must restore them)."""
    changes = {"k": 9, "alpha": 0.1} if spec.family == "wrapper" else {}
    return build(spec, variant, lr=0.123, **changes)


def _grad_fn(params, step):
    rng = np.random.default_rng(step)
    return {
        k: 0.8 * v + 0.1 * np.sin(3 * v) + rng.normal(scale=0.1, size=v.shape)
        for k, v in params.items()
    }


def _init():
    rng = np.random.default_rng(7)
    return {"w": rng.normal(size=(3, 4)), "b": rng.normal(size=4), "s": np.array(0.7)}


@pytest.mark.parametrize(("spec", "variant"), CASES)
def test_round_trip_mid_run_continues_bit_identically(spec, variant):
    opt = build(spec, variant)
    params = accepted(spec, _init())
    for step in range(7):
        opt.update(params, _grad_fn(params, step))
    sd = opt.state_dict()
    snapshot = {k: v.copy() for k, v in params.items()}
    for step in range(7, 20):
        opt.update(params, _grad_fn(params, step))

    resumed = _fresh_like(spec, variant)
    assert repr(resumed) != repr(opt)
    resumed.load_state_dict(sd)
    assert repr(resumed) == repr(opt)
    again = {k: v.copy() for k, v in snapshot.items()}
    for step in range(7, 20):
        resumed.update(again, _grad_fn(again, step))
    for k in params:
        np.testing.assert_array_equal(again[k], params[k])
    assert resumed.t == opt.t == 20


@pytest.mark.parametrize(("spec", "variant"), CASES)
def test_state_dict_is_a_deep_copy_both_ways(spec, variant):
    opt = build(spec, variant)
    params = accepted(spec, _init())
    for step in range(4):
        opt.update(params, _grad_fn(params, step))
    sd = opt.state_dict()
    frozen = copy.deepcopy(sd)
    opt.update(params, _grad_fn(params, 4))  # the saved dict must not follow the optimizer
    _assert_same(sd, frozen)
    other = _fresh_like(spec, variant)
    other.load_state_dict(sd)
    for st in _states(sd):
        for arr in st.values():
            arr += 1.0  # the loaded optimizer must not follow the dict either
    _assert_same(other.state_dict(), frozen)


def _states(sd):
    yield from sd["state"].values()
    if "inner" in sd:
        yield from _states(sd["inner"])


def _assert_same(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if key == "state":
            assert a[key].keys() == b[key].keys()
            for name, st in a[key].items():
                assert st.keys() == b[key][name].keys()
                for k, arr in st.items():
                    np.testing.assert_array_equal(arr, b[key][name][k])
        elif key == "inner":
            _assert_same(a[key], b[key])
        else:
            assert a[key] == b[key], key


def test_state_dict_holds_hyperparameters_and_steps():
    opt = ol.Adam(lr=0.01, betas=(0.8, 0.9))
    opt.update({"w": np.ones(2)}, {"w": np.ones(2)})
    sd = opt.state_dict()
    assert sd["optimizer"] == "Adam" and sd["t"] == 1 and sd["steps"] == {"w": 1}
    assert sd["hyperparameters"]["lr"] == 0.01 and sd["hyperparameters"]["betas"] == (0.8, 0.9)
    assert set(sd["state"]["w"]) == {"exp_avg", "exp_avg_sq"}
    assert "inner" in ol.Lookahead(opt).state_dict()


def test_load_state_dict_rejects_another_optimizer():
    sd = ol.Adam().state_dict()
    with pytest.raises(ValueError, match="Adam"):
        ol.SGD().load_state_dict(sd)
    bad = ol.Adam().state_dict()
    bad["hyperparameters"]["lr"] = -1.0
    opt = ol.Adam(lr=0.5)
    with pytest.raises(ValueError, match="lr"):
        opt.load_state_dict(bad)
    assert opt.lr == 0.5


# ----- dtypes ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("spec", "variant"), CASES)
def test_float32_stays_float32_with_numpy_float64_hyperparameters(spec, variant):
    opt = build(spec, as_numpy_scalars(variant))
    params32 = {k: v.astype(np.float32) for k, v in accepted(spec, _init()).items()}
    params64 = {k: v.astype(np.float64) for k, v in params32.items()}
    opt64 = copy.deepcopy(opt)
    for step in range(6):
        opt.lr = np.float64(opt.lr)  # a scheduler may write numpy scalars mid-run
        opt.update(params32, {k: v.astype(np.float32) for k, v in _grad_fn(params32, step).items()})
        opt64.update(params64, _grad_fn(params64, step))
    for k, v in params32.items():
        assert v.dtype == np.float32, k
        np.testing.assert_allclose(v, params64[k], rtol=2e-4, atol=2e-5)
    for st in _states(opt.state_dict()):
        for arr in st.values():
            assert arr.dtype == np.float32


def test_float32_and_float64_parameters_in_one_optimizer():
    opt = ol.Adam(lr=0.1)
    params = {"a": np.ones(3, np.float32), "b": np.ones(3, np.float64)}
    opt.update(params, {"a": np.ones(3, np.float32), "b": np.ones(3)})
    assert params["a"].dtype == np.float32 and params["b"].dtype == np.float64
    assert opt.state["a"]["exp_avg"].dtype == np.float32
    np.testing.assert_allclose(params["a"], params["b"], rtol=1e-6)


# ----- no allocation proportional to the parameter count ---------------------------------------
@pytest.mark.parametrize(("spec", "variant"), CASES)
def test_a_step_allocates_nothing_proportional_to_the_parameters(spec, variant):
    """Steps 2 to 5 (Lookahead's synchronisation with k = 3 or 4 among them) allocate < 64 KB."""
    opt = build(spec, variant)
    w, b = spec.example_shape(1_000_000), spec.example_shape(7)  # Muon: matrices
    params = {"w": np.ones(w, np.float32), "b": np.ones(b, np.float32)}
    grads = {"w": np.full(w, 0.01, np.float32), "b": np.full(b, 0.01, np.float32)}
    opt.update(params, grads)  # the first step creates state and the scratch buffer
    tracemalloc.start()
    try:
        for _ in range(4):
            opt.update(params, grads)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024, f"a step of a 4 MB parameter allocated {peak} bytes"


@pytest.mark.parametrize(("spec", "variant"), CASES)
def test_tiny_blocks_give_the_unblocked_result(spec, variant):
    """Blocks of 5 elements (every parameter split, the last block short) change nothing: the
    same numbers, bit for bit, and LAMB's norms summed over blocks agree to rounding."""
    results = []
    for block_size in (None, 5):
        opt = build(spec, variant)
        for o in (opt, getattr(opt, "optimizer", None)):
            if o is not None and block_size is not None:
                o.block_size = block_size
        params = {"w": np.linspace(-2, 2, 63).reshape(7, 9), "b": np.linspace(1, 2, 12)}
        params = accepted(spec, params)
        for step in range(12):
            opt.update(params, _grad_fn(params, step))
        results.append((params, opt.state_dict()))
    (p1, sd1), (p2, sd2) = results
    exact = spec.name != "LAMB"
    for k in p1:
        if exact:
            np.testing.assert_array_equal(p2[k], p1[k], err_msg=k)
        else:
            np.testing.assert_allclose(p2[k], p1[k], rtol=1e-12, atol=1e-15, err_msg=k)
    for st1, st2 in zip(_states(sd1), _states(sd2), strict=True):
        for key in st1:
            np.testing.assert_allclose(st2[key], st1[key], rtol=0 if exact else 1e-12)


# ----- lazy per-parameter state ------------------------------------------------------------------
def test_state_is_created_lazily_with_the_parameters_shape_and_dtype():
    opt = ol.Adam()
    assert opt.state == {} and opt.t == 0
    params = {"w": np.ones((2, 3)), "s": np.array(1.0, np.float32)}
    opt.update(params, {"w": np.ones((2, 3)), "s": np.array(1.0, np.float32)})
    assert opt.state["w"]["exp_avg"].shape == (2, 3)
    assert (
        opt.state["s"]["exp_avg_sq"].shape == () and opt.state["s"]["exp_avg"].dtype == np.float32
    )


def test_a_parameter_joining_later_gets_fresh_state_and_its_own_step_count():
    """As torch's per-parameter state['step']: a late parameter's first step is a first step."""
    grads = {"a": np.array([0.3, -0.2]), "b": np.array([1.0, 2.0])}
    opt = ol.Adam(lr=0.1)
    params = {"a": np.zeros(2)}
    for _ in range(5):
        opt.update(params, {"a": grads["a"]})
    params["b"] = np.ones(2)
    opt.update(params, grads)
    alone = {"b": np.ones(2)}
    ol.Adam(lr=0.1).update(alone, {"b": grads["b"]})
    np.testing.assert_array_equal(params["b"], alone["b"])
    assert opt.steps == {"a": 6, "b": 1} and opt.t == 6


def test_amsgrad_switched_on_mid_run_creates_its_buffer():
    opt = ol.Adam(lr=0.1)
    params = {"w": np.ones(2)}
    opt.update(params, {"w": np.ones(2)})
    opt.amsgrad = True
    opt.update(params, {"w": np.ones(2)})
    assert "max_exp_avg_sq" in opt.state["w"]


def test_non_contiguous_parameters_are_updated_in_place():
    base = np.arange(12.0).reshape(3, 4)
    view = base.T  # Fortran-ordered view: updated through the view, into base
    ref = {"w": np.ascontiguousarray(view)}
    opt_v, opt_r = ol.Adam(lr=0.1), ol.Adam(lr=0.1)
    for _ in range(3):
        opt_v.update({"w": view}, {"w": 2 * view})
        opt_r.update(ref, {"w": 2 * ref["w"]})
    np.testing.assert_array_equal(view, ref["w"])
    np.testing.assert_array_equal(base, ref["w"].T)


def test_update_returns_the_same_params_dict():
    params = {"w": np.ones(2)}
    w = params["w"]
    assert ol.SGD().update(params, {"w": np.ones(2)}) is params and params["w"] is w


def test_lookahead_rejected_state_dict_changes_nothing():
    opt = ol.Lookahead(ol.Adam(lr=0.5), k=3)
    params = {"w": np.ones(4)}
    opt.update(params, {"w": np.full(4, 0.5)})
    before = opt.state_dict()
    with pytest.raises(ValueError, match="inner"):
        opt.load_state_dict(ol.Adam(lr=0.001).state_dict())
    bad = ol.Lookahead(ol.Adam(lr=0.001), k=3).state_dict()
    bad["hyperparameters"]["alpha"] = 2.0  # invalid: alpha must lie in [0, 1]
    with pytest.raises(ValueError, match="alpha"):
        opt.load_state_dict(bad)
    after = opt.state_dict()
    assert after["inner"]["hyperparameters"] == before["inner"]["hyperparameters"]
    assert after["hyperparameters"] == before["hyperparameters"]
    assert opt.optimizer.lr == 0.5 and opt.t == 1 and opt.optimizer.t == 1
