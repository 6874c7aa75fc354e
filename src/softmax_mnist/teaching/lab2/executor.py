"""Lab 2's probes on lab 1's executor: the sandboxed child of ``teaching/probe.py``
(:class:`~..sandbox.ProbeSession`), or this process for tests
(:func:`~..probe_reply.run_probe_in_process`).

Lab 2 writes its probes in its own words (:mod:`.probe`); :func:`request` says them in the
child's step language, and :func:`lab2_reply` turns the child's validated answer back into
the plain values lab 2's judges read. The differences bridged:

- ``{"array": NAME}`` is a fresh copy in lab 2 (``{"copy": NAME}`` for the child);
- a ``batches`` step names its arrays by spec and keeps the last batch's values
  (``"last": true``);
- the course draws its initial weights from NumPy's legacy global generator: every probe
  starts by seeding it with 0 (two steps, not counted in an error's step index);
- tuples come back as lists, objects as ``{"type": NAME}``, 0-d arrays as numbers, a
  failed child (hung, died, bad reply) as an error of type ``Timeout``, ``NoReply`` or
  ``Sandbox`` with step -1.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from .. import probe_reply
from ..probe_reply import Opaque
from .probe import Probe, Reply, Step

SEED_STEPS: list[Step] = [{"import": "numpy"}, {"call": "numpy.random.seed", "args": [0]}]


def request(probe: Probe) -> probe_reply.Probe:
    """``probe`` as the child's request (steps and arrays)."""
    return probe_reply.Probe([*SEED_STEPS, *map(_step, probe.steps)], dict(probe.arrays))


def _value(v: Any) -> Any:
    if isinstance(v, dict) and len(v) == 1 and "array" in v:
        return {"copy": v["array"]}
    if isinstance(v, list):
        return [_value(x) for x in v]
    return v


def _step(step: Step) -> Step:
    if "batches" in step:
        return {**step, "batches": {k: v["array"] for k, v in step["batches"].items()},
                "last": True, "steps": [_step(s) for s in step["steps"]]}
    out = dict(step)
    if "args" in step:
        out["args"] = [_value(a) for a in step["args"]]
    if "kwargs" in step:
        out["kwargs"] = {k: _value(v) for k, v in step["kwargs"].items()}
    if "value" in step:
        out["value"] = _value(step["value"])
    return out


def lab2_reply(reply: probe_reply.Reply) -> Reply:
    """The child's answer in lab 2's terms (see the module's notes)."""
    error = None
    if reply.error is not None:
        e = reply.error
        error = {"step": max(e.step - len(SEED_STEPS), -1), "type": e.type,
                 "message": e.message, "where": e.where or None, "line": e.line or None}
    return Reply({k: _plain(v) for k, v in reply.kept.items()}, error)


def _plain(v: Any) -> Any:
    if isinstance(v, Opaque):
        return {"type": v.name}
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    if isinstance(v, np.ndarray) and v.ndim == 0:
        return v.item()
    return v


def failure(line: str) -> Reply:
    """A reply for a child that did not answer (the sandbox's one line)."""
    seconds = re.match(r"did not finish within (\S+ s)", line)
    status = re.search(r"exit status (-?\d+)", line)
    if seconds:
        error = {"type": "Timeout", "message": seconds.group(1)}
    elif status:
        error = {"type": "NoReply", "message": f"exit status {status.group(1)}"}
    else:
        error = {"type": "Sandbox", "message": line}
    return Reply({}, {"step": -1, "where": None, "line": None, **error})


def run_in_process(folder: str | Path, probe: Probe) -> Reply:
    """``probe`` in this process on one BLAS thread (trusted code: tests), NumPy's global
    generator restored afterwards."""
    from threadpoolctl import threadpool_limits

    legacy = np.random.get_state()  # noqa: NPY002 (the legacy state the course uses)
    try:
        with threadpool_limits(limits=1, user_api="blas"):
            return lab2_reply(probe_reply.run_probe_in_process(folder, request(probe)))
    finally:
        np.random.set_state(legacy)  # noqa: NPY002
