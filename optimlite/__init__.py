"""optimlite: small, exact, fast numpy optimizers for the course "Understanding Optimizers".

Every optimizer follows the article's interface::

    opt = Adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    params = opt.update(params, grads)   # dicts of numpy arrays, updated in place

and matches ``torch.optim`` where torch has the algorithm (timm and the papers elsewhere).

``import optimlite`` loads numpy only. The modules that need matplotlib, ipywidgets, scikit-learn
or torch (``plots``, ``explorers``, ``torch_bridge``, the digits loader) load on first use.
"""

import importlib

from . import landscapes, problems, registry  # numpy only, like the rest
from .adafactor import Adafactor
from .adaptive import AdaGrad, Adagrad, Adam, AdamW, RAdam, RMSprop
from .base import Optimizer
from .clip import clip_grad_norm, clip_grad_value
from .large_batch import LAMB, LARS
from .lion import Lion
from .lookahead import Lookahead
from .muon import Muon
from .schedule_free import ScheduleFreeAdamW, ScheduleFreeSGD
from .schedules import (
    CosineAnnealingLR,
    ExponentialLR,
    InverseTimeLR,
    LRScheduler,
    MultiStepLR,
    OneCycleLR,
    StepLR,
    WarmupCosineLR,
    WarmupLinearLR,
    cosine_annealing,
    exponential_decay,
    inverse_time_decay,
    step_decay,
    warmup_cosine,
)
from .sgd import SGD, MomentumSGD, NesterovMomentum
from .split import Split
from .trajectory import Trajectory, run_trajectory

_LAZY_MODULES = {"plots", "explorers", "torch_bridge", "league", "lr_finder"}

__all__ = [
    "Optimizer",
    "SGD",
    "MomentumSGD",
    "NesterovMomentum",
    "AdaGrad",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
    "RAdam",
    "LARS",
    "LAMB",
    "Lion",
    "Lookahead",
    "Muon",
    "Adafactor",
    "ScheduleFreeAdamW",
    "ScheduleFreeSGD",
    "Split",
    "LRScheduler",
    "StepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "OneCycleLR",
    "WarmupCosineLR",
    "MultiStepLR",
    "WarmupLinearLR",
    "InverseTimeLR",
    "step_decay",
    "exponential_decay",
    "cosine_annealing",
    "warmup_cosine",
    "inverse_time_decay",
    "clip_grad_norm",
    "clip_grad_value",
    "Trajectory",
    "run_trajectory",
    "landscapes",
    "problems",
    "registry",
    "plots",
    "explorers",
    "torch_bridge",
    "league",
    "lr_finder",
]


def __getattr__(name):
    """Import the heavy modules (matplotlib, ipywidgets, torch) only when first touched."""
    if name in _LAZY_MODULES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'optimlite' has no attribute {name!r}")
