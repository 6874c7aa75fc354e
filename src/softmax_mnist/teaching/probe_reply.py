"""The parent's side of the probe protocol (:mod:`.probe`): what a reply may hold, read
back from JSON and validated — a child that sends anything else fails that check — and the
probe itself as the checks build it. Never imported by the child.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .probe import MAX_ELEMENTS, MAX_REPLY_BYTES, MESSAGE_CHARS, execute, load_arrays


class Opaque:
    """A value the child could not send as numbers: only its type's name."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"Opaque({self.name!r})"


class BadReply(ValueError):
    """The child's reply is not a well-formed probe reply."""


def decode(value: Any, depth: int = 0) -> Any:
    """The parent's view of an encoded value: float/int/bool/None, np.ndarray, tuple, Opaque.

    Raises BadReply for anything not made by :func:`encode`.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value
    if not isinstance(value, dict) or len(value) != 1 or depth > 4:
        raise BadReply("a value that is not a number or an array")
    (kind, body), = value.items()
    if kind == "items" and isinstance(body, list) and len(body) <= 64:
        return tuple(decode(v, depth + 1) for v in body)
    if kind == "object" and isinstance(body, str):
        return Opaque(body[:100])
    if kind == "array" and isinstance(body, dict) and set(body) == {"shape", "dtype", "data"}:
        shape, dtype, data = body["shape"], body["dtype"], body["data"]
        if (dtype not in ("bool", "int64", "float64") or not isinstance(shape, list)
                or len(shape) > 8 or not all(type(s) is int and s >= 0 for s in shape)
                or not isinstance(data, list) or len(data) != int(np.prod(shape))
                or len(data) > MAX_ELEMENTS):
            raise BadReply("an array whose shape, type or size is wrong")
        if not all(type(x) in (int, float, bool) for x in data):
            raise BadReply("an array holding something other than numbers")
        try:
            return np.array(data, dtype=dtype).reshape(shape)
        except (OverflowError, ValueError):
            raise BadReply("an array holding numbers out of range") from None
    raise BadReply("a value of an unknown kind")


@dataclass(frozen=True)
class StepError:
    """Where a probe stopped: step index, exception type, message, ``file:line``, the line."""

    step: int
    type: str
    message: str
    where: str = ""
    line: str = ""
    module: str = ""


@dataclass(frozen=True)
class Reply:
    """A probe's answer as the parent sees it (decoded, validated), with the wall time the
    parent measured from sending the request to reading the reply."""

    kept: dict[str, Any]
    error: StepError | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class Probe:
    """Steps, their input arrays, the modules to stub; ``keep``: the keys asked for."""

    steps: list[dict[str, Any]]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    stub: tuple[str, ...] = ()
    files: tuple[str, ...] = ()  # .npy/.npz files of large shared arrays

    @property
    def keep(self) -> list[str]:
        keys: list[str] = []

        def walk(steps: list[dict[str, Any]]) -> None:
            for step in steps:
                if "keep" in step:
                    keys.append(step["keep"])
                walk(step.get("steps", []))
        walk(self.steps)
        return keys


def parse_reply(raw: bytes, keep: list[str], seconds: float) -> Reply:
    """The child's reply line, validated (BadReply otherwise)."""
    if len(raw) > MAX_REPLY_BYTES:
        raise BadReply(f"a reply of more than {MAX_REPLY_BYTES >> 20} MB")
    try:
        message = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadReply("a reply that is not JSON") from None
    if not isinstance(message, dict) or set(message) - {"id", "kept", "error"}:
        raise BadReply("a reply with unknown fields")
    kept, error = message.get("kept"), message.get("error")
    if not isinstance(kept, dict) or set(kept) - set(keep):
        raise BadReply("values it was not asked for")
    values = {key: decode(value) for key, value in kept.items()}
    if error is not None:
        if not isinstance(error, dict) or not isinstance(error.get("step"), int):
            raise BadReply("an error report of the wrong form")
        fields = {k: str(error.get(k, ""))[:MESSAGE_CHARS]
                  for k in ("type", "message", "where", "line", "module")}
        error = StepError(error["step"], **fields)
    return Reply(values, error, seconds)


def run_probe_in_process(folder: str | os.PathLike[str], probe: Probe) -> Reply:
    """Run ``probe`` in this process (the student's own code on their own machine, and
    tests): the same steps, encoding and validation as in the child, no isolation."""
    arrays = {**load_arrays(list(probe.files)), **probe.arrays}
    start = time.perf_counter()
    reply = execute(Path(folder), probe.steps, arrays, list(probe.stub), probe.keep)
    raw = json.dumps(reply).encode()
    return parse_reply(raw, probe.keep, time.perf_counter() - start)
