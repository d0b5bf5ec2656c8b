"""Several optimizers on one model, each updating its own parameters.

The usual way to train with Muon: Muon for the hidden layers' weight matrices, AdamW for
everything else (biases, embeddings, the output layer), as torch's documentation shows with two
optimizers stepped together. :class:`Split` does that with one ``update``.

>>> import numpy as np
>>> from optimlite import AdamW, Muon, Split
>>> opt = Split((Muon(lr=0.02), ["W1"]), (AdamW(lr=1e-3), ["b1"]))
>>> params = {"W1": np.ones((2, 3)), "b1": np.ones(3)}
>>> _ = opt.update(params, {"W1": np.ones((2, 3)), "b1": np.ones(3)})
"""

from collections.abc import Mapping

from .base import Optimizer

__all__ = ["Split"]


class Split:
    """``Split((optimizer, names), ...)``: each optimizer updates the parameters it names.

    ``update(params, grads)`` checks every part (hyperparameters, keys, shapes, dtypes, finite
    gradients, Muon's 2-D rule) before any part changes anything; every key of ``params`` must
    belong to exactly one part.
    """

    def __init__(self, *parts):
        if not parts:
            raise ValueError("Split needs at least one (optimizer, names) part")
        self.parts = []
        owner = {}
        for i, part in enumerate(parts):
            if not (isinstance(part, tuple) and len(part) == 2):
                raise ValueError(f"parts[{i}] must be a pair (optimizer, names), got {part!r}")
            opt, names = part
            if not isinstance(opt, Optimizer):
                raise ValueError(f"parts[{i}] must hold an optimlite optimizer, got {opt!r}")
            names = [names] if isinstance(names, str) else list(names)
            for name in names:
                if name in owner:
                    raise ValueError(f"parameter {name!r} is named by parts {owner[name]} and {i}")
                owner[name] = i
            self.parts.append((opt, tuple(names)))
        self._owner = owner

    def update(self, params, grads):
        """Each part's step on its parameters (all checked first); returns ``params``."""
        if not isinstance(params, Mapping) or not isinstance(grads, Mapping):
            raise ValueError("params and grads must be dicts name -> numpy array")
        unowned = sorted(set(params) - set(self._owner))
        if unowned:
            raise ValueError(f"params {unowned} belong to no part of the Split")
        subsets = []
        for opt, names in self.parts:
            sub_p = {k: params[k] for k in names if k in params}
            sub_g = {k: grads[k] for k in names if k in grads}
            opt._checked()
            opt._check_inputs(sub_p, sub_g)  # raises before any part changes anything
            subsets.append((opt, sub_p, sub_g))
        for opt, sub_p, sub_g in subsets:
            if sub_p:
                opt.update(sub_p, sub_g)
        return params

    def state_dict(self):
        """One state dict per part, in order."""
        return {"parts": [opt.state_dict() for opt, _ in self.parts]}

    def load_state_dict(self, state_dict):
        """Each part loads its own state dict (from :meth:`state_dict` of a Split like this one)."""
        saved = state_dict.get("parts") if isinstance(state_dict, Mapping) else None
        if not isinstance(saved, list) or len(saved) != len(self.parts):
            raise ValueError(
                f"this Split has {len(self.parts)} parts; the state dict must hold one state dict "
                "per part under 'parts'"
            )
        for (opt, _), sd in zip(self.parts, saved, strict=True):
            opt.load_state_dict(sd)

    def __repr__(self):
        return "Split(" + ", ".join(f"({opt!r}, {list(n)!r})" for opt, n in self.parts) + ")"
