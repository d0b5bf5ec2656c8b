"""Schedulers against torch.optim.lr_scheduler driving a torch optimizer; the article's code."""

import math

import numpy as np
import pytest
import torch

import optimlite as ol
from optimlite.schedules import (
    CosineAnnealingLR,
    ExponentialLR,
    InverseTimeLR,
    LRScheduler,
    MultiStepLR,
    OneCycleLR,
    StepLR,
    WarmupCosineLR,
    WarmupLinearLR,
    cosine_annealing,
    exponential_decay,
    inverse_time_decay,
    step_decay,
    warmup_cosine,
)

tls = torch.optim.lr_scheduler
REL = 1e-12  # every schedule below agrees with torch to this relative tolerance (most exactly)


def torch_sgd(lr, **kw):
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr, **kw)


def torch_adam(lr, **kw):
    return torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=lr, **kw)


def run_pair(ours, theirs, torch_opt, steps, read=lambda o: o.lr, read_torch=None):
    """Step both schedulers ``steps`` times; return the two value sequences (initial first)."""
    read_torch = read_torch or (lambda o: o.param_groups[0]["lr"])
    a, b = [read(ours.optimizer)], [read_torch(torch_opt)]
    for _ in range(steps):
        torch_opt.step()
        theirs.step()
        ours.step()
        a.append(read(ours.optimizer))
        b.append(read_torch(torch_opt))
    return np.array(a), np.array(b)


def assert_close(a, b, rel=REL):
    scale = np.max(np.abs(b))
    np.testing.assert_allclose(a, b, rtol=0, atol=rel * scale)


@pytest.mark.parametrize("step_size, gamma", [(1, 0.5), (7, 0.1), (30, 0.9)])
def test_step_lr_matches_torch(step_size, gamma):
    opt, topt = ol.SGD(lr=0.3), torch_sgd(0.3)
    a, b = run_pair(StepLR(opt, step_size, gamma), tls.StepLR(topt, step_size, gamma), topt, 200)
    np.testing.assert_array_equal(a, b)  # same float operations: bit-identical


@pytest.mark.parametrize("gamma", [0.95, 0.999, 1.01])
def test_exponential_lr_matches_torch(gamma):
    opt, topt = ol.Adam(lr=1e-3), torch_adam(1e-3)
    a, b = run_pair(ExponentialLR(opt, gamma), tls.ExponentialLR(topt, gamma), topt, 1000)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("T_max, eta_min", [(10, 0.0), (100, 1e-4), (1000, 0.0), (7, 0.05)])
def test_cosine_closed_form_matches_torchs_recursion(T_max, eta_min):
    opt, topt = ol.SGD(lr=0.1, momentum=0.9), torch_sgd(0.1, momentum=0.9)
    ours = CosineAnnealingLR(opt, T_max, eta_min)
    a, b = run_pair(ours, tls.CosineAnnealingLR(topt, T_max, eta_min), topt, 3 * T_max)
    assert_close(a, b)  # torch's recursion drifts from the closed form by ~1e-16 relative
    closed = eta_min + (0.1 - eta_min) * (1 + np.cos(np.pi * np.arange(3 * T_max + 1) / T_max)) / 2
    np.testing.assert_allclose(a, closed, rtol=1e-15, atol=1e-18)
    assert a[T_max] == pytest.approx(eta_min, abs=1e-17)  # not clamped: rises again after T_max
    assert a[2 * T_max] == pytest.approx(0.1)


def test_chained_step_and_exponential_compose_as_in_torch():
    opt, topt = ol.SGD(lr=0.5), torch_sgd(0.5)
    s1, s2 = StepLR(opt, 5, 0.5), ExponentialLR(opt, 0.9)
    t1, t2 = tls.StepLR(topt, 5, 0.5), tls.ExponentialLR(topt, 0.9)
    for _ in range(40):
        topt.step()
        for s in (t1, t2, s1, s2):
            s.step()
        assert opt.lr == topt.param_groups[0]["lr"]
    assert s1.base_lrs == s2.base_lrs == [0.5]  # both record the same initial_lr
    assert opt.initial_lr == 0.5


def lr_and_momentum(o):
    return (o.lr, o.momentum)


def lr_and_beta1(o):
    return (o.lr, o.betas[0])


def torch_lr_and_momentum(o):
    return (o.param_groups[0]["lr"], o.param_groups[0]["momentum"])


def torch_lr_and_beta1(o):
    return (o.param_groups[0]["lr"], o.param_groups[0]["betas"][0])


ONE_CYCLE = [
    {"max_lr": 0.1, "total_steps": 100},
    {"max_lr": 0.5, "total_steps": 1000, "anneal_strategy": "linear"},
    {"max_lr": 0.01, "epochs": 10, "steps_per_epoch": 37, "pct_start": 0.25},
    {"max_lr": 0.2, "total_steps": 300, "three_phase": True},
    {"max_lr": 0.2, "total_steps": 301, "three_phase": True, "anneal_strategy": "linear"},
    {"max_lr": 1.0, "total_steps": 50, "div_factor": 10.0, "final_div_factor": 100.0},
    {"max_lr": 0.1, "total_steps": 80, "base_momentum": 0.8, "max_momentum": 0.99},
]


@pytest.mark.parametrize("kw", ONE_CYCLE)
def test_one_cycle_matches_torch_with_sgd_momentum(kw):
    opt, topt = ol.SGD(lr=0.1, momentum=0.9), torch_sgd(0.1, momentum=0.9)
    ours, theirs = OneCycleLR(opt, **kw), tls.OneCycleLR(topt, **kw)
    assert ours.total_steps == theirs.total_steps
    a, b = run_pair(ours, theirs, topt, theirs.total_steps, lr_and_momentum, torch_lr_and_momentum)
    assert_close(a[:, 0], b[:, 0])
    assert_close(a[:, 1], b[:, 1])
    assert a[:, 0].max() == pytest.approx(kw["max_lr"], rel=1e-2)  # peak between steps
    # momentum starts at max_momentum and is back there at step total_steps - 1
    assert a[0, 1] == pytest.approx(kw.get("max_momentum", 0.95), rel=1e-15)
    assert a[-2, 1] == pytest.approx(kw.get("max_momentum", 0.95), rel=1e-15)
    assert a[:, 1].min() == pytest.approx(kw.get("base_momentum", 0.85), rel=1e-2)


@pytest.mark.parametrize("kw", ONE_CYCLE[:4])
def test_one_cycle_matches_torch_with_adam_betas(kw):
    opt, topt = ol.Adam(lr=1e-3, betas=(0.9, 0.98)), torch_adam(1e-3, betas=(0.9, 0.98))
    ours, theirs = OneCycleLR(opt, **kw), tls.OneCycleLR(topt, **kw)
    a, b = run_pair(ours, theirs, topt, theirs.total_steps, lr_and_beta1, torch_lr_and_beta1)
    assert_close(a[:, 0], b[:, 0])
    assert_close(a[:, 1], b[:, 1])
    assert opt.betas[1] == 0.98 and isinstance(opt.betas, tuple)


def test_one_cycle_raises_like_torch_past_total_steps():
    opt, topt = ol.SGD(lr=0.1, momentum=0.9), torch_sgd(0.1, momentum=0.9)
    ours, theirs = OneCycleLR(opt, 0.1, total_steps=10), tls.OneCycleLR(topt, 0.1, total_steps=10)
    for _ in range(10):
        topt.step()
        theirs.step()
        ours.step()
    with pytest.raises(ValueError) as theirs_err:
        topt.step()
        theirs.step()
    with pytest.raises(ValueError) as ours_err:
        ours.step()
    assert str(ours_err.value) == str(theirs_err.value)
    assert "Tried to step 11 times" in str(ours_err.value)


def test_one_cycle_argument_errors():
    opt = ol.SGD(lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="total_steps OR"):
        OneCycleLR(opt, 0.1)
    with pytest.raises(ValueError, match="total_steps"):
        OneCycleLR(opt, 0.1, total_steps=0)
    with pytest.raises(ValueError, match="pct_start"):
        OneCycleLR(opt, 0.1, total_steps=10, pct_start=1.5)
    with pytest.raises(ValueError, match="anneal_strategy"):
        OneCycleLR(opt, 0.1, total_steps=10, anneal_strategy="exp")
    with pytest.raises(ValueError, match="momentum or beta1"):
        OneCycleLR(ol.AdaGrad(lr=0.1), 0.1, total_steps=10)
    OneCycleLR(ol.AdaGrad(lr=0.1), 0.1, total_steps=10, cycle_momentum=False)  # fine without


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"total_steps": 2.0}, "total_steps"),
        ({"total_steps": True}, "total_steps"),
        ({"epochs": 0, "steps_per_epoch": 5}, "epochs"),
        ({"epochs": 2.5, "steps_per_epoch": 5}, "epochs"),
        ({"epochs": 2, "steps_per_epoch": -1}, "steps_per_epoch"),
        ({"epochs": 2, "steps_per_epoch": "5"}, "steps_per_epoch"),
        ({"total_steps": 10, "pct_start": -0.1}, "pct_start"),
        ({"total_steps": 10, "pct_start": None}, "pct_start"),
    ],
)
def test_one_cycle_step_counts_and_pct_start_are_checked_naming_them(kwargs, word):
    with pytest.raises(ValueError, match=word):
        OneCycleLR(ol.SGD(lr=0.1, momentum=0.9), 0.1, **kwargs)


def test_one_cycle_accepts_numpy_integers_and_multiplies_epochs():
    opt = ol.SGD(lr=0.1, momentum=0.9)
    sched = OneCycleLR(opt, 0.1, epochs=np.int64(3), steps_per_epoch=np.int32(4))
    assert sched.total_steps == 12 and type(sched.total_steps) is int


def warmup_cosine_factor(warmup, total, base, min_lr):
    def factor(t):
        if t < warmup:
            return t / warmup
        progress = min(1.0, (t - warmup) / (total - warmup))
        return (min_lr + (base - min_lr) * 0.5 * (1 + math.cos(math.pi * progress))) / base

    return factor


@pytest.mark.parametrize("warmup, total, min_lr", [(10, 100, 0.0), (5, 50, 1e-3), (0, 40, 0.0)])
def test_warmup_cosine_matches_torch_lambda_lr(warmup, total, min_lr):
    base = 0.02
    opt, topt = ol.AdamW(lr=base), torch_adam(base)
    ours = WarmupCosineLR(opt, warmup, total, min_lr)
    theirs = tls.LambdaLR(topt, warmup_cosine_factor(warmup, total, base, min_lr))
    a, b = run_pair(ours, theirs, topt, total + 20)
    assert_close(a, b)
    assert a[0] == (0.0 if warmup else base)
    assert a[warmup] == pytest.approx(base)
    assert np.all(a[total:] == pytest.approx(min_lr, abs=1e-18))  # held at min_lr past the end


def test_warmup_cosine_matches_torch_sequential_lr():
    base, warmup, total = 0.1, 8, 60
    opt, topt = ol.SGD(lr=base, momentum=0.9), torch_sgd(base, momentum=0.9)
    ours = WarmupCosineLR(opt, warmup, total, min_lr=1e-3)
    theirs = tls.SequentialLR(
        topt,
        [
            tls.LambdaLR(topt, lambda t: t / warmup),
            tls.CosineAnnealingLR(topt, T_max=total - warmup, eta_min=1e-3),
        ],
        milestones=[warmup],
    )
    a, b = run_pair(ours, theirs, topt, total)
    assert_close(a, b)
    # and the article's function gives the same curve
    np.testing.assert_allclose(a, warmup_cosine(base, np.arange(total + 1), total, warmup, 1e-3))


def test_scheduler_drives_the_optimizers_update():
    opt = ol.SGD(lr=1.0)
    sched = StepLR(opt, step_size=2, gamma=0.5)
    p = {"w": np.zeros(1)}
    moves = []
    for _ in range(6):
        before = p["w"][0]
        opt.update(p, {"w": np.ones(1)})
        moves.append(before - p["w"][0])
        sched.step()
    assert moves == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    assert sched.get_last_lr() == [0.125] and sched.last_epoch == 6


@pytest.mark.parametrize(
    "make",
    [
        lambda o: StepLR(o, 3, 0.5),
        lambda o: ExponentialLR(o, 0.9),
        lambda o: CosineAnnealingLR(o, 20, 0.01),
        lambda o: WarmupCosineLR(o, 4, 20),
        lambda o: OneCycleLR(o, 0.5, total_steps=30, three_phase=True),
    ],
    ids=["step", "exp", "cos", "warmup", "onecycle"],
)
def test_state_dict_resumes_the_same_sequence(make):
    opt = ol.SGD(lr=0.1, momentum=0.9)
    sched = make(opt)
    for _ in range(7):
        sched.step()
    sd, opt_sd = sched.state_dict(), opt.state_dict()
    rest = []
    for _ in range(10):
        sched.step()
        rest.append((opt.lr, opt.momentum))

    opt2 = ol.SGD(lr=0.1, momentum=0.9)
    sched2 = make(opt2)
    opt2.load_state_dict(opt_sd)
    sched2.load_state_dict(sd)
    assert sched2.last_epoch == 7 and sched2.get_last_lr() == sd["_last_lr"]
    again = []
    for _ in range(10):
        sched2.step()
        again.append((opt2.lr, opt2.momentum))
    assert again == rest
    assert "optimizer" not in sd
    base = list(sched.base_lrs)
    sd["base_lrs"].append(1.0)  # a copy: the scheduler is unaffected
    assert sched.base_lrs == base


def test_base_and_resume_rules():
    opt = ol.SGD(lr=0.1)
    with pytest.raises(KeyError, match="initial_lr"):
        StepLR(opt, 2, last_epoch=4)
    StepLR(opt, 2)  # records initial_lr
    opt.lr = 0.05
    resumed = StepLR(opt, 2, 0.5, last_epoch=4)  # like torch: steps on to epoch 5
    assert resumed.last_epoch == 5 and resumed.base_lrs == [0.1]
    with pytest.raises(NotImplementedError):
        LRScheduler(ol.SGD(lr=0.1))
    with pytest.raises(ValueError, match="lr attribute"):
        StepLR(object(), 2)


@pytest.mark.parametrize(
    "make, word",
    [
        (lambda o: StepLR(o, 0), "step_size"),
        (lambda o: StepLR(o, 2.5), "step_size"),
        (lambda o: StepLR(o, 2, gamma=-0.1), "gamma"),
        (lambda o: ExponentialLR(o, 0.0), "gamma"),
        (lambda o: CosineAnnealingLR(o, 0), "T_max"),
        (lambda o: CosineAnnealingLR(o, 10, eta_min=-1.0), "eta_min"),
        (lambda o: WarmupCosineLR(o, -1, 10), "warmup_steps"),
        (lambda o: WarmupCosineLR(o, 10, 10), "total_steps"),
        (lambda o: WarmupCosineLR(o, 1, 10, min_lr=-1e-3), "min_lr"),
        (lambda o: StepLR(o, 2, last_epoch=-2), "last_epoch"),
        (lambda o: StepLR(o, 2, last_epoch=0.0), "last_epoch"),
        (lambda o: WarmupCosineLR(o, 2.0, 10), "warmup_steps"),
        (lambda o: WarmupCosineLR(o, True, 10), "warmup_steps"),
    ],
)
def test_bad_hyperparameters_raise(make, word):
    with pytest.raises(ValueError, match=word):
        make(ol.SGD(lr=0.1))


# ----- the article's functions ------------------------------------------------------------------
class ArticleScheduler:
    """The article's LearningRateScheduler, verbatim in substance."""

    @staticmethod
    def step_decay(initial_lr, epoch, drop_rate=0.5, epochs_drop=10):
        return initial_lr * (drop_rate ** (epoch // epochs_drop))

    @staticmethod
    def exponential_decay(initial_lr, epoch, decay_rate=0.95):
        return initial_lr * (decay_rate**epoch)

    @staticmethod
    def cosine_annealing(initial_lr, epoch, total_epochs, min_lr=0):
        return min_lr + 0.5 * (initial_lr - min_lr) * (1 + math.cos(math.pi * epoch / total_epochs))

    @staticmethod
    def warmup_cosine(initial_lr, epoch, total_epochs, warmup_epochs=5, min_lr=0):
        if epoch < warmup_epochs:
            return initial_lr * epoch / warmup_epochs
        progress = (epoch - warmup_epochs) / (total_epochs - warmup_epochs)
        return min_lr + 0.5 * (initial_lr - min_lr) * (1 + math.cos(math.pi * progress))


def test_functions_equal_the_articles_code_on_ints_and_arrays():
    art = ArticleScheduler
    epochs = np.arange(120)
    cases = [
        (step_decay, art.step_decay, (0.1,), {}),
        (step_decay, art.step_decay, (0.1,), {"drop_rate": 0.1, "epochs_drop": 30}),
        (exponential_decay, art.exponential_decay, (0.1,), {}),
        (exponential_decay, art.exponential_decay, (0.1,), {"decay_rate": 0.9}),
        (cosine_annealing, art.cosine_annealing, (0.1,), {"total_epochs": 100}),
        (cosine_annealing, art.cosine_annealing, (0.1,), {"total_epochs": 50, "min_lr": 1e-3}),
        (warmup_cosine, art.warmup_cosine, (0.1,), {"total_epochs": 100}),
        (warmup_cosine, art.warmup_cosine, (0.1,), {"total_epochs": 60, "warmup_epochs": 10}),
    ]
    for ours, theirs, args, kw in cases:
        expected = [theirs(*args, int(e), **kw) for e in epochs]
        got = [ours(*args, int(e), **kw) for e in epochs]
        assert all(type(v) is float for v in got)
        np.testing.assert_allclose(got, expected, rtol=1e-15, atol=0)
        np.testing.assert_allclose(ours(*args, epochs, **kw), expected, rtol=1e-15, atol=1e-18)


def test_functions_agree_with_the_schedulers():
    opt = ol.SGD(lr=0.1)
    step = StepLR(opt, step_size=10, gamma=0.5)
    values = [opt.lr]
    for _ in range(50):
        step.step()
        values.append(opt.lr)
    np.testing.assert_allclose(values, step_decay(0.1, np.arange(51)), rtol=1e-15)
    assert warmup_cosine(0.1, 0, 100) == 0.0  # the article's warmup starts at zero
    assert warmup_cosine(0.1, 5, 100) == 0.1


@pytest.mark.parametrize(
    "call, word",
    [
        (lambda: step_decay(0.1, 3, epochs_drop=0), "epochs_drop"),
        (lambda: exponential_decay(0.1, 3, decay_rate=0.0), "decay_rate"),
        (lambda: cosine_annealing(0.1, 3, total_epochs=0), "total_epochs"),
        (lambda: warmup_cosine(0.1, 3, total_epochs=5, warmup_epochs=5), "total_epochs"),
        (lambda: step_decay(0.1, -1), "epoch"),
        (lambda: step_decay(0.1, 2.5), "epoch"),
        (lambda: warmup_cosine(0.1, 3, total_epochs=10, warmup_epochs=1.5), "warmup_epochs"),
        (lambda: warmup_cosine(0.1, 3, total_epochs=10, warmup_epochs=-1), "warmup_epochs"),
    ],
)
def test_function_arguments_are_checked(call, word):
    with pytest.raises(ValueError, match=word):
        call()


# ----- MultiStepLR, WarmupLinearLR, InverseTimeLR (past the article's four) -------------------
@pytest.mark.parametrize(
    "milestones, gamma",
    [([30, 60, 90], 0.1), ([5, 5, 12], 0.5), ([0, 3], 0.2), ([], 0.1), ((7, 2, 40), 0.9)],
)
def test_multistep_lr_matches_torch(milestones, gamma):
    opt, topt = ol.SGD(lr=0.1, momentum=0.9), torch_sgd(0.1, momentum=0.9)
    ours, theirs = MultiStepLR(opt, milestones, gamma), tls.MultiStepLR(topt, milestones, gamma)
    a, b = run_pair(ours, theirs, topt, 120)
    np.testing.assert_array_equal(a, b)  # same float operations: bit-identical
    drops = np.array([sum(m <= t for m in milestones) for t in range(121)])
    np.testing.assert_allclose(a, 0.1 * gamma**drops, rtol=1e-15)


def test_multistep_lr_chains_with_exponential_as_in_torch():
    opt, topt = ol.SGD(lr=0.5), torch_sgd(0.5)
    s1, s2 = MultiStepLR(opt, [4, 9], 0.5), ExponentialLR(opt, 0.95)
    t1, t2 = tls.MultiStepLR(topt, [4, 9], 0.5), tls.ExponentialLR(topt, 0.95)
    for _ in range(20):
        topt.step()
        for s in (t1, t2, s1, s2):
            s.step()
        assert opt.lr == topt.param_groups[0]["lr"]


def hf_linear_factor(warmup, total):
    """Hugging Face's ``get_linear_schedule_with_warmup`` factor, transcribed."""

    def factor(current_step):
        if current_step < warmup:
            return float(current_step) / float(max(1, warmup))
        return max(0.0, float(total - current_step) / float(max(1, total - warmup)))

    return factor


@pytest.mark.parametrize("warmup, total", [(10, 100), (1000, 10000), (0, 30), (1, 2)])
def test_warmup_linear_matches_torch_lambda_lr(warmup, total):
    base = 2e-5
    opt, topt = ol.AdamW(lr=base), torch_adam(base)
    ours = WarmupLinearLR(opt, warmup, total)
    theirs = tls.LambdaLR(topt, hf_linear_factor(warmup, total))
    a, b = run_pair(ours, theirs, topt, total + 10)
    np.testing.assert_array_equal(a, b)  # base * factor, as LambdaLR computes it
    assert a[0] == (0.0 if warmup else base)
    assert a[warmup] == base
    assert np.all(a[total:] == 0.0)


def test_inverse_time_matches_torch_lambda_lr_and_its_function():
    base, tau = 0.08, 100
    opt, topt = ol.SGD(lr=base), torch_sgd(base)
    ours = InverseTimeLR(opt, tau)
    theirs = tls.LambdaLR(topt, lambda t: 1 / (1 + t / tau))
    a, b = run_pair(ours, theirs, topt, 2000)
    assert_close(a, b)
    # chapter 3's expression, bit for bit, and the array function
    np.testing.assert_array_equal(a, [base / (1 + t / tau) for t in range(2001)])
    np.testing.assert_array_equal(a, inverse_time_decay(base, np.arange(2001), tau))
    assert a[tau] == base / 2


def test_inverse_time_drives_run_trajectory_like_a_hand_written_loop():
    quad = ol.landscapes.ill_conditioned_quadratic(4.0)
    opt = ol.SGD(lr=0.1)
    run = ol.run_trajectory(opt, quad, start=(1.0, 1.0), steps=30, scheduler=InverseTimeLR(opt, 5))
    p = np.array([1.0, 1.0])
    for t in range(30):
        p = p - 0.1 / (1 + t / 5) * np.array(quad.grad(*p))
    np.testing.assert_allclose(run.path[-1], p, rtol=1e-14)


@pytest.mark.parametrize(
    "make",
    [
        lambda o: MultiStepLR(o, [3, 8, 12], 0.5),
        lambda o: WarmupLinearLR(o, 4, 20),
        lambda o: InverseTimeLR(o, 3.0),
    ],
    ids=["multistep", "warmup_linear", "inverse_time"],
)
def test_new_schedulers_resume_from_state_dict(make):
    opt = ol.SGD(lr=0.1)
    sched = make(opt)
    for _ in range(5):
        sched.step()
    sd, opt_sd = sched.state_dict(), opt.state_dict()
    rest = []
    for _ in range(10):
        sched.step()
        rest.append(opt.lr)
    opt2 = ol.SGD(lr=0.1)
    sched2 = make(opt2)
    opt2.load_state_dict(opt_sd)
    sched2.load_state_dict(sd)
    again = []
    for _ in range(10):
        sched2.step()
        again.append(opt2.lr)
    assert again == rest


@pytest.mark.parametrize(
    "call, word",
    [
        (lambda o: MultiStepLR(o, 30), "milestones"),
        (lambda o: MultiStepLR(o, [10, 2.5]), "milestones"),
        (lambda o: MultiStepLR(o, [10, -1]), "milestones"),
        (lambda o: MultiStepLR(o, [10], gamma=0.0), "gamma"),
        (lambda o: WarmupLinearLR(o, 10, 10), "total_steps"),
        (lambda o: WarmupLinearLR(o, -1, 10), "warmup_steps"),
        (lambda o: WarmupLinearLR(o, 2, 0), "total_steps"),
        (lambda o: InverseTimeLR(o, 0.0), "tau"),
        (lambda o: inverse_time_decay(0.1, 3, tau=-1.0), "tau"),
        (lambda o: inverse_time_decay(0.1, -3, tau=1.0), "epoch"),
    ],
)
def test_new_scheduler_arguments_are_checked_before_any_change(call, word):
    opt = ol.SGD(lr=0.1)
    with pytest.raises(ValueError, match=word):
        call(opt)
    assert opt.lr == 0.1 and getattr(opt, "initial_lr", None) is None
