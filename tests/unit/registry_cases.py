"""Every optimizer of the registry in every variant: the cases the invariant tests run.

A test parametrized with :func:`cases` builds a fresh optimizer with :func:`build`, so no test
sees another's state and a new registry entry joins every invariant test by itself.
"""

import numpy as np
import pytest

from optimlite import registry


def cases():
    """``pytest.param(spec, variant)`` for every registry entry and each of its variants."""
    return [
        pytest.param(spec, variant, id=f"{spec.name}-{i}")
        for spec in registry.REGISTRY.values()
        for i, variant in enumerate(spec.variants)
    ]


def build(spec, variant, **changes):
    """A fresh optimizer of ``spec`` with ``variant``'s arguments, ``changes`` applied."""
    return spec.make(**{**variant, **changes})


def as_numpy_scalars(variant):
    """``variant`` with every float (also inside tuples) as ``np.float64``: what a scheduler or
    a numpy computation hands over, which must not promote float32 parameters."""

    def convert(v):
        if type(v) is float:
            return np.float64(v)
        if type(v) is tuple:
            return tuple(convert(x) for x in v)
        return v

    return {k: convert(v) for k, v in variant.items()}


def accepted(spec, params):
    """``params`` without the parameters ``spec`` cannot take (Muon: matrices only)."""
    return {k: v for k, v in params.items() if spec.accepts(np.ndim(v))}
