"""Stochastic gradient descent, with heavy-ball or Nesterov momentum (torch.optim.SGD)."""

from .base import Optimizer
from .kernels import add_l2, add_scaled, decay_add, plus_scaled
from .validation import (
    check_bool,
    check_closed_unit,
    check_lr,
    check_nesterov,
    check_non_negative,
    check_unit,
)

__all__ = ["SGD", "MomentumSGD", "NesterovMomentum"]


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum; matches ``torch.optim.SGD``.

    .. math::
        \begin{aligned}
        d_t &= g_t + \lambda \theta_{t-1} \\
        b_t &= d_t \ (\text{first step}), \qquad
            b_t = \mu b_{t-1} + (1 - \tau) d_t \ (\text{later}) &&\text{if } \mu \ne 0 \\
        d_t &\leftarrow d_t + \mu b_t \ \text{(nesterov)}, \qquad d_t \leftarrow b_t
            \ \text{(otherwise)} &&\text{if } \mu \ne 0 \\
        \theta_t &= \theta_{t-1} - \gamma d_t
        \end{aligned}

    The first momentum buffer is a copy of the gradient (not dampened), exactly as in PyTorch.

    Args:
        lr (float): learning rate :math:`\gamma` (default: 1e-3, as torch).
        momentum (float): momentum factor :math:`\mu` in [0, 1) (default: 0).
        dampening (float): dampening :math:`\tau` for momentum, in [0, 1] (default: 0).
        weight_decay (float): L2 penalty :math:`\lambda` added to the gradient (default: 0).
        nesterov (bool): Nesterov momentum; needs momentum > 0 and dampening 0 (default: False).
    """

    checks = {
        "lr": check_lr,
        "momentum": check_unit,
        "dampening": check_closed_unit,
        "weight_decay": check_non_negative,
        "nesterov": check_bool,
    }
    scratch = ("d", "tmp")

    def __init__(self, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        self._store(locals())

    def _check_together(self, c):
        check_nesterov(c.nesterov, c.momentum, c.dampening)

    def _constants(self, c, t, grads):
        c.first = False  # True for a parameter whose momentum buffer is new (_for_param)
        return c

    def _state_spec(self, c):
        return {"momentum_buffer": None} if c.momentum else {}

    def _for_param(self, p, g, st, c, created):
        return self._with(c, first=True) if created else c  # the new buffer is filled with d

    def _rule(self, p, g, st, s, c):
        d = add_l2(g, c.weight_decay, p, out=s.d)  # d = g + λθ
        if c.momentum:
            d = self._momentum(d, st["momentum_buffer"], s, c)
        add_scaled(p, -c.lr, d, s.d)  # θ = θ - γ d

    @staticmethod
    def _momentum(d, b, s, c):
        """The buffer ``b`` updated with ``d``, and the direction it gives (``b`` or Nesterov's)."""
        if c.first:
            b[...] = d  # b = d
        else:
            decay_add(b, c.momentum, d, 1.0 - c.dampening, s.tmp)  # b = μ b + (1 - τ) d
        if c.nesterov:
            return plus_scaled(d, c.momentum, b, out=s.tmp)  # d + μ b
        return b


class MomentumSGD(SGD):
    r"""The article's momentum class: :math:`v \leftarrow \beta v + g,\ \theta \leftarrow
    \theta - \eta v`, i.e. :class:`SGD` with ``momentum=0.9`` and no dampening.

    Identical to ``torch.optim.SGD(lr, momentum=0.9)`` (first velocity = first gradient).

    Args:
        lr (float): learning rate (default: 0.01).
        momentum (float): :math:`\beta` in [0, 1) (default: 0.9).
        dampening (float): dampening (default: 0).
        weight_decay (float): L2 penalty added to the gradient (default: 0).
    """

    nesterov = False

    def __init__(self, lr=0.01, momentum=0.9, dampening=0.0, weight_decay=0.0):
        self._store(locals())


class NesterovMomentum(SGD):
    r"""Nesterov momentum in PyTorch's form: :math:`b \leftarrow \mu b + g,\ \theta \leftarrow
    \theta - \eta (g + \mu b)`, i.e. :class:`SGD` with ``nesterov=True``.

    The article's lookahead form (Sutskever et al. 2013; CS231n's reformulation) tracks a shifted
    point; with :math:`v = -\eta b` it gives exactly this trajectory.

    Args:
        lr (float): learning rate (default: 0.01).
        momentum (float): :math:`\mu` in (0, 1) (default: 0.9).
        weight_decay (float): L2 penalty added to the gradient (default: 0).
    """

    nesterov = True
    dampening = 0.0

    def __init__(self, lr=0.01, momentum=0.9, weight_decay=0.0):
        self._store(locals())
