"""What may cross between the grader and a learner's sandbox (``optimlite.autograde.wire``)."""

import json
import os

import numpy as np
import pytest

from optimlite.autograde import tamper, wire


def roundtrip(value, **kw):
    return wire.decode(json.loads(json.dumps(wire.encode(value, **kw))))


def test_plain_values_cross_exactly():
    value = {
        "p": np.arange(6, dtype=np.float32).reshape(2, 3),
        "t": (1, 2.5, None, True, "x"),
        3: [np.float64(0.1), np.int64(7), np.array(np.nan), np.array([], dtype=np.int8)],
    }
    back = roundtrip(value)
    assert back["p"].dtype == np.float32 and np.array_equal(back["p"], value["p"])
    assert back["t"] == value["t"] and type(back["t"]) is tuple
    assert type(back[3][0]) is np.float64 and back[3][0] == 0.1
    assert type(back[3][1]) is np.int64 and np.isnan(back[3][2]) and back[3][3].dtype == np.int8


class Rigged(float):
    def __eq__(self, other):
        return True


@pytest.mark.parametrize(
    "value",
    [Rigged(1.0), np.ma.masked_array([1.0]), np.array([object()]), lambda: 0, iter([1])],
    ids=["float subclass", "array subclass", "object array", "function", "iterator"],
)
def test_anything_else_is_refused_by_name(value):
    with pytest.raises(wire.WireError, match="a "):
        wire.encode(value)


@pytest.mark.parametrize(
    "data",
    [
        {"x": 1},
        {"a": ["|O", [1], "AA=="]},
        {"a": ["<f8", [2], "AAAA"]},
        {"t": [1], "l": [2]},
        {"d": [[1]]},
        {"f": 0},
        [1, 2],
    ],
    ids=[
        "unknown tag",
        "object dtype",
        "short buffer",
        "two tags",
        "bad pair",
        "no callback",
        "list",
    ],
)
def test_malformed_messages_are_refused(data):
    with pytest.raises(wire.WireError):
        wire.decode(data)


def test_the_graders_functions_cross_as_references():
    functions = []
    data = wire.encode((np.ones(2), len), functions=functions)
    assert functions == [len]
    back = wire.decode(data, callback=lambda i: f"stand-in for {i}")
    assert back[1] == "stand-in for 0"


def test_frames_on_a_pipe_and_the_size_limit(monkeypatch):
    r, w = os.pipe()
    wire.send(w, {"value": wire.encode(np.arange(3.0))})
    assert np.array_equal(wire.decode(wire.receive(r)["value"]), np.arange(3.0))
    monkeypatch.setattr(wire, "MAX_BYTES", 10)
    with pytest.raises(wire.WireError, match="more than 10"):
        wire.send(w, {"value": "a long message"})
    os.close(w)
    with pytest.raises(EOFError):
        wire.receive(r)
    os.close(r)


def test_tamper_scan_reads_ipython_cells_and_stays_quiet_on_honest_code():
    honest = {
        "cells": [
            {"cell_type": "code", "source": 'import otter\ngrader = otter.Notebook("x.ipynb")'},
            {
                "cell_type": "code",
                "source": "import numpy as np\n%timeit np.ones(3)\nx = np.ones(3)",
            },
            {"cell_type": "code", "source": "def f(p):\n    p = p - 1\n    return p\n"},
            {"cell_type": "code", "source": 'grader.check("q1")'},
        ]
    }
    assert tamper.findings(honest) == []
    attack = {"cells": [{"cell_type": "code", "source": "!rm -rf /\nimport numpy\nnumpy.sum = 1"}]}
    reasons = [reason for _, _, reason in tamper.findings(attack)]
    assert reasons == ["runs a shell command", "assigns numpy.sum (changes a module)"]
