"""One optimizer step: optimlite (numpy, in place, blocked) against torch.optim, one thread.

Run: ``.venv/bin/python benchmarks/optimizer_step.py`` (about a minute). Prints, never asserts.

What it measures, float32, median of several repeats:
- the machine's copy bandwidth (``np.copyto`` of a 100 MB array; read + write counted);
- a step of optimlite Adam and SGD-momentum and of torch.optim's Adam (default, foreach=True,
  fused=True) and SGD-momentum (default, foreach=False, foreach=True), at 1M and 10M parameters
  held as one tensor and as 100 tensors;
- the bytes each step must move: Adam reads p, g, m, v and writes p, m, v (7 x 4 N bytes);
  SGD-momentum reads p, g, b and writes p, b (5 x 4 N bytes), and the GB/s that implies;
- tracemalloc's peak during one optimlite step (after the first, which creates the state);
- the cost of one update of a single 2-element parameter (the explorers' 500-step trajectories);
- every optimizer of the registry (its first variant) at 4M parameters, with the NaN/inf check
  and without it (``check_finite = False``): the bytes a step must move at the least (read p, g
  and each state array, write p and each state array; the check reads g once more) as a fraction
  of the copy bandwidth. A rule far below the others is far from its floor.
"""

import statistics
import time
import timeit
import tracemalloc
from functools import partial

import numpy as np

import optimlite as ol
from optimlite import registry

REPEATS = 9
SIZES = (1_000_000, 10_000_000)
LAYOUTS = (1, 100)
BYTES_PER_ELEMENT = {"adam": 7 * 4, "sgd": 5 * 4}


def _interleaved_medians(steps, repeats=REPEATS):
    """Median ms of each step, timed round-robin so that load changes hit every case alike."""
    for step in steps.values():
        step()  # warm up: creates state, scratch and caches
    times = {label: [] for label in steps}
    for _ in range(repeats):
        for label, step in steps.items():
            t0 = time.perf_counter()
            step()
            times[label].append(time.perf_counter() - t0)
    return {label: 1e3 * statistics.median(t) for label, t in times.items()}


def copy_bandwidth(n=25_000_000):
    src = np.ones(n, np.float32)
    dst = np.empty_like(src)
    ms = _interleaved_medians({"copy": partial(np.copyto, dst, src)})["copy"]
    return 2 * 4 * n / (ms * 1e-3) / 1e9, ms


def _numpy_problem(n, pieces, rng):
    size = n // pieces
    params = {f"p{i}": rng.standard_normal(size, dtype=np.float32) for i in range(pieces)}
    grads = {k: rng.standard_normal(size, dtype=np.float32) for k in params}
    return params, grads


def _torch_problem(torch, n, pieces):
    size = n // pieces
    params = [torch.randn(size) for _ in range(pieces)]
    for p in params:
        p.grad = torch.randn(size)
    return params


def _alloc_peak(opt, params, grads):
    opt.update(params, grads)
    tracemalloc.start()
    try:
        opt.update(params, grads)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main():
    import torch

    torch.set_num_threads(1)
    try:  # numpy's own loops are single-threaded; keep its BLAS (used by dot) to one thread too
        from threadpoolctl import threadpool_limits

        limiter = threadpool_limits(limits=1)
    except ImportError:  # pragma: no cover
        limiter = None

    gbs, copy_ms = copy_bandwidth()
    print(f"numpy {np.__version__}, torch {torch.__version__}, 1 thread, float32, median of "
          f"{REPEATS}")  # fmt: skip
    print(f"copy bandwidth: {gbs:.1f} GB/s (np.copyto of 100 MB in {copy_ms:.1f} ms)")
    adam_default = "foreach" if torch.optim.Adam([torch.zeros(1)]).defaults["foreach"] else "auto"
    print(f"torch's Adam default on CPU: foreach={adam_default!r} (resolves to the single-tensor "
          "loop for CPU tensors)\n")  # fmt: skip

    header = f"{'case':44s} {'ms':>8s} {'GB/s':>6s} {'vs torch default':>17s} {'vs fused':>9s}"
    rng = np.random.default_rng(0)
    for n in SIZES:
        for pieces in LAYOUTS:
            print(f"N = {n:,} as {pieces} tensor{'s' if pieces > 1 else ''}")
            print(header)
            params, grads = _numpy_problem(n, pieces, rng)
            tparams = _torch_problem(torch, n, pieces)
            kinds, steps, optimlite_opts = {}, {}, {}
            for label, kind, cls, kwargs in [
                ("torch Adam (default)", "adam", torch.optim.Adam, {}),
                ("torch Adam foreach=True", "adam", torch.optim.Adam, {"foreach": True}),
                ("torch Adam fused=True", "adam", torch.optim.Adam, {"fused": True}),
                ("torch SGD momentum (default)", "sgd", torch.optim.SGD, {}),
                ("torch SGD momentum foreach=False", "sgd", torch.optim.SGD, {"foreach": False}),
                ("torch SGD momentum foreach=True", "sgd", torch.optim.SGD, {"foreach": True}),
            ]:
                if cls is torch.optim.SGD:
                    kwargs = {"lr": 1e-3, "momentum": 0.9, **kwargs}
                kinds[label], steps[label] = kind, cls(tparams, **kwargs).step
            for label, kind, opt in [
                ("optimlite Adam", "adam", ol.Adam()),
                ("optimlite MomentumSGD", "sgd", ol.MomentumSGD(lr=1e-3, momentum=0.9)),
            ]:
                kinds[label], steps[label] = kind, partial(opt.update, params, grads)
                optimlite_opts[label] = opt
            medians = _interleaved_medians(steps)
            rows = {label: (kinds[label], ms) for label, ms in medians.items()}
            peaks = {label: _alloc_peak(o, params, grads) for label, o in optimlite_opts.items()}
            base = {"adam": rows["torch Adam (default)"][1],
                    "sgd": rows["torch SGD momentum (default)"][1]}  # fmt: skip
            fused = rows["torch Adam fused=True"][1]
            for label, (kind, ms) in rows.items():
                rate = BYTES_PER_ELEMENT[kind] * n / (ms * 1e-3) / 1e9
                vs_fused = f"{ms / fused:8.2f}x" if kind == "adam" else ""
                print(f"{label:44s} {ms:8.2f} {rate:6.1f} {ms / base[kind]:16.2f}x {vs_fused:>9s}")
            for label, peak in peaks.items():
                print(f"{label}: tracemalloc peak during a step {peak / 1024:.1f} KiB "
                      f"(parameters: {4 * n / 2**20:.0f} MiB)")  # fmt: skip
            print()

    print("one update of a single (2,)-shaped float64 parameter (explorers):")
    p, g = {"w": np.array([1.0, 2.0])}, {"w": np.array([0.1, -0.2])}
    for opt in (ol.SGD(lr=0.01), ol.MomentumSGD(), ol.NesterovMomentum(), ol.Adam(), ol.AdamW(),
                ol.RMSprop(), ol.Lion(), ol.LAMB(), ol.Lookahead(ol.Adam())):  # fmt: skip
        best = min(timeit.repeat(lambda o=opt: o.update(p, g), number=2000, repeat=5)) / 2000
        print(
            f"  {type(opt).__name__:18s} {best * 1e6:6.1f} us  (500 steps: {best * 500e3:.1f} ms)"
        )
    tp = torch.zeros(2, dtype=torch.float64)
    tp.grad = torch.tensor([0.1, -0.2], dtype=torch.float64)
    for label, topt in [("torch SGD momentum", torch.optim.SGD([tp], lr=0.01, momentum=0.9)),
                        ("torch Adam", torch.optim.Adam([tp]))]:  # fmt: skip
        best = min(timeit.repeat(topt.step, number=2000, repeat=5)) / 2000
        print(f"  {label:18s} {best * 1e6:6.1f} us")
    registry_table(gbs)
    if limiter is not None:
        limiter.restore_original_limits()


def _floor_bytes(opt, n, itemsize=4):
    """Least bytes one step moves: p and g read, p written, each state array read and written."""
    inner = getattr(opt, "optimizer", opt)
    state_arrays = len(next(iter(inner.state.values())))
    return (3 + 2 * state_arrays) * itemsize * n


def registry_table(copy_gbs, n=4_000_000):
    """Every registry optimizer at ``n`` float32 parameters: ms and fraction of copy bandwidth."""
    print(f"\nevery optimizer of the registry, N = {n:,} float32, one tensor, median of {REPEATS}")
    print(f"{'optimizer':34s} {'floor MB':>8s} {'ms':>7s} {'of copy bw':>10s} "
          f"{'ms no check':>11s} {'of copy bw':>10s}")  # fmt: skip
    rng = np.random.default_rng(1)
    for spec in registry.REGISTRY.values():
        shape = spec.example_shape(n)  # Muon takes matrices only: (128, 31250)
        params = {"w": rng.standard_normal(shape, dtype=np.float32)}
        grads = {"w": 1e-3 * rng.standard_normal(shape, dtype=np.float32)}
        checked, unchecked = spec.make(**spec.variants[0]), spec.make(**spec.variants[0])
        for o in (unchecked, getattr(unchecked, "optimizer", None)):
            if o is not None:
                o.check_finite = False
        medians = _interleaved_medians(
            {"on": partial(checked.update, params, grads),
             "off": partial(unchecked.update, params, grads)},
            repeats=REPEATS,
        )  # fmt: skip
        floor = _floor_bytes(checked, n)
        fraction = {k: floor / (ms * 1e-3) / 1e9 / copy_gbs for k, ms in medians.items()}
        args = ", ".join(f"{k}={v!r}" for k, v in spec.variants[0].items())
        args += f", {shape[0]} x {shape[1]}" if len(shape) == 2 else ""
        print(f"{spec.name + ' (' + args + ')':34.34s} {floor / 1e6:8.0f} {medians['on']:7.2f} "
              f"{fraction['on']:9.0%} {medians['off']:11.2f} {fraction['off']:9.0%}")  # fmt: skip


if __name__ == "__main__":
    main()
