r"""The learning-rate range test ("LR finder", Smith 2017): one short run whose learning rate
grows geometrically from ``lr_min`` to ``lr_max``, recording the loss at every step.

The loss first barely moves (the rate is too small), then falls fast, then turns up and explodes
(the rate is too large). A good rate sits where the smoothed loss falls fastest, or about ten
times below the rate of the smallest loss.

>>> import numpy as np
>>> from optimlite import SGD, lr_finder
>>> quad = lambda p, step: (float(p["w"] @ p["w"]), {"w": 2 * p["w"]})
>>> res = lr_finder.range_test(SGD(lr=1.0), {"w": np.ones(3)}, quad, steps=60)
>>> bool(res.stopped_early)  # lr > 1 makes this quadratic diverge
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .validation import check_positive, check_positive_int

__all__ = ["RangeTest", "lr_grid", "range_test", "smooth", "steepest_lr", "valley_lr"]


def lr_grid(lr_min, lr_max, steps):
    """``steps`` learning rates from ``lr_min`` to ``lr_max``, each a constant factor above the
    previous: ``lr_min * (lr_max / lr_min) ** (k / (steps - 1))``."""
    lr_min, lr_max = check_positive("lr_min", lr_min), check_positive("lr_max", lr_max)
    steps = check_positive_int("steps", steps)
    if steps < 2 or not lr_max > lr_min:
        raise ValueError(f"need steps >= 2 and lr_max > lr_min, got {steps}, {lr_min}, {lr_max}")
    return lr_min * (lr_max / lr_min) ** (np.arange(steps) / (steps - 1))


def smooth(losses, beta=0.98):
    r"""Bias-corrected exponential average :math:`a_k = \beta a_{k-1} + (1-\beta)\ell_k`,
    reported as :math:`a_k / (1 - \beta^{k+1})` (as Adam corrects its moments)."""
    out, avg = np.empty(len(losses)), 0.0
    for k, loss in enumerate(losses):
        avg = beta * avg + (1 - beta) * loss
        out[k] = avg / (1 - beta ** (k + 1))
    return out


@dataclass
class RangeTest:
    """The record of :func:`range_test`: the rates tried, the raw and smoothed losses (the
    loss at each rate's step, before its update) and whether the test stopped on a blow-up."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    stopped_early: bool

    def steepest(self):
        """The rate where the smoothed loss falls fastest against ``log(lr)``."""
        return steepest_lr(self.lrs, self.smoothed)

    def valley(self):
        """A tenth of the rate of the smallest smoothed loss."""
        return valley_lr(self.lrs, self.smoothed)


def steepest_lr(lrs, losses):
    """``lrs[k]`` for the most negative ``np.gradient(losses, np.log(lrs))``."""
    lrs, losses = np.asarray(lrs, dtype=float), np.asarray(losses, dtype=float)
    if len(lrs) < 2 or len(lrs) != len(losses):
        raise ValueError("lrs and losses must have the same length, at least 2")
    return float(lrs[int(np.argmin(np.gradient(losses, np.log(lrs))))])


def valley_lr(lrs, losses):
    """A tenth of the rate at the smallest loss."""
    return float(np.asarray(lrs)[int(np.argmin(losses))] / 10)


def range_test(optimizer, params, loss_and_grad, lr_min=1e-5, lr_max=10.0, steps=100,
               beta=0.98, stop_factor=4.0):  # fmt: skip
    """Run the range test with ``optimizer`` (its ``lr`` is overwritten each step) on a copy of
    ``params``; ``loss_and_grad(params, step) -> (loss, grads)`` gives the step's (mini-batch)
    loss and gradient. Step ``k`` records the loss at rate ``lr_grid(...)[k]`` and then
    updates. The test stops after recording a smoothed loss above ``stop_factor`` times the
    smallest so far, or a non-finite one (that point is kept, no update is made with it)."""
    lrs = lr_grid(lr_min, lr_max, steps)
    stop_factor = check_positive("stop_factor", stop_factor)
    if not 0 <= beta < 1:
        raise ValueError(f"beta must be in [0, 1), got {beta!r}")
    params = {k: np.array(v, copy=True) for k, v in params.items()}
    losses, smoothed, avg, best = [], [], 0.0, math.inf
    stopped = False
    with np.errstate(all="ignore"):
        for k, lr in enumerate(lrs):
            loss, grads = loss_and_grad(params, k)
            avg = beta * avg + (1 - beta) * float(loss)
            s = avg / (1 - beta ** (k + 1))
            losses.append(float(loss))
            smoothed.append(s)
            if not math.isfinite(s) or s > stop_factor * best:
                stopped = True
                break
            best = min(best, s)
            optimizer.lr = float(lr)
            optimizer.update(params, grads)
    n = len(losses)
    return RangeTest(lrs[:n], np.array(losses), np.array(smoothed), stopped)
