"""Stochastic gradient descent, with heavy-ball or Nesterov momentum (torch.optim.SGD)."""

import numpy as np

from .base import Optimizer, _l2
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
        g_t &\leftarrow g_t + \lambda \theta_{t-1} &&\text{if } \lambda \ne 0 \\
        b_t &\leftarrow g_t \ (t = 1), \quad
            b_t \leftarrow \mu b_{t-1} + (1 - \tau) g_t \ (t > 1) &&\text{if } \mu \ne 0 \\
        g_t &\leftarrow g_t + \mu b_t \ \text{(nesterov)}, \quad g_t \leftarrow b_t
            \ \text{(otherwise)} &&\text{if } \mu \ne 0 \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma g_t
        \end{aligned}

    The first momentum buffer is a copy of the gradient (not dampened), exactly as in PyTorch.

    Args:
        lr (float): learning rate :math:`\gamma` (default: 1e-3, as torch).
        momentum (float): momentum factor :math:`\mu` in [0, 1) (default: 0).
        dampening (float): dampening :math:`\tau` for momentum, in [0, 1] (default: 0).
        weight_decay (float): L2 penalty :math:`\lambda` added to the gradient (default: 0).
        nesterov (bool): Nesterov momentum; needs momentum > 0 and dampening 0 (default: False).
    """

    hyperparameters = ("lr", "momentum", "dampening", "weight_decay", "nesterov")
    n_scratch = 2

    def __init__(self, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        super().__init__(
            lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
            nesterov=nesterov,
        )  # fmt: skip

    def _scalars(self, t, grads):
        momentum = check_unit("momentum", self.momentum)
        dampening = check_closed_unit("dampening", self.dampening)
        nesterov = check_bool("nesterov", self.nesterov)
        check_nesterov(nesterov, momentum, dampening)
        lr = check_lr(self.lr)
        return self._namespace(
            lr=lr,
            neg_lr=-lr,
            momentum=momentum,
            dampening=dampening,
            one_minus_dampening=1.0 - dampening,
            weight_decay=check_non_negative("weight_decay", self.weight_decay),
            nesterov=nesterov,
            first=False,
        )

    def _update_param(self, p, g, st, c):
        if c.momentum and "momentum_buffer" not in st:  # the first buffer is a copy of d
            st["momentum_buffer"] = np.empty(p.shape, p.dtype)
            c = self._namespace(**{**vars(c), "first": True})
        self._blockwise(self._rule, p, g, st, c)

    def _rule(self, p, g, st, s, c):
        d = _l2(p, g, c.weight_decay, s[0])  # d = g + wd p
        self._momentum_step(p, d, st, s, c)

    @staticmethod
    def _momentum_step(p, d, st, s, c):
        """The momentum and parameter step for the (decayed) gradient ``d``; ``s[1]`` is free."""
        if c.momentum:
            b = st["momentum_buffer"]
            if c.first:  # b = d
                np.copyto(b, d)
            elif c.dampening:  # b = mu * b + (1 - dampening) * d
                b *= c.momentum
                b += np.multiply(d, c.one_minus_dampening, out=s[1])
            else:  # b = mu * b + d
                b *= c.momentum
                b += d
            if c.nesterov:  # d = d + mu * b
                d = np.add(d, np.multiply(b, c.momentum, out=s[1]), out=s[1])
            else:
                d = b
        p += np.multiply(d, c.neg_lr, out=s[0])  # p = p - lr * d


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

    hyperparameters = ("lr", "momentum", "dampening", "weight_decay")
    nesterov = False

    def __init__(self, lr=0.01, momentum=0.9, dampening=0.0, weight_decay=0.0):
        Optimizer.__init__(
            self, lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay
        )


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

    hyperparameters = ("lr", "momentum", "weight_decay")
    nesterov = True
    dampening = 0.0

    def __init__(self, lr=0.01, momentum=0.9, weight_decay=0.0):
        Optimizer.__init__(self, lr=lr, momentum=momentum, weight_decay=weight_decay)
