"""How immediate the live explorers feel, how heavy and how fast to build their static faces.

Simulates slider moves the way ipywidgets delivers them (setting a control's value runs the
explorer's callback synchronously: run the optimizers, blit the moving artists, encode the PNG)
on the race (500-step runs, scrubbing the step slider) and on the momentum explorer (a new
500-step trajectory per move: every move goes to a learning rate / momentum pair not seen before,
so no cached run helps). Then builds the static face of every ready explorer, module by module
of ``optimlite.explorers`` (one module per chapter family, see ``CONTRIBUTING.md``: a new
chapter's explorer goes into :data:`READY` under its module), and reports its page weight and
build time.

Run: ``python benchmarks/explorer_latency.py``. The last line is the summary over all moves:
``slider move: median <x> ms, p90 <y> ms``.
"""

import itertools
import time

import numpy as np

from optimlite import explorers

#: The ready explorers, by module of ``optimlite.explorers``: ``{module: {call: make}}``.
READY = {
    "tour": {"tour()": explorers.tour},
    "gd": {"lr_dilemma()": explorers.lr_dilemma, "sgd_noise()": explorers.sgd_noise},
    "momentum": {
        "momentum()": explorers.momentum,
        "momentum(nesterov=True)": lambda: explorers.momentum(nesterov=True),
    },
    "nesterov": {"overshoot()": explorers.overshoot},
    "adaptive": {
        "adagrad_vs_rmsprop()": explorers.adagrad_vs_rmsprop,
        "rmsprop_decay()": explorers.rmsprop_decay,
        "adam_betas()": explorers.adam_betas,
    },
    "weight_decay": {"weight_decay()": explorers.weight_decay},
    "race": {"race()": explorers.race},
    "clipping": {"clipping()": explorers.clipping},
    "schedules": {
        f"schedule({k!r})": (lambda k=k: explorers.schedule(k)) for k in explorers.SCHEDULE_KINDS
    },
}


def time_moves(explorer, moves):
    """Milliseconds per slider move: ``moves`` is a list of (slider name, value)."""
    explorer.widget  # noqa: B018  (build the live face first, as displaying it does)
    controls = explorer.controls
    times = []
    for name, value in moves:
        start = time.perf_counter()
        controls[name].value = value
        times.append((time.perf_counter() - start) * 1e3)
    assert not explorer.errors, explorer.errors
    return np.array(times)


def race_moves(explorer, n=120):
    values = list(explorer.sliders[0].live_values)
    rng = np.random.default_rng(0)
    return [("step", values[int(i)]) for i in rng.integers(0, len(values), n)]


def momentum_moves(lrs, momenta):
    """Alternate the two sliders over every (lr, momentum) pair, each pair visited once."""
    moves, current_lr = [], None
    for lr, mu in itertools.product(lrs, momenta):
        if lr != current_lr:
            moves.append(("lr", lr))
            current_lr = lr
        moves.append(("momentum", mu))
    return moves


def grid_moves(explorer):
    """Every point of a two-slider explorer's grid once, moving one slider at a time."""
    first, second = explorer.sliders
    moves, current = [], None
    for a, b in itertools.product(first.values, second.values):
        if a != current:
            moves.append((first.name, a))
            current = a
        moves.append((second.name, b))
    return moves


def tour_moves(explorer):
    """Every landscape x optimizer x live learning rate, each visited once (new runs)."""
    land, opt, lr = explorer.sliders
    moves = []
    for name, o in itertools.product(land.values, opt.values):
        moves += [("landscape", name), ("optimizer", o)]
        moves += [("lr", v) for v in lr.live_values]
    return moves


def summary(name, times):
    print(
        f"{name:<34s} moves {len(times):4d}  median {np.median(times):6.1f} ms  "
        f"p90 {np.percentile(times, 90):6.1f} ms  max {times.max():6.1f} ms"
    )


def main():
    all_times = []

    t0 = time.perf_counter()
    race = explorers.race(steps=500)
    print(f"race: 6 optimizers x 500 steps run in {(time.perf_counter() - t0) * 1e3:.0f} ms")
    times = time_moves(race, race_moves(race))
    summary("race (scrub the step slider)", times)
    all_times.append(times)

    lrs = explorers.log_grid(0.002, 0.15, 12, digits=3)
    momenta = (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99)
    mom = explorers.momentum(kappa=25, steps=500, lrs=lrs, momenta=momenta)
    times = time_moves(mom, momentum_moves(lrs, momenta))
    summary("momentum, 500 steps (new runs)", times)
    all_times.append(times)
    times = time_moves(mom, momentum_moves(lrs[::-1], momenta[::-1]))
    summary("momentum, 500 steps (cached runs)", times)

    tour = explorers.tour()
    times = time_moves(tour, tour_moves(tour))
    summary("tour (landscape, optimizer, lr)", times)
    all_times.append(times)

    over = explorers.overshoot()
    times = time_moves(over, grid_moves(over))
    summary("overshoot, 300 steps (new runs)", times)
    all_times.append(times)

    sgd = explorers.sgd_noise()
    times = time_moves(sgd, grid_moves(sgd))
    summary("sgd_noise, 300 steps (new runs)", times)
    all_times.append(times)

    # a 120-step network per move: too slow to train live; displaying the explorer builds its
    # static face first, which runs the whole grid, so the moves after that are cached
    clip = explorers.clipping()
    summary("clipping, 120 steps (new runs)", time_moves(clip, grid_moves(clip)))
    times = time_moves(clip, grid_moves(clip)[::-1])
    summary("clipping (after display: cached)", times)
    all_times.append(times)

    print()
    print(
        f"{'module':<10s} {'static face':<26s} {'frames':>6s} {'build s':>8s} {'HTML KB':>8s} "
        f"{'KB/frame':>8s}"
    )
    for module, calls in READY.items():
        for name, make in calls.items():
            start = time.perf_counter()
            ex = make()
            html = ex.to_html()
            seconds = time.perf_counter() - start
            static = ex.static_frames()
            kb = len(html.encode()) / 1e3
            per_frame = sum(map(len, static.frames)) / len(static.frames) / 1e3
            print(
                f"{module:<10s} {name:<26s} {ex.n_frames:6d} {seconds:8.2f} {kb:8.0f} "
                f"{per_frame:8.1f}"
            )

    print()
    everything = np.concatenate(all_times)
    print(
        f"slider move: median {np.median(everything):.1f} ms, "
        f"p90 {np.percentile(everything, 90):.1f} ms"
    )


if __name__ == "__main__":
    main()
