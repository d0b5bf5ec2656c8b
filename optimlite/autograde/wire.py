"""The data that crosses between the grader and a learner's sandbox: plain values only.

The trusted grader never unpickles anything the learner's process sends (unpickling runs code):
values travel as JSON with tagged containers and numpy arrays as raw bytes, and the decoder
builds nothing but ``None``, ``bool``, ``int``, ``float``, ``str``, lists, tuples, dicts and
plain ``numpy.ndarray`` / numpy scalars of numeric or boolean dtype. An answer that returns
anything else (an object with a rigged ``__eq__``, an array subclass, a generator) is reported
as such and fails its test. Messages are length-prefixed frames on a pipe, at most
:data:`MAX_BYTES` long.
"""

import base64
import json
import os
import struct

import numpy as np

__all__ = ["WireError", "MAX_BYTES", "encode", "decode", "send", "receive"]

#: the largest message either side accepts (a learner's answer of 2 GB is refused, not read)
MAX_BYTES = 256 * 2**20
_HEADER = struct.Struct("!Q")
_KINDS = "biufc?"  # numpy dtype kinds that may cross: ints, floats, complex, bool


class WireError(ValueError):
    """A value that cannot cross (its type named), or a malformed message."""


def _type_name(value):
    return type(value).__qualname__


def encode(value, depth=0, functions=None):
    """``value`` as JSON-ready plain data, or :class:`WireError` naming what cannot cross.

    ``functions`` (a list; only on the grader's side) lets callables cross as references: each
    is appended to it and sent as its index, for the other side to call back
    (:func:`decode`'s ``callback``)."""
    if depth > 50:
        raise WireError("a value nested more than 50 levels deep")
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if kind is tuple or kind is list:
        return {"t" if kind is tuple else "l": [encode(v, depth + 1, functions) for v in value]}
    if kind is dict:
        return {
            "d": [
                [encode(k, depth + 1, functions), encode(v, depth + 1, functions)]
                for k, v in value.items()
            ]
        }
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.dtype.kind not in _KINDS or type(value) not in (np.ndarray, type(array[()])):
            raise WireError(f"a {_type_name(value)} of dtype {array.dtype}")
        raw = base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")
        return {"a" if kind is np.ndarray else "s": [array.dtype.str, list(array.shape), raw]}
    if functions is not None and callable(value):
        functions.append(value)
        return {"f": len(functions) - 1}
    raise WireError(f"a {_type_name(value)}")


def decode(data, depth=0, callback=None):
    """The plain value that ``data`` (from :func:`encode`) stands for; :class:`WireError` if it
    is malformed. ``callback(index)`` (only on the learner's side) makes the stand-in for a
    function the grader sent."""
    if depth > 51:
        raise WireError("a message nested too deep")
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is not dict or len(data) != 1:
        raise WireError("a malformed value")
    ((tag, body),) = data.items()
    if tag in ("t", "l") and type(body) is list:
        items = [decode(v, depth + 1, callback) for v in body]
        return tuple(items) if tag == "t" else items
    if tag == "d" and type(body) is list:
        try:
            return {decode(k, depth + 1, callback): decode(v, depth + 1, callback) for k, v in body}
        except (TypeError, ValueError) as exc:
            raise WireError(f"a malformed dict: {exc}") from None
    if tag in ("a", "s") and type(body) is list and len(body) == 3:
        dtype_str, shape, raw = body
        try:
            dtype = np.dtype(dtype_str)
            if dtype.kind not in _KINDS or dtype.fields is not None:
                raise WireError(f"an array of dtype {dtype}")
            shape = tuple(int(n) for n in shape)
            array = np.frombuffer(base64.b64decode(raw, validate=True), dtype=dtype)
            array = array.reshape(shape).copy()
        except (TypeError, ValueError) as exc:
            raise WireError(f"a malformed array: {exc}") from None
        return array if tag == "a" else array[()]
    if tag == "f" and callback is not None and type(body) is int:
        return callback(body)
    raise WireError("a malformed value")


def send(fd, message):
    """Write the JSON-able ``message`` as one frame on the file descriptor ``fd``."""
    body = json.dumps(message).encode("utf-8")
    if len(body) > MAX_BYTES:
        raise WireError(f"a message of {len(body)} bytes (more than {MAX_BYTES})")
    _write_all(fd, _HEADER.pack(len(body)) + body)


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(fd, n):
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 2**20))
        if not chunk:
            raise EOFError("the other side closed the pipe")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def receive(fd):
    """Read one frame from ``fd``; :class:`EOFError` when the writer is gone."""
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size))
    if size > MAX_BYTES:
        raise WireError(f"a message of {size} bytes (more than {MAX_BYTES})")
    try:
        return json.loads(_read_exactly(fd, size))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WireError(f"a malformed message: {exc}") from None
