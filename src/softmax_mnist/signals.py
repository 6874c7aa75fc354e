"""Ctrl-C and a plain ``kill`` as normal events.

- :func:`terminate_as_interrupt`: SIGTERM (``kill``, a cluster's time limit) raises
  :class:`Terminated`, a KeyboardInterrupt, so every ``except KeyboardInterrupt`` path
  (checkpoints, keeping finished runs, shutting workers down) serves both signals.
- :func:`deferred`: a block that SIGINT and SIGTERM cannot cut in two — saving a
  checkpoint, committing a run's files, recording an epoch. A signal that arrives meanwhile
  is delivered when the block ends.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}  # 128 + the signal's number


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C's KeyboardInterrupt."""

    signum = signal.SIGTERM


def exit_code(exc: BaseException) -> int:
    """130 for Ctrl-C, 143 for SIGTERM."""
    return EXIT_CODES[getattr(exc, "signum", signal.SIGINT)]


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is over (main thread only; nestable)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
