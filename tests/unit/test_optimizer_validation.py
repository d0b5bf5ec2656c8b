"""Bad hyperparameters and bad update arguments raise ValueError, naming the culprit, before
anything changes."""

import numpy as np
import pytest
from registry_cases import build, cases

import optimlite as ol
from optimlite import registry, validation

INVALID = [
    (ol.SGD, dict(lr=-0.1), "lr"),
    (ol.SGD, dict(momentum=-0.1), "momentum"),
    (ol.SGD, dict(momentum=1.0), "momentum"),
    (ol.SGD, dict(momentum=0.9, dampening=-0.5), "dampening"),
    (ol.SGD, dict(momentum=0.9, dampening=1.5), "dampening"),
    (ol.SGD, dict(weight_decay=-1e-4), "weight_decay"),
    (ol.SGD, dict(nesterov=True), "momentum"),
    (ol.SGD, dict(nesterov=True, momentum=0.9, dampening=0.1), "dampening"),
    (ol.SGD, dict(nesterov="yes", momentum=0.9), "nesterov"),
    (ol.MomentumSGD, dict(momentum=1.2), "momentum"),
    (ol.NesterovMomentum, dict(momentum=0.0), "momentum"),
    (ol.NesterovMomentum, dict(lr=-1.0), "lr"),
    (ol.Adagrad, dict(lr=-0.01), "lr"),
    (ol.Adagrad, dict(lr_decay=-0.1), "lr_decay"),
    (ol.Adagrad, dict(weight_decay=-0.1), "weight_decay"),
    (ol.Adagrad, dict(initial_accumulator_value=-1.0), "initial_accumulator_value"),
    (ol.Adagrad, dict(eps=-1e-10), "eps"),
    (ol.RMSprop, dict(alpha=1.0), "alpha"),
    (ol.RMSprop, dict(alpha=-0.5), "alpha"),
    (ol.RMSprop, dict(eps=-1e-8), "eps"),
    (ol.RMSprop, dict(momentum=1.0), "momentum"),
    (ol.RMSprop, dict(weight_decay=-1.0), "weight_decay"),
    (ol.RMSprop, dict(centered=None), "centered"),
    (ol.Adam, dict(lr=-1e-3), "lr"),
    (ol.Adam, dict(betas=(1.0, 0.999)), "betas[0]"),
    (ol.Adam, dict(betas=(0.9, 1.0)), "betas[1]"),
    (ol.Adam, dict(betas=(-0.1, 0.999)), "betas[0]"),
    (ol.Adam, dict(betas=(0.9, -0.2)), "betas[1]"),
    (ol.Adam, dict(betas=0.9), "betas"),
    (ol.Adam, dict(betas=(0.9,)), "betas"),
    (ol.Adam, dict(eps=-1e-8), "eps"),
    (ol.Adam, dict(weight_decay=-0.1), "weight_decay"),
    (ol.Adam, dict(amsgrad="no"), "amsgrad"),
    (ol.AdamW, dict(weight_decay=-0.01), "weight_decay"),
    (ol.AdamW, dict(betas=(0.9, 1.5)), "betas[1]"),
    (ol.RAdam, dict(betas=(1.0, 0.9)), "betas[0]"),
    (ol.RAdam, dict(eps=-1.0), "eps"),
    (ol.RAdam, dict(decoupled_weight_decay=2), "decoupled_weight_decay"),
    (ol.LARS, dict(lr=-1.0), "lr"),
    (ol.LARS, dict(trust_coeff=0.0), "trust_coeff"),
    (ol.LARS, dict(eps=-1.0), "eps"),
    (ol.LARS, dict(momentum=1.0), "momentum"),
    (ol.LARS, dict(nesterov=True), "momentum"),
    (ol.LARS, dict(weight_decay=-1.0), "weight_decay"),
    (ol.LAMB, dict(betas=(0.9, 1.0)), "betas[1]"),
    (ol.LAMB, dict(eps=-1e-6), "eps"),
    (ol.LAMB, dict(weight_decay=-0.01), "weight_decay"),
    (ol.LAMB, dict(max_grad_norm=0.0), "max_grad_norm"),
    (ol.LAMB, dict(max_grad_norm=-1.0), "max_grad_norm"),
    (ol.LAMB, dict(exclude_1d="true"), "exclude_1d"),
    (ol.Lion, dict(lr=-1e-4), "lr"),
    (ol.Lion, dict(betas=(0.9, 1.0)), "betas[1]"),
    (ol.Lion, dict(weight_decay=-1.0), "weight_decay"),
    # not numbers at all
    (ol.SGD, dict(lr="0.1"), "lr"),
    (ol.SGD, dict(lr=None), "lr"),
    (ol.SGD, dict(lr=True), "lr"),
    (ol.Adam, dict(lr=float("nan")), "lr"),
    (ol.Adam, dict(eps=float("inf")), "eps"),
    (ol.Adam, dict(betas=("0.9", 0.999)), "betas[0]"),
    (ol.Adam, dict(betas="ab"), "betas"),
    (ol.RMSprop, dict(momentum=None), "momentum"),
    (ol.Adagrad, dict(lr_decay=[0.1]), "lr_decay"),
]


@pytest.mark.parametrize(
    ("cls", "kwargs", "name"),
    [pytest.param(*case, id=f"{case[0].__name__}-{case[1]}") for case in INVALID],
)
def test_invalid_hyperparameter_raises_naming_it(cls, kwargs, name):
    with pytest.raises(ValueError, match=name.replace("[", r"\[").replace("]", r"\]")) as err:
        cls(**kwargs)
    if name in kwargs:  # the message shows the offending value too
        value = kwargs[name]
        assert repr(value) in str(err.value) or str(value) in str(err.value)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(k=0), "k"),
        (dict(k=2.5), "k"),
        (dict(k="6"), "k"),
        (dict(alpha=-0.1), "alpha"),
        (dict(alpha=1.1), "alpha"),
        (dict(alpha=None), "alpha"),
    ],  # fmt: skip
)
def test_invalid_lookahead_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        ol.Lookahead(ol.SGD(), **kwargs)


@pytest.mark.parametrize("spec", registry.REGISTRY.values(), ids=lambda s: s.name)
def test_every_hyperparameter_of_every_optimizer_is_checked(spec):
    """Each constructor argument refuses a value of the wrong kind, naming itself; the class's
    ``checks`` hold a rule for every one (the class would not even be created otherwise)."""
    assert spec.cls.hyperparameters, spec.name
    assert set(spec.cls.hyperparameters) <= set(spec.cls.checks)
    for name in spec.cls.hyperparameters:
        with pytest.raises(ValueError, match=name):
            build(spec, {}, **{name: "not a value"})


@pytest.mark.parametrize("spec", registry.REGISTRY.values(), ids=lambda s: s.name)
def test_every_optimizer_refuses_a_negative_learning_rate(spec):
    with pytest.raises(ValueError, match=r"lr.*-0\.1"):
        build(spec, {}, lr=-0.1)


def test_lookahead_needs_an_optimlite_optimizer():
    with pytest.raises(ValueError, match="optimizer"):
        ol.Lookahead("adam")


def test_numpy_scalars_become_python_floats():
    """np.float64 hyperparameters are stored as floats (no silent float32 -> float64 promotion)."""
    opt = ol.Adam(lr=np.float64(1e-3), betas=(np.float32(0.9), np.float64(0.99)), eps=np.int64(0))
    assert type(opt.lr) is float and type(opt.eps) is float
    assert all(type(b) is float for b in opt.betas) and isinstance(opt.betas, tuple)
    assert validation.as_number("lr", np.array(0.5)) == 0.5


def test_0d_torch_tensor_hyperparameters_are_numbers():
    """A 0-d tensor is a number (it used to raise AttributeError: torch dtypes have no .kind)."""
    torch = pytest.importorskip("torch")
    opt = ol.SGD(lr=torch.tensor(0.1, dtype=torch.float64), momentum=torch.tensor(0.9))
    assert type(opt.lr) is float and opt.lr == 0.1
    assert opt.momentum == pytest.approx(0.9) and type(opt.momentum) is float
    params = {"w": np.array([1.0, -2.0])}
    opt.update(params, {"w": np.array([0.5, 0.5])})
    np.testing.assert_allclose(params["w"], [0.95, -2.05])


@pytest.mark.parametrize(
    "make",
    [
        lambda torch: torch.tensor(True),
        lambda torch: torch.tensor(float("nan")),
        lambda torch: torch.tensor(float("inf")),
        lambda torch: torch.tensor([0.1]),
        lambda torch: torch.tensor(1 + 2j),
        lambda torch: np.array(True),
        lambda torch: np.array("0.1"),
        lambda torch: np.array(None, dtype=object),
    ],
    ids=["bool", "nan", "inf", "1-d", "complex", "np-bool", "np-str", "np-object"],
)
def test_0d_arrays_that_are_not_real_numbers_are_refused(make):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="lr"):
        ol.SGD(lr=make(torch))


def test_validation_helpers_return_plain_values():
    assert validation.check_unit("momentum", 0) == 0.0
    assert validation.check_closed_unit("alpha", 1) == 1.0
    assert validation.check_positive_int("k", np.int64(3)) == 3
    assert type(validation.check_int("steps", np.int32(0), minimum=0)) is int
    assert validation.check_int("last_epoch", -1, minimum=-1) == -1
    assert validation.check_int("offset", -7) == -7  # no minimum
    assert validation.check_bool("amsgrad", np.bool_(True)) is True
    with pytest.raises(ValueError, match="momentum > 0"):
        validation.check_nesterov(True, 0.0, 0.0)


@pytest.mark.parametrize(
    "value, minimum, message",
    [
        (2.0, 0, "steps must be an integer, got 2.0"),
        (True, 0, "steps must be an integer, got True"),
        ("3", 0, "steps must be an integer, got '3'"),
        (None, 0, "steps must be an integer, got None"),
        (-1, 0, r"Invalid steps: -1 \(must be >= 0\)"),
        (0, 1, r"Invalid steps: 0 \(must be >= 1\)"),
    ],
)
def test_check_int_names_the_parameter_and_the_value(value, minimum, message):
    with pytest.raises(ValueError, match=message):
        validation.check_int("steps", value, minimum=minimum)


# ----- bad arguments to update: nothing may change -----------------------------------------------
CASES = cases()


def _setup(opt, spec):
    params = {
        "w": np.linspace(-1, 1, 6).reshape(2, 3),
        "b": np.array([0.5, -0.5]),
        "s": np.array(2.0),
    }
    if not spec.accepts(1):  # a matrix-only optimizer (Muon): b and s as 1 x n matrices
        params = {k: v.reshape(1, -1) if v.ndim < 2 else v for k, v in params.items()}
    for _ in range(3):  # so that every optimizer already holds state
        opt.update(params, {k: 0.5 * v + 0.1 for k, v in params.items()})
    return params


def _good(params):
    return {k: 0.3 * v - 0.2 for k, v in params.items()}


BAD_UPDATES = {
    "missing grad": lambda p: {k: v for k, v in _good(p).items() if k != "b"},
    "extra grad": lambda p: {**_good(p), "extra": np.zeros(2)},
    "shape": lambda p: {**_good(p), "w": np.zeros((3, 2))},
    "dtype": lambda p: {**_good(p), "b": np.zeros(p["b"].shape, np.float32)},
    "int grad": lambda p: {**_good(p), "b": np.zeros(p["b"].shape, np.int64)},
    "list grad": lambda p: {**_good(p), "b": np.full(p["b"].shape, 0.1).tolist()},
    "nan": lambda p: {**_good(p), "s": np.full(p["s"].shape, np.nan)},
    "inf last": lambda p: {**_good(p), "b": np.array([0.0, np.inf]).reshape(p["b"].shape)},
    "-inf first": lambda p: {**_good(p), "w": np.full((2, 3), -np.inf)},
    "not a dict": lambda p: list(_good(p).values()),
}


@pytest.mark.parametrize("bad", list(BAD_UPDATES))
@pytest.mark.parametrize(("spec", "variant"), CASES)
def test_bad_update_raises_before_any_change(spec, variant, bad):
    opt = build(spec, variant)
    params = _setup(opt, spec)
    before_params = {k: v.copy() for k, v in params.items()}
    before_state, before_t = opt.state_dict(), opt.t
    with pytest.raises(ValueError):
        opt.update(params, BAD_UPDATES[bad](params))
    for k in params:
        np.testing.assert_array_equal(params[k], before_params[k])
    _assert_state_equal(opt.state_dict(), before_state)
    assert opt.t == before_t


def _assert_state_equal(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if key in ("state",):
            assert a[key].keys() == b[key].keys()
            for name in a[key]:
                assert a[key][name].keys() == b[key][name].keys()
                for k in a[key][name]:
                    np.testing.assert_array_equal(a[key][name][k], b[key][name][k])
        elif key == "inner":
            _assert_state_equal(a[key], b[key])
        else:
            assert a[key] == b[key]


@pytest.mark.parametrize(("spec", "variant"), CASES)
def test_bad_hyperparameter_set_later_raises_at_update_before_any_change(spec, variant):
    """A scheduler writing a bad value is caught at the next update, before any change."""
    opt = build(spec, variant)
    params = _setup(opt, spec)
    before = {k: v.copy() for k, v in params.items()}
    state = opt.state_dict()
    opt.lr = -0.5  # through Lookahead this writes the inner optimizer's lr
    with pytest.raises(ValueError, match="lr"):
        opt.update(params, _good(params))
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
    opt.lr = state.get("inner", state)["hyperparameters"]["lr"]
    _assert_state_equal(opt.state_dict(), state)


def test_non_finite_value_deep_in_a_blocked_gradient_is_found():
    opt = ol.Adam()
    n = 3 * opt.block_size + 17
    params = {"w": np.zeros(n, np.float32)}
    g = np.ones(n, np.float32)
    g[-1] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        opt.update(params, {"w": g})
    assert not params["w"].any() and opt.state == {}
    g[-1] = 3e38  # huge but finite float32: squares would overflow, the check must not
    ol.SGD(lr=1e-3).update(params, {"w": g})
    np.testing.assert_allclose(params["w"][-1], -3e35, rtol=1e-6)


def test_large_finite_gradients_are_accepted():
    params = {"w": np.zeros(3)}
    ol.SGD(lr=1e-300).update(params, {"w": np.array([1e300, -1e308, 5e-324])})
    assert np.isfinite(params["w"]).all()


def test_integer_and_read_only_params_are_rejected():
    with pytest.raises(ValueError, match="floating-point"):
        ol.SGD().update({"w": np.array([1, 2])}, {"w": np.array([1, 2])})
    ro = np.ones(2)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        ol.SGD().update({"w": ro}, {"w": np.ones(2)})


def test_state_of_a_parameter_that_changed_shape_is_reported():
    opt = ol.Adam()
    opt.update({"w": np.ones(3)}, {"w": np.ones(3)})
    with pytest.raises(ValueError, match="state"):
        opt.update({"w": np.ones(4)}, {"w": np.ones(4)})


def test_numpy_scalar_gradient_of_a_0d_parameter_is_accepted():
    """2 * np.array(0.5) is np.float64, not an array: fine for a 0-d parameter."""
    params = {"s": np.array(0.5)}
    ol.SGD(lr=0.1).update(params, {"s": 2 * params["s"]})
    assert params["s"].shape == () and params["s"] == 0.4
    with pytest.raises(ValueError, match="grads"):
        ol.SGD().update({"v": np.ones(2)}, {"v": 1.0})
