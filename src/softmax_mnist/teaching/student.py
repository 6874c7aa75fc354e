"""The student's two files: import them from a folder, and say where their code failed.

A student folder holds ``loss.py`` (class ``SoftmaxCrossEntropyLoss``) and
``optimizer.py`` (class ``SGD``), the course's interface. Each file is imported as a
fresh module under a name of its own, with the folder on ``sys.path`` while it loads (so
``optimizer.py`` may ``import loss`` or a helper file next to it). Any exception the
student's code raises is described by :func:`describe_exception` as one line: the
exception, the file and line of the student's code, and a hint when the cause is known.
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import os
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from ..errors import SoftmaxMnistError

FILES = {"loss.py": "SoftmaxCrossEntropyLoss", "optimizer.py": "SGD"}
"""File -> the class it must define."""

_counter = itertools.count()


class StudentCodeError(SoftmaxMnistError):
    """The student's files are missing, do not import, or lack a class."""


@dataclass(frozen=True)
class CourseClasses:
    """The student's classes and which files they came from.

    Attributes:
        folder: the folder, resolved.
        loss: ``SoftmaxCrossEntropyLoss(num_input, num_output)``.
        sgd: ``SGD(model, learning_rate, momentum)``.
        digests: file name -> the first 12 hex digits of its SHA-256.
    """

    folder: Path
    loss: type
    sgd: type
    digests: dict[str, str]

    def describe(self) -> str:
        """``folder (loss.py 1a2b3c…, optimizer.py 4d5e6f…)``."""
        files = ", ".join(f"{name} {digest}" for name, digest in self.digests.items())
        return f"{self.folder} ({files})"


def file_digests(folder: str | os.PathLike[str], files: Sequence[str] = FILES,
                 ) -> dict[str, str]:
    """SHA-256 (12 hex digits) of each of the student's ``files`` that exists (default
    lab 1's)."""
    folder = Path(folder)
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()[:12]
            for name in files if (folder / name).is_file()}


def implementation_record(impl: str | os.PathLike[str] | None) -> dict[str, object]:
    """Which implementation trained a run, for metrics.json, model.npz and the report."""
    if impl is None:
        return {"by": "softmax-mnist"}
    return {"by": "student", "folder": str(Path(impl).resolve()), "files": file_digests(impl)}


def load_course(folder: str | os.PathLike[str]) -> CourseClasses:
    """Import ``loss.py`` and ``optimizer.py`` from ``folder`` and return their classes.

    Raises:
        StudentCodeError: a file is missing, fails to import (the message says where and
            why), or does not define its class.
    """
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise StudentCodeError(f"{folder}: no such folder (it should hold loss.py and "
                               f"optimizer.py; softmax-mnist scaffold DIR writes them).")
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise StudentCodeError(f"{folder}: {' and '.join(missing)} not found (the folder "
                               f"must hold loss.py and optimizer.py).")
    classes = {}
    for name, cls_name in FILES.items():
        module = _import(folder / name, folder)
        cls = getattr(module, cls_name, None)
        if not isinstance(cls, type):
            raise StudentCodeError(f"{name} defines no class {cls_name} (the course's name; "
                                   f"check its spelling).")
        classes[name] = cls
    return CourseClasses(folder, classes["loss.py"], classes["optimizer.py"],
                         file_digests(folder))


def _import(path: Path, folder: Path) -> ModuleType:
    """Run ``path`` as a new module; its exceptions become a StudentCodeError."""
    module_name = f"_softmax_mnist_student_{next(_counter)}_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(folder))
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise StudentCodeError(f"{path.name} does not import: "
                               f"{describe_exception(exc, folder)}") from None
    finally:
        sys.path.remove(str(folder))
    return module


def describe_exception(exc: BaseException, folder: Path) -> str:
    """One line: ``ValueError: … (loss.py line 27)`` plus a hint when the cause is known."""
    where = _location(exc, folder)
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, NotImplementedError):
        message = ""  # the template's own message; the hint says it
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    if isinstance(exc, SyntaxError) and exc.filename:
        text = f"SyntaxError: {exc.msg}"
        where = f"{Path(exc.filename).name} line {exc.lineno}"
    line = f"{text} ({where})" if where else text
    hint = _hint(exc)
    return f"{line} — {hint}" if hint else line


def _location(exc: BaseException, folder: Path) -> str:
    """``file line N`` of the innermost frame in the student's folder, or ''."""
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        path = Path(frame.filename)
        if path.parent == folder:
            return f"{path.name} line {frame.lineno}"
    return ""


def _hint(exc: BaseException) -> str:
    if isinstance(exc, NotImplementedError):
        return "not written yet: fill in the TODO"
    if isinstance(exc, ModuleNotFoundError):
        return (f"the module {exc.name!r} is not installed here; the lab needs NumPy only "
                f"(no sklearn, torch or tensorflow)")
    if isinstance(exc, MemoryError):
        return "it allocates more memory than check allows (--memory-limit)"
    if isinstance(exc, RecursionError):
        return "a function calls itself without end"
    if isinstance(exc, ValueError) and "broadcast" in str(exc):
        return ("a row-wise max or sum needs keepdims=True (shape (N, 1)) to broadcast "
                "against the (N, C) scores")
    return ""
