"""optimlite's optimizers against torch.optim: float64, 150 steps, every step, rtol 1e-10.

The gradients depend on the current parameters (g = A p + b + seeded noise), each side computing
its own, so any difference in the update rule compounds instead of washing out. Every model has a
matrix, a vector and a 0-d parameter.
"""

import numpy as np
import pytest
from quadratic_problem import QuadraticProblem

import optimlite as ol

torch = pytest.importorskip("torch")

STEPS = 150


def _run_both(torch_cls, ol_factory, cfg, seed=0, lr_change=None):
    problem = QuadraticProblem(seed, STEPS)
    params = problem.fresh()
    tparams = problem.torch_params()
    topt = torch_cls(list(tparams.values()), **cfg)
    opt = ol_factory(**cfg)
    for step in range(STEPS):
        if lr_change is not None and step == lr_change[0]:
            topt.param_groups[0]["lr"] = lr_change[1]
            opt.lr = lr_change[1]
        problem.set_torch_grads(tparams, step)
        topt.step()
        opt.update(params, problem.grads(params, step))
        for k in params:
            np.testing.assert_allclose(
                params[k], tparams[k].numpy(), rtol=1e-10, atol=1e-12, err_msg=f"{k} step {step}"
            )
    assert opt.t == STEPS
    return params


SGD_CONFIGS = [
    dict(lr=0.05),
    dict(lr=0.05, weight_decay=0.1),
    dict(lr=0.02, momentum=0.9),
    dict(lr=0.02, momentum=0.9, weight_decay=0.05),
    dict(lr=0.02, momentum=0.5, dampening=0.5),
    dict(lr=0.02, momentum=0.9, dampening=0.1, weight_decay=0.01),
    dict(lr=0.02, momentum=0.9, dampening=1.0),
    dict(lr=0.02, momentum=0.9, nesterov=True),
    dict(lr=0.02, momentum=0.7, nesterov=True, weight_decay=0.1),
    dict(lr=0.01, momentum=0.99, nesterov=True),
]
ADAGRAD_CONFIGS = [
    dict(lr=0.1),
    dict(lr=0.1, lr_decay=0.01),
    dict(lr=0.1, initial_accumulator_value=0.5),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.3, lr_decay=0.05, weight_decay=0.01, initial_accumulator_value=0.1, eps=1e-6),
]
RMSPROP_CONFIGS = [
    dict(lr=0.01),
    dict(lr=0.01, alpha=0.9),
    dict(lr=0.01, centered=True),
    dict(lr=0.005, momentum=0.9),
    dict(lr=0.005, momentum=0.9, centered=True),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.005, alpha=0.95, eps=1e-4, weight_decay=0.05, momentum=0.5, centered=True),
]
ADAM_CONFIGS = [
    dict(lr=0.01),
    dict(lr=0.01, betas=(0.8, 0.99)),
    dict(lr=0.01, amsgrad=True),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.01, weight_decay=0.1, amsgrad=True),
    dict(lr=0.05, betas=(0.0, 0.9), eps=1e-3),
    dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
]
ADAMW_CONFIGS = [
    dict(lr=0.01),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.01, weight_decay=0.1, amsgrad=True),
    dict(lr=0.02, betas=(0.5, 0.9), eps=1e-6, weight_decay=0.0),
]
RADAM_CONFIGS = [
    dict(lr=0.01),
    dict(lr=0.01, betas=(0.9, 0.9)),  # rho_t > 5 from step 6 on
    dict(lr=0.01, betas=(0.9, 0.99)),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
    dict(lr=0.05, betas=(0.7, 0.95), eps=1e-4),
]

CASES = (
    [("SGD", torch.optim.SGD, ol.SGD, c) for c in SGD_CONFIGS]
    + [("Adagrad", torch.optim.Adagrad, ol.Adagrad, c) for c in ADAGRAD_CONFIGS]
    + [("RMSprop", torch.optim.RMSprop, ol.RMSprop, c) for c in RMSPROP_CONFIGS]
    + [("Adam", torch.optim.Adam, ol.Adam, c) for c in ADAM_CONFIGS]
    + [("AdamW", torch.optim.AdamW, ol.AdamW, c) for c in ADAMW_CONFIGS]
    + [("RAdam", torch.optim.RAdam, ol.RAdam, c) for c in RADAM_CONFIGS]
)


@pytest.mark.parametrize(
    ("torch_cls", "ol_cls", "cfg"),
    [pytest.param(t, o, c, id=f"{n}-{c}") for n, t, o, c in CASES],
)
def test_matches_torch(torch_cls, ol_cls, cfg):
    _run_both(torch_cls, ol_cls, cfg)


LR_CHANGE_CASES = [
    (torch.optim.SGD, ol.SGD, dict(lr=0.02, momentum=0.9)),
    (torch.optim.Adagrad, ol.Adagrad, dict(lr=0.1, lr_decay=0.01)),
    (torch.optim.RMSprop, ol.RMSprop, dict(lr=0.01, momentum=0.5)),
    (torch.optim.Adam, ol.Adam, dict(lr=0.01)),
    (torch.optim.AdamW, ol.AdamW, dict(lr=0.01, weight_decay=0.1)),
    (torch.optim.RAdam, ol.RAdam, dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
]


@pytest.mark.parametrize(
    ("torch_cls", "ol_cls", "cfg"),
    [pytest.param(t, o, c, id=t.__name__) for t, o, c in LR_CHANGE_CASES],
)
def test_lr_change_mid_run_matches_torch(torch_cls, ol_cls, cfg):
    """Hyperparameters are read afresh at every update (what a scheduler relies on)."""
    _run_both(torch_cls, ol_cls, cfg, seed=1, lr_change=(60, cfg["lr"] * 0.3))


def test_presets_are_torch_sgd():
    """The article's classes are torch's SGD with momentum / nesterov."""
    _run_both(torch.optim.SGD, lambda **c: ol.MomentumSGD(**c), dict(lr=0.02, momentum=0.9))
    _run_both(torch.optim.SGD, lambda **c: ol.NesterovMomentum(lr=c["lr"], momentum=0.8),
              dict(lr=0.02, momentum=0.8, nesterov=True))  # fmt: skip


def test_defaults_match_torch():
    """Same defaults as torch.optim's constructors."""
    import inspect

    pairs = [
        (ol.SGD, torch.optim.SGD),
        (ol.Adagrad, torch.optim.Adagrad),
        (ol.RMSprop, torch.optim.RMSprop),
        (ol.Adam, torch.optim.Adam),
        (ol.AdamW, torch.optim.AdamW),
        (ol.RAdam, torch.optim.RAdam),
    ]
    for ours, theirs in pairs:
        tsig = inspect.signature(theirs.__init__).parameters
        for name, par in inspect.signature(ours.__init__).parameters.items():
            if name == "self":
                continue
            assert name in tsig, (ours.__name__, name)
            assert par.default == tsig[name].default, (ours.__name__, name)


def test_many_parameters_in_blocks_match_torch():
    """A parameter larger than one block goes through the blocked loop: same numbers."""
    rng = np.random.default_rng(3)
    n = 3 * ol.Adam.block_size + 123
    p0 = rng.normal(size=n)
    for ol_cls, t_cls, cfg in [
        (ol.Adam, torch.optim.Adam, dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
        (ol.SGD, torch.optim.SGD, dict(lr=0.01, momentum=0.9, nesterov=True)),
        (ol.RMSprop, torch.optim.RMSprop, dict(lr=0.01, centered=True, momentum=0.9)),
    ]:
        params = {"w": p0.copy()}
        tp = torch.tensor(p0.copy())
        topt, opt = t_cls([tp], **cfg), ol_cls(**cfg)
        for _ in range(5):
            g = np.sin(params["w"]) + 0.5 * params["w"]
            tp.grad = torch.sin(tp) + 0.5 * tp
            topt.step()
            opt.update(params, {"w": g})
        np.testing.assert_allclose(params["w"], tp.numpy(), rtol=1e-10, atol=1e-12)
