"""The in-place pieces every update rule is written with.

Each kernel is one line of an optimizer's math, done in place with ``out=`` so that a step
allocates nothing: the caller passes the scratch row (``tmp``/``out``, one block long) a kernel
may write. Arguments come in the order of the formula in the kernel's name.
"""

import numpy as np

__all__ = [
    "add_l2",
    "decay",
    "decay_add",
    "ema",
    "ema_square",
    "sqrt_add",
    "add_scaled",
    "add_scaled_ratio",
    "plus_scaled",
    "add_square",
    "minus_square",
]


def add_l2(g, wd, p, out):
    """``g + wd p`` into ``out`` (an L2 penalty's gradient); ``g`` itself when ``wd == 0``."""
    if not wd:
        return g
    np.multiply(p, wd, out=out)
    out += g
    return out


def decay(p, factor):
    """``p = factor p`` (decoupled weight decay, ``factor = 1 - lr wd``); nothing when 1."""
    if factor != 1.0:
        p *= factor


def decay_add(b, beta, x, scale, tmp):
    """``b = beta b + scale x`` in place (a momentum buffer; ``scale = 1`` skips a pass)."""
    b *= beta
    if scale == 1.0:
        b += x
    else:
        b += np.multiply(x, scale, out=tmp)


def ema(m, x, beta, tmp):
    """``m = beta m + (1 - beta) x`` in place (an exponential moving average)."""
    m *= beta
    m += np.multiply(x, 1.0 - beta, out=tmp)


def ema_square(v, x, beta, tmp):
    """``v = beta v + (1 - beta) x^2`` in place (a moving average of squares)."""
    v *= beta
    np.multiply(x, x, out=tmp)
    tmp *= 1.0 - beta
    v += tmp


def sqrt_add(v, eps, out):
    """``sqrt(v) + eps`` into ``out``: the denominator of the adaptive methods."""
    np.sqrt(v, out=out)
    out += eps
    return out


def add_scaled(p, a, x, tmp):
    """``p = p + a x`` (``a`` a Python float; ``tmp`` may be ``x`` itself)."""
    p += np.multiply(x, a, out=tmp)


def add_scaled_ratio(p, a, num, den, tmp):
    """``p = p + a num / den`` (``tmp`` may be ``den`` itself)."""
    p += np.multiply(np.divide(num, den, out=tmp), a, out=tmp)


def plus_scaled(x, a, y, out):
    """``x + a y`` into ``out`` (a third array, neither ``x`` nor ``y``)."""
    np.multiply(y, a, out=out)
    out += x
    return out


def add_square(acc, x, tmp):
    """``acc = acc + x^2`` in place (AdaGrad's running sum)."""
    acc += np.multiply(x, x, out=tmp)


def minus_square(v, m, out):
    """``v - m^2`` into ``out`` (a variance from two moments; ``out`` is neither input)."""
    np.multiply(m, m, out=out)
    np.subtract(v, out, out=out)
    return out
