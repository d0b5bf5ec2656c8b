r"""Large batches on the digits network (chapter 10): learning-rate scaling rules, the recipes
compared, and one training loop that runs them at equal epochs.

A *recipe* is an optimizer, a base learning rate tuned at the base batch size (32) and a rule
that scales it with the batch size :math:`B`:

.. math::
    \eta(B) = \eta_{32} \cdot \frac{B}{32} \ \text{(linear, Goyal et al. 2017)}, \qquad
    \eta(B) = \eta_{32} \cdot \sqrt{\frac{B}{32}} \ \text{(square root)},

always with a linear warmup over the first tenth of the steps and a cosine decay after it
(:class:`optimlite.WarmupCosineLR`), the same schedule for every recipe. :func:`train_mlp`
trains the network of :func:`optimlite.problems.init_mlp` for a number of *epochs* (passes over
the training set), so a larger batch means fewer steps: that is the large-batch problem.
:func:`large_batch_run` caches its results, so the chapter's table and the explorer share them.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import numpy as np

from .adaptive import Adam
from .large_batch import LAMB, LARS
from .problems import accuracy, init_mlp, minibatch_indices, mlp_logits, mlp_loss_and_grad
from .schedules import WarmupCosineLR
from .sgd import SGD
from .validation import check_int, check_positive, check_positive_int

__all__ = [
    "BASE_BATCH",
    "RECIPES",
    "Recipe",
    "TrainResult",
    "scaled_lr",
    "make_optimizer",
    "train_mlp",
    "large_batch_run",
]

#: The batch size at which every recipe's base learning rate was chosen.
BASE_BATCH = 32

_SCALINGS = ("linear", "sqrt", "none")


class Recipe(NamedTuple):
    """An optimizer class, its keyword arguments, the base learning rate at batch 32 and the
    scaling rule (``"linear"``, ``"sqrt"`` or ``"none"``)."""

    optimizer: type
    kwargs: dict
    base_lr: float
    scaling: str


#: The recipes of chapter 10's experiment, by name. Each base learning rate is the one with the
#: lowest test loss after 10 epochs at batch 32 on a grid of factors of about 3 (SGD 0.03, 0.1,
#: 0.3; Adam and LAMB 3e-3, 1e-2, 3e-2; LARS 1, 3, 10), every run with warmup and cosine decay.
#: LARS and LAMB leave biases out of weight decay (timm's no-decay group, ``exclude_1d``) but
#: still scale them by the trust ratio (``always_adapt``).
_SGD_M = {"momentum": 0.9}
_LARS = {"momentum": 0.9, "weight_decay": 1e-4, "trust_coeff": 1e-3, "always_adapt": True,
         "exclude_1d": True}  # fmt: skip
_LAMB = {"weight_decay": 0.01, "max_grad_norm": None, "always_adapt": True, "exclude_1d": True}
RECIPES = {
    "SGD-momentum, linear": Recipe(SGD, _SGD_M, 0.1, "linear"),
    "SGD-momentum, sqrt": Recipe(SGD, _SGD_M, 0.1, "sqrt"),
    "Adam, linear": Recipe(Adam, {}, 1e-2, "linear"),
    "Adam, sqrt": Recipe(Adam, {}, 1e-2, "sqrt"),
    "LARS, linear": Recipe(LARS, _LARS, 3.0, "linear"),
    "LARS, sqrt": Recipe(LARS, _LARS, 3.0, "sqrt"),
    "LAMB, linear": Recipe(LAMB, _LAMB, 1e-2, "linear"),
    "LAMB, sqrt": Recipe(LAMB, _LAMB, 1e-2, "sqrt"),
}


def scaled_lr(base_lr: float, batch_size: int, rule: str, base_batch: int = BASE_BATCH) -> float:
    """``base_lr`` scaled from ``base_batch`` to ``batch_size`` by ``rule``: ``"linear"``
    (times :math:`B/B_0`), ``"sqrt"`` (times :math:`\\sqrt{B/B_0}`) or ``"none"``."""
    base_lr = check_positive("base_lr", base_lr)
    batch_size = check_positive_int("batch_size", batch_size)
    base_batch = check_positive_int("base_batch", base_batch)
    if rule not in _SCALINGS:
        raise ValueError(f"rule must be one of {_SCALINGS}, got {rule!r}")
    k = batch_size / base_batch
    return base_lr * {"linear": k, "sqrt": math.sqrt(k), "none": 1.0}[rule]


def make_optimizer(name: str, batch_size: int, lr: float | None = None):
    """A fresh optimizer of recipe ``name`` (a key of :data:`RECIPES`) at ``batch_size``, with
    the recipe's scaled learning rate, or with ``lr`` when it is given."""
    if name not in RECIPES:
        raise ValueError(f"name must be one of {list(RECIPES)}, got {name!r}")
    r = RECIPES[name]
    lr = scaled_lr(r.base_lr, batch_size, r.scaling) if lr is None else check_positive("lr", lr)
    return r.optimizer(lr=lr, **r.kwargs)


class TrainResult(NamedTuple):
    """What :func:`train_mlp` measured: the training loss (whole training set) and the test
    accuracy after every epoch (index 0: before training), the final test loss, the number of
    steps made and the step at which the loss became non-finite (None if it did not)."""

    train_loss: np.ndarray
    test_accuracy: np.ndarray
    test_loss: float
    steps: int
    diverged_at: int | None


def train_mlp(optimizer, digits, *, batch_size: int, epochs: int, seed: int = 0,
              warmup: float = 0.1, hidden: int = 32, on_step=None) -> TrainResult:  # fmt: skip
    """Train :func:`~optimlite.problems.init_mlp`'s network on ``digits``
    (:func:`~optimlite.problems.load_digits`) with ``optimizer`` for ``epochs`` passes of
    mini-batches of ``batch_size`` (the last batch of an epoch may be smaller), its learning
    rate following :class:`~optimlite.WarmupCosineLR` with ``warmup`` of the steps as warmup.

    ``on_step(step, params_before, grads, optimizer)`` is called after every update (``step``
    from 1), e.g. to measure trust ratios. A run whose loss becomes non-finite stops there."""
    batch_size = check_positive_int("batch_size", batch_size)
    epochs = check_positive_int("epochs", epochs)
    if not 0.0 <= warmup < 1.0:
        raise ValueError(f"warmup must be in [0, 1), got {warmup!r}")
    check_int("hidden", hidden, minimum=1)
    X, y = digits.X_train, digits.y_train
    per_epoch = math.ceil(len(y) / batch_size)
    total = per_epoch * epochs
    schedule = WarmupCosineLR(optimizer, warmup_steps=int(warmup * total), total_steps=total)
    params = init_mlp(hidden=hidden, seed=seed, dtype=X.dtype)
    losses, accs = [mlp_loss_and_grad(params, X, y)[0]], [_acc(params, digits)]
    batches = minibatch_indices(len(y), batch_size, epochs=epochs, seed=seed)
    step, diverged_at = 0, None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for step, idx in enumerate(batches, start=1):
            loss, grads = mlp_loss_and_grad(params, X[idx], y[idx])
            if not math.isfinite(loss):
                diverged_at = step
                break
            before = {k: v.copy() for k, v in params.items()} if on_step else None
            optimizer.update(params, grads)
            schedule.step()
            if on_step:
                on_step(step, before, grads, optimizer)
            if step % per_epoch == 0:
                losses.append(mlp_loss_and_grad(params, X, y)[0])
                accs.append(_acc(params, digits))
        test_loss = mlp_loss_and_grad(params, digits.X_test, digits.y_test)[0]
    pad = epochs + 1 - len(losses)
    return TrainResult(
        np.array(losses + [np.nan] * pad),
        np.array(accs + [np.nan] * pad),
        float(test_loss) if diverged_at is None else float("nan"),
        step,
        diverged_at,
    )


def _acc(params, digits):
    return accuracy(mlp_logits(params, digits.X_test), digits.y_test)


@functools.lru_cache(maxsize=256)
def _digits(seed):
    from .problems import load_digits

    return load_digits(seed=seed)


@functools.lru_cache(maxsize=512)
def large_batch_run(name: str, batch_size: int, epochs: int = 10, seed: int = 0,
                    lr: float | None = None) -> TrainResult:  # fmt: skip
    """:func:`train_mlp` with recipe ``name`` at ``batch_size`` on the float32 digits split of
    ``seed`` (at learning rate ``lr`` when given, else the recipe's scaled one); cached, so the
    chapter's table and the explorer compute each run once."""
    return train_mlp(make_optimizer(name, batch_size, lr), _digits(seed), batch_size=batch_size,
                     epochs=epochs, seed=seed)  # fmt: skip
