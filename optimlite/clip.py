r"""Gradient clipping on dicts of numpy arrays, as ``torch.nn.utils.clip_grad_norm_`` / ``_value_``.

Clipping by norm rescales all gradients together, so their direction is kept:

.. math::
    \|g\| = \Bigl(\sum_i \|g_i\|_p^p\Bigr)^{1/p}, \qquad
    g_i \leftarrow g_i \cdot \min\Bigl(1, \frac{\text{max\_norm}}{\|g\| + 10^{-6}}\Bigr).

Clipping by value clamps each element to ``[-clip_value, clip_value]``, which can change the
direction.
"""

import math
from collections.abc import Mapping

import numpy as np

from .norms import global_norm, sq_norm
from .validation import check_bool, check_non_negative

__all__ = ["clip_grad_norm", "clip_grad_value"]


def _arrays(grads):
    """The gradient arrays of a dict (or any iterable) of float numpy arrays."""
    arrays = list(grads.values()) if isinstance(grads, Mapping) else list(grads)
    for g in arrays:
        if not isinstance(g, np.ndarray) or g.dtype.kind != "f":
            raise ValueError(
                "grads must be a dict of floating-point numpy arrays, got an element of type "
                f"{type(g).__name__}" + (f" and dtype {g.dtype}" if hasattr(g, "dtype") else "")
            )
    return arrays


def _norm(g, p):
    """The p-norm of one array as a Python float (half precision summed in float32), without a
    temporary for p in (2, inf)."""
    if g.size == 0:
        return 0.0
    if p == 2.0:
        return math.sqrt(sq_norm(g))
    if g.dtype.itemsize < 4:
        g = g.astype(np.float32)
    if p == math.inf:
        return float(max(g.max(), -g.min()))
    if p == 1.0:
        return float(np.abs(g).sum())
    return float(np.sum(np.abs(g) ** p) ** (1.0 / p))


def clip_grad_norm(grads, max_norm, norm_type=2.0, error_if_nonfinite=False):
    r"""Scale all gradients in place so that their joint ``norm_type``-norm is at most
    ``max_norm``; return the norm before clipping, as a float.

    The norm is taken over all arrays together (as if concatenated). The scale factor is
    ``max_norm / (total_norm + 1e-6)`` clamped at 1, exactly as in
    ``torch.nn.utils.clip_grad_norm_``, so a norm just below ``max_norm`` is left alone and a
    clipped gradient ends with norm slightly below ``max_norm``. Gradients keep their dtype
    (a float32 array is scaled by a float32 factor, like a torch float32 tensor).

    Args:
        grads: dict name -> float numpy array (or an iterable of arrays), modified in place.
        max_norm (float): the largest allowed norm, >= 0.
        norm_type (float): ``p`` of the p-norm, > 0, or ``math.inf`` (also ``'inf'``) for the
            largest absolute value (default: 2).
        error_if_nonfinite (bool): raise ``RuntimeError`` (as torch) if the total norm is NaN or
            inf instead of scaling by it (default: False; then the gradients become NaN, as in
            torch).
    """
    arrays = _arrays(grads)
    max_norm = check_non_negative("max_norm", max_norm)
    try:
        p = float(norm_type)
    except (TypeError, ValueError):
        p = math.nan
    if not p > 0.0:
        raise ValueError(f"Invalid norm_type: {norm_type!r} (must be > 0 or inf)")
    error_if_nonfinite = check_bool("error_if_nonfinite", error_if_nonfinite)
    if not arrays:
        return 0.0
    if p == 2.0:
        total = global_norm(arrays)
    elif p == math.inf:
        total = float(np.max([_norm(g, p) for g in arrays]))  # np.max keeps a NaN, max() may not
    else:
        norms = [_norm(g, p) for g in arrays]
        total = math.fsum(n**p for n in norms) ** (1.0 / p)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {p} for gradients from `parameters` is non-finite, so it "
            "cannot be clipped. To disable this error and scale the gradients by the non-finite "
            "norm anyway, set `error_if_nonfinite=False`"
        )
    coef = max_norm / (total + 1e-6)
    if not coef >= 1.0:  # clamp at 1; a NaN factor is applied, as torch does
        with np.errstate(invalid="ignore"):  # inf * 0 = NaN is what was asked for
            for g in arrays:
                g *= coef
    return total


def clip_grad_value(grads, clip_value):
    """Clamp every gradient element in place to ``[-clip_value, clip_value]``
    (``torch.nn.utils.clip_grad_value_``). NaN stays NaN. Returns None, as torch.

    Args:
        grads: dict name -> float numpy array (or an iterable of arrays), modified in place.
        clip_value (float): the largest allowed absolute value, >= 0.
    """
    clip_value = check_non_negative("clip_value", clip_value)
    for g in _arrays(grads):
        np.clip(g, -clip_value, clip_value, out=g)
