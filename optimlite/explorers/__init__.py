"""The course's ready explorers: one call each; live sliders in Jupyter, working ones in the book.

=========================  ====================================================================
``lr_dilemma()``           gradient descent at a learning rate on a log grid (the article's
                           linear regression by default): too small, right, too large, diverging
``momentum()``             learning rate x momentum in the ravine, against plain GD
                           (``nesterov=True`` adds Nesterov's method)
``adagrad_vs_rmsprop()``   RMSprop's decay rate vs AdaGrad's ever-shrinking effective step
``adam_betas()``           Adam's :math:`\\beta_1` x :math:`\\beta_2`
``race()``                 several optimizers on one landscape, scrubbed step by step
``schedule(kind)``         a learning-rate schedule's curve as its parameters change, and what
                           it does to noisy SGD
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
``gd``                     chapter 2: ``lr_dilemma``
``momentum``               chapters 4-5: ``momentum``
``adaptive``               chapters 6-8: ``adagrad_vs_rmsprop``, ``adam_betas``
``race``                   ``race`` (any chapter comparing optimizers)
``schedules``              chapter 11: ``schedule``
=========================  ====================================================================

Every run goes through :func:`optimlite.run_trajectory` with the package's optimizers (named
ones from :mod:`optimlite.registry`); a run that diverges is drawn up to the divergence and
labelled.
"""

from .adaptive import adagrad_vs_rmsprop, adam_betas
from .core import Explorer, Scene
from .gd import lr_dilemma
from .momentum import momentum
from .race import DEFAULT_RACE, RACE_LRS, race, tuned_lr
from .scenes import RunsScene, curvature
from .schedules import SCHEDULE_KINDS, schedule
from .sliders import Slider, linear_grid, log_grid
from .static_html import MAX_HTML_BYTES

__all__ = [
    "Explorer",
    "Scene",
    "Slider",
    "RunsScene",
    "log_grid",
    "linear_grid",
    "MAX_HTML_BYTES",
    "lr_dilemma",
    "momentum",
    "adagrad_vs_rmsprop",
    "adam_betas",
    "race",
    "schedule",
    "SCHEDULE_KINDS",
    "DEFAULT_RACE",
    "RACE_LRS",
    "tuned_lr",
    "curvature",
]
