"""Chapter 10's data-parallel run: 2 gloo processes on half batches equal 1 process on the whole
batch, and the script's last line says so."""

import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("torch")

from optimlite import data_parallel  # noqa: E402


def test_script_prints_the_gap_last_and_it_is_tiny():
    out = subprocess.run(
        [sys.executable, "-m", "optimlite.data_parallel", "--steps", "5", "--batch-size", "64"],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    last = out.stdout.strip().splitlines()[-1]
    assert last.startswith("max |w_2proc - w_1proc| = ")
    assert float(last.split("=")[1]) <= 1e-6


def test_single_process_training_moves_the_weights_and_is_seeded():
    data = data_parallel.load_data(0)
    start = {
        k: v.detach().numpy().copy() for k, v in data_parallel.make_model().state_dict().items()
    }
    a = data_parallel.train(data=data, steps=3, batch_size=64)
    b = data_parallel.train(data=data, steps=3, batch_size=64)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert max(float(np.max(np.abs(a[k] - start[k]))) for k in a) > 1e-4


def test_batches_are_whole_and_distinct_within_an_epoch():
    bs = data_parallel.batches(100, 32, 5, seed=0)
    assert [len(b) for b in bs] == [32] * 5
    assert len(set(np.concatenate(bs[:3]).tolist())) == 96


def test_free_port_is_a_usable_port():
    assert 0 < data_parallel.free_port() < 65536


def test_batch_must_split_evenly():
    with pytest.raises(ValueError, match="batch_size"):
        data_parallel.compare(2, batch_size=63, steps=1)
