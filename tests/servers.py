"""``softmax-mnist serve`` in a subprocess, for the web tests and the serving benchmark."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

STARTUP_SECONDS = 120  # training the default model on a loaded 2-core machine included


@dataclass
class Server:
    """``python -m softmax_mnist serve …`` in a subprocess; ``url`` ends with ``/``."""

    proc: subprocess.Popen
    url: str = ""
    stderr: list[str] = field(default_factory=list)
    _lines: queue.Queue = field(default_factory=queue.Queue)

    def wait_for_line(self, pattern: str, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None and self._lines.empty():
                    break
                continue
            if line is None:
                break
            if match := re.search(pattern, line):
                return match
        raise AssertionError(f"no line matching {pattern!r}; stderr so far:\n"
                             + "".join(self.stderr))

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        """Send ``sig``, wait for the exit, return the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()


def start_server(*args: str, env: dict[str, str] | None = None) -> Server:
    """Start ``serve *args --port 0`` and wait until it says its URL."""
    proc = subprocess.Popen([sys.executable, "-m", "softmax_mnist", "serve", *args,
                             "--port", "0"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
    server = Server(proc)

    def read() -> None:
        for line in proc.stderr:
            server.stderr.append(line)
            server._lines.put(line)
        server._lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        server.url = server.wait_for_line(r"open (http://\S+/) in a browser",
                                          STARTUP_SECONDS).group(1)
    except AssertionError:
        server.stop(signal.SIGKILL)
        raise
    return server


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MB (Linux: /proc/PID/status)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024
