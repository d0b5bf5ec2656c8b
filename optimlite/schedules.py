r"""Learning-rate schedules: torch.optim.lr_scheduler's classes, and the article's functions.

The classes behave like their namesakes in ``torch.optim.lr_scheduler`` (PyTorch 2.13): the
constructor sets the epoch-0 value, ``step()`` advances one step (call it after
``optimizer.update``, as in torch), and the value is written to ``optimizer.lr``, which every
optimlite optimizer reads afresh at each update. ``OneCycleLR`` also writes ``optimizer.momentum``
or, for the Adam family, the first entry of ``optimizer.betas``. An optimlite optimizer has one
learning rate, so the lists torch keeps per parameter group (``base_lrs``, ``get_last_lr()``)
have one entry.

Past the article's four, ``MultiStepLR`` (the ResNet recipe: drops at given epochs),
``WarmupLinearLR`` (the BERT recipe, Hugging Face's ``get_linear_schedule_with_warmup``) and
``InverseTimeLR`` (the Robbins-Monro schedule :math:`\eta_0 / (1 + t/\tau)` of chapter 3).

The functions ``step_decay``, ``exponential_decay``, ``cosine_annealing`` and ``warmup_cosine`` are
the article's ``LearningRateScheduler`` static methods: the learning rate as a function of the
epoch (an int, or a numpy array of them for plotting); ``inverse_time_decay`` is the same for
``InverseTimeLR``.

Each formula is written once, in the private helpers below the classes (``_decayed``,
``_cosine``, ``_warmup_cosine``, ``_warmup_linear``, ``_inverse_time``), on Python scalars and
numpy arrays alike; the classes and the functions both call them.
"""

import copy
import math

import numpy as np

from .validation import (
    as_number,
    check_closed_unit,
    check_int,
    check_non_negative,
    check_positive,
    check_positive_int,
)

__all__ = [
    "CosineAnnealingLR",
    "ExponentialLR",
    "InverseTimeLR",
    "LRScheduler",
    "MultiStepLR",
    "OneCycleLR",
    "StepLR",
    "WarmupCosineLR",
    "WarmupLinearLR",
    "cosine_annealing",
    "exponential_decay",
    "inverse_time_decay",
    "step_decay",
    "warmup_cosine",
]


class LRScheduler:
    """Base class: keeps ``last_epoch`` and writes ``get_lr()`` to ``optimizer.lr`` on each step.

    As in torch, a fresh scheduler (``last_epoch=-1``) records the optimizer's current learning
    rate as ``optimizer.initial_lr`` unless it is already set (so a second scheduler on the same
    optimizer starts from the same base), takes it as ``base_lrs[0]``, and performs the first
    step, which sets ``last_epoch = 0``. Resuming with ``last_epoch >= 0`` requires
    ``optimizer.initial_lr``; the simpler way to resume is ``load_state_dict``.

    Subclasses implement ``get_lr()``: the list (of one value) for the step ``last_epoch``.
    """

    def __init__(self, optimizer, last_epoch=-1):
        if not hasattr(optimizer, "lr"):
            raise ValueError(f"optimizer must have an lr attribute, got {type(optimizer).__name__}")
        last_epoch = check_int("last_epoch", last_epoch, minimum=-1)
        self.optimizer = optimizer
        if last_epoch == -1:
            if getattr(optimizer, "initial_lr", None) is None:
                optimizer.initial_lr = optimizer.lr
        elif getattr(optimizer, "initial_lr", None) is None:
            raise KeyError(
                "param 'initial_lr' is not specified on the optimizer when resuming a scheduler "
                "with last_epoch >= 0"
            )
        self.base_lrs = [optimizer.initial_lr]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self):
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self):
        """The learning rate(s) for step ``last_epoch`` (called by :meth:`step`)."""
        raise NotImplementedError

    def step(self):
        """Advance one step and write the new learning rate to ``optimizer.lr``."""
        self._step_count += 1
        self.last_epoch += 1
        values = self.get_lr()
        self.optimizer.lr = values[0]
        self._last_lr = [self.optimizer.lr]

    def get_last_lr(self):
        """The learning rate the last step set, as a list of one value (as torch's)."""
        return self._last_lr

    def state_dict(self):
        """Everything but the optimizer (a deep copy), as torch's ``state_dict``."""
        return copy.deepcopy({k: v for k, v in self.__dict__.items() if k != "optimizer"})

    def load_state_dict(self, state_dict):
        """Restore from :meth:`state_dict`. The optimizer's own ``lr`` is restored by the
        optimizer's ``load_state_dict``, as in torch."""
        self.__dict__.update(copy.deepcopy(state_dict))


class StepLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` steps:
    :math:`\eta_t = \eta_0\, \gamma^{\lfloor t / s \rfloor}`.

    Like torch's, it multiplies the optimizer's *current* lr at each multiple of ``step_size``
    (the recursive, chainable form), so it composes with other changes to ``optimizer.lr``;
    alone it equals the closed form above.

    Args:
        optimizer: an optimlite optimizer.
        step_size (int): period of the decay, >= 1.
        gamma (float): multiplicative factor, > 0 (default: 0.1).
        last_epoch (int): index of the last step, -1 for a fresh start (default: -1).
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size = check_positive_int("step_size", step_size)
        self.gamma = check_positive("gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t = self.last_epoch
        # the drops between t - 1 and t (0 or 1): the closed form's ratio, taken exactly
        drops = 0 if t == 0 else t // self.step_size - (t - 1) // self.step_size
        return [_decayed(self.optimizer.lr, self.gamma, drops)]


class ExponentialLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every step: :math:`\eta_t = \eta_0\, \gamma^t`
    (recursive and chainable, like torch's).

    Args:
        optimizer: an optimlite optimizer.
        gamma (float): multiplicative factor per step, > 0.
        last_epoch (int): index of the last step, -1 for a fresh start (default: -1).
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = check_positive("gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [_decayed(self.optimizer.lr, self.gamma, 0 if self._is_initial else 1)]


class MultiStepLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` at each of the ``milestones`` (the ResNet recipe,
    ``milestones=[30, 60, 90]``): :math:`\eta_t = \eta_0\, \gamma^{\#\{m \le t\}}`.

    Recursive and chainable like torch's: at a milestone it multiplies the optimizer's current lr
    by ``gamma`` (by ``gamma ** k`` when a milestone is listed ``k`` times; a milestone 0 drops
    the lr at construction); alone it equals the closed form above.

    Args:
        optimizer: an optimlite optimizer.
        milestones (iterable of int): the steps at which the lr drops, each >= 0.
        gamma (float): multiplicative factor, > 0 (default: 0.1).
        last_epoch (int): index of the last step, -1 for a fresh start (default: -1).
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        try:
            marks = list(milestones)
        except TypeError:
            raise ValueError(f"milestones must be a list of integers, got {milestones!r}") from None
        marks = [check_int("milestones", m, minimum=0) for m in marks]
        self.milestones = {m: marks.count(m) for m in sorted(set(marks))}
        self.gamma = check_positive("gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        # as torch's: a milestone at 0 drops the lr already at construction
        drops = self.milestones.get(self.last_epoch, 0)
        return [_decayed(self.optimizer.lr, self.gamma, drops)]


class CosineAnnealingLR(LRScheduler):
    r"""Cosine annealing from the base learning rate to ``eta_min`` over ``T_max`` steps:

    .. math::
        \eta_t = \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})\left(1 + \cos\frac{\pi t}{T_{\max}}
        \right).

    This is the closed form. torch computes the same curve recursively from the optimizer's
    current lr; alone on an optimizer the two agree to 1e-14 of the base lr over 30,000 steps
    (measured; the tests require 1e-12). As in torch the curve is not clamped: past ``T_max``
    it rises again.
    Unlike torch's recursive form, it ignores changes made to ``optimizer.lr`` by others (a second
    scheduler): each step writes the closed-form value.

    Args:
        optimizer: an optimlite optimizer.
        T_max (int): steps to reach ``eta_min`` (> 0).
        eta_min (float): final learning rate, >= 0 (default: 0).
        last_epoch (int): index of the last step, -1 for a fresh start (default: -1).
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max = check_positive("T_max", T_max)
        self.eta_min = check_non_negative("eta_min", eta_min)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        phase = math.pi * self.last_epoch / self.T_max
        return [_cosine(base, self.eta_min, phase) for base in self.base_lrs]


class WarmupCosineLR(LRScheduler):
    r"""Linear warmup for ``warmup_steps`` steps, then cosine decay to ``min_lr`` at
    ``total_steps``:

    .. math::
        \eta_t = \begin{cases}
        \eta_0\, t / W & t < W \\
        \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})
            \bigl(1 + \cos(\pi \min(1, \tfrac{t - W}{T - W}))\bigr) & t \ge W
        \end{cases}

    It follows the article's ``warmup_cosine`` (and Hugging Face's
    ``get_cosine_schedule_with_warmup``): the first step, ``t = 0``, has lr 0, and the base lr is
    reached at ``t = W``. Past ``total_steps`` it stays at ``min_lr``. With ``warmup_steps=0`` it
    is plain cosine annealing. torch has no such class; it equals ``LambdaLR`` with this factor,
    or ``SequentialLR`` of a linear ramp and ``CosineAnnealingLR(T_max=T - W, eta_min)``.

    Args:
        optimizer: an optimlite optimizer.
        warmup_steps (int): length of the linear warmup, >= 0.
        total_steps (int): step at which ``min_lr`` is reached, > ``warmup_steps``.
        min_lr (float): final learning rate, >= 0 (default: 0).
        last_epoch (int): index of the last step, -1 for a fresh start (default: -1).
    """

    def __init__(self, optimizer, warmup_steps, total_steps, min_lr=0.0, last_epoch=-1):
        self.warmup_steps = check_int("warmup_steps", warmup_steps, minimum=0)
        self.total_steps = check_positive_int("total_steps", total_steps)
        if self.total_steps <= self.warmup_steps:
            raise ValueError(
                f"Invalid total_steps: {total_steps} (must be > warmup_steps={warmup_steps})"
            )
        self.min_lr = check_non_negative("min_lr", min_lr)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, w, total = self.last_epoch, self.warmup_steps, self.total_steps
        return [_warmup_cosine(base, t, w, total, self.min_lr, hold=True) for base in self.base_lrs]


class WarmupLinearLR(LRScheduler):
    r"""Linear warmup for ``warmup_steps`` steps, then linear decay to 0 at ``total_steps``
    (the BERT recipe; Hugging Face's ``get_linear_schedule_with_warmup``):

    .. math::
        \eta_t = \eta_0 \begin{cases}
        t / W & t < W \\
        \max\bigl(0, \tfrac{T - t}{T - W}\bigr) & t \ge W
        \end{cases}

    As in Hugging Face's version the first step has lr 0 (when ``W > 0``), the peak comes at
    ``t = W`` and the lr stays 0 past ``total_steps``. torch has no such class; Hugging Face builds
    it as ``torch.optim.lr_scheduler.LambdaLR`` with this factor.

    Args:
        optimizer: an optimlite optimizer.
        warmup_steps (int): length of the linear warmup, >= 0.
        total_steps (int): step at which the lr reaches 0, > ``warmup_steps``.
        last_epoch (int): index of the last step, -1 for a fresh start (default: -1).
    """

    def __init__(self, optimizer, warmup_steps, total_steps, last_epoch=-1):
        self.warmup_steps = check_int("warmup_steps", warmup_steps, minimum=0)
        self.total_steps = check_positive_int("total_steps", total_steps)
        if self.total_steps <= self.warmup_steps:
            raise ValueError(
                f"Invalid total_steps: {total_steps} (must be > warmup_steps={warmup_steps})"
            )
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, w, total = self.last_epoch, self.warmup_steps, self.total_steps
        return [_warmup_linear(base, t, w, total) for base in self.base_lrs]


class InverseTimeLR(LRScheduler):
    r"""Inverse-time decay, :math:`\eta_t = \eta_0 / (1 + t/\tau)`: the classic schedule that
    meets Robbins and Monro's conditions :math:`\sum_t \eta_t = \infty`,
    :math:`\sum_t \eta_t^2 < \infty` (chapter 3), and Keras' ``InverseTimeDecay`` with
    ``decay_rate=1``. The lr halves at ``t = tau`` and falls like :math:`\eta_0\tau/t` after.
    torch has no such class: it is ``LambdaLR`` with the factor :math:`1/(1 + t/\tau)`.

    Args:
        optimizer: an optimlite optimizer.
        tau (float): the time scale, > 0.
        last_epoch (int): index of the last step, -1 for a fresh start (default: -1).
    """

    def __init__(self, optimizer, tau, last_epoch=-1):
        self.tau = check_positive("tau", tau)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [_inverse_time(base, self.last_epoch, self.tau) for base in self.base_lrs]


class OneCycleLR(LRScheduler):
    r"""The 1cycle policy (Smith and Topin 2017), exactly as torch's ``OneCycleLR``.

    The learning rate rises from ``max_lr / div_factor`` to ``max_lr`` over the first
    ``pct_start`` of ``total_steps``, then anneals to ``max_lr / (div_factor * final_div_factor)``;
    the momentum moves the opposite way, from ``max_momentum`` to ``base_momentum`` and back.
    Each phase interpolates with ``anneal_strategy``: ``'cos'``,
    :math:`e + \tfrac12(s - e)(1 + \cos\pi p)`, or ``'linear'``, :math:`s + (e - s)p`, where
    ``p`` is the fraction of the phase done. With ``three_phase=True`` the learning rate comes
    back down to the initial value symmetrically before the final annealing (fastai's schedule
    is the two-phase one).

    With ``cycle_momentum`` it writes ``optimizer.betas = (momentum, beta2)`` when the optimizer
    has ``betas`` (Adam, AdamW, RAdam, LAMB, Lion) and ``optimizer.momentum`` otherwise (SGD,
    RMSprop, LARS). Stepping past ``total_steps`` raises ``ValueError``, as in torch.

    Args:
        optimizer: an optimlite optimizer.
        max_lr (float): peak learning rate.
        total_steps (int): length of the cycle; or give ``epochs`` and ``steps_per_epoch``.
        epochs (int), steps_per_epoch (int): ``total_steps = epochs * steps_per_epoch``.
        pct_start (float): fraction of the cycle spent increasing the lr (default: 0.3).
        anneal_strategy (str): ``'cos'`` or ``'linear'`` (default: ``'cos'``).
        cycle_momentum (bool): cycle the momentum / beta1 too (default: True).
        base_momentum (float): lowest momentum, at the lr peak (default: 0.85).
        max_momentum (float): highest momentum, at both ends (default: 0.95).
        div_factor (float): initial lr = max_lr / div_factor (default: 25).
        final_div_factor (float): final lr = initial lr / final_div_factor (default: 1e4).
        three_phase (bool): use the three-phase schedule (default: False).
        last_epoch (int): index of the last step, -1 for a fresh start (default: -1).
    """

    def __init__(
        self,
        optimizer,
        max_lr,
        total_steps=None,
        epochs=None,
        steps_per_epoch=None,
        pct_start=0.3,
        anneal_strategy="cos",
        cycle_momentum=True,
        base_momentum=0.85,
        max_momentum=0.95,
        div_factor=25.0,
        final_div_factor=1e4,
        three_phase=False,
        last_epoch=-1,
    ):
        if total_steps is not None:
            self.total_steps = check_positive_int("total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            epochs = check_positive_int("epochs", epochs)
            self.total_steps = epochs * check_positive_int("steps_per_epoch", steps_per_epoch)
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        pct = check_closed_unit("pct_start", pct_start)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        self.anneal_strategy = anneal_strategy
        self.max_lr = check_positive("max_lr", max_lr)
        div_factor = check_positive("div_factor", div_factor)
        final_div_factor = check_positive("final_div_factor", final_div_factor)
        self.initial_lr = self.max_lr / div_factor
        self.min_lr = self.initial_lr / final_div_factor
        self.max_momentum = as_number("max_momentum", max_momentum)
        self.base_momentum = as_number("base_momentum", base_momentum)

        # phases as torch's: (end step, lr from, lr to, momentum from, momentum to)
        lo, hi, peak, end = self.base_momentum, self.max_momentum, self.max_lr, self.min_lr
        start = self.initial_lr
        n = self.total_steps
        if three_phase:
            self._phases = [
                (float(pct * n) - 1, start, peak, hi, lo),
                (float(2 * pct * n) - 2, peak, start, lo, hi),
                (n - 1, start, end, hi, hi),
            ]
        else:
            self._phases = [
                (float(pct * n) - 1, start, peak, hi, lo),
                (n - 1, peak, end, lo, hi),
            ]

        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum:
            if not hasattr(optimizer, "momentum") and not hasattr(optimizer, "betas"):
                raise ValueError(
                    "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"
                )
            self.use_beta1 = hasattr(optimizer, "betas")
            if last_epoch == -1:
                self._set_momentum(optimizer, self.max_momentum)
        if last_epoch == -1:
            optimizer.initial_lr = self.initial_lr  # torch overwrites group["initial_lr"]
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, optimizer, value):
        if self.use_beta1:
            optimizer.betas = (value, *tuple(optimizer.betas)[1:])
        else:
            optimizer.momentum = value

    def _anneal(self, start, end, pct):
        if self.anneal_strategy == "cos":
            return _cosine(start, end, math.pi * pct)
        return (end - start) * pct + start

    def get_lr(self):
        step_num = self.last_epoch
        if step_num > self.total_steps:
            raise ValueError(
                f"Tried to step {step_num} times. "
                f"The specified number of total steps is {self.total_steps}"
            )
        start_step = 0.0
        for i, (end_step, lr0, lr1, m0, m1) in enumerate(self._phases):
            if step_num <= end_step or i == len(self._phases) - 1:
                pct = (step_num - start_step) / (end_step - start_step)
                lr = self._anneal(lr0, lr1, pct)
                if self.cycle_momentum:
                    self._set_momentum(self.optimizer, self._anneal(m0, m1, pct))
                return [lr]
            start_step = end_step


# ----- the formulas, each written once (Python scalars or numpy arrays) ------------------------
def _decayed(lr, gamma, drops):
    """:math:`\\eta\\,\\gamma^k` after ``drops`` = :math:`k` decays (StepLR, ExponentialLR).

    The closed forms count the drops from epoch 0; the torch-style classes apply the drops of
    one step (0 or 1) to the current lr, so that they chain with other schedulers, and
    ``gamma ** 1`` and ``gamma ** 0`` are exact, so they equal torch's ``lr * gamma`` bit for bit.
    """
    return lr * gamma**drops


def _cos(phase):
    return np.cos(phase) if isinstance(phase, np.ndarray) else math.cos(phase)


def _cosine(start, end, phase):
    """Cosine annealing from ``start`` (phase 0) to ``end`` (phase :math:`\\pi`):
    :math:`e + \\tfrac12 (s - e)(1 + \\cos\\phi)` (CosineAnnealingLR, the cosine phases of
    WarmupCosineLR and OneCycleLR)."""
    return end + 0.5 * (start - end) * (1 + _cos(phase))


def _warmup_cosine(base, t, warmup, total, min_lr, hold):
    """Linear warmup :math:`\\eta_0 t / W` for :math:`t < W`, then :func:`_cosine` from
    :math:`\\eta_0` to ``min_lr`` at ``total``; past ``total`` it holds ``min_lr`` when ``hold``
    (WarmupCosineLR) and rises again otherwise (the article's ``warmup_cosine``)."""
    if isinstance(t, np.ndarray):
        warm = base * t / max(warmup, 1)
        progress = (t - warmup) / (total - warmup)
        if hold:
            progress = np.minimum(progress, 1.0)
        return np.where(t < warmup, warm, _cosine(base, min_lr, math.pi * progress))
    if t < warmup:
        return base * t / warmup
    progress = (t - warmup) / (total - warmup)
    if hold:
        progress = min(1.0, progress)
    return _cosine(base, min_lr, math.pi * progress)


def _warmup_linear(base, t, warmup, total):
    """Linear warmup :math:`\\eta_0 t / W` for :math:`t < W`, then a straight line down to 0 at
    ``total``, held at 0 after (WarmupLinearLR). Written as Hugging Face's factor times the base,
    so that it equals ``LambdaLR`` with that factor bit for bit."""
    if isinstance(t, np.ndarray):
        warm = base * (t / max(1, warmup))
        return np.where(
            t < warmup, warm, base * np.maximum(0.0, (total - t) / max(1, total - warmup))
        )
    if t < warmup:
        return base * (t / max(1, warmup))
    return base * max(0.0, (total - t) / max(1, total - warmup))


def _inverse_time(base, t, tau):
    """:math:`\\eta_0 / (1 + t/\\tau)` (InverseTimeLR, inverse_time_decay)."""
    return base / (1 + t / tau)


# ----- the article's functions -----------------------------------------------------------------
def _epochs(epoch):
    """An int epoch as a Python int, an array of epochs as an integer numpy array (both >= 0)."""
    e = np.asarray(epoch)
    if e.dtype.kind not in "iu" or np.any(e < 0):
        raise ValueError(f"epoch must be an integer >= 0 (or an array of them), got {epoch!r}")
    return int(e) if e.ndim == 0 else e


def step_decay(initial_lr, epoch, drop_rate=0.5, epochs_drop=10):
    r"""The article's step decay: :math:`\eta_0 \cdot \text{drop\_rate}^{\lfloor e /
    \text{epochs\_drop}\rfloor}` (``StepLR`` with ``gamma=drop_rate, step_size=epochs_drop``)."""
    epochs_drop = check_positive_int("epochs_drop", epochs_drop)
    drop_rate = check_positive("drop_rate", drop_rate)
    return _decayed(initial_lr, drop_rate, _epochs(epoch) // epochs_drop)


def exponential_decay(initial_lr, epoch, decay_rate=0.95):
    r"""The article's exponential decay: :math:`\eta_0 \cdot \text{decay\_rate}^e`, i.e.
    :math:`\eta_0 e^{-ke}` with :math:`k = -\ln(\text{decay\_rate})` (``ExponentialLR``)."""
    decay_rate = check_positive("decay_rate", decay_rate)
    return _decayed(initial_lr, decay_rate, _epochs(epoch))


def cosine_annealing(initial_lr, epoch, total_epochs, min_lr=0.0):
    r"""The article's cosine annealing:
    :math:`\eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})(1 + \cos(\pi e / E))`
    (``CosineAnnealingLR`` with ``T_max=total_epochs``; not clamped past ``total_epochs``)."""
    total_epochs = check_positive("total_epochs", total_epochs)
    min_lr = check_non_negative("min_lr", min_lr)
    return _cosine(initial_lr, min_lr, math.pi * _epochs(epoch) / total_epochs)


def warmup_cosine(initial_lr, epoch, total_epochs, warmup_epochs=5, min_lr=0.0):
    r"""The article's linear warmup then cosine decay.

    :math:`\eta_0\, e / W` for :math:`e < W`, then cosine annealing from :math:`\eta_0` to
    ``min_lr`` over the remaining ``total_epochs - W`` epochs. As written in the article the
    learning rate is **0 at epoch 0** (the first epoch does not train) and reaches
    :math:`\eta_0` at epoch :math:`W`. ``WarmupCosineLR`` is the same schedule as a scheduler
    (it also holds ``min_lr`` past the end, where this function, like the article's, rises again).
    """
    warmup_epochs = check_int("warmup_epochs", warmup_epochs, minimum=0)
    total_epochs = check_positive("total_epochs", total_epochs)
    if total_epochs <= warmup_epochs:
        raise ValueError(
            f"Invalid total_epochs: {total_epochs} (must be > warmup_epochs={warmup_epochs})"
        )
    min_lr = check_non_negative("min_lr", min_lr)
    return _warmup_cosine(initial_lr, _epochs(epoch), warmup_epochs, total_epochs, min_lr, False)


def inverse_time_decay(initial_lr, epoch, tau):
    r"""Inverse-time decay :math:`\eta_0 / (1 + e/\tau)` as a function of the epoch (an int or an
    array of them), the curve ``InverseTimeLR`` follows."""
    tau = check_positive("tau", tau)
    return _inverse_time(initial_lr, _epochs(epoch), tau)
