"""Past the article: Muon and Adafactor against torch.optim (2.13), Schedule-Free against the
``schedulefree`` package (1.4.1), all in float64.

- ``ol.Muon`` equals an exact float64 transcription of torch's algorithm to 1e-12. torch runs the
  Newton-Schulz iteration in bfloat16 (unit roundoff 2^-8 = 3.9e-3): from the same state, one
  step of ``torch.optim.Muon`` and of ``ol.Muon`` differ by 0.6 to 2.0 % of the step (relative
  RMS; measured here, 1.3 % on 128 x 256), i.e. a few bfloat16 roundings, while the momentum
  buffers (elementwise, float64 in torch too) agree to 1e-12.
- ``ol.Adafactor`` follows ``torch.optim.Adafactor`` to 1e-9 over 150 steps on 0-d, 1-D, 2-D and
  3-D parameters.
- ``ol.ScheduleFreeAdamW`` / ``ol.ScheduleFreeSGD`` follow ``schedulefree`` to 1e-9, warmup,
  weight decay, polynomial weights and train/eval switches included.
"""

import math

import numpy as np
import pytest
from quadratic_problem import QuadraticProblem

import optimlite as ol

torch = pytest.importorskip("torch")

STEPS = 150
SHAPES = {"matrix": (4, 3), "wide": (3, 5), "tensor": (2, 3, 4), "bias": (3,), "scale": ()}
MATRICES = {"tall": (7, 4), "wide": (3, 6), "square": (5, 5)}


def _close(a, b, what, tol=1e-9):
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol * 1e-2, err_msg=what)


# ----- Muon --------------------------------------------------------------------------------------
def muon_transcription(cfg):
    """torch 2.13's ``_single_tensor_muon`` and ``_zeropower_via_newtonschulz`` line by line, in
    float64 numpy (no bfloat16): a function ``step(p, g, buf)`` returning the new (p, buf)."""
    o = dict(lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True, eps=1e-7, ns_steps=5,
             ns_coefficients=(3.4445, -4.7750, 2.0315), adjust_lr_fn=None)  # fmt: skip
    o.update(cfg)

    def zeropower(grad):
        a, b, c = o["ns_coefficients"]
        x = grad.copy()
        if grad.shape[0] > grad.shape[1]:
            x = x.T
        x = x / max(np.linalg.norm(x), o["eps"])
        for _ in range(o["ns_steps"]):
            gram = x @ x.T
            gram_update = b * gram + c * (gram @ gram)
            x = a * x + gram_update @ x
        return x.T if grad.shape[0] > grad.shape[1] else x

    def step(p, g, buf):
        mu = o["momentum"]
        buf = buf + (1 - mu) * (g - buf)  # buf.lerp_(grad, 1 - momentum)
        update = g + mu * (buf - g) if o["nesterov"] else buf  # grad.lerp(buf, momentum)
        update = zeropower(update)
        rows, cols = p.shape
        if o["adjust_lr_fn"] == "match_rms_adamw":
            lr = o["lr"] * 0.2 * math.sqrt(max(rows, cols))
        else:
            lr = o["lr"] * math.sqrt(max(1, rows / cols))
        p = p * (1 - o["lr"] * o["weight_decay"])
        return p - lr * update, buf

    return step


MUON_CONFIGS = [
    dict(lr=0.02),
    dict(lr=0.02, nesterov=False),
    dict(lr=0.05, momentum=0.5, weight_decay=0.0, adjust_lr_fn="original"),
    dict(lr=0.01, adjust_lr_fn="match_rms_adamw", weight_decay=0.2),
    dict(lr=0.02, ns_steps=1, ns_coefficients=(1.5, -0.5, 0.0)),  # the cubic Newton-Schulz
    dict(lr=0.02, ns_steps=0, eps=1e-3),
]


@pytest.mark.parametrize("cfg", MUON_CONFIGS, ids=str)
def test_muon_equals_the_float64_transcription_of_torch(cfg):
    problem = QuadraticProblem(1, STEPS, MATRICES)
    params, ref = problem.fresh(), problem.fresh()
    bufs = {k: np.zeros_like(v) for k, v in ref.items()}
    step = muon_transcription(cfg)
    opt = ol.Muon(**cfg)
    for t in range(STEPS):
        opt.update(params, problem.grads(params, t))
        grads = problem.grads(ref, t)
        for k in ref:
            ref[k], bufs[k] = step(ref[k], grads[k], bufs[k])
            _close(params[k], ref[k], f"{k} step {t}", tol=1e-12)
            _close(opt.state[k]["momentum_buffer"], bufs[k], f"{k} buffer {t}", tol=1e-12)


def _muon_step_gap(shape, cfg, seed):
    """From one shared state, one step of ol.Muon and of torch.optim.Muon: the relative RMS
    difference of the two steps, and the largest buffer difference."""
    rng = np.random.default_rng(seed)
    p0, buf0, g = (rng.normal(size=shape) for _ in range(3))
    opt = ol.Muon(**cfg)
    p = p0.copy()
    opt.state["w"] = {"momentum_buffer": buf0.copy()}
    opt.steps["w"] = 1
    opt.update({"w": p}, {"w": g})
    tp = torch.tensor(p0.copy())
    topt = torch.optim.Muon([tp], **cfg)
    topt.state[tp]["momentum_buffer"] = torch.tensor(buf0.copy())
    tp.grad = torch.tensor(g.copy())
    topt.step()
    ours, theirs = p - p0, tp.numpy() - p0
    gap = np.sqrt(np.mean((ours - theirs) ** 2)) / np.sqrt(np.mean(ours**2))
    buf_gap = np.abs(opt.state["w"]["momentum_buffer"] - topt.state[tp]["momentum_buffer"].numpy())
    return gap, buf_gap.max()


@pytest.mark.parametrize("shape", [(6, 10), (10, 6), (128, 256), (256, 128)])
@pytest.mark.parametrize("cfg", MUON_CONFIGS[:4], ids=str)
def test_muon_against_torch_differs_by_bfloat16_rounding_only(shape, cfg):
    """torch rounds the Newton-Schulz iteration to bfloat16 (2^-8 = 0.39 %); the steps differ
    by a few such roundings (measured 0.6-2.0 % relative RMS), never more than 8 of them, and
    never by nothing (so the test would notice torch switching to full precision)."""
    gaps = [_muon_step_gap(shape, cfg, seed) for seed in range(5)]
    for gap, buf_gap in gaps:
        assert 1e-4 < gap < 8 * 2.0**-8, gap
        assert buf_gap < 1e-12
    assert np.mean([g for g, _ in gaps]) > 2.0**-8  # more than one rounding: it really is bf16


def test_muon_trajectory_stays_with_torch():
    """Over 100 steps the two runs stay within 3 % of the distance travelled."""
    problem = QuadraticProblem(2, 100, {"w": (8, 12)})
    params = problem.fresh()
    tp = torch.tensor(problem.fresh()["w"])
    opt, topt = ol.Muon(lr=0.02), torch.optim.Muon([tp], lr=0.02)
    for t in range(100):
        opt.update(params, problem.grads(params, t))
        tp.grad = torch.tensor(problem.grads({"w": tp.numpy()}, t)["w"])
        topt.step()
    travelled = np.linalg.norm(params["w"] - problem.init["w"])
    assert np.linalg.norm(params["w"] - tp.numpy()) < 0.03 * travelled


def test_muon_refuses_other_ranks_naming_the_parameter_before_any_change():
    opt = ol.Muon(lr=0.02)
    params = {"w": np.ones((2, 3)), "bias": np.ones(3)}
    with pytest.raises(ValueError, match=r"params\['bias'\] has shape \(3,\).*AdamW"):
        opt.update(params, {"w": np.ones((2, 3)), "bias": np.ones(3)})
    assert opt.t == 0 and opt.state == {} and (params["w"] == 1).all()
    with pytest.raises(ValueError, match="ns_steps"):
        ol.Muon(ns_steps=100)
    with pytest.raises(ValueError, match="adjust_lr_fn"):
        ol.Muon(adjust_lr_fn="spectral")
    with pytest.raises(ValueError, match="ns_coefficients"):
        ol.Muon(ns_coefficients=(1.0, 2.0))


def test_newton_schulz_maps_singular_values_through_the_quintic():
    """The singular vectors stay; each singular value s of G/||G|| goes through
    phi(s) = a s + b s^3 + c s^5, ns_steps times (float64, to rounding)."""
    rng = np.random.default_rng(3)
    g = rng.normal(size=(6, 9))
    u, s, vt = np.linalg.svd(g, full_matrices=False)
    x = s / np.linalg.norm(g)
    a, b, c = ol.muon.NS_COEFFICIENTS
    for _ in range(5):
        x = a * x + b * x**3 + c * x**5
    np.testing.assert_allclose(ol.muon.newton_schulz(g), (u * x) @ vt, atol=1e-12)
    np.testing.assert_allclose(ol.muon.newton_schulz(g.T), ((u * x) @ vt).T, atol=1e-12)


# ----- Adafactor ---------------------------------------------------------------------------------
ADAFACTOR_CONFIGS = [
    dict(),
    dict(lr=0.05),
    dict(lr=0.05, weight_decay=0.1),
    dict(lr=0.3, beta2_decay=-0.5, d=1.5),
    dict(lr=0.02, eps=(1e-20, 1e-2)),
    dict(lr=0.02, eps=(1e-3, 1e-3), beta2_decay=0.0),
]


@pytest.mark.parametrize("foreach", [False, True])
@pytest.mark.parametrize("cfg", ADAFACTOR_CONFIGS, ids=str)
def test_adafactor_matches_torch(cfg, foreach):
    problem = QuadraticProblem(0, STEPS, SHAPES)
    params = problem.fresh()
    tparams = problem.torch_params()
    topt = torch.optim.Adafactor(list(tparams.values()), foreach=foreach, **cfg)
    opt = ol.Adafactor(**cfg)
    for t in range(STEPS):
        problem.set_torch_grads(tparams, t)
        topt.step()
        opt.update(params, problem.grads(params, t))
        for k in params:
            _close(params[k], tparams[k].numpy(), f"{k} step {t}")
    for k, tp in tparams.items():  # the state, factored like torch's
        st, tst = opt.state[k], topt.state[tp]
        for key in ("row_var", "col_var", "variance"):
            assert (key in st) == (key in tst and tst[key] is not None), (k, key)
            if key in st:
                _close(st[key], tst[key].numpy(), f"{k} {key}")


def test_adafactor_state_is_factored():
    opt = ol.Adafactor()
    params = {"w": np.ones((30, 40)), "t": np.ones((2, 30, 40)), "b": np.ones(40)}
    opt.update(params, {k: np.full_like(v, 0.1) for k, v in params.items()})
    sizes = {k: sum(a.size for a in st.values()) for k, st in opt.state.items()}
    assert sizes == {"w": 30 + 40, "t": 2 * (30 + 40), "b": 40}


# ----- Schedule-Free ------------------------------------------------------------------------------
schedulefree = pytest.importorskip("schedulefree")

SF_ADAMW_CONFIGS = [
    dict(lr=0.01),
    dict(lr=0.05, warmup_steps=20),
    dict(lr=0.02, warmup_steps=10, weight_decay=0.1, betas=(0.8, 0.99), eps=1e-6),
    dict(lr=0.02, r=1.0, weight_lr_power=1.0),
    dict(lr=0.02, warmup_steps=30, r=0.5, weight_lr_power=0.0),
]
SF_SGD_CONFIGS = [
    dict(lr=0.05),
    dict(lr=0.1, warmup_steps=20, momentum=0.5),
    dict(lr=0.05, warmup_steps=10, weight_decay=0.05, r=1.0, weight_lr_power=1.0),
]
EVAL_AT = (0, 1, 37, 80, 149)  # switch to eval (compare x), back to train


def _sf_run(ol_cls, torch_cls, cfg, **torch_extra):
    problem = QuadraticProblem(4, STEPS, SHAPES)
    params = problem.fresh()
    tparams = problem.torch_params()
    topt = torch_cls(list(tparams.values()), **cfg, **torch_extra)
    opt = ol_cls(**cfg)
    topt.train()
    for t in range(STEPS):
        problem.set_torch_grads(tparams, t)
        topt.step()
        opt.update(params, problem.grads(params, t))
        for k in params:
            _close(params[k], tparams[k].numpy(), f"{k} y at step {t}")
        if t in EVAL_AT:
            topt.eval()
            opt.eval(params)
            for k in params:
                _close(params[k], tparams[k].numpy(), f"{k} x at step {t}")
            topt.train()
            opt.train(params)
    for k, tp in tparams.items():
        _close(opt.state[k]["z"], topt.state[tp]["z"].numpy(), f"{k} z")
    return opt


@pytest.mark.parametrize("foreach", [False, True])
@pytest.mark.parametrize("cfg", SF_ADAMW_CONFIGS, ids=str)
def test_schedule_free_adamw_matches_the_package(cfg, foreach):
    opt = _sf_run(ol.ScheduleFreeAdamW, schedulefree.AdamWScheduleFree, cfg, foreach=foreach)
    assert opt.t == STEPS


@pytest.mark.parametrize("cfg", SF_SGD_CONFIGS, ids=str)
def test_schedule_free_sgd_matches_the_package(cfg):
    _sf_run(ol.ScheduleFreeSGD, schedulefree.SGDScheduleFree, cfg)


def test_schedule_free_update_in_eval_mode_is_refused_and_switches_are_idempotent():
    opt = ol.ScheduleFreeAdamW(lr=0.1)
    params = {"w": np.array([1.0, -2.0])}
    for _ in range(3):
        opt.update(params, {"w": params["w"].copy()})
    y = params["w"].copy()
    opt.eval(params)
    x = params["w"].copy()
    opt.eval(params)  # a second eval changes nothing
    np.testing.assert_array_equal(params["w"], x)
    with pytest.raises(ValueError, match="eval mode.*train"):
        opt.update(params, {"w": params["w"].copy()})
    opt.train(params)
    np.testing.assert_allclose(params["w"], y, rtol=1e-14)
    z = opt.state["w"]["z"]
    np.testing.assert_allclose(y, (1 - 0.9) * z + 0.9 * x, rtol=1e-14)  # y = (1-β) z + β x
    with pytest.raises(ValueError, match="momentum"):
        ol.ScheduleFreeSGD(momentum=0.0)
    with pytest.raises(ValueError, match="betas"):
        ol.ScheduleFreeAdamW(betas=(0.0, 0.999))


# ----- Split: Muon for matrices, AdamW for the rest ----------------------------------------------
def test_split_equals_its_parts_and_checks_all_before_changing_any():
    rng = np.random.default_rng(5)
    params = {"W": rng.normal(size=(3, 4)), "b": rng.normal(size=4)}
    grads = {k: rng.normal(size=v.shape) for k, v in params.items()}
    split = ol.Split((ol.Muon(lr=0.02), ["W"]), (ol.AdamW(lr=0.01), ["b"]))
    alone = {"W": params["W"].copy()}, {"b": params["b"].copy()}
    ol.Muon(lr=0.02).update(alone[0], {"W": grads["W"]})
    ol.AdamW(lr=0.01).update(alone[1], {"b": grads["b"]})
    split.update(params, grads)
    np.testing.assert_array_equal(params["W"], alone[0]["W"])
    np.testing.assert_array_equal(params["b"], alone[1]["b"])
    before = {k: v.copy() for k, v in params.items()}
    with pytest.raises(ValueError, match="NaN"):
        split.update(params, {"W": grads["W"], "b": np.full(4, np.nan)})
    with pytest.raises(ValueError, match="belong to no part"):
        split.update({**params, "c": np.ones(2)}, {**grads, "c": np.ones(2)})
    with pytest.raises(ValueError, match="named by parts"):
        ol.Split((ol.SGD(), ["W"]), (ol.SGD(), ["W"]))
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])


def test_split_resumes_from_its_state_dict():
    """Stop after 3 steps, load the state into a fresh Split, go on: the same weights as 6 steps
    without stopping; a state dict with the wrong number of parts is refused."""
    rng = np.random.default_rng(6)
    start = {"W": rng.normal(size=(3, 4)), "b": rng.normal(size=4)}
    grads = [{k: rng.normal(size=v.shape) for k, v in start.items()} for _ in range(6)]

    def make():
        return ol.Split((ol.Muon(lr=0.02), ["W"]), (ol.AdamW(lr=0.01), ["b"]))

    straight, p1 = make(), {k: v.copy() for k, v in start.items()}
    for g in grads:
        straight.update(p1, g)
    first, p2 = make(), {k: v.copy() for k, v in start.items()}
    for g in grads[:3]:
        first.update(p2, g)
    resumed = make()
    resumed.load_state_dict(first.state_dict())
    for g in grads[3:]:
        resumed.update(p2, g)
    for k in start:
        np.testing.assert_array_equal(p2[k], p1[k])
    with pytest.raises(ValueError, match="2 parts"):
        resumed.load_state_dict({"parts": first.state_dict()["parts"][:1]})
