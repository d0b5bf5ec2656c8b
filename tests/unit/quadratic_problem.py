"""The test problem the optimizer comparisons share: per-parameter quadratics with noise.

Each parameter ``p`` (a matrix, a vector and a 0-d scalar) gets the gradient
``g = A p + b + noise_t`` with a random symmetric positive-definite ``A``, so errors in an update
rule compound over the steps instead of washing out.
"""

import numpy as np

SHAPES = {"weight": (4, 3), "bias": (3,), "scale": ()}


class QuadraticProblem:
    """Seeded ``init`` parameters and ``grads(params, step)`` for ``steps`` steps."""

    def __init__(self, seed=0, steps=150, shapes=SHAPES):
        rng = np.random.default_rng(seed)
        self.mats, self.offsets, self.init = {}, {}, {}
        for name, shape in shapes.items():
            n = int(np.prod(shape, dtype=int))
            q = rng.normal(size=(n, n))
            self.mats[name] = q @ q.T / n + 0.1 * np.eye(n)
            self.offsets[name] = rng.normal(size=n)
            self.init[name] = rng.normal(size=shape)
        self.noise = [
            {k: rng.normal(scale=0.3, size=s) for k, s in shapes.items()} for _ in range(steps)
        ]
        self.steps = steps

    def fresh(self):
        """A copy of the initial parameters."""
        return {k: v.copy() for k, v in self.init.items()}

    def grads(self, params, step):
        """``A p + b + noise`` at 0-based ``step``, shaped like ``params`` (numpy arrays)."""
        noise = self.noise[step]
        return {
            k: (
                self.mats[k] @ np.reshape(p, -1) + self.offsets[k] + np.reshape(noise[k], -1)
            ).reshape(np.shape(p))
            for k, p in params.items()
        }

    def torch_params(self):
        """The initial parameters as float64 torch tensors (torch imported only here)."""
        import torch

        return {k: torch.tensor(v, dtype=torch.float64) for k, v in self.init.items()}

    def set_torch_grads(self, tparams, step):
        """Set each tensor's ``.grad`` in ``tparams`` to its gradient at ``step``."""
        import torch

        grads = self.grads({k: v.detach().numpy() for k, v in tparams.items()}, step)
        for k, tp in tparams.items():
            tp.grad = torch.from_numpy(grads[k].copy())
