"""Two-dimensional loss landscapes with analytic gradients.

Each constructor returns a :class:`Landscape`: a loss ``f(x, y)``, its gradient
``grad(x, y) -> (gx, gy)``, the known minima, a plotting window, a default start and contour
levels. ``f`` and ``grad`` accept plain Python floats (cheap: a few hundred nanoseconds, what the
trajectory runner uses) and numpy arrays of any matching shape (what contour plots use).

========================== =========================================================
``ill_conditioned_quadratic``  the ravine: :math:`\\tfrac12(\\lambda_1 u^2 + \\lambda_2 v^2)`
``rosenbrock``             the banana valley :math:`(a-x)^2 + b(y-x^2)^2`
``beale``                  flat arms and steep walls, minimum at (3, 0.5)
``himmelblau``             four equal minima
``saddle``                 :math:`x^2 - y^2 + y^4/2`: a strict saddle between two minima
``rastrigin``              a bowl covered with local minima
``plateau``                :math:`1 - e^{-r^2/2w^2}`: a flat region where gradients vanish
``double_well``            a poor local minimum beside a better one
========================== =========================================================

``LANDSCAPES`` maps each name to its constructor. Reading a landscape (chapter 1):
:func:`hessian` (central differences of the analytic gradient), :func:`classify_hessian`
(minimum, maximum, saddle or degenerate, from the eigenvalues) and :func:`critical_points`
(Newton's method from a grid of starts, deduplicated and classified).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .validation import as_number, check_positive

__all__ = [
    "KINDS",
    "LANDSCAPES",
    "CriticalPoint",
    "Landscape",
    "classify_hessian",
    "critical_points",
    "hessian",
    "beale",
    "double_well",
    "grid_values",
    "himmelblau",
    "ill_conditioned_quadratic",
    "log_levels",
    "plateau",
    "rastrigin",
    "rosenbrock",
    "saddle",
]

Point = tuple[float, float, float]


@dataclass(frozen=True, eq=False)
class Landscape:
    """A 2-D loss surface with its analytic gradient and what a plot needs.

    Attributes:
        name: registry key (``LANDSCAPES[name]`` builds it).
        title: a short label for plots, with the parameters.
        f: ``f(x, y)``, on floats or numpy arrays.
        grad: ``grad(x, y) -> (df/dx, df/dy)``, on floats or numpy arrays.
        minima: known minima as ``(x, y, f)``; the first one is the global minimum.
        xlim, ylim: the plotting window.
        start: a default starting point that shows the landscape's difficulty.
        levels: increasing contour levels (log-spaced where the loss spans decades).
        saddles: known saddle points as ``(x, y, f)``.
        eigenvalues: Hessian eigenvalues (smallest first) where the Hessian is constant.
        description: one sentence on what the landscape teaches.
        labels: the symbols of the two coordinates, TeX math without the dollars (the axis
            labels of every plot of it): ``("x", "y")``, or e.g. ``("w", "b")`` for a model's
            weight and bias.
    """

    name: str
    title: str
    f: Callable = field(repr=False)
    grad: Callable = field(repr=False)
    minima: list[Point]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    start: tuple[float, float]
    levels: np.ndarray = field(repr=False)
    saddles: list[Point] = field(default_factory=list)
    eigenvalues: tuple[float, float] | None = None
    description: str = ""
    labels: tuple[str, str] = ("x", "y")

    def __call__(self, x, y):
        return self.f(x, y)

    def grid(self, n=200, xlim=None, ylim=None):
        """Return ``X, Y, Z`` on an ``n`` by ``n`` grid over ``xlim`` by ``ylim`` (default: the
        landscape's window), as :func:`grid_values` (what contour plots use)."""
        xlim = self.xlim if xlim is None else xlim
        ylim = self.ylim if ylim is None else ylim
        return grid_values(self.f, xlim, ylim, n)


def grid_values(f, xlim, ylim, n=200):
    """``X, Y, Z`` with ``Z = f(X, Y)`` (float64) on an ``n`` by ``n`` grid over ``xlim`` by
    ``ylim``. Overflow gives inf/NaN in ``Z`` without a warning; an ``f`` that only takes
    scalars is evaluated point by point."""
    xs = np.linspace(*xlim, n)
    ys = np.linspace(*ylim, n)
    x, y = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        try:
            z = np.asarray(f(x, y), dtype=np.float64)
        except TypeError:  # written for scalars only (``math`` functions)
            z = None
        if z is None or z.shape != x.shape:
            z = np.vectorize(lambda a, b: float(f(a, b)), otypes=[np.float64])(x, y)
    return x, y, z


def _lib(x):
    """``math`` for Python/numpy scalars (fast), ``numpy`` for arrays."""
    return math if isinstance(x, (float, int)) else np


def log_levels(f, xlim, ylim, fmin, n=20, decades=4.0):
    """``n`` contour levels :math:`f_{\\min} + d` with :math:`d` log-spaced over ``decades``
    decades up to the window's range :math:`\\max f - f_{\\min}` (on a 101 x 101 grid; non-finite
    values are ignored, and a window with no range above ``fmin`` uses a range of 1). Such
    levels show both a valley's floor and its steep walls."""
    z = grid_values(f, xlim, ylim, 101)[2]
    finite = z[np.isfinite(z)]
    span = float(finite.max()) - fmin if finite.size else 0.0
    span = span if span > 0 else 1.0
    return fmin + np.geomspace(span * 10.0**-decades, span, int(n))


def _linear_levels(f, xlim, ylim, n=20):
    """``n`` evenly spaced levels strictly inside the window's range of ``f``."""
    z = grid_values(f, xlim, ylim, 101)[2]
    return np.linspace(float(np.min(z)), float(np.max(z)), n + 2)[1:-1]


def ill_conditioned_quadratic(kappa=10.0, angle=0.0, lam_min=1.0):
    """The ravine: a quadratic bowl with condition number ``kappa``.

    .. math::
        f(x, y) = \\tfrac12(\\lambda_1 u^2 + \\lambda_2 v^2),\\quad
        u = x\\cos\\theta + y\\sin\\theta,\\; v = -x\\sin\\theta + y\\cos\\theta,

    with :math:`\\lambda_1 =` ``lam_min`` and :math:`\\lambda_2 = \\kappa\\lambda_1`. With the
    default ``angle=0`` it is :math:`(x^2 + \\kappa y^2)/2`: the valley runs along x and the steep
    walls face y. ``angle`` (radians) rotates the valley off the axes, so that no per-coordinate
    method (AdaGrad, Adam) sees the eigen-directions. The Hessian eigenvalues are
    ``landscape.eigenvalues``; the minimum is 0 at the origin.
    """
    kappa = check_positive("kappa", kappa)
    if kappa < 1:
        raise ValueError(f"kappa must be >= 1 (the condition number), got {kappa!r}")
    lam1 = check_positive("lam_min", lam_min)
    lam2 = kappa * lam1
    angle = as_number("angle", angle)
    c, s = math.cos(angle), math.sin(angle)

    def f(x, y):
        u = c * x + s * y
        v = c * y - s * x
        return 0.5 * (lam1 * u * u + lam2 * v * v)

    def grad(x, y):
        u = lam1 * (c * x + s * y)
        v = lam2 * (c * y - s * x)
        return c * u - s * v, s * u + c * v

    xlim = (-10.0, 10.0)
    ylim = (-5.0, 5.0) if angle == 0.0 else (-10.0, 10.0)
    title = f"ill-conditioned quadratic (κ = {kappa:g})"
    return Landscape(
        name="ill_conditioned_quadratic",
        title=title,
        f=f,
        grad=grad,
        minima=[(0.0, 0.0, 0.0)],
        xlim=xlim,
        ylim=ylim,
        start=(-8.0, 2.0),
        levels=log_levels(f, xlim, ylim, 0.0, decades=4.0),
        eigenvalues=(lam1, lam2),
        description="A narrow valley: gradient descent zig-zags across it, momentum runs along it.",
    )


def rosenbrock(a=1.0, b=100.0):
    """Rosenbrock's banana valley :math:`f = (a - x)^2 + b(y - x^2)^2`, minimum 0 at
    :math:`(a, a^2)`. The valley floor is easy to reach and slow to follow."""
    a = as_number("a", a)
    b = check_positive("b", b)

    def f(x, y):
        d = y - x * x
        return (a - x) * (a - x) + b * d * d

    def grad(x, y):
        d = y - x * x
        return -2.0 * (a - x) - 4.0 * b * x * d, 2.0 * b * d

    xlim, ylim = (-2.0, 2.0), (-1.0, 3.0)
    return Landscape(
        name="rosenbrock",
        title=f"Rosenbrock (a = {a:g}, b = {b:g})",
        f=f,
        grad=grad,
        minima=[(a, a * a, 0.0)],
        xlim=xlim,
        ylim=ylim,
        start=(-1.5, 2.0),
        levels=log_levels(f, xlim, ylim, 0.0, decades=4.0),
        description="A curved, flat-bottomed valley: finding it is easy, following it is slow.",
    )


def beale():
    """Beale's function
    :math:`(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2`,
    minimum 0 at (3, 0.5): flat arms and very steep walls, so gradient scales differ widely."""

    def f(x, y):
        t1 = 1.5 - x + x * y
        t2 = 2.25 - x + x * y * y
        t3 = 2.625 - x + x * y * y * y
        return t1 * t1 + t2 * t2 + t3 * t3

    def grad(x, y):
        y2 = y * y
        t1 = 1.5 - x + x * y
        t2 = 2.25 - x + x * y2
        t3 = 2.625 - x + x * y2 * y
        gx = 2.0 * (t1 * (y - 1.0) + t2 * (y2 - 1.0) + t3 * (y2 * y - 1.0))
        gy = 2.0 * x * (t1 + 2.0 * y * t2 + 3.0 * y2 * t3)
        return gx, gy

    xlim, ylim = (-4.5, 4.5), (-4.5, 4.5)
    return Landscape(
        name="beale",
        title="Beale",
        f=f,
        grad=grad,
        minima=[(3.0, 0.5, 0.0)],
        xlim=xlim,
        ylim=ylim,
        start=(1.0, 1.5),
        levels=log_levels(f, xlim, ylim, 0.0, decades=5.0),
        description="Flat arms and steep walls: gradient magnitudes span many decades.",
    )


_HIMMELBLAU_MINIMA = [
    (3.0, 2.0, 0.0),
    (-2.805118086952745, 3.131312518250573, 0.0),
    (-3.779310253377747, -3.2831859912861696, 0.0),
    (3.5844283403304917, -1.8481265269644036, 0.0),
]


def himmelblau():
    """Himmelblau's function :math:`(x^2 + y - 11)^2 + (x + y^2 - 7)^2`: four minima, all 0;
    which one an optimizer reaches depends on where it starts."""

    def f(x, y):
        p = x * x + y - 11.0
        q = x + y * y - 7.0
        return p * p + q * q

    def grad(x, y):
        p = x * x + y - 11.0
        q = x + y * y - 7.0
        return 4.0 * x * p + 2.0 * q, 2.0 * p + 4.0 * y * q

    xlim, ylim = (-5.0, 5.0), (-5.0, 5.0)
    return Landscape(
        name="himmelblau",
        title="Himmelblau",
        f=f,
        grad=grad,
        minima=list(_HIMMELBLAU_MINIMA),
        xlim=xlim,
        ylim=ylim,
        start=(-0.5, -0.5),
        levels=log_levels(f, xlim, ylim, 0.0, decades=3.5),
        description="Four equally good minima: the start decides which basin wins.",
    )


def saddle():
    """A strict saddle, bounded below: :math:`f = x^2 - y^2 + y^4/2`.

    Near the origin it is the textbook saddle :math:`x^2 - y^2` (Hessian diag(2, -2)); the quartic
    term bends the falling direction back up, giving two minima :math:`(0, \\pm 1)` with
    :math:`f = -1/2`. The default start lies on the line ``y = 0``, where the gradient has no y
    component: exact gradient descent slides into the saddle and stays; gradient noise (or any
    offset in y) lets it escape.
    """

    def f(x, y):
        y2 = y * y
        return x * x - y2 + 0.5 * y2 * y2

    def grad(x, y):
        return 2.0 * x, 2.0 * y * (y * y - 1.0)

    xlim, ylim = (-2.0, 2.0), (-2.0, 2.0)
    return Landscape(
        name="saddle",
        title="saddle x² − y² + y⁴/2",
        f=f,
        grad=grad,
        minima=[(0.0, 1.0, -0.5), (0.0, -1.0, -0.5)],
        xlim=xlim,
        ylim=ylim,
        start=(-1.5, 0.0),
        levels=_linear_levels(f, xlim, ylim, n=24),
        saddles=[(0.0, 0.0, 0.0)],
        eigenvalues=None,
        description="A saddle point: the gradient vanishes but it is not a minimum.",
    )


def rastrigin(A=10.0):
    """Rastrigin's function :math:`2A + \\sum_{z \\in \\{x, y\\}} (z^2 - A\\cos 2\\pi z)`:
    a parabola covered in a regular grid of local minima; the global minimum is 0 at the
    origin (``minima`` lists only that one)."""
    A = check_positive("A", A)
    two_pi = 2.0 * math.pi

    def f(x, y):
        lib = _lib(x)
        return 2.0 * A + x * x + y * y - A * (lib.cos(two_pi * x) + lib.cos(two_pi * y))

    def grad(x, y):
        lib = _lib(x)
        k = two_pi * A
        return 2.0 * x + k * lib.sin(two_pi * x), 2.0 * y + k * lib.sin(two_pi * y)

    xlim, ylim = (-5.12, 5.12), (-5.12, 5.12)
    return Landscape(
        name="rastrigin",
        title=f"Rastrigin (A = {A:g})",
        f=f,
        grad=grad,
        minima=[(0.0, 0.0, 0.0)],
        xlim=xlim,
        ylim=ylim,
        start=(-3.2, 2.8),
        levels=_linear_levels(f, xlim, ylim, n=16),
        description="Local minima everywhere: plain descent stops in the nearest one.",
    )


def plateau(width=1.0):
    """A well in a plateau: :math:`f = 1 - \\exp(-(x^2 + y^2) / 2w^2)`, minimum 0 at the origin.

    Away from the well the loss is almost exactly 1 and the gradient,
    :math:`(x, y)\\, e^{-r^2/2w^2} / w^2`, vanishes exponentially: at the default start it is
    about 1e-3. Plain gradient descent crawls; methods that normalise the step (Adam, RMSprop,
    Lion) cross at their full learning rate.
    """
    w = check_positive("width", width)
    inv = 1.0 / (2.0 * w * w)

    def f(x, y):
        return 1.0 - _lib(x).exp(-(x * x + y * y) * inv)

    def grad(x, y):
        k = 2.0 * inv * _lib(x).exp(-(x * x + y * y) * inv)
        return k * x, k * y

    xlim, ylim = (-4.0 * w, 4.0 * w), (-4.0 * w, 4.0 * w)
    levels = np.concatenate([np.linspace(0.05, 0.95, 10), 1.0 - np.geomspace(1e-2, 1e-6, 5)])
    return Landscape(
        name="plateau",
        title=f"plateau (width {w:g})",
        f=f,
        grad=grad,
        minima=[(0.0, 0.0, 0.0)],
        xlim=xlim,
        ylim=ylim,
        start=(-3.0 * w, 2.5 * w),
        levels=levels,
        description="A wide flat region where gradients vanish around a single well.",
    )


def double_well(tilt=0.3):
    """A tilted double well: :math:`f = (x^2 - 1)^2 + \\tau x + y^2` with tilt :math:`\\tau`.

    For :math:`0 < \\tau < 8/(3\\sqrt3)` there are two minima on the x axis at the outer roots of
    :math:`4x^3 - 4x + \\tau = 0`: the global one at :math:`x \\approx -1` and a poorer local one at
    :math:`x \\approx +1` (f higher by about :math:`2\\tau`), separated by a saddle near
    :math:`x = \\tau/4`. The default start lies in the poor basin: plain gradient descent settles
    there; momentum or noise can carry it over the ridge.
    """
    tilt = as_number("tilt", tilt)
    limit = 8.0 / (3.0 * math.sqrt(3.0))
    if not 0.0 <= tilt < limit:
        raise ValueError(f"tilt must be in [0, {limit:.4f}) for two minima, got {tilt!r}")

    def f(x, y):
        d = x * x - 1.0
        return d * d + tilt * x + y * y

    def grad(x, y):
        return 4.0 * x * (x * x - 1.0) + tilt, 2.0 * y

    def refine(x):  # Newton on 4x^3 - 4x + tilt, to machine precision
        for _ in range(3):
            x -= (4.0 * x * (x * x - 1.0) + tilt) / (12.0 * x * x - 4.0)
        return x

    roots = sorted(refine(float(r.real)) for r in np.roots([4.0, 0.0, -4.0, tilt]))
    left, middle, right = roots
    minima = sorted([(left, 0.0, f(left, 0.0)), (right, 0.0, f(right, 0.0))], key=lambda m: m[2])
    xlim, ylim = (-2.0, 2.0), (-1.5, 1.5)
    return Landscape(
        name="double_well",
        title=f"double well (tilt {tilt:g})",
        f=f,
        grad=grad,
        minima=minima,
        xlim=xlim,
        ylim=ylim,
        start=(1.8, 1.2),
        levels=_linear_levels(f, xlim, ylim, n=24),
        saddles=[(middle, 0.0, f(middle, 0.0))],
        description="A poor local minimum next to a better one, with a ridge between them.",
    )


LANDSCAPES = {
    "ill_conditioned_quadratic": ill_conditioned_quadratic,
    "rosenbrock": rosenbrock,
    "beale": beale,
    "himmelblau": himmelblau,
    "saddle": saddle,
    "rastrigin": rastrigin,
    "plateau": plateau,
    "double_well": double_well,
}


# --- reading a landscape: Hessians and critical points ---------------------------------------

#: the kinds :func:`classify_hessian` tells apart
KINDS = ("minimum", "maximum", "saddle", "degenerate")


def hessian(landscape, x, y, h=None):
    """The Hessian of ``landscape`` at ``(x, y)`` by central differences of its analytic gradient.

    Column ``j`` is :math:`(\\nabla f(p + h e_j) - \\nabla f(p - h e_j)) / 2h`, an error of order
    :math:`h^2`; the result is symmetrised, :math:`(H + H^\\top)/2`, so that its eigenvalues are
    real (``np.linalg.eigvalsh``). ``x`` and ``y`` may be floats or arrays of one shape; the
    result has shape ``x.shape + (2, 2)``. The default step, :math:`10^{-5}\\max(1, |x|, |y|)`,
    balances truncation (:math:`h^2`) against rounding (:math:`\\epsilon/h`) in double precision.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if h is None:
        h = 1e-5 * np.maximum(1.0, np.maximum(np.abs(x), np.abs(y)))
    h = np.asarray(h, dtype=np.float64)
    if np.any(~(h > 0)):
        raise ValueError(f"h must be positive, got {h!r}")
    gxp, gyp = landscape.grad(x + h, y)
    gxm, gym = landscape.grad(x - h, y)
    hxp, hyp = landscape.grad(x, y + h)
    hxm, hym = landscape.grad(x, y - h)
    col_x = [(np.asarray(gxp) - gxm) / (2 * h), (np.asarray(gyp) - gym) / (2 * h)]
    col_y = [(np.asarray(hxp) - hxm) / (2 * h), (np.asarray(hyp) - hym) / (2 * h)]
    H = np.empty(np.broadcast(x, y).shape + (2, 2))
    H[..., 0, 0], H[..., 1, 0] = col_x
    H[..., 0, 1], H[..., 1, 1] = col_y
    return 0.5 * (H + np.swapaxes(H, -1, -2))


def classify_hessian(H, tol=1e-6):
    """What a critical point with Hessian ``H`` (a symmetric ``d x d`` matrix) is.

    ``"minimum"`` when every eigenvalue exceeds ``tol``, ``"maximum"`` when every one is below
    ``-tol``, ``"saddle"`` when some exceed ``tol`` and others are below ``-tol`` (the surface
    rises along some directions and falls along others), and ``"degenerate"`` otherwise: an
    eigenvalue within ``tol`` of zero, where second derivatives cannot decide (``x**4`` and
    ``-x**4`` both have a zero Hessian at 0).
    """
    lam = np.linalg.eigvalsh(np.asarray(H, dtype=np.float64))
    tol = float(tol)
    if np.any(np.abs(lam) <= tol):
        return "degenerate"
    if np.all(lam > 0):
        return "minimum"
    if np.all(lam < 0):
        return "maximum"
    return "saddle"


@dataclass(frozen=True)
class CriticalPoint:
    """A point where the gradient vanishes, with its Hessian's eigenvalues (ascending) and kind
    (:func:`classify_hessian`)."""

    x: float
    y: float
    f: float
    eigenvalues: tuple[float, float]
    kind: str


def critical_points(landscape, n=25, *, xlim=None, ylim=None, tol=1e-6, steps=60):
    """Every critical point of ``landscape`` that Newton's method finds from an ``n`` by ``n``
    grid of starts over the window (default: the landscape's), deduplicated and classified.

    Newton's method on the gradient, :math:`p \\leftarrow p - H(p)^{-1} \\nabla f(p)` (the
    Hessian by :func:`hessian`), converges to the nearest critical point of any kind (minimum,
    maximum or saddle), not only to minima: that is what makes it a finder here and a poor
    optimizer elsewhere. A start whose run leaves the window, meets a singular Hessian or does
    not bring :math:`\\lVert\\nabla f\\rVert` below ``1e-9 * max(1, |f|)`` is dropped; points closer
    than ``1e-6`` of the window's size are one point. Returns :class:`CriticalPoint` objects
    sorted by ``f``, then ``x``, then ``y``. A grid too coarse can miss points: ``n`` should give
    a few starts per basin.
    """
    n = int(n)
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n!r}")
    xlim = tuple(map(float, landscape.xlim if xlim is None else xlim))
    ylim = tuple(map(float, landscape.ylim if ylim is None else ylim))
    # starts strictly inside the window, offset so that no start sits on a symmetry line
    fx = (np.arange(n) + 0.5 + 0.0123) / n
    fy = (np.arange(n) + 0.5 - 0.0171) / n
    px, py = np.meshgrid(xlim[0] + fx * (xlim[1] - xlim[0]), ylim[0] + fy * (ylim[1] - ylim[0]))
    px, py = px.ravel(), py.ravel()
    alive = np.ones(px.shape, dtype=bool)
    with np.errstate(all="ignore"):
        for _ in range(int(steps)):
            gx, gy = (np.asarray(g, dtype=np.float64) for g in landscape.grad(px, py))
            H = hessian(landscape, px, py)
            a, b, d = H[:, 0, 0], H[:, 0, 1], H[:, 1, 1]
            det = a * d - b * b
            scale = np.maximum(np.abs(a) + np.abs(d), 1e-300)
            alive &= np.abs(det) > 1e-14 * scale * scale
            safe = np.where(alive, det, 1.0)
            dx = np.where(alive, (d * gx - b * gy) / safe, 0.0)
            dy = np.where(alive, (a * gy - b * gx) / safe, 0.0)
            px, py = px - dx, py - dy
            alive &= np.isfinite(px) & np.isfinite(py)
            moved = np.abs(dx) + np.abs(dy)
            if not np.any(alive & (moved > 1e-15 * np.maximum(1.0, np.abs(px) + np.abs(py)))):
                break  # every run has converged (or stopped)
        gx, gy = (np.asarray(g, dtype=np.float64) for g in landscape.grad(px, py))
        fv = np.asarray(landscape.f(px, py), dtype=np.float64)
        size = max(xlim[1] - xlim[0], ylim[1] - ylim[0])
        inside = (px >= xlim[0]) & (px <= xlim[1]) & (py >= ylim[0]) & (py <= ylim[1])
        small = np.hypot(gx, gy) <= 1e-9 * np.maximum(1.0, np.abs(fv))
        keep = alive & inside & small & np.isfinite(fv)
    found = []
    for x, y in zip(px[keep], py[keep], strict=True):
        if all(math.hypot(x - u, y - v) > 1e-6 * size for u, v in found):
            found.append((float(x), float(y)))
    points = []
    for x, y in found:
        H = hessian(landscape, x, y)
        lam = np.linalg.eigvalsh(H)
        kind = classify_hessian(H, tol)
        points.append(CriticalPoint(x, y, float(landscape.f(x, y)), tuple(map(float, lam)), kind))
    return sorted(points, key=lambda p: (round(p.f, 9), round(p.x, 9), round(p.y, 9)))
