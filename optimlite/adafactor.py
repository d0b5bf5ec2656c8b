"""Adafactor (Shazeer & Stern 2018) as ``torch.optim.Adafactor`` implements it (torch 2.13).

For a parameter with two or more dimensions the second moment is kept *factored* over the last
two: a row average (shape ``(..., n, 1)``) and a column average (``(..., 1, m)``), so an n x m
matrix keeps n + m numbers of state instead of Adam's 2nm. Vectors and scalars keep a full
second moment. There is no first moment.

How it fits the block design: the estimate ``V = R C / mean(R)`` is an outer product and the
step is scaled by the RMS of the whole update, so the rule is a whole-tensor computation, not an
elementwise one. It runs in one parameter-sized array kept by ``Optimizer._workspace`` (made at
the first step, reused, never saved): later steps allocate nothing, and the state stays O(n + m).
"""

import math

import numpy as np

from .base import Optimizer
from .kernels import add_scaled, decay, ema, ema_square
from .norms import sq_norm
from .validation import (
    check_at_least_one,
    check_eps_pair,
    check_lr,
    check_non_negative,
    check_non_positive,
)

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    r"""Adafactor; matches ``torch.optim.Adafactor``.

    At step :math:`t`, for a parameter :math:`\theta` with gradient :math:`G`:

    .. math::
        \begin{aligned}
        \hat\beta_{2,t} &= 1 - t^{c}, \qquad \rho_t = \min(\gamma, 1/\sqrt t), \qquad
            \alpha_t = \max(\epsilon_2, \mathrm{RMS}(\theta_{t-1}))\,\rho_t \\
        \theta_{t-1} &\leftarrow (1 - \gamma\lambda)\,\theta_{t-1} \\
        R_t &= \hat\beta_{2,t} R_{t-1} + (1 - \hat\beta_{2,t})\,\mathrm{mean}_{\text{cols}}(G^2),
            \quad
        C_t = \hat\beta_{2,t} C_{t-1} + (1 - \hat\beta_{2,t})\,\mathrm{mean}_{\text{rows}}(G^2) \\
        \hat V_t &= R_t C_t / \max(\mathrm{mean}(R_t), \epsilon_1)
            \qquad (\text{vectors: } \hat V_t = \hat\beta_{2,t}\hat V_{t-1}
            + (1 - \hat\beta_{2,t}) G^2) \\
        U_t &= G / \sqrt{\max(\hat V_t, \epsilon_1^2)}, \qquad
        \theta_t = \theta_{t-1} - \frac{\alpha_t}{\max(1, \mathrm{RMS}(U_t)/d)}\, U_t
        \end{aligned}

    :math:`c` is ``beta2_decay`` (so :math:`1 - \hat\beta_{2,1} = 1`: the first step takes
    :math:`G^2` itself), :math:`\mathrm{RMS}(x) = \lVert x\rVert_2/\sqrt{\text{size}}`. The step is
    *relative*: :math:`\alpha_t` is proportional to the parameter's own RMS (at least
    :math:`\epsilon_2`), and the learning rate :math:`\gamma` only caps :math:`\rho_t`.

    Args:
        lr (float): :math:`\gamma` (default: 1e-2).
        beta2_decay (float): :math:`c \le 0` (default: -0.8).
        eps (tuple): :math:`(\epsilon_1, \epsilon_2)`; :math:`\epsilon_1` None means the
            dtype's machine epsilon (default: (None, 1e-3)).
        d (float): clipping threshold :math:`d \ge 1` of the update's RMS (default: 1.0).
        weight_decay (float): decoupled weight decay :math:`\lambda` (default: 0).
    """

    checks = {
        "lr": check_lr,
        "beta2_decay": check_non_positive,
        "eps": check_eps_pair,
        "d": check_at_least_one,
        "weight_decay": check_non_negative,
    }

    def __init__(self, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0):
        self._store(locals())

    def _constants(self, c, t, grads):
        c.beta2 = 1.0 - t**c.beta2_decay  # β̂2,t
        c.rho = min(c.lr, 1.0 / math.sqrt(t))  # ρ_t
        return c

    def _state_spec(self, c):
        return {"row_var": 0.0, "col_var": 0.0, "variance": 0.0}

    def _state_shape(self, key, shape):
        if len(shape) >= 2:  # factored over the last two dimensions
            return {"row_var": shape[:-1] + (1,), "col_var": shape[:-2] + (1,) + shape[-1:]}.get(
                key
            )
        return shape if key == "variance" else None

    def _update_param(self, p, g, st, c):
        self._init_state(p, st, c)
        size = max(p.size, 1)
        eps1, eps2 = c.eps
        if eps1 is None:
            eps1 = float(np.finfo(p.dtype).eps)
        alpha = max(eps2, math.sqrt(sq_norm(p) / size)) * c.rho  # α_t (before the decay)
        decay(p, 1.0 - c.lr * c.weight_decay)
        u = self._workspace("u", p.shape, p.dtype)
        if p.ndim >= 2:
            row, col = st["row_var"], st["col_var"]
            np.multiply(g, g, out=u)
            row_mean, col_mean = u.mean(axis=-1, keepdims=True), u.mean(axis=-2, keepdims=True)
            ema(row, row_mean, c.beta2, row_mean)  # R = β̂ R + (1 - β̂) mean over columns of G²
            ema(col, col_mean, c.beta2, col_mean)  # C = β̂ C + (1 - β̂) mean over rows of G²
            np.matmul(row, col, out=u)  # R C (an outer product)
            u /= np.maximum(row.mean(axis=-2, keepdims=True), eps1)  # V̂ = R C / max(mean R, ε1)
        else:
            ema_square(st["variance"], g, c.beta2, u)  # V̂ = β̂ V̂ + (1 - β̂) G²
            u[...] = st["variance"]
        np.maximum(u, eps1 * eps1, out=u)
        np.sqrt(u, out=u)
        np.divide(g, u, out=u)  # U = G / sqrt(max(V̂, ε1²))
        denom = max(1.0, math.sqrt(sq_norm(u) / size) / c.d)
        add_scaled(p, -alpha / denom, u, u)  # θ = θ - α U / max(1, RMS(U)/d)
