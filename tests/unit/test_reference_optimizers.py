"""LARS, LAMB, Lion and Lookahead against independent references written here.

torch.optim has none of them; each reference below is the update rule as timm's
``timm/optim/{lars,lamb,lion,lookahead}.py`` and the papers state it, written plainly (one
whole-array expression per line, a loop over parameters), float64, compared at every step with
rtol 1e-10.
"""

import numpy as np
import pytest
from quadratic_problem import QuadraticProblem

import optimlite as ol

STEPS = 120
SHAPES = {"weight": (5, 4), "bias": (4,), "scale": ()}


def _compare(make_ours, reference_step, seed=0, steps=STEPS):
    """Run optimlite and the reference side by side; compare after every step."""
    problem = QuadraticProblem(seed, steps, SHAPES)
    ours, ref = problem.fresh(), problem.fresh()
    opt, ref_state = make_ours(), {}
    for t in range(1, steps + 1):
        opt.update(ours, problem.grads(ours, t - 1))
        reference_step(ref, problem.grads(ref, t - 1), ref_state, t)
        for k in ours:
            np.testing.assert_allclose(ours[k], ref[k], rtol=1e-10, atol=1e-13, err_msg=f"{k} {t}")
    return ours


# ----- LARS (timm/optim/lars.py) -------------------------------------------------------------
def lars_reference(lr=1.0, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
                   trust_coeff=1e-3, eps=1e-8, trust_clip=False, always_adapt=False,
                   exclude_1d=False):  # fmt: skip
    def step(params, grads, state, t):
        for k, p in params.items():
            g = grads[k]
            wd = 0.0 if exclude_1d and p.ndim <= 1 else weight_decay
            if wd != 0 or always_adapt:
                w_norm, g_norm = np.linalg.norm(p), np.linalg.norm(g)
                trust = trust_coeff * w_norm / (g_norm + w_norm * wd + eps)
                if w_norm == 0 or g_norm == 0:
                    trust = 1.0
                if trust_clip:
                    trust = min(trust / lr, 1.0)
                g = (g + wd * p) * trust
            if momentum != 0:
                if k not in state:
                    state[k] = g.copy()
                else:
                    state[k] = momentum * state[k] + (1 - dampening) * g
                g = g + momentum * state[k] if nesterov else state[k]
            p -= lr * g

    return step


LARS_CONFIGS = [
    dict(lr=0.1),  # timm's default: no adaptation without weight decay
    dict(lr=0.5, weight_decay=1e-3),
    dict(lr=0.5, momentum=0.9, weight_decay=1e-3),
    dict(lr=2.0, momentum=0.9, always_adapt=True, trust_coeff=0.01),
    dict(lr=0.5, momentum=0.9, nesterov=True, weight_decay=1e-2),
    dict(lr=0.5, momentum=0.8, dampening=0.3, weight_decay=1e-2),
    dict(lr=0.5, momentum=0.9, weight_decay=1e-2, trust_clip=True, trust_coeff=0.02),
    dict(lr=0.5, momentum=0.9, weight_decay=1e-2, exclude_1d=True),
]


@pytest.mark.parametrize("cfg", LARS_CONFIGS, ids=str)
def test_lars_matches_reference(cfg):
    _compare(lambda: ol.LARS(**cfg), lars_reference(**cfg))


# ----- LAMB (timm/optim/lamb.py) -------------------------------------------------------------
def lamb_reference(lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.01, grad_averaging=True,
                   max_grad_norm=1.0, trust_clip=False, always_adapt=False, bias_correction=True,
                   exclude_1d=False):  # fmt: skip
    b1, b2 = betas

    def step(params, grads, state, t):
        clip = 1.0
        if max_grad_norm is not None:
            global_norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
            clip = max(global_norm / max_grad_norm, 1.0)
        bc1, bc2 = (1 - b1**t, 1 - b2**t) if bias_correction else (1.0, 1.0)
        for k, p in params.items():
            g = grads[k] / clip
            m, v = state.get(k, (np.zeros_like(p), np.zeros_like(p)))
            m = b1 * m + ((1 - b1) if grad_averaging else 1.0) * g
            v = b2 * v + (1 - b2) * g * g
            state[k] = (m, v)
            u = (m / bc1) / (np.sqrt(v) / np.sqrt(bc2) + eps)
            wd = 0.0 if exclude_1d and p.ndim <= 1 else weight_decay
            u = u + wd * p
            trust = 1.0
            if wd != 0 or always_adapt:
                w_norm, u_norm = np.linalg.norm(p), np.linalg.norm(u)
                trust = w_norm / u_norm if w_norm > 0 and u_norm > 0 else 1.0
                if trust_clip:
                    trust = min(trust, 1.0)
            p -= lr * trust * u

    return step


LAMB_CONFIGS = [
    dict(lr=0.01),
    dict(lr=0.01, max_grad_norm=None),
    dict(lr=0.01, weight_decay=0.0),
    dict(lr=0.01, weight_decay=0.0, always_adapt=True),
    dict(lr=0.02, weight_decay=0.1, trust_clip=True),
    dict(lr=0.01, grad_averaging=False, betas=(0.8, 0.99)),
    dict(lr=0.01, bias_correction=False, eps=1e-4),
    dict(lr=0.01, weight_decay=0.05, exclude_1d=True),
    dict(lr=0.01, max_grad_norm=50.0),
]


@pytest.mark.parametrize("cfg", LAMB_CONFIGS, ids=str)
def test_lamb_matches_reference(cfg):
    _compare(lambda: ol.LAMB(**cfg), lamb_reference(**cfg))


def test_lamb_clips_with_one_global_norm():
    """max_grad_norm uses the norm over all parameters together (timm's _get_clip_grad_norm)."""
    opt = ol.LAMB(lr=0.1, weight_decay=0.0, max_grad_norm=1.0, bias_correction=False)
    params = {"a": np.zeros(1), "b": np.zeros(1)}
    opt.update(params, {"a": np.array([3.0]), "b": np.array([4.0])})  # global norm 5
    np.testing.assert_allclose(opt.state["a"]["exp_avg"], [0.1 * 3.0 / 5.0], rtol=1e-15)
    np.testing.assert_allclose(opt.state["b"]["exp_avg"], [0.1 * 4.0 / 5.0], rtol=1e-15)


# ----- Lion (timm/optim/lion.py; Chen et al. 2023, Algorithm 2) ----------------------------------
def lion_reference(lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
    b1, b2 = betas

    def step(params, grads, state, t):
        for k, p in params.items():
            g, m = grads[k], state.get(k, np.zeros_like(params[k]))
            c = b1 * m + (1 - b1) * g
            p *= 1 - lr * weight_decay  # decoupled decay, then the sign step
            p -= lr * np.sign(c)
            state[k] = b2 * m + (1 - b2) * g

    return step


LION_CONFIGS = [
    dict(lr=1e-3),
    dict(lr=3e-3, weight_decay=1.0),
    dict(lr=1e-3, betas=(0.95, 0.98)),
    dict(lr=1e-2, betas=(0.0, 0.5), weight_decay=0.1),
]


@pytest.mark.parametrize("cfg", LION_CONFIGS, ids=str)
def test_lion_matches_reference(cfg):
    _compare(lambda: ol.Lion(**cfg), lion_reference(**cfg))


def test_lion_moves_every_coordinate_by_exactly_lr():
    """Without decay each coordinate moves by +-lr (0 where b1 m + (1 - b1) g is 0)."""
    opt = ol.Lion(lr=0.25)
    p = {"w": np.array([1.0, 2.0, 3.0, -4.0])}
    opt.update(p, {"w": np.array([1e-9, -50.0, 0.0, 3.0])})
    np.testing.assert_array_equal(p["w"], [0.75, 2.25, 3.0, -4.25])
    # the second step uses b1 m + (1 - b1) g with the updated m: sign(0.9*0.01*(-50) + 0.1*1) < 0
    opt.update(p, {"w": np.array([0.0, 1.0, 0.0, 0.0])})
    np.testing.assert_array_equal(p["w"], [0.5, 2.5, 3.0, -4.5])


# ----- Lookahead (Zhang et al. 2019) --------------------------------------------------------------
def momentum_reference(lr, momentum):
    def step(params, grads, state, t):
        for k, p in params.items():
            state[k] = grads[k].copy() if k not in state else momentum * state[k] + grads[k]
            p -= lr * state[k]

    return step


def lookahead_reference(inner, k, alpha):
    def step(params, grads, state, t):
        slow = state.setdefault("slow", {n: p.copy() for n, p in params.items()})  # phi_0
        inner(params, grads, state.setdefault("inner", {}), t)
        if t % k == 0:
            for n, p in params.items():
                slow[n] = slow[n] + alpha * (p - slow[n])
                p[...] = slow[n]

    return step


@pytest.mark.parametrize(("k", "alpha"), [(6, 0.5), (5, 0.8), (1, 0.3), (3, 1.0), (4, 0.0)])
def test_lookahead_matches_reference(k, alpha):
    _compare(
        lambda: ol.Lookahead(ol.MomentumSGD(lr=0.02, momentum=0.9), k=k, alpha=alpha),
        lookahead_reference(momentum_reference(0.02, 0.9), k, alpha),
    )


def test_lookahead_around_adam_matches_torch_adam_with_manual_sync():
    torch = pytest.importorskip("torch")
    problem = QuadraticProblem(4, STEPS, SHAPES)
    ours = problem.fresh()
    tparams = {k: torch.tensor(v) for k, v in problem.fresh().items()}
    slow = {k: v.clone() for k, v in tparams.items()}
    topt = torch.optim.Adam(list(tparams.values()), lr=0.02)
    opt = ol.Lookahead(ol.Adam(lr=0.02), k=5, alpha=0.5)
    for t in range(1, STEPS + 1):
        tg = problem.grads({k: v.numpy() for k, v in tparams.items()}, t - 1)
        for k, v in tparams.items():
            v.grad = torch.tensor(np.asarray(tg[k]))
        topt.step()
        if t % 5 == 0:
            with torch.no_grad():
                for k, v in tparams.items():
                    slow[k] += 0.5 * (v - slow[k])
                    v.copy_(slow[k])
        opt.update(ours, problem.grads(ours, t - 1))
        for k in ours:
            np.testing.assert_allclose(ours[k], tparams[k].numpy(), rtol=1e-10, atol=1e-13)


def test_lookahead_forwards_hyperparameters_to_the_inner_optimizer():
    inner = ol.Adam(lr=1e-3)
    la = ol.Lookahead(inner, k=4, alpha=0.5)
    assert la.lr == 1e-3 and la.betas == (0.9, 0.999)
    la.lr = 0.05  # what a scheduler does
    la.betas = (0.85, 0.99)  # one-cycle momentum cycling
    assert inner.lr == 0.05 and inner.betas == (0.85, 0.99)
    la.k, la.alpha = 3, 0.25  # the wrapper's own
    assert (la.k, la.alpha) == (3, 0.25) and not hasattr(inner, "k")
    rms = ol.Lookahead(ol.RMSprop(alpha=0.9), alpha=0.6)  # own alpha wins, inner reachable
    assert rms.alpha == 0.6 and rms.optimizer.alpha == 0.9
    assert "Adam(" in repr(la) and "k=3" in repr(la)


def test_lookahead_uses_the_lr_a_scheduler_writes():
    params_a, params_b = {"w": np.array([1.0, -2.0])}, {"w": np.array([1.0, -2.0])}
    la = ol.Lookahead(ol.SGD(lr=0.1), k=2)
    plain = ol.SGD(lr=0.1)
    slow = params_b["w"].copy()
    for t in range(1, 7):
        la.lr = plain.lr = 0.1 / t
        la.update(params_a, {"w": 2 * params_a["w"]})
        plain.update(params_b, {"w": 2 * params_b["w"]})
        if t % 2 == 0:
            slow += 0.5 * (params_b["w"] - slow)
            params_b["w"][...] = slow
    np.testing.assert_allclose(params_a["w"], params_b["w"], rtol=1e-15)


# ----- the documented choice for parameters with ndim <= 1 ---------------------------------------
@pytest.mark.parametrize("cls", [ol.LARS, ol.LAMB])
def test_exclude_1d_gives_vectors_and_scalars_no_decay_and_no_trust_ratio(cls):
    """exclude_1d=True acts like timm's no-decay group: 1-D and 0-d parameters step as if
    weight_decay were 0 (so no trust ratio); matrices keep both."""
    cfg = dict(lr=0.1, weight_decay=0.05)
    problem = QuadraticProblem(2, 1, SHAPES)
    init = problem.init
    grads = problem.grads(init, 0)
    runs = {}
    for exclude in (False, True):
        params = {k: v.copy() for k, v in init.items()}
        cls(**cfg, exclude_1d=exclude).update(params, grads)
        runs[exclude] = params
    no_decay = {k: v.copy() for k, v in init.items()}
    cls(**{**cfg, "weight_decay": 0.0}).update(no_decay, grads)
    np.testing.assert_array_equal(runs[True]["weight"], runs[False]["weight"])
    for k in ("bias", "scale"):
        np.testing.assert_array_equal(runs[True][k], no_decay[k])
        assert not np.allclose(runs[False][k], no_decay[k])


def test_lars_trust_ratio_scales_the_step():
    """One step, no momentum: w -= lr * trust * (g + wd w) with trust = eta ||w|| / (...)."""
    w, g = np.array([3.0, 4.0]), np.array([0.0, 2.0])
    params = {"w": w.copy()}
    ol.LARS(lr=0.5, weight_decay=0.1, trust_coeff=0.02).update(params, {"w": g})
    trust = 0.02 * 5.0 / (2.0 + 0.1 * 5.0 + 1e-8)
    np.testing.assert_allclose(params["w"], w - 0.5 * trust * (g + 0.1 * w), rtol=1e-15)


@pytest.mark.parametrize("cls, lr", [(ol.LAMB, 0.01), (ol.LARS, 10.0)])
def test_trust_ratio_norms_do_not_overflow_in_half_precision(cls, lr):
    """Norms are summed in float32 (as torch does): ||g|| of 1000 tens is 316, not inf."""
    params = {"w": np.full((10, 100), 1.0, dtype=np.float16)}
    grads = {"w": np.full((10, 100), 10.0, dtype=np.float16)}
    cls(lr=lr, weight_decay=0.01).update(params, grads)
    assert params["w"].dtype == np.float16
    assert np.all(np.isfinite(params["w"])) and np.all(params["w"] < 1.0)
