r"""An equal-budget league of optimizers (chapter 12): every optimizer, the same tasks, the same
learning-rate search, several seeds.

A :class:`Task` builds, for a seed, a :class:`Problem`: starting parameters, the gradient the
optimizer sees at each step (full-batch or a seeded mini-batch) and the loss that scores the run.
:func:`sweep` runs one optimizer of :mod:`optimlite.registry` at every learning rate of a grid
and every seed; :func:`league` does it for every optimizer and task and returns a
:class:`League`, which picks each optimizer's best learning rate (lowest median final loss),
ranks the optimizers per task and formats the table.

Fairness, stated: every optimizer gets the same steps, the same starts and mini-batches for a
seed, the registry's defaults for everything but the learning rate (except :data:`SETTINGS`:
LARS with its trust ratio switched on), and the same learning-rate grid; the best rate is chosen
on the same seeds it is reported on (a tuned result, not a held-out one). A best rate on the edge
of the grid is marked: the search may have stopped too early. A Schedule-Free optimizer is
scored at its evaluation point :math:`x` (``optimizer.eval``), as its authors evaluate it.

An optimizer whose registry entry does not accept a task's parameter shapes (Muon: matrices
only) is *not applicable* there (``n/a`` and the reason); one that raises on a task is skipped
and the reason kept; neither is dropped silently. A run whose loss or parameters stop being
finite, or leave ``±bound``, is *diverged*: its final loss is ``inf``.

>>> from optimlite import league
>>> res = league.league([league.ravine()], names=["SGD", "Adam"], lrs=(0.01, 0.1), seeds=(0,))
>>> res.best_lr("SGD", "ravine")
0.01
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import landscapes as _landscapes
from . import problems as _problems
from . import registry
from .validation import check_positive, check_positive_int

__all__ = [
    "LEAGUE_LRS",
    "League",
    "SETTINGS",
    "Problem",
    "Task",
    "beale",
    "default_tasks",
    "digits_network",
    "landscape_task",
    "league",
    "linear_regression",
    "not_applicable",
    "rastrigin",
    "ravine",
    "rosenbrock",
    "run",
    "sparse_regression",
    "sweep",
]

#: The learning rates every optimizer is tried at: half-decades from 1e-3 to 3 (eight values).
LEAGUE_LRS = (1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)

#: Hyperparameters the league gives an optimizer on top of the registry's explorer defaults.
#: LARS's registry default (timm's: no weight decay, no ``always_adapt``) never applies the
#: trust ratio and is plain SGD; the league runs it as the LARS paper does, with momentum 0.9
#: and the trust ratio on (``always_adapt``; no weight decay, so every optimizer minimises the
#: same loss), trust coefficient at timm's 1e-3.
SETTINGS = {"LARS": {"momentum": 0.9, "always_adapt": True}}


@dataclass
class Problem:
    """One seeded instance of a task.

    Attributes:
        params: the starting parameters (a dict of arrays; :func:`run` copies them).
        grad: ``grad(params, step) -> grads``, the gradient the optimizer sees at ``step``
            (counted from 0), e.g. on that step's mini-batch.
        loss: ``loss(params) -> float``, the score: the full loss, minus its minimum when known.
    """

    params: dict
    grad: Callable
    loss: Callable


@dataclass(frozen=True)
class Task:
    """A task of the league: ``make(seed)`` builds its :class:`Problem` for a seed.

    Attributes:
        name: short name (a column of the table).
        make: ``seed -> Problem``.
        steps: updates per run.
        description: one line on what the task is and what its loss measures.
    """

    name: str
    make: Callable = field(repr=False)
    steps: int
    description: str = ""


# ----- the tasks ------------------------------------------------------------------------------
def landscape_task(landscape, name=None, steps=100, jitter=0.05, description=None):
    """A 2-D landscape as a task: seed ``s`` starts at the landscape's start moved by a normal
    draw of ``jitter`` times the window's size (seed 0 included); the loss is ``f - f_min``."""
    steps = check_positive_int("steps", steps)
    jitter = float(jitter)
    if not jitter >= 0:
        raise ValueError(f"jitter must be >= 0, got {jitter!r}")
    land = landscape
    f, grad = land.f, land.grad
    fmin = land.minima[0][2] if land.minima else 0.0
    scale = np.array([land.xlim[1] - land.xlim[0], land.ylim[1] - land.ylim[0]])

    def make(seed):
        start = np.asarray(land.start, dtype=np.float64)
        start = start + jitter * scale * np.random.default_rng(seed).standard_normal(2)
        g = np.zeros(2)

        def gradient(params, step):
            g[0], g[1] = grad(*params["xy"].tolist())
            return {"xy": g}

        return Problem({"xy": start}, gradient, lambda params: f(*params["xy"].tolist()) - fmin)

    return Task(name or land.name, make, steps, description or land.description)


def rosenbrock(steps=100):
    """Rosenbrock's banana valley from near (-1.5, 2)."""
    return landscape_task(
        _landscapes.rosenbrock(),
        "Rosenbrock",
        steps,
        description="curved valley, minimum at (1, 1)",
    )


def beale(steps=100):
    """Beale's function: flat arms, steep walls."""
    return landscape_task(
        _landscapes.beale(), "Beale", steps, description="flat arms and steep walls"
    )


def ravine(kappa=100.0, angle=math.pi / 6, steps=100):
    """The ill-conditioned quadratic, condition number ``kappa``, rotated off the axes by
    ``angle`` so that no per-coordinate method sees its eigen-directions."""
    land = _landscapes.ill_conditioned_quadratic(kappa=kappa, angle=angle)
    return landscape_task(land, "ravine", steps, description=f"rotated ravine, κ = {kappa:g}")


def rastrigin(steps=100):
    """Rastrigin's function: local minima everywhere (the loss is the gap to the global one)."""
    return landscape_task(
        _landscapes.rastrigin(), "Rastrigin", steps, description="local minima everywhere"
    )


def _with_bias(X, dtype):
    """``[X, 1]``: the model ``[X, 1] @ [w, b]`` holds its weights and bias in one vector."""
    X = np.asarray(X).reshape(len(X), -1)
    return np.column_stack([X, np.ones(len(X))]).astype(dtype)


def _mse_problem(A, y, batches, best, dtype):
    """MSE of ``A @ theta`` (one parameter vector ``theta``, from zeros) as a :class:`Problem`,
    each step's gradient on ``batches[step]`` (all rows when ``batches`` is None)."""
    y = np.asarray(y, dtype=dtype)
    zero = np.array(0.0, dtype=dtype)

    def loss_and_grad(params, rows):
        return _problems.mse_loss_and_grad({"w": params["theta"], "b": zero}, A[rows], y[rows])

    def grad(params, step):
        rows = slice(None) if batches is None else batches[step]
        return {"theta": loss_and_grad(params, rows)[1]["w"]}

    return Problem(
        {"theta": np.zeros(A.shape[1], dtype=dtype)},
        grad,
        lambda params: loss_and_grad(params, slice(None))[0] - best,
    )


def linear_regression(n=100, steps=80, dtype=np.float32):
    """The article's linear regression ``y = 3x + 4 + noise`` (seeded data), full batch from
    ``w = b = 0`` (one parameter vector ``[w, b]``); the loss is the MSE minus the
    least-squares MSE."""
    steps = check_positive_int("steps", steps)

    def make(seed):
        x, y = _problems.linear_data(n=n, seed=seed)
        best = _problems.mse_loss(_problems.linear_params(*_problems.least_squares(x, y)), x, y)
        return _mse_problem(_with_bias(x, dtype), y, None, best, dtype)

    return Task("linear", make, steps, f"y = wx + b, {n} points, full batch")


def sparse_regression(n=500, d=20, batch_size=25, steps=60, dtype=np.float32):
    """The sparse-feature regression (features non-zero from always to 1% of the time), mini-
    batches of ``batch_size``, weights and bias in one vector; the loss is the full-data MSE."""
    steps = check_positive_int("steps", steps)
    batch_size = check_positive_int("batch_size", batch_size)

    def make(seed):
        data = _problems.sparse_regression_data(n=n, d=d, seed=seed)
        epochs = math.ceil(steps * batch_size / n)
        batches = list(_problems.minibatch_indices(n, batch_size, epochs, seed, drop_last=True))
        return _mse_problem(_with_bias(data.X, dtype), data.y, batches, 0.0, dtype)

    return Task("sparse", make, steps, f"{d} sparse features, batches of {batch_size}")


def digits_network(hidden=16, batch_size=64, steps=40, train_size=512, dtype=np.float32):
    """The one-hidden-layer ReLU network on scikit-learn's digits, mini-batches of
    ``batch_size``; the loss is the cross-entropy on the whole training set. The seed sets the
    initial weights and the batch order (the data split is fixed)."""
    steps = check_positive_int("steps", steps)
    batch_size = check_positive_int("batch_size", batch_size)
    data = _problems.load_digits(seed=0, dtype=dtype)
    X, y = data.X_train[:train_size], data.y_train[:train_size]
    n = len(y)

    def make(seed):
        params = _problems.init_mlp(hidden=hidden, seed=seed, dtype=dtype)
        epochs = math.ceil(steps * batch_size / n)
        batches = list(_problems.minibatch_indices(n, batch_size, epochs, seed, drop_last=True))
        return Problem(
            params,
            lambda p, step: _problems.mlp_loss_and_grad(p, X[batches[step]], y[batches[step]])[1],
            lambda p: _problems.mlp_loss_and_grad(p, X, y)[0],
        )

    return Task("digits", make, steps, f"64-{hidden}-10 ReLU net, batches of {batch_size}")


def default_tasks():
    """The chapter's seven tasks, in the table's order."""
    return [
        rosenbrock(),
        beale(),
        ravine(),
        rastrigin(),
        linear_regression(),
        sparse_regression(),
        digits_network(),
    ]


# ----- running ------------------------------------------------------------------------------------
def run(optimizer, problem, steps, bound=1e6):
    """Run ``optimizer`` for ``steps`` updates on ``problem`` (a copy of its parameters) and
    return ``(start loss, final loss)``; the final loss is ``inf`` when the run diverged (a loss
    or parameter not finite, or a parameter beyond ``±bound``). An optimizer with an ``eval``
    method (Schedule-Free) is switched to it before the final loss: it is scored at ``x``, its
    evaluation point, not at the ``y`` it takes gradients at. Errors the optimizer raises on
    the parameters (a shape it does not accept) propagate."""
    params = {k: np.array(v, copy=True) for k, v in problem.params.items()}
    start = float(problem.loss(params))
    with np.errstate(all="ignore"):
        for step in range(steps):
            optimizer.update(params, problem.grad(params, step))
            if not all(np.max(np.abs(v), initial=0.0) <= bound for v in params.values()):
                return start, math.inf  # NaN fails the test too
        if callable(getattr(optimizer, "eval", None)):
            optimizer.eval(params)  # Schedule-Free: the parameters now hold x
        try:
            final = float(problem.loss(params))
        except (OverflowError, ValueError, ZeroDivisionError):
            return start, math.inf
    return start, final if math.isfinite(final) else math.inf


def sweep(name, task, lrs=LEAGUE_LRS, seeds=(0, 1, 2), settings=None):
    """Final losses of registry optimizer ``name`` on ``task``: an array of shape
    ``(len(lrs), len(seeds))`` (``inf``: diverged), and the start losses per seed. ``settings``
    (default: ``SETTINGS.get(name, {})``) are extra constructor arguments.

    The problems are built once per seed and shared by every learning rate, so every rate sees
    the same starts and mini-batches. An optimizer that cannot run the task raises its error."""
    lrs = tuple(check_positive("lrs", lr) for lr in lrs)
    if not lrs or not seeds:
        raise ValueError("lrs and seeds must not be empty")
    settings = SETTINGS.get(registry.get(name).name, {}) if settings is None else settings
    problems = [task.make(seed) for seed in seeds]
    out = np.empty((len(lrs), len(seeds)))
    starts = np.empty(len(seeds))
    for i, lr in enumerate(lrs):
        for j, problem in enumerate(problems):
            starts[j], out[i, j] = run(
                registry.make(name, **{**settings, "lr": lr}), problem, task.steps
            )
    return out, starts


def not_applicable(name, task):
    """Why registry optimizer ``name`` cannot run ``task`` (``"n/a: matrices only"``), or None:
    its entry's :meth:`~optimlite.registry.OptimizerSpec.accepts` rejects a parameter's rank
    (the parameters of the task's seed-0 problem)."""
    spec = registry.get(name)
    ndims = {np.ndim(v) for v in task.make(0).params.values()}
    if all(spec.accepts(n) for n in ndims):
        return None
    ranks = {2: "matrices"}
    what = " and ".join(ranks.get(n, f"{n}-D tensors") for n in spec.ndims)
    return f"n/a: {what} only"


def league(tasks=None, names=None, lrs=LEAGUE_LRS, seeds=(0, 1, 2)):
    """Every optimizer of ``names`` (default: the whole registry, read now, so optimizers added
    later appear) on every task (default :func:`default_tasks`), each at every rate of ``lrs``
    and every seed, with :data:`SETTINGS`. Returns a :class:`League`; an optimizer that does
    not accept a task's parameter shapes (:func:`not_applicable`) is recorded as skipped there
    with ``"n/a: ..."``, one that raises with the error's message."""
    tasks = default_tasks() if tasks is None else list(tasks)
    names = registry.names() if names is None else tuple(registry.get(n).name for n in names)
    losses, starts, skipped = {}, {}, {}
    for task in tasks:
        for name in names:
            reason = not_applicable(name, task)
            if reason is not None:
                skipped[name, task.name] = reason
                continue
            try:
                losses[name, task.name], starts[task.name] = sweep(name, task, lrs, seeds)
            except (ValueError, TypeError, NotImplementedError) as exc:
                skipped[name, task.name] = f"{type(exc).__name__}: {exc}"
    return League(tuple(t.name for t in tasks), names, tuple(lrs), tuple(seeds), losses, starts,
                  skipped)  # fmt: skip


@dataclass
class League:
    """The results of :func:`league`.

    Attributes:
        tasks, names, lrs, seeds: what was run.
        losses: ``(name, task) -> (len(lrs), len(seeds))`` final losses (``inf``: diverged).
        starts: ``task -> `` start loss per seed.
        skipped: ``(name, task) -> reason`` for the optimizers that could not run a task
            (``"n/a: ..."`` when its parameter shapes are not accepted).
    """

    tasks: tuple
    names: tuple
    lrs: tuple
    seeds: tuple
    losses: dict
    starts: dict
    skipped: dict

    def medians(self, name, task):
        """Median final loss over the seeds, per learning rate."""
        return np.median(self.losses[name, task], axis=1)

    def best_index(self, name, task):
        """Index in ``lrs`` of the lowest median final loss (the smaller rate on a tie)."""
        return int(np.argmin(self.medians(name, task)))

    def best_lr(self, name, task):
        """The tuned learning rate: the lowest median final loss over the seeds."""
        return self.lrs[self.best_index(name, task)]

    def at_edge(self, name, task):
        """True when the best rate is the grid's smallest or largest."""
        return self.best_index(name, task) in (0, len(self.lrs) - 1)

    def best(self, name, task):
        """``(median, min, max)`` of the final loss over the seeds at the tuned rate."""
        row = self.losses[name, task][self.best_index(name, task)]
        return float(np.median(row)), float(row.min()), float(row.max())

    def good(self, name, task, fraction=0.5):
        """Boolean mask over ``lrs``: the rates whose median run makes at least ``fraction`` of
        the best rate's progress, progress measured in decades, ``log10(start / final)``. A
        forgiving optimizer has many good rates."""
        start = float(np.median(self.starts[task]))
        med = self.medians(name, task)
        floor = 1e-30  # a loss of exactly 0 counts as 30 decades of progress
        with np.errstate(divide="ignore"):  # a diverged rate (inf) makes -inf progress
            progress = np.log10(start / np.maximum(med, floor))
        best = progress.max()
        if not best > 0:
            return np.zeros(len(self.lrs), dtype=bool)
        return progress >= fraction * best

    def ranks(self, task):
        """``name -> rank`` on ``task`` by the tuned median final loss (1 is best; ties share
        the better rank; skipped optimizers are absent)."""
        meds = {n: self.best(n, task)[0] for n in self.names if (n, task) in self.losses}
        return {n: 1 + sum(other < m for other in meds.values()) for n, m in meds.items()}

    def mean_rank(self, name):
        """The optimizer's rank averaged over the tasks it ran (``nan`` when none)."""
        ranks = [self.ranks(t)[name] for t in self.tasks if (name, t) in self.losses]
        return float(np.mean(ranks)) if ranks else math.nan

    def order(self):
        """The optimizers, best mean rank first (skipped everywhere: last)."""
        return sorted(self.names, key=lambda n: (math.isnan(self.mean_rank(n)),
                                                 self.mean_rank(n)))  # fmt: skip

    def cell(self, name, task, kind="median"):
        """One table cell: the tuned rate's ``"median"`` or ``"worst"`` (largest over the seeds)
        final loss, or the tuned ``"lr"`` itself (``*`` after a rate on the grid's edge);
        ``n/a`` when the optimizer does not accept the task's parameter shapes, ``skipped`` when
        it raised on the task, ``diverged`` when every rate diverged."""
        if kind not in ("median", "worst", "lr"):
            raise ValueError(f"kind must be 'median', 'worst' or 'lr', got {kind!r}")
        if (name, task) in self.skipped:
            return "n/a" if self.skipped[name, task].startswith("n/a") else "skipped"
        med, _, hi = self.best(name, task)
        if not math.isfinite(med):
            return "diverged"
        if kind == "lr":
            return f"{self.best_lr(name, task):g}" + ("*" if self.at_edge(name, task) else "")
        return _fmt(med if kind == "median" else hi)

    def format(self, kind="median"):
        """The league table as text: one row per optimizer (best mean rank first), one column
        per task (cells by :meth:`cell`), then the mean rank; the skip reasons listed below."""
        order = self.order()
        widths = [max(len(t), 7) for t in self.tasks]
        name_w = max(len(n) for n in self.names)
        head = [
            f"{'':{name_w}s}",
            *(f"{t:>{w}s}" for t, w in zip(self.tasks, widths, strict=True)),
            "rank",
        ]
        lines = [" ".join(head)]
        for name in order:
            rank = self.mean_rank(name)
            cells = (
                f"{self.cell(name, t, kind):>{w}s}" for t, w in zip(self.tasks, widths, strict=True)
            )
            rank = "   -" if math.isnan(rank) else f"{rank:4.1f}"
            lines.append(" ".join([f"{name:{name_w}s}", *cells, rank]))
        reasons = {}
        for (name, task), reason in self.skipped.items():
            reasons.setdefault((name, reason), []).append(task)
        for (name, reason), tasks in reasons.items():
            where = "all tasks" if len(tasks) == len(self.tasks) else ", ".join(tasks)
            if reason.startswith("n/a: "):
                lines.append(f"{name}: n/a on {where} ({reason[5:]})")
            else:
                lines.append(f"{name} skipped on {where}: {reason}")
        return "\n".join(lines)

    def __str__(self):
        return self.format()


def _fmt(x):
    """A loss in 2 significant digits (``0`` for exact zeros)."""
    return "0" if x == 0 else f"{x:.1e}" if x < 0.01 or x >= 1000 else f"{x:.3g}"
