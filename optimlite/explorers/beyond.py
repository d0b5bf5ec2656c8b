"""Chapter 15's explorer: what Newton-Schulz does to the singular values of Muon's update.

:func:`orthogonalize` shows, for a number of iterations and a polynomial on the sliders, the
polynomial iterated on one singular value (left) and the singular values of a test matrix before
and after the iteration (right). The matrix comes from :func:`spread_matrix`: singular values
spread over three decades, as in a momentum buffer whose few large directions would dominate a
plain step. Every number is computed by :func:`optimlite.muon.newton_schulz`, the function Muon
runs.
"""

from __future__ import annotations

import numpy as np

from .. import plots
from ..muon import NS_COEFFICIENTS, newton_schulz
from ..validation import check_int
from .core import Explorer, Scene
from .sliders import Slider

__all__ = ["POLYNOMIALS", "spread_matrix", "iterate_polynomial", "orthogonalize"]

#: the polynomials offered: name -> (a, b, c) of phi(s) = a s + b s^3 + c s^5
POLYNOMIALS = {
    "Jordan's quintic": NS_COEFFICIENTS,
    "convergent quintic": (15 / 8, -10 / 8, 3 / 8),
    "classic cubic": (1.5, -0.5, 0.0),
}


def spread_matrix(shape=(32, 64), decades=3.0, seed=0):
    """A matrix with singular values spaced evenly in log scale from 1 down to
    ``10**-decades`` and random (seeded) singular vectors."""
    rows, cols = shape
    k = min(rows, cols)
    rng = np.random.default_rng(seed)
    u, _ = np.linalg.qr(rng.normal(size=(rows, k)))
    v, _ = np.linalg.qr(rng.normal(size=(cols, k)))
    return (u * np.logspace(0.0, -decades, k)) @ v.T


def iterate_polynomial(s, coefficients, steps):
    """:math:`\\varphi^{k}(s)` elementwise, :math:`\\varphi(s) = as + bs^3 + cs^5`: what
    ``steps`` Newton-Schulz iterations do to a singular value ``s`` of the normalised matrix."""
    a, b, c = coefficients
    x = np.array(s, dtype=float)
    for _ in range(steps):
        x = a * x + b * x**3 + c * x**5
    return x


class OrthogonalizeScene(Scene):
    """Left: the iterated polynomial on [1e-3, 1.2] (log x). Right: the sorted singular values
    of the normalised matrix (grey) and of its Newton-Schulz image (coloured)."""

    size = (9.0, 3.4)

    def __init__(self, matrix):
        self.matrix = matrix
        g = matrix / np.linalg.norm(matrix)
        self.before = np.linalg.svd(g, compute_uv=False)
        self.grid = np.geomspace(1e-3, 1.2, 300)
        self.color = plots.color_for("Muon")

    def setup(self, fig):
        fig.set_layout_engine("constrained")
        ax_p, ax_s = fig.subplots(1, 2)
        ax_p.set_xscale("log")
        ax_p.set(xlim=(1e-3, 1.2), ylim=(0.0, 1.5), xlabel="singular value s before",
                 ylabel="after k steps")  # fmt: skip
        ax_p.axhline(1.0, color=plots.REFERENCE_COLOR, lw=0.8, ls="--")
        ax_p.plot(self.grid, self.grid, color="0.6", lw=1.0, label="k = 0 (identity)")
        (self.curve,) = ax_p.plot([], [], color=self.color, lw=2.0, label="φ applied k times")
        self.moving(self.curve)
        ax_p.legend(loc="upper left", fontsize=7.5)
        ax_p.set_title("one singular value through the polynomial", fontsize=9)

        idx = np.arange(1, len(self.before) + 1)
        ax_s.semilogy(idx, self.before, "o", color="0.6", ms=3, label="G / ‖G‖ (before)")
        (self.after,) = ax_s.semilogy([], [], "o", color=self.color, ms=3.5,
                                      label="after Newton-Schulz")  # fmt: skip
        self.moving(self.after)
        ax_s.axhline(1.0, color=plots.REFERENCE_COLOR, lw=0.8, ls="--")
        ax_s.set(xlim=(0, len(idx) + 1), ylim=(1e-5, 3.0), xlabel="index (largest first)",
                 ylabel="singular value")  # fmt: skip
        ax_s.legend(loc="lower left", fontsize=7.5)
        ax_s.set_title(f"all {len(idx)} singular values of a {self.matrix.shape[0]} x "
                       f"{self.matrix.shape[1]} matrix", fontsize=9)  # fmt: skip

    def update(self, ns_steps, polynomial):
        coefficients = POLYNOMIALS[polynomial]
        self.curve.set_data(self.grid, iterate_polynomial(self.grid, coefficients, ns_steps))
        o = newton_schulz(self.matrix, coefficients, ns_steps)
        s = np.linalg.svd(o, compute_uv=False)
        self.after.set_data(np.arange(1, len(s) + 1), np.clip(s, 1.1e-5, 2.9))
        a, b, c = coefficients
        return (f"{polynomial} (slope {a:.4g} at 0, φ(1) = {a + b + c:.4g}), k = {ns_steps}: "
                f"singular values from {s.min():.3g} to {s.max():.3g}, "
                f"largest / smallest {s.max() / s.min():.3g} (before: "
                f"{self.before.max() / self.before.min():.3g}).")  # fmt: skip


def orthogonalize(*, ns_steps=(0, 1, 2, 3, 4, 5, 6, 8, 10), polynomials=tuple(POLYNOMIALS),
                  shape=(32, 64), decades=3.0, title=None) -> Explorer:  # fmt: skip
    """Newton-Schulz iterations x polynomial: the singular values of Muon's update.

    Left, :math:`\\varphi^k(s)` for one singular value :math:`s` of the normalised matrix;
    right, all singular values of :func:`spread_matrix` before and after ``k`` iterations of
    :func:`optimlite.muon.newton_schulz`. Jordan's quintic lifts small singular values fastest
    (slope 3.4445 at zero) but settles in a band around 1, not at 1; the convergent quintic and
    the cubic reach 1 exactly, slowly.

    Args:
        ns_steps: iteration counts offered (integers >= 0).
        polynomials: names from :data:`POLYNOMIALS`.
        shape: the test matrix's shape (two positive integers).
        decades: spread of its singular values (> 0).
    """
    steps = tuple(check_int("ns_steps", k, minimum=0) for k in ns_steps)
    if not steps:
        raise ValueError("ns_steps must offer at least one iteration count")
    polys = tuple(polynomials)
    unknown = [p for p in polys if p not in POLYNOMIALS]
    if not polys or unknown:
        raise ValueError(f"polynomials must be among {list(POLYNOMIALS)}, got {polys!r}")
    if len(shape) != 2 or not all(isinstance(n, int | np.integer) and n > 0 for n in shape):
        raise ValueError(f"shape must be two positive integers, got {shape!r}")
    if not (np.isfinite(decades) and decades > 0):
        raise ValueError(f"decades must be > 0, got {decades!r}")
    scene = OrthogonalizeScene(spread_matrix(tuple(int(n) for n in shape), float(decades)))
    sliders = [
        Slider("ns_steps", steps, label="Newton-Schulz steps k", default=5 if 5 in steps else None),
        Slider("polynomial", polys, label="polynomial", default=polys[0]),
    ]
    return Explorer(scene, sliders, title=title or "Muon: Newton-Schulz and the singular values")
