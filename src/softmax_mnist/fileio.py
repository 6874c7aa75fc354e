"""Atomic file writes: a crash never leaves a half-written output behind.

Every writer here writes into a temporary file in the destination directory and
renames it over the target only once the content is complete (``os.replace`` is
atomic on POSIX and Windows).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from .errors import ModelFileError


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_current_umask()  # what open() would give; mkstemp gives 0o600


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; move it into place on success.

    The temporary name keeps the target's suffix, so libraries that pick a format
    from the file name (matplotlib, ``np.savez``) do the right thing.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=f".tmp{target.suffix}",
                               dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, _FILE_MODE)
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_open(target: str | os.PathLike[str], mode: str = "wb") -> Iterator[BinaryIO]:
    """Open a temporary file for writing; it replaces ``target`` when closed cleanly."""
    with atomic_path(target) as tmp, open(tmp, mode) as fh:
        yield fh


def write_text(target: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``target`` atomically."""
    with atomic_open(target, "w") as fh:
        fh.write(text)  # type: ignore[arg-type]


def describe_os_error(exc: OSError) -> str:
    """An OSError in a few words: "permission denied", "no space left on device" …"""
    return (exc.strerror or type(exc).__name__).lower()


def printable(path: os.PathLike[str] | str) -> str:
    """A path as text that can always be printed or stored (undecodable bytes escaped)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def finite(obj: Any) -> Any:
    """``obj`` with every non-finite float (NaN, ±inf) replaced by None, recursively:
    JSON has no NaN. NumPy scalars become Python numbers; tuples become lists."""
    if isinstance(obj, float | np.floating):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [finite(v) for v in obj]
    return obj


def write_json(target: str | os.PathLike[str], obj: Any) -> None:
    """Write ``obj`` as indented JSON to ``target`` atomically; NaN and inf become null."""
    write_text(target, json.dumps(finite(obj), indent=2, ensure_ascii=False,
                                  allow_nan=False) + "\n")


MAX_NPZ_ENTRY = 256 << 20  # no array of a model or checkpoint is near this


def read_npz(path: str | os.PathLike[str], what: str,
             keep: Callable[[str], bool] = lambda name: True) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` file whose names ``keep`` accepts, read without pickles.

    Each entry's size is checked in the zip directory before it is read, so a small file
    announcing a huge array costs no memory. Every problem is a ModelFileError naming the
    file and ``what`` it should have been ("softmax-mnist model file").
    """
    path = Path(path)
    where = printable(path)
    try:
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise ModelFileError(f"{where}: is {kind}; a {what} was expected.")
        if not zipfile.is_zipfile(path):
            raise ModelFileError(f"{where}: not a {what} (not an .npz archive).")
        with np.load(path, allow_pickle=False) as npz:
            names = [n for n in npz.files if keep(n)]
            for name in names:
                _check_entry(npz.zip, f"{name}.npy", where, what)
            return {name: npz[name] for name in names}
    except FileNotFoundError:
        raise ModelFileError(f"{where}: no such file.") from None
    except ModelFileError:
        raise
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile,
            zlib.error) as exc:
        reason = describe_os_error(exc) if isinstance(exc, OSError) and exc.strerror else (
            str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        if "allow_pickle" in reason:
            reason = "it holds pickled Python objects, which are never loaded"
        raise ModelFileError(f"{where}: not a readable {what} ({reason}).") from None


def _check_entry(archive: zipfile.ZipFile, member: str, where: str, what: str) -> None:
    """An .npz entry must be small enough, and its .npy header must announce exactly the
    bytes it holds: checked before the array is read, so nothing huge is allocated."""
    size = archive.getinfo(member).file_size
    if size > MAX_NPZ_ENTRY:
        raise ModelFileError(f"{where}: entry {member!r} holds {size} bytes, far more than a "
                             f"{what} does; the file is not one.")
    with archive.open(member) as fh:
        version = np.lib.format.read_magic(fh)
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        shape, _, dtype = read_header(fh)
        if dtype.hasobject:
            raise ModelFileError(f"{where}: entry {member!r} holds pickled Python objects, "
                                 f"which are never loaded; not a {what}.")
        announced = int(np.prod(shape, dtype=object)) * dtype.itemsize
        if announced != size - fh.tell():
            raise ModelFileError(f"{where}: entry {member!r} announces {announced} bytes but "
                                 f"holds {size - fh.tell()}; the file is damaged.")


def write_npz(target: str | os.PathLike[str], arrays: dict[str, np.ndarray]) -> None:
    """Save ``arrays`` to a compressed ``.npz`` atomically (no pickled objects)."""
    with atomic_open(target, "wb") as fh:
        np.savez_compressed(fh, **arrays)
