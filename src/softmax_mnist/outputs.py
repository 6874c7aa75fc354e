"""Output folders: one run a folder, claimed before any work, written all at once.

The discipline every command that writes a run (``train``, ``report``, ``experiment``)
follows, in one place:

- a default folder name is unique: ``runs/20261126-131325``, then ``…-2``, ``…-3`` — created
  with ``mkdir``, which fails when the name is taken, so a shell loop or two processes
  started in the same second never share one;
- a folder that already holds another run (its marker files) is refused unless
  ``overwrite``; a folder that is being written by another process (its lock, an
  ``fcntl`` lock on ``.softmax-mnist.lock``) is always refused;
- the folder must be writable before any training starts (a probe file is written);
- a run's files are written into a staging folder inside it and moved into place only
  when all of them are complete, with Ctrl-C and SIGTERM held back meanwhile: a crash, a
  full disk or an interrupt leaves either the old complete set or the new one.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

from . import signals
from .errors import SoftmaxMnistError
from .fileio import describe_os_error, printable

LOCK_NAME = ".softmax-mnist.lock"
STAGING_PREFIX = ".staging-"


class OutputError(SoftmaxMnistError):
    """An output folder cannot be used: taken, in use, or not writable."""


class OutputFolder:
    """A claimed output folder; use as a context manager (the lock is released on exit).

    Args:
        path: the folder.
        markers: file names that mean "this folder holds a run" (e.g. ``metrics.json``).
        overwrite: allow replacing an earlier run's files.
        resuming: the folder holds the interrupted run we continue (its markers are ours).
    """

    def __init__(self, path: Path, markers: Iterable[str], *, overwrite: bool = False,
                 resuming: bool = False):
        self.path, self.markers = Path(path), tuple(markers)
        self._lock_fd: int | None = None
        self.created: list[Path] = []  # folders made for this run; removed on close if empty
        try:
            self._prepare(overwrite, resuming)
        except OSError as exc:  # e.g. a folder above without search permission
            self.close()
            raise OutputError(f"cannot use {printable(self.path)} as the output folder: "
                              f"{describe_os_error(exc)}.") from None

    @classmethod
    def unique(cls, parent: Path, stem: str, markers: Iterable[str]) -> OutputFolder:
        """A new folder ``parent/stem-YYYYmmdd-HHMMSS[-k]``, created now (never shared)."""
        name = "-".join(p for p in (stem, datetime.now().strftime("%Y%m%d-%H%M%S")) if p)
        made = _make_dirs(parent)
        for k in range(1, 10_000):
            path = parent / (name if k == 1 else f"{name}-{k}")
            try:
                path.mkdir()
            except FileExistsError:
                continue
            except OSError as exc:
                raise OutputError(f"cannot create {printable(path)}: "
                                  f"{describe_os_error(exc)}.") from None
            folder = cls(path, markers)
            folder.created = [*made, path]
            return folder
        raise OutputError(f"no free folder name {printable(parent / name)}-N.")

    def _prepare(self, overwrite: bool, resuming: bool) -> None:
        path = self.path
        if path.exists() and not path.is_dir():
            raise OutputError(f"{printable(path)} exists and is not a folder; choose "
                              f"another --out.")
        self.created = _make_dirs(path)
        self._lock()
        existing = [m for m in self.markers if (path / m).exists()]
        if existing and not (overwrite or resuming):
            self.close()
            raise OutputError(f"{printable(path)} already holds a run ({', '.join(existing)}); "
                              f"choose another --out, or pass --overwrite to replace it.")
        self._probe()
        for stale in path.glob(f"{STAGING_PREFIX}*"):  # left by a process that was killed
            shutil.rmtree(stale, ignore_errors=True)

    def _lock(self) -> None:
        lock = self.path / LOCK_NAME
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(f"cannot write into {printable(self.path)}: "
                              f"{describe_os_error(exc)}.") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EACCES):
                raise OutputError(f"{printable(self.path)} is being written by another "
                                  f"softmax-mnist process; wait for it or choose another "
                                  f"--out.") from None
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._lock_fd = fd

    def _probe(self) -> None:
        try:
            with tempfile.TemporaryFile(dir=self.path) as fh:
                fh.write(b"softmax-mnist")
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            self.close()
            raise OutputError(f"cannot write into {printable(self.path)}: "
                              f"{describe_os_error(exc)}.") from None

    @contextlib.contextmanager
    def staging(self) -> Iterator[Path]:
        """Yield an empty folder to write every output into; on success its files replace
        the folder's (Ctrl-C and SIGTERM held back while they move), else it vanishes."""
        stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.path))
        try:
            try:
                yield stage
            except OSError as exc:
                raise OutputError(f"cannot write into {printable(self.path)}: "
                                  f"{describe_os_error(exc)}; nothing was changed "
                                  f"there.") from None
            with signals.deferred():
                names = sorted(p.name for p in stage.iterdir())
                for name in [n for n in names if n not in self.markers] + [
                        n for n in names if n in self.markers]:  # the run's markers last
                    os.replace(stage / name, self.path / name)
        finally:
            shutil.rmtree(stage, ignore_errors=True)

    def close(self) -> None:
        """Release the lock. A folder this process created and left empty (a run that
        failed before writing anything) is removed; otherwise the lock file stays, since
        removing it would race a process about to lock it."""
        if self._lock_fd is None:
            return
        try:
            if self.path in self.created and {p.name for p in self.path.iterdir()} == {
                    LOCK_NAME}:
                (self.path / LOCK_NAME).unlink()
                for folder in reversed(self.created):
                    folder.rmdir()  # fails (and stops) at the first that is not empty
        except OSError:
            pass
        os.close(self._lock_fd)
        self._lock_fd = None

    def __enter__(self) -> OutputFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _make_dirs(path: Path) -> list[Path]:
    """Create ``path`` and its missing parents; returns the folders made, outermost first."""
    try:
        missing = [p for p in (path, *path.parents) if not p.exists()][::-1]
        path.mkdir(parents=True, exist_ok=True)
        return missing
    except FileExistsError:
        raise OutputError(f"{printable(path)} (or a folder above it) is a file, not a "
                          f"folder; choose another --out.") from None
    except OSError as exc:
        raise OutputError(f"cannot create {printable(path)}: {describe_os_error(exc)}.") \
            from None
