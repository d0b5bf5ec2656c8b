"""Lion: evolved sign momentum (Chen et al. 2023), as timm's ``Lion``."""

import numpy as np

from .base import Optimizer
from .kernels import add_scaled, decay, ema
from .validation import check_betas, check_lr, check_non_negative

__all__ = ["Lion"]


class Lion(Optimizer):
    r"""Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"); matches timm's
    ``Lion`` and the paper's Algorithm 2.

    .. math::
        \begin{aligned}
        \theta &\leftarrow (1 - \gamma\lambda)\,\theta \\
        \theta &\leftarrow \theta - \gamma\,\operatorname{sign}(\beta_1 m + (1 - \beta_1) g) \\
        m &\leftarrow \beta_2 m + (1 - \beta_2) g
        \end{aligned}

    Every coordinate moves by exactly :math:`\pm\gamma` (0 where the interpolation is 0), so Lion
    wants a learning rate 3-10x smaller than Adam's and a larger weight decay.

    Args:
        lr (float): learning rate :math:`\gamma` (default: 1e-4).
        betas (tuple[float, float]): :math:`(\beta_1, \beta_2)` (default: (0.9, 0.99)).
        weight_decay (float): decoupled decay :math:`\lambda` (default: 0).
    """

    checks = {"lr": check_lr, "betas": check_betas, "weight_decay": check_non_negative}
    scratch = ("u", "tmp")

    def __init__(self, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
        self._store(locals())

    def _constants(self, c, t, grads):
        c.beta1, c.beta2 = c.betas
        c.decay = 1.0 - c.lr * c.weight_decay
        return c

    def _state_spec(self, c):
        return {"exp_avg": 0.0}

    def _rule(self, p, g, st, s, c):
        m = st["exp_avg"]
        decay(p, c.decay)  # θ = (1 - γλ) θ
        u = np.multiply(m, c.beta1, out=s.u)  # u = sign(β1 m + (1 - β1) g)
        u += np.multiply(g, 1.0 - c.beta1, out=s.tmp)
        np.sign(u, out=u)
        add_scaled(p, -c.lr, u, u)  # θ = θ - γ u
        ema(m, g, c.beta2, s.tmp)  # m = β2 m + (1 - β2) g
