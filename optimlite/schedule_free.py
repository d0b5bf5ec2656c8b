r"""Schedule-Free SGD and AdamW (Defazio et al. 2024), as the ``schedulefree`` package (1.4.1).

Three sequences replace the learning-rate schedule:

.. math::
    \begin{aligned}
    y_t &= (1 - \beta)\, z_t + \beta\, x_t
        && \text{(where the gradient is taken: the parameters during training)} \\
    z_{t+1} &= z_t - \gamma_t\, \Delta_t
        && \text{(a plain SGD / Adam step, } \Delta_t \text{ from the gradient at } y_t) \\
    x_{t+1} &= (1 - c_{t+1})\, x_t + c_{t+1}\, z_{t+1}, \quad c_{t+1} = w_{t+1}/\textstyle\sum_i w_i
        && \text{(a running average of the z's: evaluate here)}
    \end{aligned}

with weights :math:`w_t = t^r\,\gamma_{\max}^{p}` (:math:`r` = ``r``, :math:`p` =
``weight_lr_power``, :math:`\gamma_{\max}` the largest warmed-up learning rate so far). Like the
package, the stored parameters are :math:`y` while training and only :math:`z` (and Adam's second
moment) is state; :math:`x` is recovered from :math:`y` and :math:`z` by ``eval(params)``, which
writes :math:`x` into the parameters, and ``train(params)`` writes :math:`y` back. Evaluate (and
save a model) in eval mode; call ``update`` in train mode (a ``ValueError`` otherwise).

An optimlite optimizer starts in train mode: before the first step :math:`x = y = z`, so this is
the package's "call ``optimizer.train()`` before training" done for you.
"""

import numpy as np

from .base import Optimizer
from .kernels import add_scaled, ema_square
from .validation import (
    check_betas,
    check_int,
    check_lr,
    check_non_negative,
    check_open_unit,
)

__all__ = ["ScheduleFreeAdamW", "ScheduleFreeSGD"]


def _lerp(p, z, w, tmp):
    """``p = p + w (z - p)`` in place (torch's ``p.lerp_(z, w)`` for ``w < 0.5``)."""
    add_scaled(p, w, np.subtract(z, p, out=tmp), tmp)


class _ScheduleFree(Optimizer):
    """The machinery both share: the weights of the average, train/eval, the saved schedule."""

    def _store(self, arguments):
        self.train_mode = True
        self.weight_sum = 0.0
        self.lr_max = -1.0
        self._pending = None
        super()._store(arguments)

    @property
    def _beta(self):
        """:math:`\\beta` of :math:`y = (1-\\beta) z + \\beta x`."""
        raise NotImplementedError

    def _schedule(self, c, k):
        """Step ``k`` (from 0)'s learning rate, the new lr_max and weight_sum, and c_{k+1}."""
        warmup = (k + 1) / c.warmup_steps if k < c.warmup_steps else 1.0
        lr = c.lr * warmup
        lr_max = max(lr, self.lr_max)
        weight = (k + 1) ** c.r * lr_max**c.weight_lr_power
        weight_sum = self.weight_sum + weight
        ckp1 = weight / weight_sum if weight_sum != 0.0 else 0.0
        return lr, lr_max, weight_sum, ckp1

    def update(self, params, grads):
        """One step at y (train mode only); then the running average's weights move on."""
        if not self.train_mode:
            raise ValueError(
                f"{type(self).__name__} is in eval mode (the parameters hold x): call "
                "train(params) before update, eval(params) before evaluating"
            )
        self._pending = self._schedule(self._checked(), self.t)
        try:
            super().update(params, grads)
        finally:
            pending, self._pending = self._pending, None
        _, self.lr_max, self.weight_sum, _ = pending
        return params

    def _constants(self, c, t, grads):
        lr, _, _, ckp1 = self._pending or self._schedule(c, self.t)
        c.scheduled_lr, c.ckp1 = lr, ckp1
        c.y_scale = lr * (self._beta_of(c) * (1.0 - ckp1) - 1.0)
        return c

    def _for_param(self, p, g, st, c, created):
        return self._with(c, first=bool(created))  # a new z is filled from the parameters

    def _step(self, p, d, z, c, tmp):
        """From the direction ``d``: y = lerp(y, z, c) + γ(β(1-c) - 1) d, z = z - γ d."""
        _lerp(p, z, c.ckp1, tmp)
        add_scaled(p, c.y_scale, d, tmp)
        add_scaled(z, -c.scheduled_lr, d, tmp)

    # ----- train / eval -----------------------------------------------------------------------
    def eval(self, params):
        """Write x into the parameters (from y and z): evaluate, save or test in this mode."""
        if self.train_mode:
            self._switch(params, 1.0 - 1.0 / self._beta_of(self._checked()))
            self.train_mode = False
        return params

    def train(self, params):
        """Write y back into the parameters (from x and z) before training on."""
        if not self.train_mode:
            self._switch(params, 1.0 - self._beta_of(self._checked()))
            self.train_mode = True
        return params

    def _switch(self, params, w):
        for name, p in params.items():
            st = self.state.get(name)
            if st and "z" in st:
                self._blockwise(self._lerp_rule, p, st["z"], {}, w)

    def _lerp_rule(self, p, z, st, s, w):
        _lerp(p, z, w, s.tmp)

    # ----- saving -----------------------------------------------------------------------------
    def state_dict(self):
        """The base state plus the running average's schedule and the mode."""
        sd = super().state_dict()
        sd["schedule"] = {
            "weight_sum": self.weight_sum,
            "lr_max": self.lr_max,
            "train_mode": self.train_mode,
        }
        return sd

    def load_state_dict(self, state_dict):
        if "schedule" not in state_dict:
            raise ValueError("state_dict has no 'schedule': not from a Schedule-Free optimizer")
        super().load_state_dict(state_dict)
        schedule = state_dict["schedule"]
        self.weight_sum = float(schedule["weight_sum"])
        self.lr_max = float(schedule["lr_max"])
        self.train_mode = bool(schedule["train_mode"])


class ScheduleFreeSGD(_ScheduleFree):
    r"""Schedule-Free SGD; matches ``schedulefree.SGDScheduleFree`` (1.4.1).

    .. math::
        \Delta_t = g_t + \lambda y_t, \qquad \beta = \text{momentum}

    in the three sequences of the module's docstring, with a linear warmup of ``warmup_steps``
    steps on :math:`\gamma`.

    Args:
        lr (float): :math:`\gamma` (default: 1.0, as the package).
        momentum (float): :math:`\beta` in (0, 1) (default: 0.9).
        weight_decay (float): L2 penalty :math:`\lambda`, at y (default: 0).
        warmup_steps (int): linear warmup (default: 0).
        r (float): power of :math:`t` in the average's weights (default: 0).
        weight_lr_power (float): power of :math:`\gamma_{\max}` in the weights (default: 2).
    """

    checks = {
        "lr": check_lr,
        "momentum": check_open_unit,
        "weight_decay": check_non_negative,
        "warmup_steps": check_int,
        "r": check_non_negative,
        "weight_lr_power": check_non_negative,
    }
    scratch = ("d", "tmp")

    def __init__(self, lr=1.0, momentum=0.9, weight_decay=0.0, warmup_steps=0, r=0.0,
                 weight_lr_power=2.0):  # fmt: skip
        self._store(locals())

    def _check_together(self, c):
        if c.warmup_steps < 0:
            raise ValueError(f"Invalid warmup_steps: {c.warmup_steps} (must be >= 0)")

    @staticmethod
    def _beta_of(c):
        return c.momentum

    def _state_spec(self, c):
        return {"z": None}

    def _rule(self, p, g, st, s, c):
        z = st["z"]
        if c.first:
            z[...] = p  # z starts at the parameters
        d = g
        if c.weight_decay:  # Δ = g + λ y
            d = np.multiply(p, c.weight_decay, out=s.d)
            d += g
        self._step(p, d, z, c, s.tmp)


class ScheduleFreeAdamW(_ScheduleFree):
    r"""Schedule-Free AdamW; matches ``schedulefree.AdamWScheduleFree`` (1.4.1).

    .. math::
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2, \qquad
        \Delta_t = \frac{g_t}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon} + \lambda y_t,
        \qquad \beta = \beta_1

    in the three sequences of the module's docstring: Adam's second moment only, no first moment
    (the averaging does momentum's work); :math:`t` counts the optimizer's steps.

    Args:
        lr (float): :math:`\gamma` (default: 0.0025, as the package).
        betas (tuple[float, float]): :math:`(\beta_1, \beta_2)`, :math:`\beta_1 > 0`
            (default: (0.9, 0.999)).
        eps (float): :math:`\epsilon` (default: 1e-8).
        weight_decay (float): :math:`\lambda`, applied at y (default: 0).
        warmup_steps (int): linear warmup (default: 0).
        r (float): power of :math:`t` in the average's weights (default: 0).
        weight_lr_power (float): power of :math:`\gamma_{\max}` in the weights (default: 2).
    """

    checks = {
        "lr": check_lr,
        "betas": check_betas,
        "eps": check_non_negative,
        "weight_decay": check_non_negative,
        "warmup_steps": check_int,
        "r": check_non_negative,
        "weight_lr_power": check_non_negative,
    }
    scratch = ("d", "tmp")

    def __init__(self, lr=0.0025, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 warmup_steps=0, r=0.0, weight_lr_power=2.0):  # fmt: skip
        self._store(locals())

    def _check_together(self, c):
        if c.betas[0] == 0.0:
            raise ValueError("Invalid betas[0]: 0.0 (must be > 0: eval() divides by it)")
        if c.warmup_steps < 0:
            raise ValueError(f"Invalid warmup_steps: {c.warmup_steps} (must be >= 0)")

    @staticmethod
    def _beta_of(c):
        return c.betas[0]

    def _constants(self, c, t, grads):
        c = super()._constants(c, t, grads)
        c.bias_correction2 = 1.0 - c.betas[1] ** (self.t + 1)
        return c

    def _state_spec(self, c):
        return {"z": None, "exp_avg_sq": 0.0}

    def _rule(self, p, g, st, s, c):
        z, v = st["z"], st["exp_avg_sq"]
        if c.first:
            z[...] = p  # z starts at the parameters
        ema_square(v, g, c.betas[1], s.tmp)  # v = β2 v + (1 - β2) g²
        d = np.divide(v, c.bias_correction2, out=s.d)
        np.sqrt(d, out=d)
        d += c.eps
        np.divide(g, d, out=d)  # Δ = g / (sqrt(v / (1 - β2^t)) + ε)
        if c.weight_decay:  # Δ += λ y
            add_scaled(d, c.weight_decay, p, s.tmp)
        self._step(p, d, z, c, s.tmp)
