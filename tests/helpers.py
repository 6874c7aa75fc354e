"""Helpers shared by the tests: the command line in a subprocess, small IDX data sets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from softmax_mnist.data.idx import write_idx

REPO = Path(__file__).resolve().parents[1]
# Read at import, before any test changes the environment.
FULL_MNIST = Path(os.environ.get("SOFTMAX_MNIST_DATA") or REPO.parent / "shared" / "data" / "mnist")


def run(*args: str, env: dict | None = None, cwd: Path | None = None):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "softmax_mnist", *args], capture_output=True,
                          text=True, env=full_env, cwd=cwd, timeout=300)


def one_line_exit_2(proc) -> str:
    """The stderr line of a refused command: exit status 2, one line, no traceback."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def make_idx_set(directory: Path, n_train: int = 60, n_test: int = 20, *, seed: int = 0,
                 dotted: bool = False, gz: bool = True) -> dict[str, np.ndarray]:
    """Write a small random data set in IDX format; returns the arrays written."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    directory.mkdir(parents=True, exist_ok=True)
    for stem, array in arrays.items():
        kind = "idx3" if array.ndim == 3 else "idx1"
        name = f"{stem}{'.' if dotted else '-'}{kind}-ubyte{'.gz' if gz else ''}"
        write_idx(directory / name, array)
    return arrays


def stop_after_epoch_2_and_resume(cmd: list[str], out, signum: int, code: int) -> None:
    """Send ``signum`` once epoch 2 is reported: exit ``code``, a checkpoint and no
    metrics; then ``--resume`` finishes the run and removes the checkpoint."""
    proc = subprocess.Popen([*cmd, "--fresh"],  # trained again, not from the run cache
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    for line in proc.stderr:  # wait until the second epoch has finished
        if line.startswith("epoch   2/"):
            break
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    assert "Traceback" not in err and f"--resume {out}" in err
    assert (out / "checkpoint.npz").exists() and not (out / "metrics.json").exists()
    resumed = subprocess.run([sys.executable, "-m", "softmax_mnist", "train", "--resume",
                              str(out), "--quiet"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert not (out / "checkpoint.npz").exists()
