"""Data parallelism for real: large-batch LAMB on ``torch.distributed`` equals one big batch.

Run it as ``python -m optimlite.data_parallel`` (``make large-batch``). It trains the digits
network (64 inputs, one ReLU hidden layer, 10 classes; torch ``nn.Linear`` layers in float64)
with :class:`optimlite.LAMB` driven through :class:`optimlite.torch_bridge.TorchOptimizer`
(``torch.optim`` has no LAMB) twice, from the same initial weights on the same batches:

* **two processes** (this one and one started by ``torch.multiprocessing`` with the ``spawn``
  method) joined by
  ``torch.distributed`` with the gloo backend on loopback (127.0.0.1, a free port chosen by the
  operating system, so parallel runs cannot collide). Each process holds half of every batch,
  computes the mean loss and its gradient on that half, and the gradients are all-reduced
  (summed) and divided by the number of processes before the optimizer step, as
  ``DistributedDataParallel`` does;
* **one process** on the whole batch.

The mean of the two half-batch mean gradients is the whole batch's mean gradient, so both runs
make the same steps up to rounding. The last line printed is
``max |w_2proc - w_1proc| = <number>``, the largest difference between the two runs' weights.

``import optimlite`` does not load this module; torch is imported when the functions run.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys

import numpy as np

__all__ = ["free_port", "batches", "load_data", "make_model", "train", "compare", "main"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (the operating system picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def batches(n: int, batch_size: int, steps: int, seed: int) -> list:
    """The index arrays of ``steps`` batches of ``batch_size`` out of ``n`` (without
    replacement within an epoch, :func:`optimlite.problems.minibatch_indices`)."""
    from .problems import minibatch_indices

    per_epoch = n // batch_size
    epochs = -(-steps // per_epoch)
    it = minibatch_indices(n, batch_size, epochs=epochs, seed=seed, drop_last=True)
    return [idx for _, idx in zip(range(steps), it, strict=False)]


def make_model(hidden: int = 32, seed: int = 0):
    """The digits network as torch layers in float64, initialised from ``seed``."""
    import torch

    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(64, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10)
    ).double()


def load_data(seed: int = 0):
    """The digits training set as float64 ``(X, y)`` (:func:`optimlite.problems.load_digits`)."""
    from .problems import load_digits

    digits = load_digits(seed=seed, dtype=np.float64)
    return digits.X_train, digits.y_train


def train(rank: int = 0, world_size: int = 1, *, data=None, steps: int = 20,
          batch_size: int = 512, lr: float = 0.01, weight_decay: float = 0.01, hidden: int = 32,
          seed: int = 0, port: int | None = None) -> dict:  # fmt: skip
    """LAMB on the digits network; with ``world_size > 1`` this is one process of the
    data-parallel run (``rank`` holds rows ``rank::world_size`` of every batch). ``data`` is
    ``(X, y)`` from :func:`load_data` (loaded here when None).

    Returns the final weights as ``{name: float64 array}``."""
    import torch
    import torch.nn.functional as F

    from .large_batch import LAMB
    from .torch_bridge import TorchOptimizer

    torch.set_num_threads(1)
    distributed = world_size > 1
    if distributed:
        import torch.distributed as dist

        os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
        dist.init_process_group(
            "gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world_size
        )
    try:
        X, y = (torch.from_numpy(a) for a in (data if data is not None else load_data(seed)))
        model = make_model(hidden, seed)
        opt = TorchOptimizer(model, LAMB(lr=lr, weight_decay=weight_decay))
        for idx in batches(len(y), batch_size, steps, seed):
            mine = torch.from_numpy(idx[rank::world_size])
            opt.zero_grad()
            F.cross_entropy(model(X[mine]), y[mine]).backward()  # mean over my half
            if distributed:
                for p in model.parameters():  # average the halves' gradients
                    dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)
                    p.grad /= world_size
            opt.step()
        weights = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    finally:
        if distributed:
            dist.destroy_process_group()
    return weights


def _worker(rank, world_size, kwargs):
    train(rank, world_size, **kwargs)


def compare(world_size: int = 2, **kwargs) -> float:
    """Run :func:`train` in ``world_size`` processes (gloo, loopback: this one is rank 0, the
    others are started with the ``spawn`` method) and then in this process alone on the whole
    batches; return the largest absolute difference between the two runs' weights."""
    import torch.multiprocessing as mp

    if kwargs.get("batch_size", 512) % world_size:
        raise ValueError(f"batch_size must be a multiple of world_size={world_size}")
    if kwargs.get("data") is None:
        kwargs["data"] = load_data(kwargs.get("seed", 0))
    kwargs["port"] = free_port()
    ctx = mp.get_context("spawn")
    others = [ctx.Process(target=_worker, args=(rank, world_size, kwargs), daemon=True)
              for rank in range(1, world_size)]  # fmt: skip
    for p in others:
        p.start()
    try:
        parallel = train(0, world_size, **kwargs)
    finally:
        for p in others:
            p.join(timeout=120)
            if p.is_alive():
                p.kill()
    if any(p.exitcode != 0 for p in others):
        raise RuntimeError(
            f"a data-parallel worker failed: exit codes {[p.exitcode for p in others]}"
        )
    kwargs.pop("port")
    single = train(0, 1, **kwargs)
    return max(float(np.max(np.abs(parallel[k] - single[k]))) for k in single)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m optimlite.data_parallel",
        description="LAMB on digits: 2 gloo processes (half a batch each) vs 1 process.",
    )
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--world-size", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    a = parser.parse_args(argv)
    if a.steps < 1 or a.world_size < 2 or a.batch_size < a.world_size:
        parser.error("need steps >= 1, world-size >= 2 and batch-size >= world-size")
    print(f"LAMB (optimlite, through the torch bridge), digits network in float64, "
          f"{a.steps} steps of batch {a.batch_size}, lr {a.lr:g}")  # fmt: skip
    print(f"{a.world_size} processes (torch.distributed, gloo, 127.0.0.1): "
          f"{a.batch_size // a.world_size} rows each, gradients all-reduced and averaged; "
          f"1 process: the whole batch")  # fmt: skip
    sys.stdout.flush()
    gap = compare(a.world_size, steps=a.steps, batch_size=a.batch_size, lr=a.lr, seed=a.seed)
    print(f"max |w_2proc - w_1proc| = {gap:.3e}")
    return 0 if gap <= 1e-6 else 1


if __name__ == "__main__":
    sys.exit(main())
