"""Hyperparameter checks shared by every optimizer and scheduler.

Each rule lives here once, called as ``check(name, value)`` (the optimizers list theirs in
``checks``). Every check returns the value converted to a plain Python ``float``
(or ``int``/``bool``), so numpy scalars such as ``np.float64(0.9)`` never promote float32 arrays,
and raises a ``ValueError`` that names the parameter and the offending value.
"""

import math
import numbers

import numpy as np

__all__ = [
    "as_number",
    "check_betas",
    "check_bool",
    "check_closed_unit",
    "check_coefficients",
    "check_choice",
    "check_eps_pair",
    "check_non_positive",
    "check_at_least_one",
    "check_open_unit",
    "check_int",
    "check_lr",
    "check_nesterov",
    "check_non_negative",
    "check_optional_positive",
    "check_positive",
    "check_positive_values",
    "check_positive_int",
    "check_unit",
]


def as_number(name, value):
    """Return ``value`` as a finite Python float; reject strings, None, bools and NaN/inf."""
    if type(value) is float:  # the common case, kept fast: this runs at every update
        if value - value == 0.0:  # False for NaN and +-inf
            return value
        raise ValueError(f"{name} must be finite, got {value}")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        # 0-d arrays (numpy, torch, ...) are not numbers.Real, but are accepted when they hold
        # one real number: ``.item()`` gives a Python int or float then (a bool, complex or
        # string element is refused below, as are arrays of any other shape).
        if _is_scalar_array(value):
            item = value.item()
            if isinstance(item, numbers.Real) and not isinstance(item, bool):
                return as_number(name, item)
        raise ValueError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def _is_scalar_array(value):
    """True for a 0-d array-like with ``.item()`` (numpy arrays and scalars, torch tensors)."""
    shape = getattr(value, "shape", None)
    try:
        return shape is not None and tuple(shape) == () and callable(getattr(value, "item", None))
    except TypeError:  # a ``shape`` that is not a sequence
        return False


def check_non_negative(name, value):
    """``value >= 0`` (weight_decay, eps, lr_decay, dampening, ...)."""
    value = as_number(name, value)
    if value < 0.0:
        raise ValueError(f"Invalid {name}: {value} (must be >= 0)")
    return value


def check_lr(name, value):
    """A learning rate: a finite number >= 0."""
    return check_non_negative(name, value)


def check_positive_values(name, values, what="positive"):
    """A non-empty tuple of finite values > 0, as floats (the values an explorer's slider offers);
    ``what`` names them in the message, e.g. ``"positive learning rates"``."""
    try:
        values = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a sequence of numbers ({what}), got {values!r}") from None
    if not values or not all(math.isfinite(v) and v > 0 for v in values):
        raise ValueError(f"{name} must be {what}, got {values!r}")
    return values


def check_positive(name, value):
    """``value > 0`` (e.g. a trust coefficient)."""
    value = as_number(name, value)
    if value <= 0.0:
        raise ValueError(f"Invalid {name}: {value} (must be > 0)")
    return value


def check_unit(name, value):
    """``0 <= value < 1`` (momentum, alpha of RMSprop, each beta)."""
    value = as_number(name, value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"Invalid {name}: {value} (must be in [0, 1))")
    return value


def check_optional_positive(name, value):
    """``None`` (switched off) or a number ``> 0`` (e.g. LAMB's max_grad_norm)."""
    return None if value is None else check_positive(name, value)


def check_closed_unit(name, value):
    """``0 <= value <= 1`` (dampening, Lookahead's alpha)."""
    value = as_number(name, value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"Invalid {name}: {value} (must be in [0, 1])")
    return value


def check_betas(name, betas):
    """A pair ``(beta1, beta2)``, each in [0, 1); returned as a tuple of two floats."""
    if type(betas) is tuple and len(betas) == 2:  # fast path for what _normalize stored
        b1, b2 = betas
        if type(b1) is float and type(b2) is float and 0.0 <= b1 < 1.0 and 0.0 <= b2 < 1.0:
            return betas
    if isinstance(betas, str | bytes) or not hasattr(betas, "__len__") or len(betas) != 2:
        raise ValueError(f"{name} must be a pair (beta1, beta2), got {betas!r}")
    return (check_unit(f"{name}[0]", betas[0]), check_unit(f"{name}[1]", betas[1]))


def check_bool(name, value):
    """A flag: ``True``/``False`` (numpy bools accepted)."""
    if value is True or value is False:
        return value
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise ValueError(f"{name} must be True or False, got {value!r}")


def check_int(name, value, minimum=None):
    """An integer (Python or numpy, not a bool), ``>= minimum`` when given; returned as ``int``.

    Used for step counts and indices: ``check_int("steps", steps, minimum=0)``,
    ``check_int("last_epoch", last_epoch, minimum=-1)``. A float such as ``2.0`` is refused, as
    torch refuses it for ``total_steps``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"Invalid {name}: {value} (must be >= {minimum})")
    return value


def check_positive_int(name, value):
    """An integer ``>= 1`` (e.g. Lookahead's k, StepLR's step_size)."""
    return check_int(name, value, minimum=1)


def check_nesterov(nesterov, momentum, dampening):
    """Nesterov momentum needs ``momentum > 0`` and ``dampening == 0`` (as in torch.optim.SGD)."""
    if nesterov and (momentum <= 0.0 or dampening != 0.0):
        raise ValueError(
            "Nesterov momentum requires momentum > 0 and dampening == 0, "
            f"got momentum={momentum}, dampening={dampening}"
        )
    return nesterov


def check_non_positive(name, value):
    """``value <= 0`` (Adafactor's beta2_decay)."""
    value = as_number(name, value)
    if value > 0.0:
        raise ValueError(f"Invalid {name}: {value} (must be <= 0)")
    return value


def check_at_least_one(name, value):
    """``value >= 1`` (Adafactor's clipping threshold d)."""
    value = as_number(name, value)
    if value < 1.0:
        raise ValueError(f"Invalid {name}: {value} (must be >= 1)")
    return value


def check_open_unit(name, value):
    """``0 < value < 1`` (Schedule-Free SGD's momentum, whose eval() divides by it)."""
    value = as_number(name, value)
    if not 0.0 < value < 1.0:
        raise ValueError(f"Invalid {name}: {value} (must be in (0, 1))")
    return value


def check_coefficients(name, value):
    """Three finite numbers ``(a, b, c)`` (Muon's Newton-Schulz polynomial), as a tuple."""
    if type(value) is tuple and len(value) == 3 and all(type(x) is float for x in value):
        return value
    if isinstance(value, str | bytes) or not hasattr(value, "__len__") or len(value) != 3:
        raise ValueError(f"{name} must be three numbers (a, b, c), got {value!r}")
    return tuple(as_number(f"{name}[{i}]", x) for i, x in enumerate(value))


def check_choice(choices):
    """A rule accepting only the values in ``choices`` (strings or None)."""

    def check(name, value):
        if value is None or isinstance(value, str):
            if value in choices:
                return value
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")

    return check


def check_eps_pair(name, value):
    """Adafactor's ``(eps1, eps2)``: eps1 None (the dtype's machine epsilon) or >= 0, eps2 >= 0."""
    if isinstance(value, str | bytes) or not hasattr(value, "__len__") or len(value) != 2:
        raise ValueError(f"{name} must be a pair (eps1, eps2), got {value!r}")
    eps1 = None if value[0] is None else check_non_negative(f"{name}[0]", value[0])
    return (eps1, check_non_negative(f"{name}[1]", value[1]))
