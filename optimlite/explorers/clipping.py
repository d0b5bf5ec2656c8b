"""Chapter 13's explorer: gradient clipping on a network whose gradients explode.

The network is :func:`init_exploding_mlp`: a deep, narrow ReLU network on the digits whose
weights start ``gain`` times larger than He initialisation, so every layer multiplies the
backpropagated gradient by about ``gain``: with 8 hidden layers and ``gain = 1.6`` the first
gradients are hundreds of times larger than a well-initialised network's. Plain SGD with
momentum takes one huge step and ruins the network (NaN, or every ReLU dead); clipping the
gradient's global norm (:func:`optimlite.clip_grad_norm`) or its values
(:func:`optimlite.clip_grad_value`) caps the step and lets it train.

:func:`clipped_run` trains it with optimlite's SGD and a clipping rule and records the norm before
clipping, the loss and the accuracy; :func:`clipping` shows, for the learning rate and the
threshold on the sliders, the run without clipping and the run clipped by norm: the gradient norm
before clipping (with the threshold) and the training loss.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .. import plots, problems
from ..clip import clip_grad_norm, clip_grad_value
from ..norms import global_norm
from ..sgd import SGD
from ..validation import check_int, check_non_negative, check_positive, check_positive_values
from .core import Explorer, Scene
from .scenes import RunCache
from .sliders import Slider

__all__ = [
    "init_exploding_mlp",
    "deep_mlp_logits",
    "deep_mlp_loss_and_grad",
    "ClippedRun",
    "clipped_run",
    "clipping",
    "moving_average",
    "CHANCE_LOSS",
]

#: ln 10: the loss of a network that predicts all ten classes equally (dead ReLUs give this).
CHANCE_LOSS = math.log(10.0)
#: the explorer's loss axis (log): the first losses are near 100, a trained network's below 1
LOSS_RANGE = (0.1, 300.0)


def init_exploding_mlp(depth=8, width=32, gain=1.6, n_features=64, n_classes=10, seed=0,
                       dtype=np.float32):  # fmt: skip
    """Weights of a ReLU network with ``depth`` hidden layers of ``width`` units, drawn normal
    with standard deviation ``gain`` times He's :math:`\\sqrt{2/\\text{fan\\_in}}` (the output
    layer ``gain`` times :math:`\\sqrt{1/\\text{fan\\_in}}`), biases zero. ``gain = 1`` is a
    well-initialised network; each unit of gain above 1 multiplies the gradient reaching the
    first layer by about ``gain ** depth``. Keys ``W0, b0, ..., W{depth}, b{depth}``, weights of
    shape ``(fan_in, fan_out)`` (transpose them for ``torch.nn.Linear``)."""
    depth = check_int("depth", depth, minimum=1)
    width = check_int("width", width, minimum=1)
    gain = check_positive("gain", gain)
    rng = np.random.default_rng(seed)
    dims = [n_features] + [width] * depth + [n_classes]
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:], strict=True)):
        he = 2.0 if i < depth else 1.0
        std = gain * math.sqrt(he / fan_in)
        params[f"W{i}"] = (std * rng.standard_normal((fan_in, fan_out))).astype(dtype)
        params[f"b{i}"] = np.zeros(fan_out, dtype=dtype)
    return params


def _layers(params):
    n = len(params) // 2
    return [(params[f"W{i}"], params[f"b{i}"]) for i in range(n)]


def deep_mlp_logits(params, X):
    """The logits of :func:`init_exploding_mlp`'s network: ReLU after every layer but the last."""
    a = X
    layers = _layers(params)
    for W, b in layers[:-1]:
        a = np.maximum(a @ W + b, 0)
    W, b = layers[-1]
    return a @ W + b


def deep_mlp_loss_and_grad(params, X, y):
    """Mean cross-entropy of the deep ReLU network and its gradient by backpropagation (same
    keys, shapes and dtype as ``params``)."""
    layers = _layers(params)
    acts, pre = [X], []
    with np.errstate(over="ignore", invalid="ignore"):
        for W, b in layers[:-1]:
            h = acts[-1] @ W + b
            pre.append(h)
            acts.append(np.maximum(h, 0))
        W, b = layers[-1]
        loss, d = problems.cross_entropy(acts[-1] @ W + b, y)
        grads = {}
        for i in range(len(layers) - 1, -1, -1):
            W = layers[i][0]
            grads[f"W{i}"] = acts[i].T @ d
            grads[f"b{i}"] = d.sum(axis=0)
            if i:
                d = (d @ W.T) * (pre[i - 1] > 0)
    return loss, {k: grads[k] for k in params}


class ClippedRun(NamedTuple):
    """One training run of :func:`clipped_run`.

    ``norms[k]`` is the global gradient norm at step ``k`` before clipping, ``losses[k]`` the
    mini-batch loss there; both stop early when the run diverged (``diverged_at``, the step whose
    loss or gradient was not finite). ``accuracy`` is on the held-out digits (NaN after a
    divergence)."""

    norms: np.ndarray
    losses: np.ndarray
    diverged_at: int | None
    accuracy: float


def clipped_run(lr, clip=None, max_norm=1.0, clip_value=0.1, steps=150, batch_size=64,
                momentum=0.9, depth=8, width=32, gain=1.6, seed=0, digits=None):  # fmt: skip
    """Train :func:`init_exploding_mlp`'s network on the digits with optimlite's SGD (with
    ``momentum``), the gradients clipped before each step:
    ``clip=None`` (no clipping), ``"norm"`` (:func:`~optimlite.clip_grad_norm` at ``max_norm``)
    or ``"value"`` (:func:`~optimlite.clip_grad_value` at ``clip_value``).

    ``seed`` sets the initial weights and the mini-batch order; ``digits`` is a
    :class:`~optimlite.problems.Digits` split (default ``problems.load_digits()``). Returns a
    :class:`ClippedRun`."""
    lr = check_positive("lr", lr)
    if clip not in (None, "norm", "value"):
        raise ValueError(f"clip must be None, 'norm' or 'value', got {clip!r}")
    max_norm = check_non_negative("max_norm", max_norm)
    clip_value = check_non_negative("clip_value", clip_value)
    steps = check_int("steps", steps, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    data = problems.load_digits() if digits is None else digits
    params = init_exploding_mlp(depth, width, gain, seed=seed, dtype=data.X_train.dtype)
    opt = SGD(lr=lr, momentum=momentum)
    n = len(data.y_train)
    epochs = math.ceil(steps * batch_size / n) + 1
    batches = problems.minibatch_indices(n, batch_size, epochs=epochs, seed=seed, drop_last=True)
    norms, losses, diverged_at = [], [], None
    with np.errstate(over="ignore", invalid="ignore"):
        for k, idx in zip(range(steps), batches, strict=False):
            loss, grads = deep_mlp_loss_and_grad(params, data.X_train[idx], data.y_train[idx])
            norm = global_norm(list(grads.values()))  # before clipping
            if not (math.isfinite(loss) and math.isfinite(norm)):
                diverged_at = k
                break
            norms.append(norm)
            losses.append(loss)
            if clip == "norm":
                clip_grad_norm(grads, max_norm)
            elif clip == "value":
                clip_grad_value(grads, clip_value)
            opt.update(params, grads)
        if diverged_at is None:
            logits = deep_mlp_logits(params, data.X_test)
            accuracy = problems.accuracy(logits, data.y_test)
        else:
            accuracy = math.nan
    return ClippedRun(np.array(norms), np.array(losses), diverged_at, accuracy)


def moving_average(x, width=10):
    """A trailing moving average over up to ``width`` values (to read a noisy mini-batch loss)."""
    x = np.asarray(x, dtype=float)
    c = np.concatenate([[0.0], np.cumsum(x)])
    i = np.arange(1, len(x) + 1)
    lo = np.maximum(i - width, 0)
    return (c[i] - c[lo]) / (i - lo)


class ClippingScene(Scene):
    """Left: the gradient norm before clipping, per step (log scale), with the threshold. Right:
    the training loss (moving average of 10 mini-batches, log scale), with the chance level
    ln 10."""

    size = (9.0, 3.4)
    names = ("no clipping", "clip by norm")

    def __init__(self, steps, digits, **run_kwargs):
        self.steps, self.digits, self.run_kwargs = steps, digits, run_kwargs
        self.colors = {"no clipping": plots.DIVERGED_COLOR, "clip by norm": plots.PALETTE[0]}
        self.cache = RunCache()

    def run(self, lr, max_norm=None):
        clip = None if max_norm is None else "norm"
        return self.cache.get_or_run(
            (lr, max_norm),
            lambda: clipped_run(lr, clip, max_norm=max_norm or 0.0, steps=self.steps,
                                digits=self.digits, **self.run_kwargs),
        )  # fmt: skip

    def setup(self, fig):
        fig.set_layout_engine("constrained")
        self.ax_n, self.ax_l = fig.subplots(1, 2)
        self.ax_n.set_yscale("log")
        self.ax_n.set(xlim=(0, self.steps), ylim=(1e-2, 1e6), xlabel="step",
                      ylabel="gradient norm before clipping")  # fmt: skip
        self.ax_n.set_title("global gradient norm", fontsize=9)
        self.ax_l.set_yscale("log")
        self.ax_l.set(xlim=(0, self.steps), ylim=LOSS_RANGE, xlabel="step",
                      ylabel="training loss (mean of 10 batches)")  # fmt: skip
        self.ax_l.axhline(CHANCE_LOSS, color=plots.REFERENCE_COLOR, lw=0.8, ls=":")
        self.ax_l.text(self.steps * 0.98, CHANCE_LOSS * 1.08, "chance (ln 10)", ha="right",
                       va="bottom", fontsize=7.5, color="0.35")  # fmt: skip
        self.ax_l.set_title("training loss", fontsize=9)
        self.lines = {}
        for name in self.names:
            for ax in (self.ax_n, self.ax_l):
                (line,) = ax.plot([], [], color=self.colors[name], lw=1.4, label=name)
                self.lines[name, ax] = self.moving(line)
        (self.threshold,) = self.ax_n.plot([], [], color="0.25", lw=0.9, ls="--",
                                           label="threshold")  # fmt: skip
        self.moving(self.threshold)
        self.notes = {}
        for i, name in enumerate(self.names):
            # bottom left: the losses start near 100 and stay above 0.3 in the runs offered
            note = self.ax_l.text(0.02, 0.12 - 0.08 * i, "", transform=self.ax_l.transAxes,
                                  fontsize=8, va="bottom", color=self.colors[name])  # fmt: skip
            self.notes[name] = self.moving(note)
        self.ax_n.legend(loc="upper right", fontsize=7.5)

    def update(self, lr, max_norm):
        runs = {"no clipping": self.run(lr), "clip by norm": self.run(lr, max_norm)}
        self.threshold.set_data([0, self.steps], [max_norm, max_norm])
        parts = [f"η = {lr:g}, threshold {max_norm:g}."]
        for name, r in runs.items():
            t = np.arange(len(r.norms))
            self.lines[name, self.ax_n].set_data(t, np.clip(r.norms, 1.1e-2, 0.9e6))
            loss = np.clip(moving_average(r.losses), LOSS_RANGE[0] * 1.05, LOSS_RANGE[1] * 0.95)
            self.lines[name, self.ax_l].set_data(t, loss)
            if r.diverged_at is not None:
                text = f"{name}: diverged at step {r.diverged_at}"
            else:
                text = f"{name}: loss {np.mean(r.losses[-10:]):.2f}, test acc. {r.accuracy:.2f}"
            self.notes[name].set_text(text)
            parts.append(text + ".")
        return " ".join(parts)


def clipping(*, lrs=(0.01, 0.03, 0.1), max_norms=(0.3, 1.0, 3.0, 10.0),
             steps: int = 120, gain: float = 1.6, title=None) -> Explorer:  # fmt: skip
    """Clipping by global norm on the exploding network (:func:`init_exploding_mlp`): learning
    rate times threshold.

    Left, the global gradient norm before clipping at every step, for the run without clipping
    and the run clipped at the threshold (dashed). Right, both training losses, with the chance
    level :math:`\\ln 10` that a network with dead ReLUs sits at. The caption gives the final
    loss and test accuracy, or the step at which a run diverged.

    Args:
        lrs: learning rates offered (positive; SGD with momentum 0.9).
        max_norms: clipping thresholds offered (positive).
        steps: mini-batch steps per run (at least 10).
        gain: how much larger than He initialisation the weights start (positive).
    """
    steps = check_int("steps", steps, minimum=10)
    lrs = check_positive_values("lrs", lrs, "positive learning rates")
    norms = check_positive_values("max_norms", max_norms, "positive thresholds")
    gain = check_positive("gain", gain)
    scene = ClippingScene(steps, problems.load_digits(), gain=gain)
    sliders = [
        Slider("lr", lrs, label="learning rate η", default=0.03 if 0.03 in lrs else None),
        Slider("max_norm", norms, label="max_norm", default=1.0 if 1.0 in norms else None),
    ]
    return Explorer(scene, sliders, title=title or "Clipping the gradient norm")
