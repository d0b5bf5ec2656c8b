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

from .base import Optimizer, _ema, _ema_square
from .norms import global_norm, sq_norm
from .sgd import SGD
from .validation import check_betas, check_bool, check_lr, check_non_negative, check_positive

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

    hyperparameters = (
        "lr", "momentum", "dampening", "weight_decay", "nesterov", "trust_coeff", "eps",
        "trust_clip", "always_adapt", "exclude_1d",
    )  # fmt: skip

    def __init__(self, lr=1.0, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
                 trust_coeff=1e-3, eps=1e-8, trust_clip=False, always_adapt=False,
                 exclude_1d=False):  # fmt: skip
        Optimizer.__init__(
            self, lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
            nesterov=nesterov, trust_coeff=trust_coeff, eps=eps, trust_clip=trust_clip,
            always_adapt=always_adapt, exclude_1d=exclude_1d,
        )  # fmt: skip

    def _scalars(self, t, grads):
        c = super()._scalars(t, grads)
        c.trust_coeff = check_positive("trust_coeff", self.trust_coeff)
        c.eps = check_non_negative("eps", self.eps)
        c.trust_clip = check_bool("trust_clip", self.trust_clip)
        c.always_adapt = check_bool("always_adapt", self.always_adapt)
        c.exclude_1d = check_bool("exclude_1d", self.exclude_1d)
        return c

    def _update_param(self, p, g, st, c):
        wd = 0.0 if c.exclude_1d and p.ndim <= 1 else c.weight_decay
        first = bool(c.momentum) and "momentum_buffer" not in st
        if first:
            st["momentum_buffer"] = np.empty(p.shape, p.dtype)
        adapt = wd != 0.0 or c.always_adapt
        trust = 1.0
        if adapt:
            w_norm, g_norm = math.sqrt(sq_norm(p)), math.sqrt(sq_norm(g))
            trust = _trust(w_norm, g_norm, c.trust_coeff * w_norm / (g_norm + w_norm * wd + c.eps))
            if c.trust_clip:
                trust = min(trust / c.lr, 1.0) if c.lr > 0.0 else 1.0
        c = self._namespace(**{**vars(c), "first": first, "weight_decay": wd, "adapt": adapt,
                               "trust": trust})  # fmt: skip
        self._blockwise(self._rule, p, g, st, c)

    def _rule(self, p, g, st, s, c):
        d = g
        if c.adapt:  # d = (g + wd w) * trust
            d = np.multiply(p, c.weight_decay, out=s[0])
            d += g
            d *= c.trust
        self._momentum_step(p, d, st, s, c)


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

    hyperparameters = (
        "lr", "betas", "eps", "weight_decay", "grad_averaging", "max_grad_norm", "trust_clip",
        "always_adapt", "bias_correction", "exclude_1d",
    )  # fmt: skip
    n_scratch = 2

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.01,
                 grad_averaging=True, max_grad_norm=1.0, trust_clip=False, always_adapt=False,
                 bias_correction=True, exclude_1d=False):  # fmt: skip
        super().__init__(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
            grad_averaging=grad_averaging, max_grad_norm=max_grad_norm, trust_clip=trust_clip,
            always_adapt=always_adapt, bias_correction=bias_correction, exclude_1d=exclude_1d,
        )  # fmt: skip

    def _scalars(self, t, grads):
        lr = check_lr(self.lr)
        b1, b2 = check_betas(self.betas)
        eps = check_non_negative("eps", self.eps)
        max_norm = self.max_grad_norm
        if max_norm is not None:
            max_norm = check_positive("max_grad_norm", max_norm)
        averaging = check_bool("grad_averaging", self.grad_averaging)
        bias_correction = check_bool("bias_correction", self.bias_correction)
        bc1, bc2 = (1.0 - b1**t, 1.0 - b2**t) if bias_correction else (1.0, 1.0)
        clip = 1.0
        if max_norm is not None and grads:
            total = global_norm(grads.values())
            clip = max(total / max_norm, 1.0)
        return self._namespace(
            lr=lr,
            betas=(b1, b2),
            eps=eps,
            weight_decay=check_non_negative("weight_decay", self.weight_decay),
            grad_averaging=averaging,
            max_grad_norm=max_norm,
            trust_clip=check_bool("trust_clip", self.trust_clip),
            always_adapt=check_bool("always_adapt", self.always_adapt),
            bias_correction=bias_correction,
            exclude_1d=check_bool("exclude_1d", self.exclude_1d),
            clip=clip,
            step=math.sqrt(bc2) / bc1,  # u = step * m / (sqrt(v) + eps_hat) + wd w
            eps_hat=eps * math.sqrt(bc2),
        )

    def _state_spec(self, c):
        return {"exp_avg": 0.0, "exp_avg_sq": 0.0}

    def _update_param(self, p, g, st, c):
        self._init_state(p, st, c)
        wd = 0.0 if c.exclude_1d and p.ndim <= 1 else c.weight_decay
        adapt = wd != 0.0 or c.always_adapt
        c = self._namespace(**{**vars(c), "weight_decay": wd, "u_sq": 0.0, "neg_lr": -c.lr})
        if not adapt:  # one pass: moments, then the step with trust 1
            self._blockwise(self._rule, p, g, st, c)
            return
        self._blockwise(self._moments_and_norm, p, g, st, c)  # accumulates c.u_sq = ||u||^2
        w_norm, u_norm = math.sqrt(sq_norm(p)), math.sqrt(c.u_sq)
        trust = _trust(w_norm, u_norm, w_norm / u_norm if u_norm > 0.0 else 1.0)
        if c.trust_clip:
            trust = min(trust, 1.0)
        c.neg_lr = -c.lr * trust
        self._blockwise(self._step, p, g, st, c)

    def _moments(self, p, g, st, s, c):
        d = g
        if c.clip != 1.0:  # g / clip
            d = np.divide(g, c.clip, out=s[0])
        m, v = st["exp_avg"], st["exp_avg_sq"]
        if c.grad_averaging:  # m = b1 m + (1 - b1) d
            _ema(m, d, c.betas[0], s[1])
        else:  # m = b1 m + d
            m *= c.betas[0]
            m += d
        _ema_square(v, d, c.betas[1], s[1])  # v = b2 v + (1 - b2) d^2

    def _moments_and_norm(self, p, g, st, s, c):
        self._moments(p, g, st, s, c)
        u = self._direction(p, st, s, c).reshape(-1)
        c.u_sq += sq_norm(u)

    def _direction(self, p, st, s, c):
        """``u = step * m / (sqrt(v) + eps_hat) + wd * w`` into ``s[0]``."""
        u = np.sqrt(st["exp_avg_sq"], out=s[0])
        u += c.eps_hat
        np.divide(st["exp_avg"], u, out=u)
        u *= c.step
        if c.weight_decay:
            u += np.multiply(p, c.weight_decay, out=s[1])
        return u

    def _step(self, p, g, st, s, c):
        p += np.multiply(self._direction(p, st, s, c), c.neg_lr, out=s[0])

    def _rule(self, p, g, st, s, c):
        self._moments(p, g, st, s, c)
        self._step(p, g, st, s, c)
