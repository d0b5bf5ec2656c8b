"""The optimizer machinery, written once: checks, lazy state, blocks, scratch, state_dict.

A concrete optimizer says four things, each short:

* its constructor, whose signature *is* the list of hyperparameters (defaults included): it
  ends with ``self._store(locals())``;
* ``checks``: the validation rule of each hyperparameter (:mod:`optimlite.validation`), run
  afresh at every step so that schedulers can change values mid-run;
* ``_constants(c, t, grads)``: the step's folded scalars (bias corrections, ...), added to the
  namespace ``c`` of checked hyperparameters, once per step as Python floats; and, when a rule
  needs a whole-tensor quantity (a trust ratio, a first-step flag), ``_for_param``;
* ``_rule(p, g, st, s, c)``: the update of one block, reading like its equation. ``p``, ``g``
  and the state arrays in ``st`` are views of the same block of elements; ``s`` holds the
  scratch rows named in ``scratch`` (``s.d``, ``s.tmp``), each of the block's shape. Everything
  is done in place with the kernels of :mod:`optimlite.kernels`, so a step allocates nothing.

Large parameters are processed in blocks of ``block_size`` elements so that the several passes a
rule makes over a block hit the cache, not main memory; a parameter that fits in one block (the
2-element trajectories of the explorers) skips the loop.
"""

import copy
import inspect
import math
import numbers
from collections import namedtuple
from collections.abc import Mapping
from types import SimpleNamespace

import numpy as np

__all__ = ["Optimizer"]


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
        hyperparameters (tuple[str, ...]): the constructor's arguments, in signature order
            (derived from the signature; they are plain attributes).
        check_finite (bool): refuse NaN/inf gradients before any change (default True). The
            check reads every gradient once more; set it False on an instance to skip it, as
            torch never checks.
        block_size (int): elements per block of the blocked update.
    """

    #: the constructor's hyperparameters (set for each subclass from its ``__init__`` signature)
    hyperparameters: tuple[str, ...] = ()
    #: constructor arguments that are not hyperparameters (Lookahead's inner ``optimizer``)
    _not_hyperparameters: tuple[str, ...] = ()
    #: hyperparameter -> rule ``check(name, value)`` returning the plain, valid value
    checks: dict = {}
    #: names of the scratch rows a rule uses (one buffer of ``len(scratch) x block_size``)
    scratch: tuple[str, ...] = ("tmp",)
    #: elements per block; 64K float32 = 256 KB per array, so a block's arrays stay in L2
    block_size = 1 << 16
    check_finite = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__init__" in vars(cls):
            names = [
                p.name
                for p in list(inspect.signature(cls.__init__).parameters.values())[1:]
                if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
            ]
            cls.hyperparameters = tuple(n for n in names if n not in cls._not_hyperparameters)
        unchecked = [n for n in cls.hyperparameters if n not in cls.checks]
        if unchecked:
            raise TypeError(f"{cls.__name__}.checks has no rule for {unchecked}")
        cls._Scratch = namedtuple(f"{cls.__name__}Scratch", cls.scratch)

    def _store(self, arguments):
        """Keep the constructor's arguments (its ``locals()``) as attributes and validate them."""
        for name in self.hyperparameters:
            setattr(self, name, arguments[name])
        self.t = 0
        self.steps = {}
        self.state = {}
        self._scratch = {}
        self._views = {}
        self._zeros = {}
        self._work = {}
        self._flags = None
        self._normalize()  # validate now: a bad hyperparameter fails at construction

    # ----- what a concrete optimizer provides -------------------------------------------------
    def _check_together(self, c):
        """Checks that involve several hyperparameters (e.g. Nesterov needs momentum)."""

    def _constants(self, c, t, grads):
        """Add the scalars of step ``t`` to ``c`` (the checked hyperparameters) and return it."""
        return c

    def _state_spec(self, c):
        """Dict state-name -> initial fill value (``None``: left empty for the rule to fill)."""
        return {}

    def _for_param(self, p, g, st, c, created):
        """The constants for this parameter: ``c`` itself, or a copy with per-tensor values.

        ``created`` names the state arrays made at this step. Must not modify ``c``, which
        every parameter shares.
        """
        return c

    def _rule(self, p, g, st, s, c):
        """Update one block in place."""
        raise NotImplementedError

    def _state_shape(self, key, shape):
        """The shape of state array ``key`` for a parameter of ``shape``: ``shape`` itself, or
        None when this parameter has no such array (Adafactor keeps row and column factors)."""
        return shape

    # ----- the public interface ---------------------------------------------------------------
    def update(self, params, grads):
        """Do one optimization step on ``params`` (updated in place) and return ``params``."""
        grads = self._check_inputs(params, grads)
        steps = self.steps
        constants = {}  # step number -> that step's constants; one entry unless params joined late
        for name in params:
            k = steps.get(name, 0) + 1
            if k not in constants:
                constants[k] = self._step_constants(k, grads)  # raises before any change
        self.t += 1
        for name, p in params.items():
            k = steps[name] = steps.get(name, 0) + 1
            st = self.state.get(name)
            if st is None:
                st = self.state[name] = {}
            self._update_param(p, grads[name], st, constants[k])
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
    def _checked(self):
        """Every value named in ``checks`` (the hyperparameters, and class-fixed ones such as
        NesterovMomentum's ``nesterov``) through its rule, as a fresh namespace."""
        c = SimpleNamespace(**{k: rule(k, getattr(self, k)) for k, rule in self.checks.items()})
        self._check_together(c)
        return c

    def _step_constants(self, t, grads):
        """Checked hyperparameters plus the folded scalars of step ``t``."""
        return self._constants(self._checked(), t, grads)

    def _normalize(self):
        """Validate the hyperparameters and store them as plain Python values (floats, tuples)."""
        c = self._step_constants(1, None)
        for k in self.hyperparameters:
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
                key, a = next(iter(st.items()))
                if a.shape != self._state_shape(key, p.shape) or a.dtype != p.dtype:
                    raise ValueError(
                        f"params[{name!r}] has shape {p.shape} and dtype {p.dtype}, but its "
                        f"optimizer state has shape {a.shape} and dtype {a.dtype}"
                    )
        if converted:
            grads = {**grads, **converted}
        if self.check_finite:
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
            if self._flags is None or self._flags.size < b:
                self._flags = np.empty(b, dtype=bool)
            return bool(np.isfinite(flat, out=self._flags[: flat.size]).all())
        zeros = self._zeros.get(g.dtype)
        if zeros is None or zeros.size < b:
            zeros = self._zeros[g.dtype] = np.zeros(b, g.dtype)
        with np.errstate(invalid="ignore"):
            for i in range(0, flat.size, b):
                block = flat[i : i + b]
                if not math.isfinite(np.dot(block, zeros[: block.size])):
                    return False
        return True

    def _update_param(self, p, g, st, c):
        """Create missing state, take the per-parameter constants, apply ``_rule`` by blocks."""
        created = self._init_state(p, st, c)
        self._blockwise(self._rule, p, g, st, self._for_param(p, g, st, c, created))

    def _init_state(self, p, st, c):
        """Create the state arrays ``_state_spec`` asks for that ``st`` lacks; return the names."""
        created = ()
        for key, fill in self._state_spec(c).items():
            shape = self._state_shape(key, p.shape)
            if key not in st and shape is not None:
                if fill is None:
                    st[key] = np.empty(shape, dtype=p.dtype)
                else:
                    st[key] = np.full(shape, fill, dtype=p.dtype)
                created += (key,)
        return created

    def _workspace(self, key, shape, dtype):
        """A cached array for a whole-tensor rule (Muon's matrix products, Adafactor's factored
        estimate): made at its first use for this (key, shape, dtype), then reused, so later
        steps allocate nothing. Not state: ``state_dict`` leaves it out."""
        a = self._work.get((key, shape, dtype))
        if a is None:
            a = self._work[(key, shape, dtype)] = np.empty(shape, dtype)
        return a

    def _scratch_rows(self, dtype, n, shape):
        """The named scratch rows, ``n`` elements each viewed as ``shape`` (cached per dtype)."""
        views = self._views.get((dtype, shape))
        if views is not None:
            return views
        rows, b = len(self.scratch), self.block_size
        buf = self._scratch_buffer(dtype)
        if n > b:  # a non-contiguous array too large for one block: rare
            return self._Scratch._make(np.empty((rows,) + shape, dtype))
        views = self._Scratch._make(row[:n].reshape(shape) for row in buf)
        if len(self._views) < 64:  # the views of the few shapes in use, made once
            self._views[(dtype, shape)] = views
        return views

    def _scratch_buffer(self, dtype):
        """The ``len(scratch) x block_size`` buffer of ``dtype``, made at its first use."""
        buf = self._scratch.get(dtype)
        if buf is None or buf.shape != (len(self.scratch), self.block_size):
            buf = self._scratch[dtype] = np.empty((len(self.scratch), self.block_size), dtype)
            self._views.clear()
        return buf

    def _blockwise(self, fn, p, g, st, c):
        """Call ``fn(p, g, st, s, c)`` on cache-sized blocks of the flattened arrays; return the
        sum of what ``fn`` returns (0.0 when it returns nothing), e.g. a squared norm."""
        n, b = p.size, self.block_size
        contiguous = p.flags.c_contiguous and g.flags.c_contiguous
        if n <= b or not contiguous:
            return fn(p, g, st, self._scratch_rows(p.dtype, n, p.shape), c) or 0.0
        pf, gf = p.reshape(-1), g.reshape(-1)
        sf = {k: v.reshape(-1) for k, v in st.items()}
        scratch = self._scratch_rows(p.dtype, b, (b,))
        total = 0.0
        for i in range(0, n, b):
            j = min(i + b, n)
            s = scratch if j - i == b else scratch._make(row[: j - i] for row in scratch)
            total += fn(pf[i:j], gf[i:j], {k: v[i:j] for k, v in sf.items()}, s, c) or 0.0
        return total

    @staticmethod
    def _with(c, **changes):
        """A copy of the constants ``c`` with ``changes`` (``c`` itself stays as it is)."""
        return SimpleNamespace(**{**vars(c), **changes})
