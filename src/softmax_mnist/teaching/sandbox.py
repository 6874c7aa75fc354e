"""Where a student's code runs for ``check``: a child process that answers probes
(:mod:`.probe`), under bubblewrap when it works, else with process limits only.

``sandbox`` isolation (bubblewrap, ``bwrap``): new user, PID, network, IPC, UTS and mount
namespaces (``--unshare-all``: no network at all), no capabilities, uid 65534, a new
session (no terminal), killed with its parent (``--die-with-parent``). Visible, read-only:
``/usr``, the Python installation, NumPy (``/site``), the student's own folder
(``/submission``) and the probe's inputs (``/probe``, ``/shared``); ``/tmp`` is a private
empty tmpfs. Not visible: the user's home and files, other students' folders, the
softmax-mnist source, the checker's pipes (only the reply pipe and stdin are inherited).

``process`` isolation (no bubblewrap, macOS, no user namespaces): the same child with the
same limits, ``python -I -S`` with only NumPy on its path (``softmax_mnist`` cannot be
imported), its own session, stdout/stderr to /dev/null — but it runs with the user's
rights: it can read and write their files and reach the network.

Both: RLIMIT_AS (memory) and RLIMIT_CPU set by the child before any student code runs, a
wall-clock deadline per probe kept by the parent, and on timeout, death or a bad reply the
whole process group (the sandbox) is killed and the next probe starts a fresh child.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import secrets
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from ..errors import ConfigError, SoftmaxMnistError
from . import probe as probe_module
from .probe import MAX_REPLY_BYTES
from .probe_reply import BadReply, Probe, Reply, parse_reply

Isolation = Literal["sandbox", "process"]
STARTUP_SECONDS = 30.0  # for a fresh child to import NumPy on a busy machine
MIN_MEMORY_MB = 512
TMP_BYTES = 64 << 20  # the sandbox's private /tmp (memory-backed)
SIGNALS = {signal.SIGKILL: "was killed (out of memory, or the CPU-time limit)",
           signal.SIGXCPU: "was stopped by the CPU-time limit",
           signal.SIGSEGV: "crashed (segmentation fault)", signal.SIGABRT: "aborted",
           signal.SIGBUS: "crashed (bus error)", signal.SIGFPE: "crashed (arithmetic error)"}
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


class ProbeFailure(Exception):
    """The child did not answer a probe properly (died, hung, sent garbage): one line."""


def stop_all() -> None:
    """Kill every running child and start no more (on Ctrl-C)."""
    _stopping.set()
    for proc in list(_children):
        _kill(proc)


def _numpy_dirs() -> list[Path]:
    here = Path(np.__file__).resolve().parent
    return [d for d in (here, here.parent / "numpy.libs") if d.is_dir()]


def _python() -> tuple[Path, Path]:
    """(the real interpreter, its installation prefix) — not a virtual environment's."""
    exe = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    return exe, Path(sys.base_prefix).resolve()


def _bwrap_command(workdir: Path, folder: Path, shared: Path | None) -> list[str]:
    exe, prefix = _python()
    cmd = [shutil.which("bwrap") or "bwrap", "--unshare-all", "--unshare-user", "--uid",
           "65534", "--gid", "65534", "--cap-drop", "ALL", "--die-with-parent",
           "--new-session", "--ro-bind", "/usr", "/usr"]
    for top in ("/lib", "/lib64", "/bin", "/lib32", "/libx32"):
        if os.path.islink(top):
            cmd += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            cmd += ["--ro-bind", top, top]
    if not str(prefix).startswith("/usr/"):
        cmd += ["--ro-bind", str(prefix), str(prefix)]
    for d in _numpy_dirs():
        cmd += ["--ro-bind", str(d), f"/site/{d.name}"]
    cmd += ["--ro-bind", str(folder), "/submission", "--ro-bind", str(workdir), "/probe"]
    if shared is not None:
        cmd += ["--ro-bind", str(shared), "/shared"]
    return [*cmd, "--proc", "/proc", "--dev", "/dev", "--size", str(TMP_BYTES), "--tmpfs", "/tmp",
            "--chdir",
                  "/submission", "--clearenv", "--setenv", "HOME", "/tmp", "--setenv",
                  "PATH", "/usr/bin:/bin", str(exe)]


@functools.cache
def sandbox_problem() -> str:
    """'' when bubblewrap can start a child here, else why not (one line)."""
    if not sys.platform.startswith("linux"):
        return f"bubblewrap needs Linux (this is {sys.platform})"
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    with tempfile.TemporaryDirectory() as tmp:
        cmd = _bwrap_command(Path(tmp), Path(tmp), None)
        try:
            proc = subprocess.run([*cmd, "-I", "-S", "-c", "import sys; sys.path.insert(0, "
                                   "'/site'); import numpy"], capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"bubblewrap could not start ({exc})"
    if proc.returncode != 0:
        why = proc.stderr.decode(errors="replace").strip().splitlines()
        return f"bubblewrap could not start here ({why[-1] if why else proc.returncode})"
    return ""


def choose_isolation(asked: str | None) -> tuple[Isolation, str]:
    """-> (isolation, the one line to print at the start or ''). ``asked`` None: the best
    available; 'sandbox' without bubblewrap is a user error."""
    problem = sandbox_problem() if asked != "process" else ""
    if asked == "sandbox" and problem:
        raise SoftmaxMnistError(f"--isolation sandbox: {problem}; use --isolation process "
                                f"for process limits only.")
    if asked is None and problem:
        return "process", (f"isolation: process limits only — {problem}: the checked code "
                           f"runs with your rights (it can read and write your files)")
    return ("process" if asked == "process" else "sandbox"), ""


class ProbeSession:
    """Probes for one folder, answered by one child at a time (a fresh one after any
    failure). Use as a context manager; ``run`` raises ProbeFailure with one line."""

    def __init__(self, folder: Path, isolation: Isolation, limits: Limits,
                 shared: Path | None = None):
        self.folder, self.isolation, self.limits = folder.resolve(), isolation, limits
        self.shared = shared
        self.workdir = Path(tempfile.mkdtemp(prefix="softmax-mnist-probe-"))
        shutil.copy(probe_module.__file__, self.workdir / "probe.py")
        (self.workdir / "site").mkdir()
        for d in _numpy_dirs():
            (self.workdir / "site" / d.name).symlink_to(d)
        self.token = secrets.token_hex(8)
        self.proc: subprocess.Popen | None = None
        self.reply_fd = -1
        self.buffer = b""
        self.count = 0

    def __enter__(self) -> ProbeSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _path(self, name: str) -> str:
        inside = self.isolation == "sandbox"
        return f"/probe/{name}" if inside else str(self.workdir / name)

    def shared_path(self, name: str) -> str:
        assert self.shared is not None
        return f"/shared/{name}" if self.isolation == "sandbox" else str(self.shared / name)

    def _start(self) -> None:
        if _stopping.is_set():
            raise KeyboardInterrupt
        read_fd, write_fd = os.pipe()
        cpu = int(STARTUP_SECONDS + 8 * self.limits.seconds) + 1
        if self.isolation == "sandbox":
            head = [*_bwrap_command(self.workdir, self.folder, self.shared), "-I", "-S", "-B",
                    "/probe/probe.py", "/submission"]
            site, env, cwd = "/site", None, None
        else:
            head = [str(_python()[0]), "-I", "-S", "-B", str(self.workdir / "probe.py"),
                    str(self.folder)]
            site, cwd = str(self.workdir / "site"), str(self.folder)
            env = {"PATH": "/usr/bin:/bin", "HOME": str(self.workdir),
                   "SOFTMAX_MNIST_CHECK": self.token}
        command = [*head, str(write_fd), str(self.limits.memory_mb), str(cpu), site]
        env = {**(env or {}), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"}
        if self.isolation == "sandbox":
            for key, value in env.items():
                command[command.index("--clearenv") + 1:command.index("--clearenv") + 1] = [
                    "--setenv", key, value]
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        try:
            self.proc = subprocess.Popen(command, stdin=subprocess.PIPE,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         pass_fds=(write_fd,), start_new_session=True,
                                         env=env, cwd=cwd, close_fds=True)
        finally:
            os.close(write_fd)
        _children.add(self.proc)
        self.reply_fd, self.buffer, self.fresh = read_fd, b"", True

    def close(self) -> None:
        """Kill the child (and, in process isolation, anything it left running)."""
        if self.proc is not None:
            _kill(self.proc)
            _children.discard(self.proc)
            self.proc = None
            os.close(self.reply_fd)
        if self.isolation == "process":
            _kill_marked(self.token)

    def run(self, probe: Probe, seconds: float) -> Reply:
        """Send ``probe``; its validated reply within ``seconds`` (plus a fresh child's
        start-up), else ProbeFailure."""
        if self.proc is None:
            self._start()
        assert self.proc is not None and self.proc.stdin is not None
        self.count += 1
        name = f"{self.count}.npz"
        np.savez(self.workdir / name, **probe.arrays)
        files = [self._path(name)] + [self.shared_path(f) for f in probe.files]
        request = {"id": self.count, "steps": probe.steps, "arrays": files,
                   "stub": list(probe.stub), "keep": probe.keep}
        try:
            if self.fresh:
                self.fresh = False
                ready = self._read_line(time.perf_counter() + STARTUP_SECONDS, STARTUP_SECONDS)
                if ready != b'{"ready": true}':
                    raise BadReply("something else than its start-up line")
            start = time.perf_counter()
            allowed = seconds
            try:
                self.proc.stdin.write((json.dumps(request) + "\n").encode())
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError):
                pass  # it died: reading says how
            raw = self._read_line(start + allowed, seconds)
            reply = parse_reply(raw, probe.keep, time.perf_counter() - start)
            if self.buffer:
                raise BadReply("more than one reply")
            return reply
        except BadReply as exc:
            self.close()
            raise ProbeFailure(f"the check process sent {exc}: nothing it writes counts "
                               f"as a result") from None
        except ProbeFailure:
            self.close()
            raise
        finally:
            with contextlib.suppress(OSError):
                (self.workdir / name).unlink()

    def _read_line(self, deadline: float, seconds: float) -> bytes:
        selector = selectors.DefaultSelector()
        selector.register(self.reply_fd, selectors.EVENT_READ)
        try:
            while b"\n" not in self.buffer:
                if len(self.buffer) > MAX_REPLY_BYTES:
                    raise BadReply(f"more than {MAX_REPLY_BYTES >> 20} MB")
                left = deadline - time.perf_counter()
                if _stopping.is_set():
                    raise KeyboardInterrupt
                if left <= 0:
                    raise ProbeFailure(f"did not finish within {seconds:g} s — an endless "
                                       f"loop or a sleep? (raise the limit with --time-limit)")
                if not selector.select(min(left, 0.5)):
                    continue
                chunk = os.read(self.reply_fd, 1 << 20)
                if not chunk and _stopping.is_set():
                    raise KeyboardInterrupt  # stop_all killed it: not the student's fault
                if not chunk:
                    assert self.proc is not None
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        self.proc.wait(timeout=2)
                    raise ProbeFailure(_death(self.proc.returncode, self.limits))
                self.buffer += chunk
        finally:
            selector.close()
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line


def _kill(proc: subprocess.Popen) -> None:
    """SIGKILL the child's process group (bubblewrap takes its namespace with it)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    proc.wait()
    if proc.stdin is not None:
        with contextlib.suppress(OSError):
            proc.stdin.close()


def _kill_marked(token: str) -> None:
    """Process isolation: kill what a child left running (found by its environment)."""
    proc_dir = Path("/proc")
    if not proc_dir.is_dir():
        return
    marker = f"SOFTMAX_MNIST_CHECK={token}".encode()
    for entry in proc_dir.iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if marker in (entry / "environ").read_bytes():
                    os.kill(int(entry.name), signal.SIGKILL)


def _death(returncode: int | None, limits: Limits) -> str:
    if returncode is not None and 128 < returncode < 128 + 65:  # bwrap: 128 + the signal
        returncode = 128 - returncode
    if returncode is not None and returncode < 0:
        how = SIGNALS.get(-returncode, f"ended by signal {-returncode}")
        memory = (f" (memory limit {limits.memory_mb} MB)" if -returncode == signal.SIGKILL
                  else "")
        return f"the check process {how}{memory}"
    if returncode is None:
        return "the check process closed its reply channel and did not answer"
    return (f"the check process ended with exit status {returncode} before answering "
            f"(os._exit() or exit() in the student's code?)")
