"""Ctrl-C and a plain ``kill`` as normal events.

- :func:`handle_interrupts`: SIGTERM (``kill``, a cluster's time limit) raises
  :class:`Terminated`, a KeyboardInterrupt, so every ``except KeyboardInterrupt`` path
  (checkpoints, keeping finished runs, shutting workers down) serves both signals; and
  only the first signal raises — a second Ctrl-C while the first is being handled (a
  checkpoint written, workers stopped) cannot cut that short.
- :func:`deferred`: a block that SIGINT and SIGTERM cannot cut in two — saving a
  checkpoint, committing a run's files, recording an epoch. A signal that arrives meanwhile
  is raised when the block ends.

Both work at the level of Python's signal handlers (which always run in the main thread),
not with signal masks: a masked signal would still reach the main thread's handler
through any of the BLAS or progress-bar threads.
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


class _State:
    """Shared by the handler and the blocks (main thread only)."""

    depth = 0  # deferred blocks we are in
    pending: int | None = None  # the first signal that arrived inside one
    fired = False  # a signal has been raised: later ones are ignored
    once = False  # within handle_interrupts: raise only the first signal


def _interrupt(signum: int) -> KeyboardInterrupt:
    return Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def _handler(signum: int, frame: object) -> None:
    if _State.once and _State.fired:
        return
    if _State.depth:
        _State.pending = _State.pending or signum
        return
    _State.fired = True
    raise _interrupt(signum)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def handle_interrupts() -> Iterator[None]:
    """Within the block, the first SIGINT raises KeyboardInterrupt and the first SIGTERM
    :class:`Terminated`; signals after the first are ignored (main thread only)."""
    if not _main_thread():
        yield
        return
    previous = {s: signal.signal(s, _handler) for s in (signal.SIGINT, signal.SIGTERM)}
    _State.once, _State.fired, _State.pending = True, False, None
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        _State.once = False


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is over (main thread only; nestable).

    Outside :func:`handle_interrupts` only Ctrl-C is deferred (SIGTERM keeps its default
    meaning there).
    """
    if not _main_thread():
        yield
        return
    installed = signal.getsignal(signal.SIGINT) is not _handler
    previous = signal.signal(signal.SIGINT, _handler) if installed else None
    _State.depth += 1
    try:
        yield
    finally:
        _State.depth -= 1
        if installed:
            signal.signal(signal.SIGINT, previous if previous is not None
                          else signal.default_int_handler)
    if _State.depth == 0 and _State.pending is not None:
        signum, _State.pending = _State.pending, None
        if not (_State.once and _State.fired):
            _State.fired = True
            raise _interrupt(signum)
