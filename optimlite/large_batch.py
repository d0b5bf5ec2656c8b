"""Layer-wise adaptive methods for large batches: LARS and LAMB (as timm implements them).

Both scale each parameter's step by a *trust ratio* ``||w|| / ||update||`` computed from the
whole parameter tensor (one "layer"). timm leaves biases and normalisation weights out of weight
decay through parameter groups (``param_groups_weight_decay``: every tensor with ``ndim <= 1``);
here the same choice is the argument ``exclude_1d``: when True those parameters get weight decay 0,
which (unless ``always_adapt``) also switches their trust ratio off, exactly as in timm's groups.
It is False by default, so a single 2-element parameter (the course's 2-D landscapes) still sees
the layer-wise scaling.
"""

import math

import numpy as np

from .base import Optimizer
from .kernels import add_l2, add_scaled, decay_add, ema_square, sqrt_add
from .norms import global_norm, sq_norm
from .sgd import SGD
from .validation import (
    check_betas,
    check_bool,
    check_lr,
    check_non_negative,
    check_optional_positive,
    check_positive,
)

__all__ = ["LARS", "LAMB"]


def _trust(w_norm, u_norm, ratio):
    """timm's guard: the trust ratio is 1 when either norm is 0."""
    return ratio if w_norm > 0.0 and u_norm > 0.0 else 1.0


class LARS(SGD):
    r"""LARS (You et al. 2017) with optional LARC clipping; matches timm's ``Lars``.

    For each parameter tensor :math:`w` with gradient :math:`g`, when :math:`\lambda \ne 0` or
    ``always_adapt``:

    .. math::
        \begin{aligned}
        \text{trust} &= \eta\,\frac{\lVert w\rVert}{\lVert g\rVert + \lambda\lVert w\rVert
            + \epsilon} \quad (1 \text{ if } \lVert w\rVert = 0 \text{ or }
            \lVert g\rVert = 0), \qquad
            \text{trust} \leftarrow \min(\text{trust}/\gamma, 1) \ \text{(trust\_clip)} \\
        g &\leftarrow (g + \lambda w)\cdot\text{trust}
        \end{aligned}

    then the :class:`SGD` step with momentum :math:`\mu`, dampening and Nesterov exactly as
    ``torch.optim.SGD``: :math:`b \leftarrow \mu b + (1-\tau) g`, :math:`w \leftarrow w - \gamma b`.
    Without weight decay and without ``always_adapt`` it is plain SGD (timm's default).

    Args:
        lr (float): learning rate :math:`\gamma` (default: 1.0, as timm).
        momentum, dampening, nesterov: as :class:`SGD` (defaults 0, 0, False).
        weight_decay (float): :math:`\lambda` (default: 0).
        trust_coeff (float): :math:`\eta` (default: 1e-3).
        eps (float): :math:`\epsilon` (default: 1e-8).
        trust_clip (bool): LARC clipping :math:`\min(\text{trust}/\gamma, 1)` (default: False).
        always_adapt (bool): apply the trust ratio even when :math:`\lambda = 0` (default: False).
        exclude_1d (bool): parameters with ``ndim <= 1`` get :math:`\lambda = 0`, as timm's
            no-decay parameter group (default: False).
    """

    checks = {
        **SGD.checks,
        "trust_coeff": check_positive,
        "eps": check_non_negative,
        "trust_clip": check_bool,
        "always_adapt": check_bool,
        "exclude_1d": check_bool,
    }

    def __init__(self, lr=1.0, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
                 trust_coeff=1e-3, eps=1e-8, trust_clip=False, always_adapt=False,
                 exclude_1d=False):  # fmt: skip
        self._store(locals())

    def _for_param(self, p, g, st, c, created):
        wd = 0.0 if c.exclude_1d and p.ndim <= 1 else c.weight_decay
        adapt = wd != 0.0 or c.always_adapt
        trust = 1.0
        if adapt:  # trust = η ||w|| / (||g|| + λ ||w|| + ε)
            w_norm, g_norm = math.sqrt(sq_norm(p)), math.sqrt(sq_norm(g))
            trust = _trust(w_norm, g_norm, c.trust_coeff * w_norm / (g_norm + w_norm * wd + c.eps))
            if c.trust_clip:
                trust = min(trust / c.lr, 1.0) if c.lr > 0.0 else 1.0
        return self._with(c, first=bool(created), weight_decay=wd, adapt=adapt, trust=trust)

    def _rule(self, p, g, st, s, c):
        d = g
        if c.adapt:  # d = (g + λw) trust
            d = np.multiply(add_l2(g, c.weight_decay, p, out=s.d), c.trust, out=s.d)
        if c.momentum:
            d = self._momentum(d, st["momentum_buffer"], s, c)
        add_scaled(p, -c.lr, d, s.d)  # w = w - γ d


class LAMB(Optimizer):
    r"""LAMB (You et al. 2019); matches timm's ``Lamb`` (NVIDIA's FusedLAMB behaviour).

    .. math::
        \begin{aligned}
        \kappa &= \max(\lVert g_{\text{all}}\rVert / \text{max\_grad\_norm},\ 1), \qquad
            g \leftarrow g / \kappa \quad \text{(one global norm over all parameters)} \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g \ \ (\text{or } \beta_1 m_{t-1} + g
            \text{ without grad\_averaging}), \qquad
            v_t = \beta_2 v_{t-1} + (1 - \beta_2) g^2 \\
        u_t &= \frac{m_t / (1 - \beta_1^t)}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}
            + \lambda w \\
        \text{trust} &= \lVert w\rVert / \lVert u_t\rVert \quad (1 \text{ if either is } 0;
            \ \min(\cdot, 1) \text{ with trust\_clip}), \qquad
            w \leftarrow w - \gamma\,\text{trust}\, u_t
        \end{aligned}

    The trust ratio is applied when :math:`\lambda \ne 0` or ``always_adapt`` (timm's rule).
    Implementation: two passes per parameter (moments and :math:`\lVert u\rVert`, then the step,
    recomputing :math:`u` block by block), so no array of the parameter's size is allocated.

    Args:
        lr (float): learning rate :math:`\gamma` (default: 1e-3).
        betas (tuple[float, float]): (default: (0.9, 0.999)).
        eps (float): :math:`\epsilon` (default: 1e-6).
        weight_decay (float): :math:`\lambda` (default: 0.01).
        grad_averaging (bool): the :math:`(1 - \beta_1)` factor on the gradient in :math:`m`
            (default: True).
        max_grad_norm (float or None): global gradient-norm clip; None disables it (default: 1.0).
        trust_clip (bool): clip the trust ratio at 1 (LAMBC) (default: False).
        always_adapt (bool): apply the trust ratio when :math:`\lambda = 0` too (default: False).
        bias_correction (bool): divide by :math:`1 - \beta^t` (default: True).
        exclude_1d (bool): parameters with ``ndim <= 1`` get :math:`\lambda = 0`, as timm's
            no-decay parameter group (default: False).
    """

    checks = {
        "lr": check_lr,
        "betas": check_betas,
        "eps": check_non_negative,
        "weight_decay": check_non_negative,
        "grad_averaging": check_bool,
        "max_grad_norm": check_optional_positive,
        "trust_clip": check_bool,
        "always_adapt": check_bool,
        "bias_correction": check_bool,
        "exclude_1d": check_bool,
    }
    scratch = ("u", "tmp")

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.01,
                 grad_averaging=True, max_grad_norm=1.0, trust_clip=False, always_adapt=False,
                 bias_correction=True, exclude_1d=False):  # fmt: skip
        self._store(locals())

    def _constants(self, c, t, grads):
        c.beta1, c.beta2 = c.betas
        bc1, bc2 = (1.0 - c.beta1**t, 1.0 - c.beta2**t) if c.bias_correction else (1.0, 1.0)
        c.clip = 1.0  # κ
        if c.max_grad_norm is not None and grads:
            c.clip = max(global_norm(grads.values()) / c.max_grad_norm, 1.0)
        c.a = math.sqrt(bc2) / bc1  # u = a m / (√v + ε') + λw
        c.eps_prime = c.eps * math.sqrt(bc2)
        return c

    def _state_spec(self, c):
        return {"exp_avg": 0.0, "exp_avg_sq": 0.0}

    def _for_param(self, p, g, st, c, created):
        """Moments and ||u|| in a first pass over the blocks, then the trust ratio (timm's)."""
        wd = 0.0 if c.exclude_1d and p.ndim <= 1 else c.weight_decay
        c = self._with(c, weight_decay=wd, moments_done=False, trust=1.0)
        if wd == 0.0 and not c.always_adapt:
            return c  # no trust ratio: one pass does moments and step
        u_sq = self._blockwise(self._moments_and_sq_norm, p, g, st, c)
        w_norm, u_norm = math.sqrt(sq_norm(p)), math.sqrt(u_sq)
        trust = _trust(w_norm, u_norm, w_norm / u_norm if u_norm > 0.0 else 1.0)
        if c.trust_clip:
            trust = min(trust, 1.0)
        return self._with(c, moments_done=True, trust=trust)

    def _rule(self, p, g, st, s, c):
        if not c.moments_done:
            self._moments(g, st, s, c)
        add_scaled(p, -c.lr * c.trust, self._direction(p, st, s, c), s.u)  # w = w - γ trust u

    def _moments(self, g, st, s, c):
        if c.clip != 1.0:  # g = g / κ
            g = np.divide(g, c.clip, out=s.u)
        m, v = st["exp_avg"], st["exp_avg_sq"]
        decay_add(m, c.beta1, g, 1.0 - c.beta1 if c.grad_averaging else 1.0, s.tmp)  # m
        ema_square(v, g, c.beta2, s.tmp)  # v = β2 v + (1 - β2) g²

    def _direction(self, p, st, s, c):
        """``u = a m / (√v + ε') + λw`` into ``s.u``."""
        u = sqrt_add(st["exp_avg_sq"], c.eps_prime, out=s.u)
        np.divide(st["exp_avg"], u, out=u)
        u *= c.a
        if c.weight_decay:
            u += np.multiply(p, c.weight_decay, out=s.tmp)
        return u

    def last_trust_ratio(self, name, p_before):
        """The trust ratio ``||w|| / ||u||`` parameter ``name`` received at its last update,
        recomputed from the moments that update left and ``p_before``, the parameter's values
        before it (1.0 where no ratio was applied, as in the update)."""
        if name not in self.state:
            raise ValueError(f"name {name!r} has not been updated yet")
        p = np.asarray(p_before)
        st = self.state[name]
        if p.shape != st["exp_avg"].shape:
            raise ValueError(f"p_before has shape {p.shape}, the state {st['exp_avg'].shape}")
        c = self._step_constants(self.steps[name], {})
        wd = 0.0 if c.exclude_1d and p.ndim <= 1 else c.weight_decay
        if wd == 0.0 and not c.always_adapt:
            return 1.0
        c = self._with(c, weight_decay=wd)
        u = self._direction(p, st, self._scratch_rows(p.dtype, p.size, p.shape), c)
        w_norm, u_norm = math.sqrt(sq_norm(p)), math.sqrt(sq_norm(u))
        trust = _trust(w_norm, u_norm, w_norm / u_norm if u_norm > 0.0 else 1.0)
        return min(trust, 1.0) if c.trust_clip else trust

    def _moments_and_sq_norm(self, p, g, st, s, c):
        self._moments(g, st, s, c)
        return sq_norm(self._direction(p, st, s, c))
