"""Fixtures of the web tests: trained model files and a real ``softmax-mnist serve``."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from softmax_mnist import load_dataset, train

STARTUP_SECONDS = 120  # training the default model on a loaded 2-core machine included


@pytest.fixture(scope="session")
def sample_models(tmp_path_factory) -> dict[str, Path]:
    """A linear model and an MLP (32 hidden, deskew) trained on the bundled sample: fast."""
    out = tmp_path_factory.mktemp("sample-models")
    data = load_dataset("mnist-sample", progress=False)
    for name, options in {"linear": {}, "mlp": {"hidden": [32], "preprocess": "deskew"}}.items():
        train(data=data, progress=False, max_epoch=3, **options).model.save(out / f"{name}.npz")
    return {name: out / f"{name}.npz" for name in ("linear", "mlp")}


@pytest.fixture(scope="session")
def mnist_models(mnist_dir, tmp_path_factory) -> dict[str, Path]:
    """On full MNIST: the default linear model (92.5 %) and a small MLP (64 hidden)."""
    out = tmp_path_factory.mktemp("mnist-models")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOFTMAX_MNIST_CACHE", str(tmp_path_factory.mktemp("cache")))
        data = load_dataset("mnist", mnist_dir, progress=False)
    linear = train(data=data, progress=False)
    mlp = train(data=data, hidden=[64], max_epoch=3, early_stop="none", progress=False)
    assert linear.test_accuracy > 0.92 and mlp.test_accuracy > 0.95
    linear.model.save(out / "linear.npz")
    mlp.model.save(out / "mlp.npz")
    return {"linear": out / "linear.npz", "mlp": out / "mlp.npz"}


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


@pytest.fixture(scope="module")
def mnist_server(mnist_models) -> Iterator[Server]:
    """The two full-MNIST models served side by side; stopped with SIGTERM at the end."""
    server = start_server(f"linear={mnist_models['linear']}", f"mlp={mnist_models['mlp']}")
    yield server
    status = server.stop()
    assert status == 0 and "Traceback" not in "".join(server.stderr), server.stderr
