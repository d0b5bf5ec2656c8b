"""The one list of optimlite's optimizers: what each is, what it matches, how it is drawn.

Everything that needs "every optimizer" reads this table: the invariant tests (validation,
state_dict resume, dtype, allocation, blocked = unblocked), the plots' colours, the explorers'
``make("Adam", lr=0.1)`` and the chapters' tables. Adding an optimizer is its module, one
:class:`OptimizerSpec` below and its parity or reference test (``CONTRIBUTING.md``).

>>> from optimlite import registry
>>> registry.get("Adagrad").name                      # aliases find the entry
'AdaGrad'
>>> registry.make("Momentum", lr=0.1)
MomentumSGD(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from .adafactor import Adafactor
from .adaptive import AdaGrad, Adam, AdamW, RAdam, RMSprop
from .base import Optimizer
from .large_batch import LAMB, LARS
from .lion import Lion
from .lookahead import Lookahead
from .muon import Muon
from .schedule_free import ScheduleFreeAdamW, ScheduleFreeSGD
from .sgd import SGD, MomentumSGD, NesterovMomentum

__all__ = ["OptimizerSpec", "REGISTRY", "FAMILIES", "get", "make", "names", "color"]

#: The families, in the order the book teaches them.
FAMILIES = (
    "gradient descent", "momentum", "adaptive", "large batch", "sign", "wrapper",
    "orthogonalized", "schedule-free",
)  # fmt: skip


@dataclass(frozen=True)
class OptimizerSpec:
    """One optimizer of the course.

    Attributes:
        name: the name in figures, explorers and tables (``"Momentum"``).
        cls: the optimlite class.
        family: one of :data:`FAMILIES`.
        reference: what it matches, step for step: a ``torch.optim`` call where PyTorch has the
            algorithm, else the implementation the reference tests use (``"timm.optim.Lamb"``).
        chapter: the chapter that teaches it.
        color: its colour, the same in every figure (Okabe-Ito and Tol's colour-blind-safe sets).
        explorer: hyperparameters the 2-D explorers use (the learning rate is the explorer's).
        variants: constructor arguments that together reach every branch of the rule; the
            invariant tests run each of them.
        aliases: other names that find the entry (the class name, torch's spelling).
        rule: the update in one line (chapter 14's table), in the book's notation.
        use_when: when to reach for it, in a few words (chapter 14's table).
        ndims: the parameter ranks it accepts (None: any). Muon takes matrices only
            (``(2,)``); a table or explorer that runs every optimizer on vectors skips it with
            :meth:`accepts`, and the invariant tests ask :meth:`example_shape` for a parameter.
    """

    name: str
    cls: type[Optimizer]
    family: str
    reference: str
    chapter: int
    color: str
    explorer: dict = field(default_factory=dict)
    variants: tuple[dict, ...] = ({},)
    aliases: tuple[str, ...] = ()
    rule: str = ""
    use_when: str = ""
    ndims: tuple[int, ...] | None = None

    def accepts(self, ndim: int) -> bool:
        """True when parameters with ``ndim`` dimensions can be given to this optimizer."""
        return self.ndims is None or ndim in self.ndims

    def example_shape(self, n: int) -> tuple[int, ...]:
        """A parameter shape of ``n`` elements this optimizer accepts: ``(n,)``, or for a
        matrix-only optimizer ``(rows, n // rows)`` with ``rows`` the largest divisor of ``n``
        not above its cube root (a wide matrix, cheap for Muon's Gram matrix)."""
        if self.accepts(1):
            return (n,)
        rows = max(d for d in range(1, int(round(n ** (1 / 3))) + 1) if n % d == 0)
        return (rows, n // rows)

    @property
    def matches_torch(self) -> bool:
        """True when ``reference`` is a ``torch.optim`` optimizer (parity tested in float64)."""
        return self.reference.startswith("torch.optim.")

    def make(self, **kwargs) -> Optimizer:
        """A fresh optimizer: the explorer defaults, overridden by ``kwargs``.

        A wrapper (Lookahead) takes its inner optimizer as ``optimizer=`` (an instance or a
        registry name); the arguments that are not the wrapper's own go to that inner one.
        """
        kwargs = {**self.explorer, **kwargs}
        if self.family != "wrapper":
            return self.cls(**kwargs)
        inner = kwargs.pop("optimizer")
        own = {k: kwargs.pop(k) for k in self.cls.hyperparameters if k in kwargs}
        if not isinstance(inner, Optimizer):
            inner = make(inner, **kwargs)
        elif kwargs:
            raise ValueError(f"arguments {sorted(kwargs)} given with an optimizer instance")
        return self.cls(inner, **own)


_SPECS = (
    OptimizerSpec(
        "SGD", SGD, "gradient descent", "torch.optim.SGD", 2, "#0072B2",
        rule="θ ← θ − η g",
        use_when="convex problems, baselines, and with momentum most vision training",
        variants=(
            {"lr": 0.05},
            {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01},
            {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
        ),
        aliases=("GD",),
    ),
    OptimizerSpec(
        "Momentum", MomentumSGD, "momentum", "torch.optim.SGD(momentum=0.9)", 4, "#E69F00",
        explorer={"momentum": 0.9},
        rule="b ← μ b + g;  θ ← θ − η b",
        use_when="ravines and noisy gradients; the default SGD for CNNs (ResNet recipe)",
        variants=({}, {"lr": 0.02, "dampening": 0.5, "weight_decay": 0.01}),
        aliases=("MomentumSGD",),
    ),
    OptimizerSpec(
        "Nesterov", NesterovMomentum, "momentum", "torch.optim.SGD(momentum=0.9, nesterov=True)",
        5, "#D55E00",
        explorer={"momentum": 0.9},
        rule="b ← μ b + g;  θ ← θ − η (g + μ b)",
        use_when="as momentum, with less overshoot; often a small gain over it",
        variants=({"lr": 0.02}, {"lr": 0.02, "momentum": 0.5, "weight_decay": 0.01}),
        aliases=("NesterovMomentum",),
    ),
    OptimizerSpec(
        "AdaGrad", AdaGrad, "adaptive", "torch.optim.Adagrad", 6, "#009E73",
        rule="s ← s + g²;  θ ← θ − η g / (√s + ε)",
        use_when="sparse features (embeddings, linear models); short convex runs",
        variants=(
            {"lr": 0.1},
            {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1, "weight_decay": 0.01},
        ),
        aliases=("Adagrad",),
    ),
    OptimizerSpec(
        "RMSprop", RMSprop, "adaptive", "torch.optim.RMSprop", 7, "#56B4E9",
        rule="v ← α v + (1−α) g²;  θ ← θ − η g / (√v + ε)",
        use_when="non-stationary objectives, RNNs and reinforcement learning",
        variants=({}, {"centered": True, "momentum": 0.5, "weight_decay": 0.01}),
    ),
    OptimizerSpec(
        "Adam", Adam, "adaptive", "torch.optim.Adam", 8, "#CC79A7",
        rule="m, v: EMAs of g, g²;  θ ← θ − η m̂ / (√v̂ + ε)",
        use_when="a robust default with little tuning; weight decay as L2 only",
        variants=(
            {"lr": 0.01},
            {"lr": 0.01, "amsgrad": True, "weight_decay": 0.01},
            {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
        ),
    ),
    OptimizerSpec(
        "AdamW", AdamW, "adaptive", "torch.optim.AdamW", 9, "#882255",
        rule="θ ← (1 − ηλ) θ, then Adam's step",
        use_when="the default for Transformers and whenever weight decay matters",
        variants=({"lr": 0.01}, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
    ),
    OptimizerSpec(
        "RAdam", RAdam, "adaptive", "torch.optim.RAdam", 10, "#999933",
        rule="Adam, its step scaled by a variance rectification (plain momentum early)",
        use_when="Adam without a warm-up schedule",
        variants=(
            {"lr": 0.01},
            {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
        ),
    ),
    OptimizerSpec(
        "LARS", LARS, "large batch", "timm.optim.Lars", 10, "#117733",
        rule="SGD momentum on (g + λθ) · η_tr ‖θ‖ / (‖g‖ + λ‖θ‖)",
        use_when="very large batches with SGD (ResNet at batch 32K)",
        variants=(
            {"lr": 0.5, "momentum": 0.9, "weight_decay": 0.01, "nesterov": True},
            {"lr": 0.5, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01,
             "trust_clip": True, "exclude_1d": True},
            {"lr": 0.1, "always_adapt": True},
            {"lr": 0.1},
        ),  # fmt: skip
    ),
    OptimizerSpec(
        "LAMB", LAMB, "large batch", "timm.optim.Lamb", 10, "#AA4499",
        rule="Adam's direction u + λθ, scaled per tensor by ‖θ‖ / ‖u‖",
        use_when="very large batches with Adam (BERT pre-training)",
        variants=(
            {"lr": 0.01},
            {"lr": 0.01, "grad_averaging": False, "trust_clip": True, "exclude_1d": True,
             "max_grad_norm": None},
            {"lr": 0.01, "weight_decay": 0.0},
            {"lr": 0.01, "weight_decay": 0.0, "always_adapt": True, "bias_correction": False,
             "max_grad_norm": 0.05},
        ),  # fmt: skip
    ),
    OptimizerSpec(
        "Lion", Lion, "sign", "timm.optim.Lion", 10, "#000000",
        rule="θ ← θ − η (sign(β₁m + (1−β₁)g) + λθ);  m ← EMA(g)",
        use_when="memory-tight training; needs a 3-10x smaller η than AdamW",
        variants=({"lr": 1e-3}, {"lr": 1e-3, "weight_decay": 0.1}),
    ),
    OptimizerSpec(
        "Lookahead", Lookahead, "wrapper", "timm.optim.Lookahead", 10, "#6699CC",
        explorer={"optimizer": "Adam"},
        rule="every k steps: slow ← slow + α (fast − slow); fast ← slow",
        use_when="stabilising any optimizer (Ranger = RAdam + Lookahead)",
        variants=(
            {"optimizer": "Adam", "lr": 0.01, "k": 3},
            {"optimizer": "Momentum", "lr": 0.02, "k": 4, "alpha": 0.7},
        ),
    ),
    OptimizerSpec(
        "Muon", Muon, "orthogonalized", "torch.optim.Muon", 15, "#332288",
        explorer={"momentum": 0.95},
        rule="B ← μB + (1−μ)G;  θ ← θ − η′ NS((1−μ)G + μB), NS: orthogonalise",
        use_when="hidden-layer weight matrices (2-D only); AdamW for the other tensors",
        variants=(
            {"lr": 0.02},
            {"lr": 0.02, "nesterov": False, "weight_decay": 0.0, "adjust_lr_fn": "original"},
            {"lr": 0.01, "momentum": 0.5, "ns_steps": 3, "adjust_lr_fn": "match_rms_adamw"},
        ),
        ndims=(2,),
    ),
    OptimizerSpec(
        "Adafactor", Adafactor, "adaptive", "torch.optim.Adafactor", 15, "#44AA99",
        rule="V̂ = row EMA · column EMA of G²;  θ ← θ − α_t G/√V̂, α_t ∝ RMS(θ)",
        use_when="large models short of memory (T5); no momentum, factored second moment",
        variants=(
            {"lr": 0.01},
            {"lr": 0.05, "beta2_decay": -0.5, "eps": (1e-30, 1e-3), "d": 1.5,
             "weight_decay": 0.1},
        ),
    ),
    OptimizerSpec(
        "SF-AdamW", ScheduleFreeAdamW, "schedule-free", "schedulefree.AdamWScheduleFree", 15,
        "#CC6677",
        rule="gradient at y = (1−β)z + βx;  z takes AdamW's step;  x averages the z's",
        use_when="AdamW without a schedule or a fixed horizon; evaluate in eval mode (x)",
        variants=(
            {"lr": 0.01},
            {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1, "warmup_steps": 5,
             "r": 1.0, "weight_lr_power": 1.0},
        ),
        aliases=("ScheduleFreeAdamW", "AdamWScheduleFree"),
    ),
    OptimizerSpec(
        "SF-SGD", ScheduleFreeSGD, "schedule-free", "schedulefree.SGDScheduleFree", 15,
        "#DDCC77",
        rule="gradient at y = (1−β)z + βx;  z ← z − γ g;  x averages the z's",
        use_when="SGD + momentum without a schedule or a fixed horizon; eval mode for x",
        variants=(
            {"lr": 0.1},
            {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.01, "warmup_steps": 4, "r": 0.5},
        ),
        aliases=("ScheduleFreeSGD", "SGDScheduleFree"),
    ),
)  # fmt: skip

#: name -> :class:`OptimizerSpec`, in the order the book teaches them (read-only).
REGISTRY = MappingProxyType({spec.name: spec for spec in _SPECS})
_BY_ALIAS = {alias: spec for spec in _SPECS for alias in (spec.name, *spec.aliases)}


def get(name: str) -> OptimizerSpec:
    """The entry of ``name`` (a registry name or alias); ``ValueError`` listing them otherwise."""
    spec = _BY_ALIAS.get(name)
    if spec is None:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(REGISTRY)}")
    return spec


def make(name: str, **kwargs) -> Optimizer:
    """A fresh optimizer ``name`` with the explorer defaults and ``kwargs`` (e.g. ``lr=0.1``)."""
    return get(name).make(**kwargs)


def names(family: str | None = None) -> tuple[str, ...]:
    """Registry names, in book order; only those of ``family`` when given."""
    if family is not None and family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; choose one of {', '.join(FAMILIES)}")
    return tuple(n for n, s in REGISTRY.items() if family is None or s.family == family)


def color(name: str, default: str | None = None) -> str | None:
    """The colour of optimizer ``name`` (or an alias); ``default`` for other names."""
    spec = _BY_ALIAS.get(name)
    return spec.color if spec is not None else default
