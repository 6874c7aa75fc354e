"""The checklist on a student's folder, run in a child process with a time and a memory limit.

This is isolation, not a security sandbox: it stops a student's endless loop, runaway
allocation or crash from hanging or killing ``check``, and nothing more. The child runs
with the user's rights and can read and write their files.

Parent (:func:`check_folder`)                Child (``python -m softmax_mnist.teaching.sandbox``)
- starts the child in its own session         - sets RLIMIT_AS (memory) and RLIMIT_CPU (a
  (process group), stdout and stderr to         backstop if the parent dies), then imports
  /dev/null (student prints are dropped)        the student's files
- reads JSON lines from a pipe: ``start``     - runs the checks it was given, writing
  before each check, ``result`` after it        ``start``/``result``/``done`` lines
- gives each check ``budget`` × the time
  limit; on timeout or crash it kills the
  process group, fails the running check and
  starts a new child for the checks left that
  do not need it
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .checklist import BY_ID, CHECKS, CheckResult, blocked_by, run_checks, skipped

STARTUP_SECONDS = 60.0  # for the child to import NumPy and softmax-mnist on a busy machine
SIGNALS = {signal.SIGKILL: "was killed (out of memory, or the CPU-time backstop)",
           signal.SIGXCPU: "was stopped by the CPU-time limit",
           signal.SIGSEGV: "crashed (segmentation fault)", signal.SIGABRT: "aborted",
           signal.SIGBUS: "crashed (bus error)", signal.SIGFPE: "crashed (arithmetic error)"}


MIN_MEMORY_MB = 512  # NumPy, softmax-mnist and MNIST need about 400 MB of address space
_children: set[subprocess.Popen] = set()
_stopping = threading.Event()


@dataclass(frozen=True)
class Limits:
    """Seconds each check may take (× its budget) and the child's address space in MB."""

    seconds: float = 20.0
    memory_mb: int = 2048

    def __post_init__(self) -> None:
        if not 0 < self.seconds <= 3600:
            raise ConfigError(f"{{time_limit}} must be in (0, 3600] seconds, got "
                              f"{self.seconds:g}.", params=("time_limit",))
        if self.memory_mb < MIN_MEMORY_MB:
            raise ConfigError(f"{{memory_limit}} must be at least {MIN_MEMORY_MB} MB (NumPy "
                              f"and the data need that much), got {self.memory_mb}.",
                              params=("memory_limit",))


def stop_all() -> None:
    """Kill every running check process and start no more (on Ctrl-C)."""
    _stopping.set()
    for proc in list(_children):
        _kill_group(proc)


@dataclass
class CheckReport:
    """The checklist's results for one folder, in checklist order."""

    folder: str
    results: list[CheckResult]
    seconds: float
    limits: Limits = field(default_factory=Limits)

    @property
    def passed(self) -> bool:
        return all(r.status == "pass" for r in self.results)

    @property
    def score(self) -> str:
        return f"{sum(r.status == 'pass' for r in self.results)}/{len(self.results)}"

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == "fail"]

    def to_dict(self) -> dict[str, Any]:
        return {"folder": self.folder, "passed": self.passed, "score": self.score,
                "seconds": round(self.seconds, 2),
                "limits": {"seconds_per_check": self.limits.seconds,
                           "memory_mb": self.limits.memory_mb},
                "checks": [r.to_dict() for r in self.results]}


def check_folder(folder: str | os.PathLike[str], *, data_dir: str | None = None,
                 limits: Limits = Limits(),
                 on_result: Callable[[CheckResult], None] = lambda r: None) -> CheckReport:
    """Run every check on ``folder`` in child processes; ``on_result`` sees each result."""
    started = time.perf_counter()
    results: dict[str, CheckResult] = {}

    def record(result: CheckResult) -> None:
        results[result.id] = result
        on_result(result)

    while not _stopping.is_set():
        runnable = []
        for check in CHECKS:
            if check.id in results:
                continue
            bad = blocked_by(check, results)
            if bad:
                record(skipped(check, f"needs {bad}"))
            else:
                runnable.append(check.id)
        if not runnable:
            break
        running, problem = _run_child(Path(folder), runnable, data_dir, limits, record)
        if _stopping.is_set():
            break
        if problem:  # the child died or hung: the check it was running fails
            failed = running or next(i for i in runnable if i not in results)
            check = BY_ID[failed]
            record(CheckResult(check.id, check.title, "fail", problem))
    if _stopping.is_set():
        raise KeyboardInterrupt
    return CheckReport(str(folder), [results[c.id] for c in CHECKS],
                       time.perf_counter() - started, limits)


def _run_child(folder: Path, ids: list[str], data_dir: str | None, limits: Limits,
               record: Callable[[CheckResult], None]) -> tuple[str | None, str]:
    """Run ``ids`` in one child -> (the check running when it stopped, why) or (None, '')."""
    read_fd, write_fd = os.pipe()
    cpu = STARTUP_SECONDS + limits.seconds * sum(BY_ID[i].budget for i in ids)
    command = [sys.executable, "-m", "softmax_mnist.teaching.sandbox", "--fd", str(write_fd),
               "--memory-mb", str(limits.memory_mb), "--cpu-seconds", str(int(cpu) + 1),
               "--run", ",".join(ids), str(folder.resolve())]
    if data_dir:
        command += ["--data-dir", str(data_dir)]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, pass_fds=(write_fd,),
                                start_new_session=True, env=env)
    finally:
        os.close(write_fd)
    _children.add(proc)
    running: str | None = None
    done, problem = False, ""
    deadline = time.monotonic() + STARTUP_SECONDS
    buffer = b""
    selector = selectors.DefaultSelector()
    selector.register(read_fd, selectors.EVENT_READ)
    try:
        while not done:
            left = deadline - time.monotonic()
            if left <= 0:
                limit = limits.seconds * BY_ID[running].budget if running else STARTUP_SECONDS
                problem = (f"did not finish within {limit:g} s — an endless loop? (raise the "
                           f"limit with --time-limit)")
                break
            if not selector.select(left):
                continue
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                event = _event(line)
                if "start" in event:
                    running = str(event["start"])
                    deadline = time.monotonic() + limits.seconds * BY_ID[running].budget
                elif "result" in event:
                    record(CheckResult.from_dict(event["result"]))
                    running, deadline = None, time.monotonic() + STARTUP_SECONDS
                elif "error" in event:
                    problem = f"the check process failed: {event['error']}"
                elif event.get("done"):
                    done = True
    finally:
        selector.close()
        os.close(read_fd)
        _kill_group(proc)
        _children.discard(proc)
    if not done and not problem:
        problem = _death(proc.returncode, limits)
    return (running, problem) if problem else (None, "")


def _event(line: bytes) -> dict[str, Any]:
    try:
        event = json.loads(line)
    except ValueError:
        return {}
    return event if isinstance(event, dict) else {}


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the child's process group (the child and anything it started), then reap."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _death(returncode: int | None, limits: Limits) -> str:
    if returncode is not None and returncode < 0:
        how = SIGNALS.get(-returncode, f"ended by signal {-returncode}")
        memory = (f" (memory limit {limits.memory_mb} MB)" if -returncode == signal.SIGKILL
                  else "")
        return f"the check process {how}{memory}"
    return (f"the check process ended with exit status {returncode} (os._exit() or exit() "
            f"in the student's code?)")


# -- the child ------------------------------------------------------------------------------

def _limit_resources(memory_mb: int, cpu_seconds: int) -> None:
    try:
        import resource
    except ImportError:  # not on this platform: timeouts still apply
        return
    for which, value in ((resource.RLIMIT_AS, memory_mb * 2**20),
                         (resource.RLIMIT_CPU, cpu_seconds), (resource.RLIMIT_CORE, 0)):
        try:
            hard = resource.getrlimit(which)[1]
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (value, hard if which == resource.RLIMIT_CORE
                                       else value))
        except (ValueError, OSError):  # e.g. RLIMIT_AS on macOS
            pass


def _child(argv: list[str]) -> None:
    from .context import Context

    parser = argparse.ArgumentParser(prog="softmax_mnist.teaching.sandbox")
    parser.add_argument("folder")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--run", required=True)
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("--cpu-seconds", type=int, required=True)
    parser.add_argument("--data-dir")
    args = parser.parse_args(argv)
    out = os.fdopen(args.fd, "w", buffering=1, encoding="utf-8")

    def emit(event: dict[str, Any]) -> None:
        out.write(json.dumps(event) + "\n")
        out.flush()

    try:
        _limit_resources(args.memory_mb, args.cpu_seconds)
        ctx = Context(Path(args.folder), args.data_dir)
        run_checks(ctx, args.run.split(","), lambda i: emit({"start": i}),
                   lambda r: emit({"result": r.to_dict()}))
        emit({"done": True})
    except BaseException as exc:  # never a traceback: the parent prints one line
        emit({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        out.close()
        os._exit(0)  # threads the student's code may have left must not keep us alive


if __name__ == "__main__":
    _child(sys.argv[1:])
