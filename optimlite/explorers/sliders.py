"""The controls of an explorer: :class:`Slider` and the value grids it offers."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Slider", "log_grid", "linear_grid"]


def _round_sig(x: float, digits: int) -> float:
    if x == 0 or not math.isfinite(x):
        return float(x)
    return float(f"{x:.{digits}g}")


def log_grid(lo: float, hi: float, n: int, digits: int = 2) -> tuple[float, ...]:
    """``n`` values from ``lo`` to ``hi`` evenly spaced in log scale, rounded to ``digits``
    significant digits (so that the labels are the values)."""
    if not (lo > 0 and hi > lo):
        raise ValueError(f"log_grid needs 0 < lo < hi, got lo={lo!r}, hi={hi!r}")
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n!r}")
    values = [_round_sig(v, digits) for v in np.geomspace(lo, hi, n)]
    return tuple(dict.fromkeys(values))


def linear_grid(lo: float, hi: float, n: int, digits: int = 4) -> tuple[float, ...]:
    """``n`` evenly spaced values from ``lo`` to ``hi``, rounded to ``digits`` significant
    digits."""
    if not hi > lo:
        raise ValueError(f"linear_grid needs lo < hi, got lo={lo!r}, hi={hi!r}")
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n!r}")
    return tuple(dict.fromkeys(_round_sig(v, digits) for v in np.linspace(lo, hi, n)))


def _default_format(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return f"{float(value):.3g}"


@dataclass(frozen=True)
class Slider:
    """One control of an explorer: a ``name`` (the scene's keyword) and the ``values`` it offers.

    Numbers give a slider, anything else (strings: optimizer or schedule names) a choice among
    categories: toggle buttons in Jupyter, a range input over the categories in the book.

    Args:
        name: keyword argument the scene receives.
        values: the grid of the static face (in order).
        label: what the reader sees (default: ``name``).
        default: starting value; must be one of ``values`` (default: the middle one).
        fmt: ``str.format`` pattern or function for the value label (default ``{:.3g}``).
        live_values: a finer grid for the live face (must contain ``default``).
        categorical: treat the values as categories even when they are numbers
            (:meth:`choice` sets it).
    """

    name: str
    values: tuple
    label: str | None = None
    default: object = None
    fmt: str | Callable | None = None
    live_values: tuple | None = None
    categorical: bool = False
    _fmt: Callable = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"name must be a Python identifier, got {self.name!r}")
        values = tuple(self.values)
        if len(values) < 1:
            raise ValueError(f"values of slider {self.name!r} must not be empty")
        if len(set(map(repr, values))) != len(values):
            raise ValueError(f"values of slider {self.name!r} must be distinct, got {values!r}")
        object.__setattr__(self, "values", values)
        default = values[len(values) // 2] if self.default is None else self.default
        if default not in values:
            raise ValueError(f"default {default!r} of slider {self.name!r} is not in its values")
        object.__setattr__(self, "default", default)
        if self.live_values is not None:
            live = tuple(self.live_values)
            if default not in live:
                raise ValueError(f"live_values of slider {self.name!r} must contain {default!r}")
            object.__setattr__(self, "live_values", live)
        if self.fmt is None:
            fmt = str if self.categorical else _default_format
        elif callable(self.fmt):
            fmt = self.fmt
        else:
            pattern = str(self.fmt)
            fmt = pattern.format
        object.__setattr__(self, "_fmt", fmt)

    @classmethod
    def log(cls, name, lo, hi, n, *, refine: int = 1, digits: int = 2, **kwargs) -> Slider:
        """A slider over :func:`log_grid` ``(lo, hi, n)``; the live face gets ``refine`` times
        finer steps."""
        values = log_grid(lo, hi, n, digits)
        live = None
        if refine > 1:
            fine = log_grid(lo, hi, (len(values) - 1) * refine + 1, digits + 1)
            live = tuple(sorted(set(fine) | set(values)))
        return cls(name, values, live_values=live, **kwargs)

    @classmethod
    def linear(cls, name, lo, hi, n, *, digits: int = 4, **kwargs) -> Slider:
        """A slider over :func:`linear_grid` ``(lo, hi, n)``."""
        return cls(name, linear_grid(lo, hi, n, digits), **kwargs)

    @classmethod
    def choice(cls, name, options: Sequence, **kwargs) -> Slider:
        """A choice among categories (e.g. optimizer names)."""
        kwargs.setdefault("default", options[0])
        return cls(name, tuple(options), categorical=True, **kwargs)

    @property
    def title(self) -> str:
        return self.label or self.name

    @property
    def is_numeric(self) -> bool:
        return not self.categorical and all(
            isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in self.values
        )

    def format(self, value) -> str:
        """The value's label, as shown next to the slider."""
        return self._fmt(value)

    @property
    def default_index(self) -> int:
        return self.values.index(self.default)
