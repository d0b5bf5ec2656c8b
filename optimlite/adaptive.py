"""Adaptive learning-rate methods: AdaGrad, RMSprop, Adam, AdamW, RAdam (as torch.optim)."""

import math

import numpy as np

from .base import Optimizer
from .kernels import (
    add_l2,
    add_scaled,
    add_scaled_ratio,
    add_square,
    decay,
    decay_add,
    ema,
    ema_square,
    minus_square,
    sqrt_add,
)
from .validation import check_betas, check_bool, check_lr, check_non_negative, check_unit

__all__ = ["AdaGrad", "Adagrad", "RMSprop", "Adam", "AdamW", "RAdam", "radam_rectification"]


class AdaGrad(Optimizer):
    r"""AdaGrad (Duchi et al. 2011); matches ``torch.optim.Adagrad``.

    .. math::
        \begin{aligned}
        \tilde\gamma &= \gamma / (1 + (t - 1)\eta), \qquad
            g_t \leftarrow g_t + \lambda\theta_{t-1} \\
        s_t &= s_{t-1} + g_t^2, \qquad
        \theta_t = \theta_{t-1} - \tilde\gamma\, g_t / (\sqrt{s_t} + \epsilon)
        \end{aligned}

    :math:`s_0` is ``initial_accumulator_value``. As in PyTorch (and the article's code, not its
    math) ``eps`` is added outside the square root.

    Args:
        lr (float): learning rate :math:`\gamma` (default: 1e-2).
        lr_decay (float): :math:`\eta` (default: 0).
        weight_decay (float): L2 penalty :math:`\lambda` (default: 0).
        initial_accumulator_value (float): :math:`s_0` (default: 0).
        eps (float): :math:`\epsilon` (default: 1e-10).
    """

    checks = {
        "lr": check_lr,
        "lr_decay": check_non_negative,
        "weight_decay": check_non_negative,
        "initial_accumulator_value": check_non_negative,
        "eps": check_non_negative,
    }
    scratch = ("d", "tmp")

    def __init__(self, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                 eps=1e-10):  # fmt: skip
        self._store(locals())

    def _constants(self, c, t, grads):
        c.decayed_lr = c.lr / (1.0 + (t - 1) * c.lr_decay)  # γ̃
        return c

    def _state_spec(self, c):
        return {"sum": c.initial_accumulator_value}

    def _rule(self, p, g, st, s, c):
        g = add_l2(g, c.weight_decay, p, out=s.d)  # g = g + λθ
        add_square(st["sum"], g, s.tmp)  # s = s + g²
        denom = sqrt_add(st["sum"], c.eps, out=s.tmp)  # √s + ε
        add_scaled_ratio(p, -c.decayed_lr, g, denom, s.tmp)  # θ = θ - γ̃ g / (√s + ε)


Adagrad = AdaGrad


class RMSprop(Optimizer):
    r"""RMSprop (Hinton 2012), optionally centered and with momentum; matches
    ``torch.optim.RMSprop``.

    .. math::
        \begin{aligned}
        g_t &\leftarrow g_t + \lambda\theta_{t-1}, \qquad
        v_t = \alpha v_{t-1} + (1 - \alpha) g_t^2 \\
        \bar g_t &= \alpha \bar g_{t-1} + (1 - \alpha) g_t, \quad
            a_t = \sqrt{v_t - \bar g_t^2} + \epsilon \ \text{(centered)}, \qquad
            a_t = \sqrt{v_t} + \epsilon \ \text{(otherwise)} \\
        b_t &= \mu b_{t-1} + g_t / a_t, \quad \theta_t = \theta_{t-1} - \gamma b_t
            \ \text{(momentum)}, \qquad \theta_t = \theta_{t-1} - \gamma g_t / a_t
            \ \text{(otherwise)}
        \end{aligned}

    Args:
        lr (float): learning rate :math:`\gamma` (default: 1e-2).
        alpha (float): smoothing constant :math:`\alpha` in [0, 1) (default: 0.99).
        eps (float): :math:`\epsilon`, added after the square root (default: 1e-8).
        weight_decay (float): L2 penalty :math:`\lambda` (default: 0).
        momentum (float): :math:`\mu` in [0, 1) (default: 0).
        centered (bool): normalise by the estimated variance instead of the raw second moment.
    """

    checks = {
        "lr": check_lr,
        "alpha": check_unit,
        "eps": check_non_negative,
        "weight_decay": check_non_negative,
        "momentum": check_unit,
        "centered": check_bool,
    }
    scratch = ("d", "tmp")

    def __init__(self, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False):  # fmt: skip
        self._store(locals())

    def _state_spec(self, c):
        spec = {"square_avg": 0.0}
        if c.momentum > 0:
            spec["momentum_buffer"] = 0.0
        if c.centered:
            spec["grad_avg"] = 0.0
        return spec

    def _rule(self, p, g, st, s, c):
        g = add_l2(g, c.weight_decay, p, out=s.d)  # g = g + λθ
        v = st["square_avg"]
        ema_square(v, g, c.alpha, s.tmp)  # v = α v + (1 - α) g²
        if c.centered:
            ema(st["grad_avg"], g, c.alpha, s.tmp)  # ḡ = α ḡ + (1 - α) g
            v = minus_square(v, st["grad_avg"], out=s.tmp)  # v - ḡ²
        a = sqrt_add(v, c.eps, out=s.tmp)  # a = √v + ε
        if c.momentum > 0:
            b = st["momentum_buffer"]
            decay_add(b, c.momentum, np.divide(g, a, out=s.tmp), 1.0, None)  # b = μ b + g / a
            add_scaled(p, -c.lr, b, s.tmp)  # θ = θ - γ b
        else:
            add_scaled_ratio(p, -c.lr, g, a, s.tmp)  # θ = θ - γ g / a


class _AdamMoments:
    """What Adam and RAdam share: the weight decay (L2 or decoupled) and the two moments."""

    @staticmethod
    def _decay_constants(c):
        """``c.l2``: the penalty added to the gradient; ``c.decay``: the factor on the weights."""
        c.beta1, c.beta2 = c.betas
        c.l2 = 0.0 if c.decoupled_weight_decay else c.weight_decay
        c.decay = 1.0 - c.lr * c.weight_decay if c.decoupled_weight_decay else 1.0
        return c

    @staticmethod
    def _moments(p, g, st, s, c):
        """θ = (1 - γλ) θ or g = g + λθ; then m and v updated; returns them."""
        decay(p, c.decay)  # decoupled: θ = (1 - γλ) θ
        g = add_l2(g, c.l2, p, out=s.d)  # L2: g = g + λθ
        m, v = st["exp_avg"], st["exp_avg_sq"]
        ema(m, g, c.beta1, s.tmp)  # m = β1 m + (1 - β1) g
        ema_square(v, g, c.beta2, s.tmp)  # v = β2 v + (1 - β2) g²
        return m, v


class Adam(_AdamMoments, Optimizer):
    r"""Adam (Kingma & Ba 2015), with optional AMSGrad; matches ``torch.optim.Adam``.

    .. math::
        \begin{aligned}
        g_t &\leftarrow g_t + \lambda\theta_{t-1} \ \text{(L2; or decoupled:} \
            \theta_{t-1} \leftarrow (1 - \gamma\lambda)\theta_{t-1}) \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \hat v_t &= \max(\hat v_{t-1}, v_t) \ \text{(amsgrad)}, \qquad
            \hat v_t = v_t \ \text{(otherwise)} \\
        \theta_t &= \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}\,
            \frac{m_t}{\sqrt{\hat v_t} / \sqrt{1 - \beta_2^t} + \epsilon}
            = \theta_{t-1} - a_t \frac{m_t}{\sqrt{\hat v_t} + \epsilon'_t}
        \end{aligned}

    The bias corrections are folded into two scalars per step,
    :math:`a_t = \gamma\sqrt{1-\beta_2^t}/(1-\beta_1^t)` and
    :math:`\epsilon'_t = \epsilon\sqrt{1-\beta_2^t}`
    (the same number as PyTorch's expression, up to rounding).

    Args:
        lr (float): learning rate :math:`\gamma` (default: 1e-3).
        betas (tuple[float, float]): :math:`(\beta_1, \beta_2)`, each in [0, 1)
            (default: (0.9, 0.999)).
        eps (float): :math:`\epsilon` (default: 1e-8).
        weight_decay (float): :math:`\lambda` (default: 0), an L2 penalty added to the gradient.
        amsgrad (bool): use the running maximum of :math:`v_t` (Reddi et al. 2018).
        decoupled_weight_decay (bool): decay the weights as AdamW does (default: False).
    """

    checks = {
        "lr": check_lr,
        "betas": check_betas,
        "eps": check_non_negative,
        "weight_decay": check_non_negative,
        "amsgrad": check_bool,
        "decoupled_weight_decay": check_bool,
    }
    scratch = ("d", "tmp")

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
                 *, decoupled_weight_decay=False):  # fmt: skip
        self._store(locals())

    def _constants(self, c, t, grads):
        self._decay_constants(c)
        sqrt_bc2 = math.sqrt(1.0 - c.beta2**t)
        c.a = c.lr * sqrt_bc2 / (1.0 - c.beta1**t)  # a_t = γ √(1 - β2^t) / (1 - β1^t)
        c.eps_prime = c.eps * sqrt_bc2  # ε'_t = ε √(1 - β2^t)
        return c

    def _state_spec(self, c):
        if c.amsgrad:
            return {"exp_avg": 0.0, "exp_avg_sq": 0.0, "max_exp_avg_sq": 0.0}
        return {"exp_avg": 0.0, "exp_avg_sq": 0.0}

    def _rule(self, p, g, st, s, c):
        m, v = self._moments(p, g, st, s, c)
        if c.amsgrad:
            v = np.maximum(st["max_exp_avg_sq"], v, out=st["max_exp_avg_sq"])  # v̂ = max(v̂, v)
        denom = sqrt_add(v, c.eps_prime, out=s.tmp)  # √v̂ + ε'
        add_scaled_ratio(p, -c.a, m, denom, s.tmp)  # θ = θ - a m / (√v̂ + ε')


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter 2019); matches ``torch.optim.AdamW``.

    :class:`Adam` with decoupled weight decay: first :math:`\theta \leftarrow (1 -
    \gamma\lambda)\theta` (the decay is multiplied by the learning rate, and applied to the
    weights before the step, as in the paper and PyTorch), then the Adam step without any L2 term.

    Args:
        lr (float): learning rate (default: 1e-3).
        betas (tuple[float, float]): (default: (0.9, 0.999)).
        eps (float): (default: 1e-8).
        weight_decay (float): decoupled decay :math:`\lambda` (default: 1e-2).
        amsgrad (bool): (default: False).
    """

    decoupled_weight_decay = True

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
        self._store(locals())


def radam_rectification(t, beta2=0.999):
    r"""RAdam's :math:`\rho_t` and rectification :math:`r_t` at step ``t`` (from 1):

    .. math::
        \rho_\infty = \frac{2}{1 - \beta_2} - 1, \qquad
        \rho_t = \rho_\infty - \frac{2t\beta_2^t}{1 - \beta_2^t}, \qquad
        r_t = \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}
            {(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}} .

    Returns ``(rho_t, r_t)`` as floats, with ``r_t = None`` when :math:`\rho_t \le 5` (the
    variance of the adaptive step is not yet tractable: RAdam takes a plain momentum step).
    """
    if int(t) != t or t < 1:
        raise ValueError(f"t must be an integer >= 1, got {t!r}")
    if not 0.0 <= beta2 < 1.0:
        raise ValueError(f"beta2 must be in [0, 1), got {beta2!r}")
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    rho_t = rho_inf - 2.0 * t * beta2**t / (1.0 - beta2**t)
    if rho_t <= 5.0:
        return rho_t, None
    r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
    return rho_t, r


class RAdam(_AdamMoments, Optimizer):
    r"""Rectified Adam (Liu et al. 2020); matches ``torch.optim.RAdam``.

    .. math::
        \begin{aligned}
        m_t, v_t &\ \text{as in Adam}, \qquad \hat m_t = m_t / (1 - \beta_1^t) \\
        \rho_\infty &= 2/(1 - \beta_2) - 1, \qquad
            \rho_t = \rho_\infty - 2t\beta_2^t / (1 - \beta_2^t) \\
        \theta_t &= \theta_{t-1} - \gamma\, \hat m_t\, r_t\,
            \frac{\sqrt{1 - \beta_2^t}}{\sqrt{v_t} + \epsilon} \ \text{if } \rho_t > 5,
            \qquad \theta_t = \theta_{t-1} - \gamma\, \hat m_t \ \text{otherwise} \\
        r_t &= \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}
            {(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}}
        \end{aligned}

    The step's scalar is folded into :math:`a_t = \gamma r_t \sqrt{1 - \beta_2^t}/(1 - \beta_1^t)`
    (rectified) or :math:`a_t = \gamma / (1 - \beta_1^t)`.

    Args:
        lr (float): learning rate (default: 1e-3).
        betas (tuple[float, float]): (default: (0.9, 0.999)).
        eps (float): (default: 1e-8).
        weight_decay (float): L2 penalty, or decoupled decay (default: 0).
        decoupled_weight_decay (bool): decay as AdamW, :math:`\theta \leftarrow (1 - \gamma\lambda)
            \theta` first (default: False).
    """

    checks = {
        "lr": check_lr,
        "betas": check_betas,
        "eps": check_non_negative,
        "weight_decay": check_non_negative,
        "decoupled_weight_decay": check_bool,
    }
    scratch = ("d", "tmp")

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 decoupled_weight_decay=False):  # fmt: skip
        self._store(locals())

    def _constants(self, c, t, grads):
        self._decay_constants(c)
        bc1, bc2 = 1.0 - c.beta1**t, 1.0 - c.beta2**t
        _, r = radam_rectification(t, c.beta2)
        c.rectify = r is not None
        if c.rectify:
            c.a = c.lr * r * math.sqrt(bc2) / bc1
        else:
            c.a = c.lr / bc1
        return c

    def _state_spec(self, c):
        return {"exp_avg": 0.0, "exp_avg_sq": 0.0}

    def _rule(self, p, g, st, s, c):
        m, v = self._moments(p, g, st, s, c)
        if c.rectify:  # θ = θ - a m / (√v + ε)
            add_scaled_ratio(p, -c.a, m, sqrt_add(v, c.eps, out=s.tmp), s.tmp)
        else:  # θ = θ - a m
            add_scaled(p, -c.a, m, s.tmp)
