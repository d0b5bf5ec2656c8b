"""Lion: evolved sign momentum (Chen et al. 2023), as timm's ``Lion``."""

import numpy as np

from .base import Optimizer, _ema
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

    hyperparameters = ("lr", "betas", "weight_decay")
    n_scratch = 2

    def __init__(self, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
        super().__init__(lr=lr, betas=betas, weight_decay=weight_decay)

    def _scalars(self, t, grads):
        lr = check_lr(self.lr)
        wd = check_non_negative("weight_decay", self.weight_decay)
        return self._namespace(
            lr=lr, neg_lr=-lr, betas=check_betas(self.betas), weight_decay=wd, decay=1.0 - lr * wd
        )

    def _state_spec(self, c):
        return {"exp_avg": 0.0}

    def _rule(self, p, g, st, s, c):
        b1, b2 = c.betas
        m = st["exp_avg"]
        if c.decay != 1.0:
            p *= c.decay
        u = np.multiply(m, b1, out=s[0])  # u = sign(b1 m + (1 - b1) g)
        u += np.multiply(g, 1.0 - b1, out=s[1])
        np.sign(u, out=u)
        u *= c.neg_lr
        p += u
        _ema(m, g, b2, s[1])  # m = b2 m + (1 - b2) g
