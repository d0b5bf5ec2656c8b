"""Drive torch CPU tensors with an optimlite optimizer, zero-copy through ``Tensor.numpy()``.

::

    model = SimpleNet(64, 32, 10)
    opt = TorchOptimizer(model, optimlite.AdamW(lr=1e-3))
    sched = optimlite.CosineAnnealingLR(opt, T_max=100)   # optimlite schedulers drive it
    for xb, yb in loader:
        opt.zero_grad()
        loss_fn(model(xb), yb).backward()
        opt.step()          # optimizer.update on numpy views of the parameters and gradients
        sched.step()

This module imports torch; ``import optimlite`` does not load it until ``optimlite.torch_bridge``
is first touched.
"""

import torch

__all__ = ["TorchOptimizer"]

_FLOAT_DTYPES = (torch.float16, torch.float32, torch.float64)


class TorchOptimizer:
    """A ``torch.optim``-style wrapper running an optimlite optimizer on torch parameters.

    ``step()`` passes ``{name: p.detach().numpy()}`` and ``{name: p.grad.numpy()}`` (views that
    share memory with the tensors, nothing is copied) to ``optimizer.update``, which changes the
    parameters in place; parameters whose ``grad`` is None are skipped, as torch.optim does.
    The optimizer's state is keyed by parameter name.

    Attributes other than ``params`` and ``optimizer`` are forwarded to the optimlite optimizer:
    ``opt.lr``, ``opt.betas``, ``opt.momentum`` read and write its hyperparameters, so optimlite
    schedulers can drive this object directly (torch's schedulers cannot: there are no
    ``param_groups``).

    Args:
        params: an ``nn.Module`` (its ``named_parameters()``), or an iterable of tensors (named
            ``"0"``, ``"1"``, ...) or of ``(name, tensor)`` pairs. CPU tensors of float16/32/64.
        optimizer: any optimlite optimizer.
    """

    def __init__(self, params, optimizer):
        if not hasattr(optimizer, "update"):
            raise ValueError(
                f"optimizer must be an optimlite optimizer, got {type(optimizer).__name__}"
            )
        named = _named_parameters(params)
        object.__setattr__(self, "params", named)
        object.__setattr__(self, "optimizer", optimizer)

    def step(self, closure=None):
        """One optimizer update on every parameter that has a gradient. Returns the closure's
        loss when a closure (re-evaluating the model, as in torch.optim) is given."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        params, grads = {}, {}
        for name, p in self.params.items():
            g = p.grad
            if g is None:
                continue
            if g.is_sparse:
                raise ValueError(
                    f"parameter {name!r} has a sparse gradient, which is not supported"
                )
            params[name] = p.detach().numpy()
            grads[name] = g.detach().numpy()
        if params:
            self.optimizer.update(params, grads)
        return loss

    def zero_grad(self, set_to_none=True):
        """Reset the gradients: to None (the default, as torch) or to zeros in place."""
        for p in self.params.values():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad.detach_()
                p.grad.zero_()

    def state_dict(self):
        """The optimlite optimizer's ``state_dict()``."""
        return self.optimizer.state_dict()

    def load_state_dict(self, state_dict):
        """Restore the optimlite optimizer's state."""
        self.optimizer.load_state_dict(state_dict)

    def __getattr__(self, name):  # only called when normal lookup fails
        if name in ("params", "optimizer") or name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.optimizer, name)

    def __setattr__(self, name, value):
        if name in ("params", "optimizer"):
            raise AttributeError(f"{name} is fixed at construction")
        setattr(self.optimizer, name, value)

    def __repr__(self):
        return f"TorchOptimizer({len(self.params)} tensors, {self.optimizer!r})"


def _named_parameters(params):
    """``{name: tensor}`` from a module, tensors or (name, tensor) pairs, checked for the bridge."""
    if isinstance(params, torch.nn.Module):
        items = list(params.named_parameters())
    elif isinstance(params, torch.Tensor):
        raise ValueError("params must be an iterable of tensors or an nn.Module, got a Tensor")
    else:
        items = []
        for i, item in enumerate(params):
            if isinstance(item, torch.Tensor):
                items.append((str(i), item))
            elif isinstance(item, tuple | list) and len(item) == 2:
                items.append((str(item[0]), item[1]))
            else:
                raise ValueError(
                    f"params must hold tensors or (name, tensor) pairs, got {type(item).__name__}"
                )
    if not items:
        raise ValueError("params is empty: no tensors to optimize")
    named, seen = {}, set()
    for name, p in items:
        if not isinstance(p, torch.Tensor):
            raise ValueError(f"parameter {name!r} is a {type(p).__name__}, not a torch.Tensor")
        if name in named:
            raise ValueError(f"parameter name {name!r} appears twice")
        if id(p) in seen:
            raise ValueError(f"parameter {name!r} is the same tensor as another one")
        if p.device.type != "cpu":
            raise ValueError(
                f"parameter {name!r} is on device {p.device}: TorchOptimizer works on CPU "
                "tensors only (it shares their memory with numpy); move the model to the CPU"
            )
        if p.dtype not in _FLOAT_DTYPES:
            raise ValueError(
                f"parameter {name!r} has dtype {p.dtype}; numpy supports float16/32/64 only"
            )
        seen.add(id(p))
        named[name] = p
    return named
