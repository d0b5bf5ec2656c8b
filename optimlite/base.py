"""The optimizer machinery, written once: checks, lazy state, blocks, scratch, state_dict.

A concrete optimizer only says three things:

* ``_scalars(t, grads)``: validate the hyperparameters (read afresh at every step, so schedulers
  can change them) and compute the step's scalars (bias corrections, ...) once, as Python floats;
* ``_state_spec(c)``: which per-parameter state arrays it keeps and their initial value;
* ``_rule(p, g, st, s, c)``: the update of one block, reading like its equation. ``p``, ``g`` and
  the state arrays in ``st`` are views of the same block of elements, ``s`` holds scratch rows of
  the same shape. Everything is done in place with ``out=``, so a step allocates nothing.

Large parameters are processed in blocks of ``block_size`` elements so that the several passes a
rule makes over a block hit the cache, not main memory; a parameter that fits in one block (the
2-element trajectories of the explorers) skips the loop.
"""

import copy
import math
import numbers
from collections.abc import Mapping
from types import SimpleNamespace

import numpy as np

__all__ = ["Optimizer"]


def _l2(p, g, wd, out):
    """The L2-penalised gradient ``g + wd * p`` (into ``out``), or ``g`` itself when wd == 0."""
    if not wd:
        return g
    np.multiply(p, wd, out=out)
    out += g
    return out


def _ema(m, x, beta, tmp):
    """``m = beta m + (1 - beta) x`` in place (an exponential moving average)."""
    m *= beta
    m += np.multiply(x, 1.0 - beta, out=tmp)


def _ema_square(v, d, beta, tmp):
    """``v = beta v + (1 - beta) d^2`` in place."""
    v *= beta
    np.multiply(d, d, out=tmp)
    tmp *= 1.0 - beta
    v += tmp


def _describe(x):
    """``ndarray of dtype int64``, ``list``, ...: for error messages."""
    dtype = getattr(x, "dtype", None)
    return type(x).__name__ + (f" of dtype {dtype}" if dtype is not None else "")


class Optimizer:
    """Base class of every optimlite optimizer.

    Use::

        opt = SomeOptimizer(lr=..., ...)
        params = opt.update(params, grads)   # dicts name -> float ndarray, updated in place

    ``update`` checks its arguments before changing anything: both dicts must have the same keys,
    each gradient the shape and float dtype of its parameter, and every gradient must be finite;
    otherwise it raises ``ValueError`` and leaves parameters and state untouched.

    Attributes:
        t (int): number of updates done.
        steps (dict): per-parameter step counts (as torch's ``state[p]["step"]``): a parameter
            that first appears later gets its own bias corrections, counted from 1.
        state (dict): per-parameter state, ``state[name][key]`` an array with the parameter's
            shape and dtype, created at the parameter's first update.
        block_size (int): elements per block of the blocked update (class attribute).
    """

    #: names of the constructor's hyperparameters (plain attributes), in signature order
    hyperparameters: tuple[str, ...] = ()
    #: scratch rows a rule needs (one buffer of ``n_scratch x block_size`` per dtype)
    n_scratch = 1
    #: elements per block; 64K float32 = 256 KB per array, so a block's arrays stay in L2
    block_size = 1 << 16

    def __init__(self, **hyperparameters):
        for name, value in hyperparameters.items():
            setattr(self, name, value)
        self.t = 0
        self.steps = {}
        self.state = {}
        self._scratch = {}
        self._views = {}
        self._zeros = {}
        self._flags = None
        self._normalize()  # validate now: a bad hyperparameter fails at construction

    # ----- what a concrete optimizer provides -------------------------------------------------
    def _scalars(self, t, grads):
        """Validate hyperparameters and return the scalars of step ``t`` (a SimpleNamespace)."""
        raise NotImplementedError

    def _state_spec(self, c):
        """Dict state-name -> initial fill value of the state arrays this step needs."""
        return {}

    def _rule(self, p, g, st, s, c):
        """Update one block in place."""
        raise NotImplementedError

    # ----- the public interface ---------------------------------------------------------------
    def update(self, params, grads):
        """Do one optimization step on ``params`` (updated in place) and return ``params``."""
        grads = self._check_inputs(params, grads)
        steps = self.steps
        scalars = {}  # step number -> that step's scalars; one entry unless params joined late
        for name in params:
            k = steps.get(name, 0) + 1
            if k not in scalars:
                scalars[k] = self._scalars(k, grads)  # validates: raises before any change
        self.t += 1
        for name, p in params.items():
            k = steps[name] = steps.get(name, 0) + 1
            st = self.state.get(name)
            if st is None:
                st = self.state[name] = {}
            self._update_param(p, grads[name], st, scalars[k])
        return params

    def state_dict(self):
        """A deep copy of everything needed to resume: hyperparameters, ``t`` and the state."""
        return {
            "optimizer": type(self).__name__,
            "hyperparameters": {k: copy.deepcopy(getattr(self, k)) for k in self.hyperparameters},
            "t": self.t,
            "steps": dict(self.steps),
            "state": {n: {k: v.copy() for k, v in st.items()} for n, st in self.state.items()},
        }

    def load_state_dict(self, state_dict):
        """Restore from :meth:`state_dict` (deep copies, so the source stays independent)."""
        kind = state_dict.get("optimizer")
        if kind != type(self).__name__:
            raise ValueError(f"state_dict is for {kind!r}, not {type(self).__name__!r}")
        hyper = state_dict["hyperparameters"]
        previous = {k: getattr(self, k) for k in self.hyperparameters}
        for k in self.hyperparameters:
            setattr(self, k, copy.deepcopy(hyper[k]))
        try:
            self._normalize()
        except ValueError:
            for k, v in previous.items():
                setattr(self, k, v)
            raise
        self.t = int(state_dict["t"])
        self.steps = {n: int(k) for n, k in state_dict["steps"].items()}
        self.state = {
            n: {k: np.array(v, copy=True, order="C") for k, v in st.items()}
            for n, st in state_dict["state"].items()
        }

    def __repr__(self):
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.hyperparameters)
        return f"{type(self).__name__}({args})"

    # ----- the machinery ----------------------------------------------------------------------
    def _normalize(self):
        """Validate the hyperparameters and store them as plain Python values (floats, tuples)."""
        c = self._scalars(1, None)
        for k in self.hyperparameters:
            if hasattr(c, k):
                setattr(self, k, getattr(c, k))

    def _check_inputs(self, params, grads):
        """Raise ValueError unless params and grads match (keys, shapes, dtypes) and are finite.

        Returns ``grads``, or a copy of it where numpy/Python scalars given for 0-d parameters
        became 0-d arrays.
        """
        if not (type(params) is dict or isinstance(params, Mapping)) or not (
            type(grads) is dict or isinstance(grads, Mapping)
        ):
            raise ValueError(
                "params and grads must be dicts name -> numpy array, "
                f"got {type(params).__name__} and {type(grads).__name__}"
            )
        if params.keys() != grads.keys():
            missing = sorted(map(str, params.keys() - grads.keys()))
            extra = sorted(map(str, grads.keys() - params.keys()))
            raise ValueError(
                f"params and grads must have the same keys: no gradient for {missing}, "
                f"gradient without parameter for {extra}"
            )
        converted = None
        for name, p in params.items():
            g = grads[name]
            if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
                raise ValueError(
                    f"params[{name!r}] must be a floating-point numpy array, got {_describe(p)}"
                )
            if not p.flags.writeable:
                raise ValueError(f"params[{name!r}] is read-only; it must be updated in place")
            if p.ndim == 0 and isinstance(g, numbers.Real) and not isinstance(g, bool):
                # 2 * np.array(0.5) is a numpy scalar, not a 0-d array: accept it for 0-d params
                g = np.asarray(g, dtype=p.dtype)
                converted = converted or {}
                converted[name] = g
            if not isinstance(g, np.ndarray) or g.dtype != p.dtype:
                raise ValueError(
                    f"grads[{name!r}] must be a numpy array of the parameter's dtype {p.dtype}, "
                    f"got {type(g).__name__}"
                    + (f" of dtype {g.dtype}" if hasattr(g, "dtype") else "")
                )
            if g.shape != p.shape:
                raise ValueError(
                    f"grads[{name!r}] has shape {g.shape}, its parameter has shape {p.shape}"
                )
            st = self.state.get(name)
            if st:
                a = next(iter(st.values()))
                if a.shape != p.shape or a.dtype != p.dtype:
                    raise ValueError(
                        f"params[{name!r}] has shape {p.shape} and dtype {p.dtype}, but its "
                        f"optimizer state has shape {a.shape} and dtype {a.dtype}"
                    )
        if converted:
            grads = {**grads, **converted}
        for name, g in grads.items():
            if not self._all_finite(g):
                raise ValueError(f"grads[{name!r}] contains NaN or inf")
        return grads

    def _all_finite(self, g):
        """True when every element of ``g`` is finite, without a temporary the size of ``g``.

        Small arrays: ``isfinite`` into a cached boolean block. Large ones: one BLAS pass per block,
        ``dot(block, 0)``, which is NaN exactly when the block holds a NaN or an inf.
        """
        if not g.flags.c_contiguous:
            return bool(np.isfinite(g).all())
        flat, b = g.reshape(-1), self.block_size
        if flat.size <= b:
            if self._flags is None:
                self._flags = np.empty(b, dtype=bool)
            return bool(np.isfinite(flat, out=self._flags[: flat.size]).all())
        zeros = self._zeros.get(g.dtype)
        if zeros is None:
            zeros = self._zeros[g.dtype] = np.zeros(b, g.dtype)
        with np.errstate(invalid="ignore"):
            for i in range(0, flat.size, b):
                block = flat[i : i + b]
                if not math.isfinite(np.dot(block, zeros[: block.size])):
                    return False
        return True

    def _update_param(self, p, g, st, c):
        """Create missing state, then apply ``_rule`` block by block."""
        self._init_state(p, st, c)
        self._blockwise(self._rule, p, g, st, c)

    def _init_state(self, p, st, c):
        """Create the state arrays ``_state_spec`` asks for that ``st`` does not hold yet."""
        for key, fill in self._state_spec(c).items():
            if key not in st:
                st[key] = np.full(p.shape, fill, dtype=p.dtype)

    def _scratch_rows(self, dtype, n, shape):
        """``n_scratch`` scratch arrays of ``n`` elements viewed as ``shape`` (cached per dtype)."""
        views = self._views.get((dtype, shape))
        if views is not None:
            return views
        buf = self._scratch.get(dtype)
        if buf is None:
            buf = self._scratch[dtype] = np.empty((self.n_scratch, self.block_size), dtype)
        if n > self.block_size:  # a non-contiguous array too large for one block: rare
            return tuple(np.empty((self.n_scratch,) + shape, dtype))
        views = tuple(row[:n].reshape(shape) for row in buf)
        if len(self._views) < 64:  # the views of the few shapes in use, made once
            self._views[(dtype, shape)] = views
        return views

    def _blockwise(self, fn, p, g, st, c):
        """Call ``fn(p, g, st, s, c)`` on cache-sized blocks of the flattened arrays."""
        n, b = p.size, self.block_size
        contiguous = p.flags.c_contiguous and g.flags.c_contiguous
        if n <= b or not contiguous:
            fn(p, g, st, self._scratch_rows(p.dtype, n, p.shape), c)
            return
        pf, gf = p.reshape(-1), g.reshape(-1)
        sf = {k: v.reshape(-1) for k, v in st.items()}
        scratch = self._scratch_rows(p.dtype, b, (b,))
        for i in range(0, n, b):
            j = min(i + b, n)
            s = scratch if j - i == b else tuple(row[: j - i] for row in scratch)
            fn(pf[i:j], gf[i:j], {k: v[i:j] for k, v in sf.items()}, s, c)

    @staticmethod
    def _namespace(**scalars):
        """The step's scalars as attributes: ``c.lr``, ``c.step_size``, ..."""
        return SimpleNamespace(**scalars)
