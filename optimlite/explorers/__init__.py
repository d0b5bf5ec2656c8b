"""The course's ready explorers: one call each; live sliders in Jupyter, working ones in the book.

=========================  ====================================================================
``lr_dilemma()``           gradient descent at a learning rate on a log grid (the article's
                           linear regression by default): too small, right, too large, diverging
``sgd_noise()``            mini-batch SGD, learning rate x batch size, on the linear regression:
                           the path, full-batch GD and the predicted noise ball
``momentum()``             learning rate x momentum in the ravine, against plain GD, beside
                           the theory's rate map in the (ηλ, μ) plane (``nesterov=True`` adds
                           Nesterov's method)
``overshoot()``            heavy ball vs Nesterov along one eigen-direction, ηλ x β: the runs,
                           their overshoot, and both rates against ηλ (theory and measured)
``adagrad_vs_rmsprop()``   RMSprop's decay rate vs AdaGrad's ever-shrinking effective step
``rmsprop_decay()``        RMSprop's learning rate x decay rate, beside its sign-descent limit
``adam_betas()``           Adam's :math:`\\beta_1` x :math:`\\beta_2`
``weight_decay()``         L2 inside Adam vs AdamW's decoupled decay, learning rate x decay, on
                           a bowl with two gradient scales: the paths and the decay each
                           coordinate receives
``clipping()``             clipping by global norm on a network whose gradients explode,
                           learning rate x threshold: the norm before clipping and the loss
``race()``                 several optimizers on one landscape, scrubbed step by step
``schedule(kind)``         a learning-rate schedule's curve as its parameters change, and what
                           it does to noisy SGD
``orthogonalize()``        Muon's Newton-Schulz iterations x polynomial: one singular value
                           through the polynomial, and a matrix's singular values before/after
``tour()``                 the landscape's features (local minimum, saddle, plateau, ravine) x
                           GD, momentum, Adam x learning rate
=========================  ====================================================================

Use one as the last expression of a notebook cell::

    from optimlite import explorers
    explorers.momentum(kappa=50)

Each returns an :class:`Explorer`. The package, by layer:

=========================  ====================================================================
``sliders``                :class:`Slider` and its value grids (:func:`log_grid`,
                           :func:`linear_grid`)
``static_html``            the static face's HTML and JS (no plotting library)
``core``                   :class:`Scene`, :class:`Explorer` and the PNG renderer: the two faces,
                           how to declare your own explorer
``scenes``                 :class:`RunsScene` (runs on a landscape + loss curves) and the helpers
                           the ready explorers share
``gd``                     chapters 2-3: ``lr_dilemma``, ``sgd_noise``
``momentum``               chapters 4-5: ``momentum``
``nesterov``               chapter 5: ``overshoot``
``adaptive``               chapters 6-8: ``adagrad_vs_rmsprop``, ``rmsprop_decay``,
                           ``adam_betas``
``weight_decay``           chapter 9: ``weight_decay``
``clipping``               chapter 13: ``clipping``
``race``                   ``race`` (any chapter comparing optimizers)
``schedules``              chapter 11: ``schedule``
``tour``                   chapter 1: ``tour``
``beyond``                 chapter 15: ``orthogonalize``
=========================  ====================================================================

Every run goes through :func:`optimlite.run_trajectory` with the package's optimizers (named
ones from :mod:`optimlite.registry`); a run that diverges is drawn up to the divergence and
labelled.
"""

from .adaptive import adagrad_vs_rmsprop, adam_betas, rmsprop_decay
from .beyond import orthogonalize
from .clipping import clipping
from .core import Explorer, Scene
from .gd import lr_dilemma, sgd_noise
from .momentum import momentum
from .nesterov import overshoot
from .race import DEFAULT_RACE, RACE_LRS, race, tuned_lr
from .scenes import RunsScene, curvature
from .schedules import SCHEDULE_KINDS, schedule
from .sliders import Slider, linear_grid, log_grid
from .static_html import MAX_HTML_BYTES
from .tour import TOUR_LANDSCAPES, tour
from .weight_decay import weight_decay

__all__ = [
    "Explorer",
    "Scene",
    "Slider",
    "RunsScene",
    "log_grid",
    "linear_grid",
    "MAX_HTML_BYTES",
    "lr_dilemma",
    "sgd_noise",
    "momentum",
    "overshoot",
    "adagrad_vs_rmsprop",
    "rmsprop_decay",
    "adam_betas",
    "weight_decay",
    "clipping",
    "race",
    "schedule",
    "SCHEDULE_KINDS",
    "DEFAULT_RACE",
    "RACE_LRS",
    "tuned_lr",
    "curvature",
    "tour",
    "TOUR_LANDSCAPES",
    "orthogonalize",
]
