"""Adaptive learning-rate methods: AdaGrad, RMSprop, Adam, AdamW, RAdam (as torch.optim)."""

import math

import numpy as np

from .base import Optimizer, _ema, _ema_square, _l2
from .validation import check_betas, check_bool, check_lr, check_non_negative, check_unit

__all__ = ["AdaGrad", "Adagrad", "RMSprop", "Adam", "AdamW", "RAdam"]


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

    hyperparameters = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")
    n_scratch = 2

    def __init__(self, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                 eps=1e-10):  # fmt: skip
        super().__init__(
            lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value, eps=eps,
        )  # fmt: skip

    def _scalars(self, t, grads):
        lr = check_lr(self.lr)
        lr_decay = check_non_negative("lr_decay", self.lr_decay)
        return self._namespace(
            lr=lr,
            lr_decay=lr_decay,
            neg_clr=-lr / (1.0 + (t - 1) * lr_decay),
            weight_decay=check_non_negative("weight_decay", self.weight_decay),
            initial_accumulator_value=check_non_negative(
                "initial_accumulator_value", self.initial_accumulator_value
            ),
            eps=check_non_negative("eps", self.eps),
        )

    def _state_spec(self, c):
        return {"sum": c.initial_accumulator_value}

    def _rule(self, p, g, st, s, c):
        d = _l2(p, g, c.weight_decay, s[0])
        acc = st["sum"]
        acc += np.multiply(d, d, out=s[1])  # s = s + d^2
        std = np.sqrt(acc, out=s[1])
        std += c.eps
        p += np.multiply(np.divide(d, std, out=s[1]), c.neg_clr, out=s[1])  # p -= clr d / std


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

    hyperparameters = ("lr", "alpha", "eps", "weight_decay", "momentum", "centered")
    n_scratch = 2

    def __init__(self, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False):  # fmt: skip
        super().__init__(
            lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
            centered=centered,
        )  # fmt: skip

    def _scalars(self, t, grads):
        lr = check_lr(self.lr)
        return self._namespace(
            lr=lr,
            neg_lr=-lr,
            alpha=check_unit("alpha", self.alpha),
            eps=check_non_negative("eps", self.eps),
            weight_decay=check_non_negative("weight_decay", self.weight_decay),
            momentum=check_unit("momentum", self.momentum),
            centered=check_bool("centered", self.centered),
        )

    def _state_spec(self, c):
        spec = {"square_avg": 0.0}
        if c.momentum > 0:
            spec["momentum_buffer"] = 0.0
        if c.centered:
            spec["grad_avg"] = 0.0
        return spec

    def _rule(self, p, g, st, s, c):
        d = _l2(p, g, c.weight_decay, s[0])
        v = st["square_avg"]
        _ema_square(v, d, c.alpha, s[1])
        if c.centered:  # a = sqrt(v - gbar^2) + eps
            gbar = st["grad_avg"]
            _ema(gbar, d, c.alpha, s[1])  # gbar = alpha gbar + (1 - alpha) d
            a = np.sqrt(np.subtract(v, np.multiply(gbar, gbar, out=s[1]), out=s[1]), out=s[1])
        else:  # a = sqrt(v) + eps
            a = np.sqrt(v, out=s[1])
        a += c.eps
        step = np.divide(d, a, out=s[1])  # d / a
        if c.momentum > 0:
            b = st["momentum_buffer"]
            b *= c.momentum
            b += step
            step = b
        p += np.multiply(step, c.neg_lr, out=s[1])


class Adam(Optimizer):
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
        \end{aligned}

    Implementation: the bias corrections are folded into two scalars per step,
    :math:`\theta \mathrel{-}= a\, m / (\sqrt{\hat v} + \epsilon')` with
    :math:`a = \gamma\sqrt{1-\beta_2^t}/(1-\beta_1^t)` and
    :math:`\epsilon' = \epsilon\sqrt{1-\beta_2^t}`
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

    hyperparameters = ("lr", "betas", "eps", "weight_decay", "amsgrad", "decoupled_weight_decay")
    n_scratch = 2

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
                 *, decoupled_weight_decay=False):  # fmt: skip
        super().__init__(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
            decoupled_weight_decay=decoupled_weight_decay,
        )  # fmt: skip

    def _scalars(self, t, grads):
        lr = check_lr(self.lr)
        b1, b2 = check_betas(self.betas)
        eps = check_non_negative("eps", self.eps)
        wd = check_non_negative("weight_decay", self.weight_decay)
        decoupled = check_bool("decoupled_weight_decay", self.decoupled_weight_decay)
        bc2_sqrt = math.sqrt(1.0 - b2**t)
        return self._namespace(
            lr=lr,
            betas=(b1, b2),
            eps=eps,
            weight_decay=wd,
            amsgrad=check_bool("amsgrad", self.amsgrad),
            decoupled_weight_decay=decoupled,
            l2=0.0 if decoupled else wd,
            decay=1.0 - lr * wd if decoupled else 1.0,
            neg_step=-lr * bc2_sqrt / (1.0 - b1**t),
            eps_hat=eps * bc2_sqrt,
        )

    def _state_spec(self, c):
        if c.amsgrad:
            return {"exp_avg": 0.0, "exp_avg_sq": 0.0, "max_exp_avg_sq": 0.0}
        return {"exp_avg": 0.0, "exp_avg_sq": 0.0}

    def _rule(self, p, g, st, s, c):
        if c.decay != 1.0:  # decoupled decay first: p = (1 - lr wd) p
            p *= c.decay
        d = _l2(p, g, c.l2, s[0])
        m, v = st["exp_avg"], st["exp_avg_sq"]
        _ema(m, d, c.betas[0], s[1])  # m = b1 m + (1 - b1) d
        _ema_square(v, d, c.betas[1], s[1])  # v = b2 v + (1 - b2) d^2
        if c.amsgrad:
            v = np.maximum(st["max_exp_avg_sq"], v, out=st["max_exp_avg_sq"])
        denom = np.sqrt(v, out=s[1])
        denom += c.eps_hat
        p += np.multiply(np.divide(m, denom, out=s[1]), c.neg_step, out=s[1])


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

    hyperparameters = ("lr", "betas", "eps", "weight_decay", "amsgrad")
    decoupled_weight_decay = True

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
        Optimizer.__init__(
            self, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad
        )


class RAdam(Optimizer):
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

    Args:
        lr (float): learning rate (default: 1e-3).
        betas (tuple[float, float]): (default: (0.9, 0.999)).
        eps (float): (default: 1e-8).
        weight_decay (float): L2 penalty, or decoupled decay (default: 0).
        decoupled_weight_decay (bool): decay as AdamW, :math:`\theta \leftarrow (1 - \gamma\lambda)
            \theta` first (default: False).
    """

    hyperparameters = ("lr", "betas", "eps", "weight_decay", "decoupled_weight_decay")
    n_scratch = 2

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 decoupled_weight_decay=False):  # fmt: skip
        super().__init__(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
            decoupled_weight_decay=decoupled_weight_decay,
        )  # fmt: skip

    def _scalars(self, t, grads):
        lr = check_lr(self.lr)
        b1, b2 = check_betas(self.betas)
        wd = check_non_negative("weight_decay", self.weight_decay)
        decoupled = check_bool("decoupled_weight_decay", self.decoupled_weight_decay)
        bc1, bc2 = 1.0 - b1**t, 1.0 - b2**t
        rho_inf = 2.0 / (1.0 - b2) - 1.0
        rho_t = rho_inf - 2.0 * t * b2**t / bc2  # bc2 > 0: b2 < 1 and t >= 1
        rectify = rho_t > 5.0
        if rectify:
            r = math.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
            neg_step = -lr * r * math.sqrt(bc2) / bc1
        else:
            neg_step = -lr / bc1
        return self._namespace(
            lr=lr,
            betas=(b1, b2),
            eps=check_non_negative("eps", self.eps),
            weight_decay=wd,
            decoupled_weight_decay=decoupled,
            l2=0.0 if decoupled else wd,
            decay=1.0 - lr * wd if decoupled else 1.0,
            rectify=rectify,
            neg_step=neg_step,
        )

    def _state_spec(self, c):
        return {"exp_avg": 0.0, "exp_avg_sq": 0.0}

    def _rule(self, p, g, st, s, c):
        if c.decay != 1.0:
            p *= c.decay
        d = _l2(p, g, c.l2, s[0])
        m, v = st["exp_avg"], st["exp_avg_sq"]
        _ema(m, d, c.betas[0], s[1])  # m = b1 m + (1 - b1) d
        _ema_square(v, d, c.betas[1], s[1])  # v = b2 v + (1 - b2) d^2
        if c.rectify:  # p -= lr r sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)
            denom = np.sqrt(v, out=s[1])
            denom += c.eps
            p += np.multiply(np.divide(m, denom, out=s[1]), c.neg_step, out=s[1])
        else:  # p -= lr / (1 - b1^t) * m
            p += np.multiply(m, c.neg_step, out=s[1])
