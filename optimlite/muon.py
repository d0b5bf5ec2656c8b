"""Muon (Jordan et al. 2024): momentum, then the update orthogonalised by Newton-Schulz.

Matches ``torch.optim.Muon`` (torch 2.13) except for one deliberate choice, the precision:
torch runs the Newton-Schulz iteration in bfloat16 (8 bits of mantissa); numpy has no bfloat16,
so optimlite runs it in the parameter's own dtype (float64 stays float64, float32 float32).
In float64 it equals an exact transcription of torch's algorithm to 1e-12; against
``torch.optim.Muon`` itself the gap is bfloat16's rounding (about 1e-2 relative on the
orthogonalised update; ``tests/unit/test_parity_beyond.py`` measures it).

How it fits the block design: the momentum buffer and the final step are elementwise, so they run
through the base class's blocks; the Newton-Schulz iteration multiplies whole matrices, which
cannot be cut into blocks of elements. ``_update_param`` runs the three stages in turn (blocks,
whole matrix, blocks); the matrix stage works in arrays kept by ``Optimizer._workspace``, made at
the first step and reused, so later steps allocate nothing.
"""

import math

import numpy as np

from .base import Optimizer
from .kernels import add_scaled, decay, ema
from .norms import sq_norm
from .validation import (
    check_bool,
    check_choice,
    check_coefficients,
    check_int,
    check_lr,
    check_non_negative,
    check_unit,
)

__all__ = ["Muon", "newton_schulz", "adjusted_lr", "NS_COEFFICIENTS"]

#: Jordan's quintic: (a, b, c) chosen for a large slope a at zero, not for convergence to 1
NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)


def newton_schulz(g, ns_coefficients=NS_COEFFICIENTS, ns_steps=5, eps=1e-7, out=None, work=None):
    r"""Orthogonalise the matrix ``g`` as torch's ``_zeropower_via_newtonschulz`` does.

    .. math::
        X_0 = G / \max(\lVert G\rVert_F, \epsilon), \qquad
        A = X X^\top, \quad B = bA + cA^2, \quad X \leftarrow aX + BX \quad (k \text{ times})

    working on :math:`G^\top` when :math:`G` has more rows than columns (so :math:`A` is the small
    Gram matrix). Each singular value :math:`\sigma` of :math:`X_0` goes through the odd
    polynomial :math:`\varphi(\sigma) = a\sigma + b\sigma^3 + c\sigma^5` k times; the singular
    vectors stay. Computed in ``g``'s dtype (torch: bfloat16).

    Args:
        g: a 2-D float array (not changed).
        ns_coefficients: :math:`(a, b, c)`.
        ns_steps: :math:`k`.
        eps: floor of the Frobenius norm.
        out: array of ``g``'s shape and dtype for the result (a new one when None).
        work: ``(X, A, B, BX)`` arrays to work in (``Muon`` passes cached ones); new when None.
    """
    if g.ndim != 2:
        raise ValueError(f"newton_schulz needs a 2-D matrix, got shape {g.shape}")
    a, b, c = ns_coefficients
    transpose = g.shape[0] > g.shape[1]
    m, n = (g.shape[1], g.shape[0]) if transpose else g.shape
    if work is None:
        work = tuple(np.empty(shape, g.dtype) for shape in _ns_shapes(m, n).values())
    x, gram, poly, bx = work
    np.copyto(x, g.T if transpose else g)
    x /= max(math.sqrt(sq_norm(x)), eps)  # X = G / max(||G||_F, eps)
    for _ in range(ns_steps):
        np.matmul(x, x.T, out=gram)  # A = X Xᵀ
        np.matmul(gram, gram, out=poly)
        poly *= c
        gram *= b
        poly += gram  # B = b A + c A²
        np.matmul(poly, x, out=bx)
        x *= a
        x += bx  # X = a X + B X
    if out is None:
        out = np.empty(g.shape, g.dtype)
    np.copyto(out, x.T if transpose else x)
    return out


def _ns_shapes(m, n):
    """The arrays of the iteration on an m x n (m <= n) matrix: X, A, B, BX."""
    return {"X": (m, n), "A": (m, m), "B": (m, m), "BX": (m, n)}


def adjusted_lr(lr, adjust_lr_fn, shape):
    r"""torch's learning-rate adjustment for a parameter of ``shape = (A, B)``.

    ``None``/``"original"`` (Jordan): :math:`\gamma\sqrt{\max(1, A/B)}`;
    ``"match_rms_adamw"`` (Moonshot, Liu et al. 2025): :math:`0.2\,\gamma\sqrt{\max(A, B)}`, which
    gives the update the RMS of a typical AdamW update (about 0.2).
    """
    rows, cols = shape[:2]
    if adjust_lr_fn == "match_rms_adamw":
        return lr * 0.2 * math.sqrt(max(rows, cols))
    return lr * math.sqrt(max(1.0, rows / cols))


class Muon(Optimizer):
    r"""Muon (Jordan et al. 2024); matches ``torch.optim.Muon`` (Newton-Schulz in the
    parameter's dtype instead of bfloat16, see the module's docstring).

    .. math::
        \begin{aligned}
        B_t &= \mu B_{t-1} + (1 - \mu) g_t
            \quad (\text{torch's } \texttt{buf.lerp\_(g, 1-}\mu\texttt{)}) \\
        \tilde B_t &= (1 - \mu) g_t + \mu B_t \ \text{(nesterov)}, \quad B_t \ \text{otherwise} \\
        O_t &= \mathrm{NS}^{(a,b,c)}_k(\tilde B_t;\ \epsilon) \\
        \theta_t &= (1 - \gamma\lambda)\,\theta_{t-1} - \gamma'\, O_t,
            \qquad \gamma' = \mathrm{adjust}(\gamma, \text{shape})
        \end{aligned}

    torch's docstring writes :math:`B_t = \mu B_{t-1} + g_t` (a sum); its code takes the moving
    average above, which is :math:`(1-\mu)` times that sum. Weight decay uses the unadjusted
    :math:`\gamma`. Only 2-D parameters (matrices): give vectors, biases and embeddings to another
    optimizer (AdamW), as torch requires.

    Args:
        lr (float): :math:`\gamma` (default: 1e-3).
        weight_decay (float): decoupled weight decay :math:`\lambda` (default: 0.1).
        momentum (float): :math:`\mu` in [0, 1) (default: 0.95).
        nesterov (bool): (default: True).
        ns_coefficients (tuple[float, float, float]): :math:`(a, b, c)` (default: Jordan's
            (3.4445, -4.7750, 2.0315)).
        eps (float): floor of the Frobenius norm (default: 1e-7).
        ns_steps (int): Newton-Schulz iterations :math:`k`, 0 to 99 (default: 5).
        adjust_lr_fn (str or None): ``None``/``"original"`` or ``"match_rms_adamw"``
            (:func:`adjusted_lr`; default: None).
    """

    checks = {
        "lr": check_lr,
        "weight_decay": check_non_negative,
        "momentum": check_unit,
        "nesterov": check_bool,
        "ns_coefficients": check_coefficients,
        "eps": check_non_negative,
        "ns_steps": check_int,
        "adjust_lr_fn": check_choice((None, "original", "match_rms_adamw")),
    }

    def __init__(self, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=NS_COEFFICIENTS, eps=1e-7, ns_steps=5,
                 adjust_lr_fn=None):  # fmt: skip
        self._store(locals())

    def _check_together(self, c):
        if not 0 <= c.ns_steps < 100:
            raise ValueError(f"Invalid ns_steps: {c.ns_steps} (must be in [0, 100), as torch)")

    def _check_inputs(self, params, grads):
        grads = super()._check_inputs(params, grads)
        for name, p in params.items():
            if p.ndim != 2:
                raise ValueError(
                    f"Muon updates 2-D parameters (matrices) only, but params[{name!r}] has shape "
                    f"{p.shape}: give vectors, biases and scalars to another optimizer (AdamW), "
                    "as torch.optim.Muon requires"
                )
        return grads

    def _state_spec(self, c):
        return {"momentum_buffer": 0.0}

    def _update_param(self, p, g, st, c):
        """Momentum (blocks), Newton-Schulz (whole matrix), the step (blocks)."""
        self._init_state(p, st, c)
        u = self._workspace("u", p.shape, p.dtype)  # the matrix to orthogonalise, then O
        self._blockwise(self._momentum, p, g, {**st, "u": u}, c)
        m, n = sorted(p.shape)
        ws = self._workspace
        work = tuple(ws(k, shape, p.dtype) for k, shape in _ns_shapes(m, n).items())
        newton_schulz(u, c.ns_coefficients, c.ns_steps, c.eps, out=u, work=work)
        c = self._with(c, adjusted_lr=adjusted_lr(c.lr, c.adjust_lr_fn, p.shape))
        self._blockwise(self._rule, p, u, st, c)

    def _momentum(self, p, g, st, s, c):
        buf, u = st["momentum_buffer"], st["u"]
        ema(buf, g, c.momentum, s.tmp)  # B = μ B + (1 - μ) g
        if c.nesterov:  # B̃ = (1 - μ) g + μ B
            np.multiply(buf, c.momentum, out=u)
            add_scaled(u, 1.0 - c.momentum, g, s.tmp)
        else:
            u[...] = buf

    def _rule(self, p, o, st, s, c):
        decay(p, 1.0 - c.lr * c.weight_decay)  # θ = (1 - γλ) θ
        add_scaled(p, -c.adjusted_lr, o, s.tmp)  # θ = θ - γ' O
