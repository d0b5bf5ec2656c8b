"""Chapter 10's explorer: the batch size against the recipes of :mod:`optimlite.batch_scaling`.

:func:`batch_size` trains the digits network with every recipe (SGD with momentum and Adam under
linear and square-root learning-rate scaling, LARS, LAMB) at the batch size on the slider, for
the same number of epochs, so that a larger batch means fewer steps. Left: the test accuracy
after every epoch at that batch size. Right: the final test accuracy of every recipe against the
batch size, with the slider's batch size marked. The runs are
:func:`optimlite.batch_scaling.large_batch_run`, cached, so the chapter's table and this
explorer compute each one once.
"""

from __future__ import annotations

import numpy as np

from .. import plots
from ..batch_scaling import RECIPES, large_batch_run
from ..validation import check_int
from .core import Explorer, Scene
from .sliders import Slider

__all__ = ["batch_size", "LARGE_BATCHES"]

#: The batch sizes offered by default (1347 is the whole training split).
LARGE_BATCHES = (32, 128, 512, 1347)

_STYLES = {
    "SGD-momentum, linear": ("Momentum", "-"),
    "SGD-momentum, sqrt": ("Momentum", "--"),
    "Adam, linear": ("Adam", "-"),
    "Adam, sqrt": ("Adam", "--"),
    "LARS, linear": ("LARS", "-"),
    "LARS, sqrt": ("LARS", "--"),
    "LAMB, linear": ("LAMB", "-"),
    "LAMB, sqrt": ("LAMB", "--"),
}


def recipe_style(name: str) -> dict:
    """Colour (the registry's, by optimizer) and line style of recipe ``name``."""
    family, ls = _STYLES[name]
    return {"color": plots.color_for(family), "ls": ls}


class BatchSizeScene(Scene):
    """Left: test accuracy per epoch at one batch size; right: final accuracy vs batch size."""

    size = (9.0, 3.6)

    def __init__(self, batches, names, epochs, seed):
        self.batches, self.names, self.epochs, self.seed = batches, names, epochs, seed

    def run(self, name, b):
        return large_batch_run(name, b, self.epochs, self.seed)

    def setup(self, fig):
        fig.set_layout_engine("constrained")
        ax_c, ax_f = fig.subplots(1, 2)
        ax_c.set(xlim=(0, self.epochs), ylim=(0.0, 1.0), xlabel="epoch",
                 ylabel="test accuracy")  # fmt: skip
        ax_c.set_title("accuracy after each epoch", fontsize=9)
        self.curves = {}
        for name in self.names:
            (line,) = ax_c.plot([], [], lw=1.6, label=name, **recipe_style(name))
            self.curves[name] = self.moving(line)
        ax_c.legend(loc="lower right", fontsize=7)
        finals = {n: [self.run(n, b).test_accuracy[-1] for b in self.batches] for n in self.names}
        for name, acc in finals.items():
            ax_f.plot(self.batches, np.nan_to_num(acc, nan=0.0), marker="o", ms=3, lw=1.3,
                      **recipe_style(name))  # fmt: skip
        ax_f.set_xscale("log", base=2)
        ax_f.set_xticks(self.batches, [str(b) for b in self.batches])
        ax_f.minorticks_off()
        ax_f.set(ylim=(0.0, 1.0), xlabel="batch size (equal epochs)",
                 ylabel="final test accuracy")  # fmt: skip
        ax_f.set_title(f"after {self.epochs} epochs", fontsize=9)
        self.marker = self.moving(ax_f.axvline(self.batches[0], color="0.3", lw=1.0, ls=":"))

    def update(self, batch_size):
        epochs = np.arange(self.epochs + 1)
        parts = [f"batch {batch_size}:"]
        for name in self.names:
            r = self.run(name, batch_size)
            self.curves[name].set_data(epochs, np.nan_to_num(r.test_accuracy, nan=0.0))
            if r.diverged_at is not None:
                parts.append(f"{name} diverged at step {r.diverged_at};")
            else:
                parts.append(f"{name} {r.test_accuracy[-1]:.3f};")
        self.marker.set_xdata([batch_size, batch_size])
        steps = self.run(self.names[0], batch_size).steps
        return " ".join(parts) + f" ({steps} steps)."


def batch_size(*, batches=LARGE_BATCHES, names=None, epochs: int = 10, seed: int = 0,
               title=None) -> Explorer:  # fmt: skip
    """The large-batch experiment with a batch-size slider (see the module's docstring).

    Args:
        batches: batch sizes offered (positive integers, increasing).
        names: recipes shown (keys of :data:`optimlite.batch_scaling.RECIPES`; default all).
        epochs: passes over the training set per run (at least 1).
        seed: data split, initialisation and batch order.
    """
    epochs = check_int("epochs", epochs, minimum=1)
    batches = tuple(batches)
    if not batches or not all(isinstance(b, int | np.integer) and b > 0 for b in batches):
        raise ValueError(f"batches must be positive integers, got {batches!r}")
    if list(batches) != sorted(set(batches)):
        raise ValueError(f"batches must be increasing, got {batches!r}")
    names = tuple(RECIPES) if names is None else tuple(names)
    unknown = [n for n in names if n not in RECIPES]
    if not names or unknown:
        raise ValueError(f"names must be recipes of {list(RECIPES)}, got {names!r}")
    scene = BatchSizeScene(tuple(int(b) for b in batches), names, epochs, seed)
    default = 512 if 512 in batches else None
    sliders = [Slider("batch_size", scene.batches, label="batch size", default=default,
                      fmt="{:d}")]  # fmt: skip
    return Explorer(scene, sliders, title=title or "Large batches at equal epochs")
