"""What decides a run's numbers, as the parts of its run-cache key: digests of the data's
decoded content, of a student's implementation files and of the code, whether the BLAS
thread count matters, and (for epoch times) the machine. See :mod:`.runcache`."""

from __future__ import annotations

import hashlib
import json
import os
import platform
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..data import Dataset
from ..data.registry import IMAGE_PIXELS, NUM_CLASSES
from ..nn._fast import BIG_PRODUCT
from .run import RunSpec

UNTRAINED_PARTS = ("report", "cli", "web")  # source folders that never change a run's numbers
UNTRAINED_FILES = ("experiments/runcache.py", "experiments/runkey.py",
                   "experiments/runentry.py")  # nor these


def digest(data: bytes | Iterable[Any], size: int = 16) -> str:
    h = hashlib.blake2b(digest_size=size)
    for chunk in [data] if isinstance(data, bytes) else data:
        h.update(chunk)
    return h.hexdigest()


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, ensure_ascii=True, allow_nan=False).encode()


_DATA_DIGESTS: dict[int, tuple[Dataset, str]] = {}
_IMPL_DIGESTS: dict[str, str] = {}
_CODE_VERSION: list[str] = []


def data_digest(data: Dataset) -> str:
    """A digest of a data set's decoded content: every split's pixels and labels, their
    shapes and dtypes, and the class names (≈ 60 ms for MNIST; once per process)."""
    kept = _DATA_DIGESTS.get(id(data))
    if kept is not None and kept[0] is data:
        return kept[1]
    parts: list[bytes] = [canonical(list(data.classes))]
    for name in ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test"):
        array = getattr(data, name)
        parts += [f"{name}{array.shape}{array.dtype.str}".encode(),
                  np.ascontiguousarray(array).data]
    content = digest(parts)
    _DATA_DIGESTS[id(data)] = (data, content)
    return content


def impl_digest(folder: str | os.PathLike[str] | None) -> str | None:
    """A digest of the ``*.py`` files (names and bytes) in a student's folder, or None."""
    if folder is None:
        return None
    key = os.fspath(folder)
    if key not in _IMPL_DIGESTS:
        root = Path(folder)
        files = sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)
        _IMPL_DIGESTS[key] = digest(
            b for p in files for b in (p.relative_to(root).as_posix().encode(), b"\0",
                                       p.read_bytes(), b"\0"))
    return _IMPL_DIGESTS[key]


def code_version() -> str:
    """The package version and a digest of the source files that can change a run's
    numbers (all but ``report/``, ``cli/``, ``web/`` and the cache's own): an edited
    checkout is new code."""
    if not _CODE_VERSION:
        root = Path(__file__).resolve().parents[1]
        files = sorted(p for p in root.rglob("*.py")
                       if p.relative_to(root).parts[0] not in UNTRAINED_PARTS
                       and p.relative_to(root).as_posix() not in UNTRAINED_FILES)
        source = digest((b for p in files for b in (
            p.relative_to(root).as_posix().encode(), b"\0", p.read_bytes())), 8)
        _CODE_VERSION.append(f"{__version__}+{source}")
    return _CODE_VERSION[0]


def thread_sensitive(spec: RunSpec) -> bool:
    """Whether the Solver may train ``spec`` on more than one BLAS thread (its largest
    product reaches ``BIG_PRODUCT``): then the thread count is part of the key. Every
    network with hidden layers counts, and softmax regression on raw-sized inputs from the
    batch size on where its product does (no preprocessing step adds features)."""
    if spec.model.architecture:
        return True
    return spec.config.batch_size * IMAGE_PIXELS * NUM_CLASSES >= BIG_PRODUCT


def machine() -> dict[str, Any]:
    """What a measured epoch time depends on besides the setting: this machine."""
    return {"node": platform.node(), "machine": platform.machine(),
            "processor": platform.processor(), "cores": os.cpu_count(),
            "blas": {v: os.environ.get(v) for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                                     "MKL_NUM_THREADS")}}
