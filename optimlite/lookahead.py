"""Lookahead: k steps forward, 1 step back (Zhang et al. 2019), wrapping any optimlite optimizer."""

import numpy as np

from .base import Optimizer
from .kernels import add_scaled
from .validation import check_closed_unit, check_positive_int

__all__ = ["Lookahead"]


class Lookahead(Optimizer):
    r"""Lookahead (Zhang et al. 2019) around any optimlite optimizer (the "fast" one).

    .. math::
        \begin{aligned}
        \theta_t &= \text{inner step}(\theta_{t-1}, g_t) \\
        \text{if } k \mid t: \quad \phi &\leftarrow \phi + \alpha(\theta_t - \phi),
            \qquad \theta_t \leftarrow \phi
        \end{aligned}

    The slow weights :math:`\phi` start as the parameters' values at their first update, as in the
    paper (:math:`\phi_0 = \theta_0`). timm's ``Lookahead`` instead creates them at the first
    synchronisation from the fast weights, which makes its first synchronisation a no-op; from
    then on the two agree.

    Hyperparameters of the inner optimizer are forwarded: ``la.lr`` reads and ``la.lr = x``
    writes ``la.optimizer.lr`` (likewise ``momentum``, ``betas``, ...), so learning-rate
    schedulers work through the wrapper. ``k`` and ``alpha`` are the wrapper's own (an inner
    RMSprop's ``alpha`` is ``la.optimizer.alpha``).

    Args:
        optimizer (Optimizer): the inner optimizer.
        k (int): synchronisation period, >= 1 (default: 6).
        alpha (float): slow-weight step size in [0, 1] (default: 0.5).
    """

    checks = {"k": check_positive_int, "alpha": check_closed_unit}
    scratch = ("diff",)
    _not_hyperparameters = ("optimizer",)

    def __init__(self, optimizer, k=6, alpha=0.5):
        if not isinstance(optimizer, Optimizer):
            raise ValueError(
                f"optimizer must be an optimlite optimizer, got {type(optimizer).__name__}"
            )
        object.__setattr__(self, "optimizer", optimizer)
        self._store(locals())

    def __getattr__(self, name):  # called only when normal lookup fails: forward to the inner one
        inner = self.__dict__.get("optimizer")
        if inner is None or name.startswith("_"):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return getattr(inner, name)

    def __setattr__(self, name, value):
        inner = self.__dict__.get("optimizer")
        if inner is not None and name not in self.hyperparameters and name in inner.hyperparameters:
            setattr(inner, name, value)
        else:
            object.__setattr__(self, name, value)

    def update(self, params, grads):
        """One inner step; every k-th step pull the slow weights and reset the fast ones."""
        grads = self._check_inputs(params, grads)
        c = self._checked()
        new = {name: p.copy(order="C") for name, p in params.items() if name not in self.state}
        self.optimizer.update(params, grads)  # checks its own hyperparameters before any change
        self.t += 1
        for name, slow in new.items():
            self.state[name] = {"slow": slow}
            self._scratch_buffer(slow.dtype)  # now, so that no synchronisation allocates
        if self.t % c.k == 0:
            for name, p in params.items():
                self._blockwise(self._rule, p, p, self.state[name], c)
        return params

    def _rule(self, p, g, st, s, c):
        slow = st["slow"]
        add_scaled(slow, c.alpha, np.subtract(p, slow, out=s.diff), s.diff)  # φ = φ + α (θ - φ)
        p[...] = slow  # θ = φ

    def state_dict(self):
        """The wrapper's state (slow weights, k, alpha, t) with the inner optimizer's under
        ``"inner"``."""
        sd = super().state_dict()
        sd["inner"] = self.optimizer.state_dict()
        return sd

    def load_state_dict(self, state_dict):
        """Restore the wrapper and the inner optimizer together: if either part is rejected,
        both keep their current state."""
        if "inner" not in state_dict:
            raise ValueError("state_dict has no 'inner' optimizer state: not from a Lookahead")
        before = self.state_dict()
        try:
            super().load_state_dict(state_dict)
            self.optimizer.load_state_dict(state_dict["inner"])
        except Exception:
            Optimizer.load_state_dict(self, before)
            self.optimizer.load_state_dict(before["inner"])
            raise

    def __repr__(self):
        return f"Lookahead({self.optimizer!r}, k={self.k!r}, alpha={self.alpha!r})"
