"""Norms of parameters and gradients, in one place for the optimizers and for clipping.

A sum of squares is accumulated in at least float32, as PyTorch does: in float16 the sum of a
thousand squares of 10 already overflows to inf (float16 stops at 65504).
"""

import math

import numpy as np

__all__ = ["global_norm", "sq_norm"]


def sq_norm(a):
    r""":math:`\sum_i a_i^2` as a Python float: one BLAS pass, no temporary for contiguous
    float32/float64 arrays (half precision is widened to float32 first)."""
    if a.dtype.itemsize < 4:
        a = a.astype(np.float32)
    if a.flags.c_contiguous:
        flat = a.reshape(-1)
        return float(np.dot(flat, flat))
    return float(np.vdot(a, a))


def global_norm(arrays):
    r"""The Euclidean norm of several arrays taken together, :math:`\sqrt{\sum_k \|a_k\|^2}`."""
    return math.sqrt(math.fsum(sq_norm(a) for a in arrays))
