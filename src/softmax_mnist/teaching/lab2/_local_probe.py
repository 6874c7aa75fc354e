"""STAND-IN: an executor of the probe step language (see :mod:`.probe`).

Until the sandboxed executor (``teaching/probe.py``: a bubblewrap child that never shares
a process with the verdict) is on main, lab 2's checks run their probes here:
:func:`run_probe` in the calling process (tests), :func:`run_probe_in_child` in a forked
child with a wall-clock and a memory limit (``check --lab 2``; isolation, not security).
The lead swaps it in :func:`.checklist.execute` (one line).
"""

from __future__ import annotations

import importlib
import linecache
import os
import sys
import traceback
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits


def run_probe(folder: str | Path, steps: list[dict], arrays: dict[str, np.ndarray]) -> dict:
    """Run ``steps`` on the student's files in ``folder`` -> ``{"kept": …, "error": …}``."""
    folder = str(Path(folder).resolve())
    objects: dict[str, Any] = {}
    kept: dict[str, Any] = {}
    _forget(folder)
    sys.path.insert(0, folder)
    legacy = np.random.get_state()  # noqa: NPY002 (the legacy state the course uses)
    np.random.seed(0)  # noqa: NPY002 (the course draws from it: the same draws every run)
    try:
        # one BLAS thread: the probes' products are small, and a second thread costs
        # more than it saves (3× slower on a busy 2-core machine)
        with np.errstate(all="ignore"), warnings.catch_warnings(), threadpool_limits(
                limits=1, user_api="blas"):
            warnings.simplefilter("ignore")
            for i, step in enumerate(steps):
                try:
                    _step(step, objects, kept, dict(arrays))
                except (Exception, SystemExit) as exc:
                    return {"kept": kept, "error": _error(i, exc, folder)}
    finally:
        np.random.set_state(legacy)  # noqa: NPY002
        sys.path.remove(folder)
        _forget(folder)
    return {"kept": kept, "error": None}


def run_probe_in_child(folder: str | Path, steps: list[dict], arrays: dict[str, np.ndarray],
                       seconds: float, memory_mb: int) -> dict:
    """:func:`run_probe` in a forked child: killed after ``seconds``, its address space
    limited to ``memory_mb``; a child that ends without a reply is an error too."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, folder, steps, arrays, memory_mb),
                        daemon=True)
    child.start()
    send.close()
    reply, timed_out = None, False
    try:
        if receive.poll(seconds):
            reply = receive.recv()
        else:
            timed_out = True
    except (EOFError, OSError):  # the child ended without a reply
        pass
    finally:
        child.kill()
        child.join()
        receive.close()
    if reply is None:
        kind = "Timeout" if timed_out else "NoReply"
        return {"kept": {}, "error": {"step": -1, "type": kind, "message": (
            f"{seconds:g} s" if kind == "Timeout" else f"exit status {child.exitcode}"),
            "where": None, "line": None}}
    return reply


def _child(send: Any, folder: str | Path, steps: list[dict], arrays: dict[str, np.ndarray],
           memory_mb: int) -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)  # the student's prints are dropped
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 2**20, memory_mb * 2**20))
    except (ImportError, ValueError, OSError):  # not on this platform: the time limit stays
        pass
    send.send(run_probe(folder, steps, arrays))
    send.close()


def _step(step: dict, objects: dict, kept: dict, arrays: dict) -> None:
    def value(v: Any) -> Any:
        if isinstance(v, dict) and len(v) == 1:
            (k, name), = v.items()
            if k == "array":
                return np.array(arrays[name], copy=True)
            if k in ("obj", "kept"):
                return (objects if k == "obj" else kept)[name]
        return [value(x) for x in v] if isinstance(v, list) else v

    def target(dotted: str) -> tuple[Any, str]:
        name, attr = dotted.split(".", 1)
        return objects[name], attr

    args, kwargs = [value(a) for a in step.get("args", [])], {
        k: value(v) for k, v in step.get("kwargs", {}).items()}
    if "import" in step:
        importlib.import_module(step["import"])
    elif "new" in step:
        module, cls = step["cls"].rsplit(".", 1)
        objects[step["new"]] = getattr(importlib.import_module(module), cls)(*args, **kwargs)
    elif "call" in step:
        obj, method = target(step["call"])
        out = getattr(obj, method)(*args, **kwargs)
        if "keep" in step:
            kept[step["keep"]] = _plain(out)
    elif "get" in step:
        obj, attr = target(step["get"])
        kept[step["keep"]] = _plain(getattr(obj, attr))
    elif "set" in step:
        obj, attr = target(step["set"])
        setattr(obj, attr, value(step["value"]))
    elif "batches" in step:
        X, y = (np.asarray(value(step["batches"][k])) for k in ("X", "y"))
        rng, size = np.random.default_rng(step.get("seed", 0)), int(step["size"])
        for _ in range(int(step.get("epochs", 1))):
            order = rng.permutation(len(X))
            for start in range(0, len(X), size):
                rows = order[start:start + size]
                arrays.update({"batch.X": X[rows], "batch.y": y[rows]})
                for inner in step["steps"]:
                    _step(inner, objects, kept, arrays)
    else:
        raise ValueError(f"unknown probe step {sorted(step)}")


def _plain(v: Any) -> Any:
    """Arrays, numbers, strings and lists of them; anything else by its type's name."""
    if isinstance(v, np.ndarray | np.generic):
        return np.array(v, copy=True) if isinstance(v, np.ndarray) else v.item()
    if v is None or isinstance(v, bool | int | float | str):
        return v
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    return {"type": type(v).__name__}


def _error(i: int, exc: BaseException, folder: str) -> dict:
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename.startswith(folder + "/")]
    where = line = None
    if frames:
        where = f"{Path(frames[-1].filename).relative_to(folder)}:{frames[-1].lineno}"
        line = linecache.getline(frames[-1].filename, frames[-1].lineno or 0).strip()
    elif isinstance(exc, SyntaxError) and exc.filename:
        where = f"{Path(exc.filename).name}:{exc.lineno}"
    return {"step": i, "type": type(exc).__name__, "message": str(exc)[:300],
            "where": where, "line": line}


def _forget(folder: str) -> None:
    """Drop the student's modules from sys.modules (another folder may use the names)."""
    for name, module in list(sys.modules.items()):
        if (getattr(module, "__file__", None) or "").startswith(folder + "/"):
            del sys.modules[name]
