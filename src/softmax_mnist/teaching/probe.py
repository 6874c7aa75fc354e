"""The probe: the only way ``check`` runs a student's code — a list of steps in, plain
numbers and arrays out. Stdlib + NumPy only, so that this file runs on its own as the
child script (copied into the sandbox, where ``softmax_mnist`` is not visible).

The parent never imports a student's file. It sends the child a PROBE — JSON steps and
named input arrays — and gets back plain values; every comparison, hint and score is
computed in the parent from them. Whatever the child sends is at most the student's
answer to the question asked: it cannot say ✓.

Steps (values in ``args``/``kwargs``/``value``: JSON literals, ``{"array": NAME}`` an input
array (the same object every time: in-place changes show), ``{"copy": NAME}`` a fresh copy
of one, ``{"obj": NAME}`` an object made earlier, ``{"kept": KEY}`` a value kept earlier)::

    {"import": "loss"}                        import the student's loss.py as module "loss"
    {"new": NAME, "cls": "loss.SoftmaxCrossEntropyLoss", "args": [...], "kwargs": {...}}
    {"call": "NAME.method", "args": [...], "kwargs": {...}, "keep": KEY}   (keep optional)
    {"get": "NAME.attr", "keep": KEY}         {"set": "NAME.attr", "value": VALUE}
    {"get": "NAME.attr", "keep": KEY, "optional": true}   keeps nothing if there is no attr
    {"batches": {"X": ARRAY, "y": ARRAY}, "size": 100, "epochs": 3, "seed": 0,
     "dtype": "float64", "steps": [...]}

``batches`` loops over shuffled mini-batches (:func:`batch_order`, so the parent can
replay the same order), binding ``batch.X`` and ``batch.y`` (cast to ``dtype`` if given;
``"images": "course"``: uint8 pixels made the course's images, :func:`course_batch`)
for the inner steps; a ``keep`` inside appends to a list (with ``"last": true`` it keeps
the last batch's value, and ``{"kept": KEY}`` inside reads this batch's). Names (modules,
objects, input arrays) share one namespace; ``NAME.a.b`` is an attribute path.

A request (one JSON line on the child's stdin)::

    {"id": 3, "steps": [...], "arrays": ["/probe/3.npz", "/probe/train_X.npy"],
     "stub": ["torch"], "keep": ["loss", "acc"]}

``.npz`` files hold several arrays, ``.npy`` files one (named by the file's stem, opened
memory-mapped). Modules in ``stub`` (and their submodules) import as stand-ins whose every
attribute raises ImportError, so a file with an unused forbidden import still runs. Each
request starts from fresh imports of the student's files.

The child first writes ``{"ready": true}`` (NumPy imported, no student code run yet: the
parent allows start-up time until then, and ``seconds`` per probe after it). The reply
(one JSON line on the dedicated reply pipe, never stdout)::

    {"id": 3, "kept": {KEY: VALUE}, "error": null | {"step": i, "type": "ValueError",
     "message": "...", "where": "loss.py:23", "line": "source line"}}

VALUE encodes a number, ``None``, ``{"array": {"shape": [...], "dtype": "float64" |
"int64" | "bool", "data": [...]}}``, ``{"items": [VALUE, ...]}`` (a tuple or list), or
``{"object": TYPE_NAME}`` for anything else. The parent (:func:`decode`) accepts only the
keys it asked for, numeric arrays of at most :data:`MAX_ELEMENTS` entries and replies of
at most :data:`MAX_REPLY_BYTES`; anything else fails that check with one line.

The parent's side: build a :class:`Probe` (steps, named arrays, ``stub`` — the forbidden
modules :mod:`.static` found — and ``files``, large shared ``.npy`` arrays), then
``sandbox.ProbeSession(folder, isolation, limits, shared).run(probe, seconds)`` -> a
:class:`Reply` (``kept``: key -> float/int/bool/None, ``np.ndarray``, tuple or
:class:`Opaque`; ``error``: :class:`StepError` or None; ``seconds``: the wall time the
parent measured) or ``sandbox.ProbeFailure`` (one line). A check does this through
``context.Context.run(steps, arrays)``, which turns a ProbeFailure into its ✗ line;
:func:`run_probe_in_process` answers the same probe in this process (trusted code, tests).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import json
import linecache
import os
import sys
import traceback
import types
from pathlib import Path
from typing import Any

if __name__ == "__main__" and len(sys.argv) > 5:  # the child: NumPy from SITE only
    sys.path.insert(0, sys.argv[5])

import numpy as np

MAX_ELEMENTS = 4_000_000
"""Largest array a reply may hold (entries)."""
MAX_REPLY_BYTES = 64 << 20
"""Largest reply the parent reads (bytes); more fails the check."""
MESSAGE_CHARS = 300


# -- values ----------------------------------------------------------------------------------

def encode(value: Any, depth: int = 0) -> Any:
    """A student's return value as plain JSON (see VALUE above)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float) and type(value) in (int, float):
        return value
    if isinstance(value, tuple | list) and depth < 3:
        return {"items": [encode(v, depth + 1) for v in value[:64]]}
    if isinstance(value, np.ndarray | np.generic | int | float):
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            return {"object": f"array of {array.dtype}"}
        if array.size > MAX_ELEMENTS:
            return {"object": f"array of {array.size} entries (more than {MAX_ELEMENTS})"}
        kind = {"b": "bool", "f": "float64"}.get(array.dtype.kind, "int64")
        return {"array": {"shape": list(array.shape), "dtype": kind,
                          "data": array.astype(kind).ravel().tolist()}}
    return {"object": type(value).__name__}




# -- steps -----------------------------------------------------------------------------------

def course_batch(pixels: np.ndarray) -> np.ndarray:
    """The course's images from uint8 pixels: float64 in [0, 1] minus each image's mean."""
    out = pixels.astype(np.float64)
    out *= 1 / 255
    out -= out.mean(axis=1, keepdims=True)
    return out


def batch_order(n: int, size: int, epochs: int, seed: int) -> list[np.ndarray]:
    """The rows of every mini-batch of a ``batches`` step, epoch after epoch."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(epochs):
        order = rng.permutation(n)
        out += [order[i:i + size] for i in range(0, n, size)]
    return out


class StepFailed(Exception):
    """A step raised: the student's exception, and which step."""

    def __init__(self, step: int, exc: BaseException):
        super().__init__(str(exc))
        self.step, self.exc = step, exc


def _snapshot(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple | list):
        return type(value)(v.copy() if isinstance(v, np.ndarray) else v for v in value)
    return value


class _Runner:
    def __init__(self, folder: Path, names: dict[str, Any]):
        self.folder, self.names, self.kept = folder, names, {}
        self.inner = False

    def resolve(self, path: str) -> Any:
        parts = path.split(".")
        for cut in range(len(parts), 0, -1):
            head = ".".join(parts[:cut])
            if head in self.names:
                value = self.names[head]
                for attr in parts[cut:]:
                    value = getattr(value, attr)
                return value
        raise NameError(f"probe: no name {parts[0]!r}")

    def value(self, spec: Any) -> Any:
        if isinstance(spec, dict) and len(spec) == 1:
            (kind, name), = spec.items()
            if kind in ("array", "obj"):
                return self.resolve(name)
            if kind == "copy":
                return np.array(self.resolve(name), copy=True)
            if kind == "kept":
                return self.kept[name]
        if isinstance(spec, list):
            return [self.value(v) for v in spec]
        return spec

    def keep(self, key: str | None, value: Any) -> None:
        if key is None:
            return
        value = _snapshot(value)  # later steps may change an array in place
        if self.inner:
            self.kept.setdefault(key, []).append(value)
        else:
            self.kept[key] = value

    def run(self, steps: list[dict[str, Any]]) -> None:
        for step in steps:
            self.one(step)

    def one(self, step: dict[str, Any]) -> None:
        args = [self.value(a) for a in step.get("args", [])]
        kwargs = {k: self.value(v) for k, v in step.get("kwargs", {}).items()}
        if "import" in step:
            self.names[step["import"]] = importlib.import_module(step["import"])
        elif "new" in step:
            self.names[step["new"]] = self.resolve(step["cls"])(*args, **kwargs)
        elif "call" in step:
            self.keep(step.get("keep"), self.resolve(step["call"])(*args, **kwargs))
        elif "get" in step:
            try:
                self.keep(step.get("keep"), self.resolve(step["get"]))
            except AttributeError:
                if not step.get("optional"):
                    raise
        elif "set" in step:
            owner, _, attr = step["set"].rpartition(".")
            setattr(self.resolve(owner), attr, self.value(step["value"]))
        elif "batches" in step:
            X, y = (self.resolve(step["batches"][k]) for k in ("X", "y"))
            dtype, images = step.get("dtype"), step.get("images") == "course"
            self.inner = not step.get("last")
            try:
                for rows in batch_order(len(X), step["size"], step["epochs"], step["seed"]):
                    bx = X[rows]
                    self.names["batch.X"] = (course_batch(bx) if images else
                                             bx.astype(dtype) if dtype else bx)
                    self.names["batch.y"] = y[rows]
                    self.run(step["steps"])
            finally:
                self.inner = False
        else:
            raise ValueError(f"probe: unknown step {sorted(step)}")


class _Stub(types.ModuleType):
    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        raise ImportError(f"{self.__name__} is not available to the lab's code "
                          f"(NumPy and the standard library only)")


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, roots: set[str]):
        self.roots = roots

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name.split(".")[0] in self.roots:
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None

    def create_module(self, spec: Any) -> types.ModuleType:
        module = _Stub(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        pass


def _forget_student_modules(folder: Path) -> None:
    """Drop the student's modules (also namespace packages such as ``layers/`` without an
    ``__init__.py``) and the stubs: the next request, or another folder, imports afresh."""
    prefix = str(folder) + os.sep
    for name, module in list(sys.modules.items()):
        files = [getattr(module, "__file__", None) or "", *(
            getattr(module, "__path__", None) or [])]
        if any(str(f).startswith(prefix) for f in files) or isinstance(module, _Stub):
            del sys.modules[name]


def describe_error(step: int, exc: BaseException, folder: Path) -> dict[str, Any]:
    """The error part of a reply: the exception and the innermost line of the student's."""
    message = str(exc).strip().splitlines()[0][:MESSAGE_CHARS] if str(exc).strip() else ""
    where = line = ""
    if isinstance(exc, SyntaxError) and exc.filename:
        message = str(exc.msg)[:MESSAGE_CHARS]
        where = f"{Path(exc.filename).name}:{exc.lineno}"
        line = (exc.text or "").strip()[:MESSAGE_CHARS]
    else:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if Path(frame.filename).is_relative_to(folder):  # lab 2: also subpackages
                where = f"{Path(frame.filename).relative_to(folder).as_posix()}:{frame.lineno}"
                line = (frame.line or linecache.getline(frame.filename, frame.lineno or 0)
                        ).strip()[:MESSAGE_CHARS]
                break
    name = getattr(exc, "name", None) if isinstance(exc, ImportError) else None
    out = {"step": step, "type": type(exc).__name__, "message": message, "where": where,
           "line": line}
    if name:
        out["module"] = str(name)[:100]
    return out


def execute(folder: Path, steps: list[dict[str, Any]], arrays: dict[str, Any],
            stub: list[str], keep: list[str]) -> dict[str, Any]:
    """Run ``steps`` on the student's files in ``folder`` -> the reply (without ``id``)."""
    import warnings

    folder = folder.resolve()
    _forget_student_modules(folder)
    finder = _StubFinder(set(stub))
    sys.meta_path.insert(0, finder)
    sys.path.insert(0, str(folder))
    runner = _Runner(folder, dict(arrays))
    error = None
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i, step in enumerate(steps):
                try:
                    runner.one(step)
                except (Exception, SystemExit) as exc:
                    raise StepFailed(i, exc) from None
    except StepFailed as failed:
        error = describe_error(failed.step, failed.exc, folder)
    finally:
        sys.meta_path.remove(finder)
        if str(folder) in sys.path:
            sys.path.remove(str(folder))
        _forget_student_modules(folder)
    kept = {}
    for key in keep:
        if key in runner.kept:
            try:
                kept[key] = encode(runner.kept[key])
            except Exception as exc:  # the student's object broke while converted
                kept[key] = {"object": type(exc).__name__}
    return {"kept": kept, "error": error}


def load_arrays(paths: list[str]) -> dict[str, Any]:
    """Input arrays from .npz files (all of their arrays) and .npy files (memory-mapped)."""
    arrays: dict[str, Any] = {}
    for path in paths:
        if path.endswith(".npy"):
            arrays[Path(path).stem] = np.load(path, mmap_mode="r", allow_pickle=False)
        else:
            with np.load(path, allow_pickle=False) as npz:
                arrays.update({name: npz[name] for name in npz.files})
    return arrays


# -- the child -------------------------------------------------------------------------------

def _limit(memory_mb: int, cpu_seconds: int) -> None:
    try:
        import resource
    except ImportError:
        return
    for which, value in ((resource.RLIMIT_AS, memory_mb << 20),
                         (resource.RLIMIT_CPU, cpu_seconds), (resource.RLIMIT_CORE, 0),
                         (resource.RLIMIT_FSIZE, 64 << 20)):
        try:
            hard = resource.getrlimit(which)[1]
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass


def child(argv: list[str]) -> None:
    """``probe.py FOLDER REPLY_FD MEMORY_MB CPU_SECONDS [SITE]``: answer requests from stdin."""
    folder, fd, memory_mb, cpu = Path(argv[0]), int(argv[1]), int(argv[2]), int(argv[3])
    _limit(memory_mb, cpu)
    os.chdir(folder)
    os.write(fd, b'{"ready": true}\n')  # NumPy is imported; no student code has run
    requests = os.fdopen(0, "rb")
    for raw in requests:
        request = json.loads(raw)
        try:
            arrays = load_arrays(request.get("arrays", []))
            reply = execute(folder, request["steps"], arrays, request.get("stub", []),
                            request.get("keep", []))
        except BaseException as exc:
            reply = {"kept": {}, "error": describe_error(-1, exc, folder)}
        data = (json.dumps({"id": request["id"], **reply}) + "\n").encode()
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    os._exit(0)


if __name__ == "__main__":
    child(sys.argv[1:])
