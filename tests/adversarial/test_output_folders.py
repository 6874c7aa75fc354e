"""No run is ever lost or mixed: unique folders, refusals, locks, staged writes; and a
report interrupted by a signal keeps its finished runs and resumes to the same numbers."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from helpers import run
from softmax_mnist.errors import SoftmaxMnistError
from softmax_mnist.outputs import OutputFolder
from softmax_mnist.runner import RUN_FILES, RunResult, run_and_save

SAMPLE = ["--dataset", "mnist-sample", "--quiet", "--epochs", "1"]


def _cli(*args: str, cwd=None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "softmax_mnist", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_shell_loop_of_runs_leaves_one_folder_each(tmp_path):
    """Four runs started in the same second, no --out: four complete folders."""
    procs = [_cli("train", *SAMPLE, "--lr", lr, cwd=tmp_path) for lr in ("0.01", "0.1",
                                                                          "0.5", "1")]
    errors = [p.communicate(timeout=300)[1] for p in procs]  # reads and closes the pipes
    assert all(p.returncode == 0 for p in procs), errors
    folders = sorted((tmp_path / "runs").iterdir())
    assert len(folders) == 4
    rates = sorted(json.loads((f / "metrics.json").read_text())["config"]["learning_rate"]
                   for f in folders)
    assert rates == [0.01, 0.1, 0.5, 1.0]
    assert all((f / "model.npz").is_file() and (f / "curves.png").is_file() for f in folders)


def test_two_runs_on_one_folder_leave_one_complete_run_and_one_refusal(tmp_path):
    out = tmp_path / "shared"
    procs = [_cli("train", *SAMPLE, "--epochs", "3", "--lr", lr, "--out", str(out))
             for lr in ("0.05", "0.2")]
    results = [(p.returncode, err) for p in procs
               for _, err in [p.communicate(timeout=300)]]
    assert sorted(code for code, _ in results) == [0, 2], results
    refusal = next(err for code, err in results if code == 2)
    assert refusal.count("\n") == 1 and ("being written by another" in refusal
                                         or "already holds a run" in refusal)
    metrics = json.loads((out / "metrics.json").read_text())
    from softmax_mnist import Model
    model = Model.load(out / "model.npz")
    assert model.metadata["config"]["learning_rate"] == metrics["config"]["learning_rate"]


def test_an_existing_run_is_kept_unless_overwrite(tmp_path):
    out = tmp_path / "good"
    assert run("train", *SAMPLE, "--out", str(out)).returncode == 0
    before = (out / "model.npz").read_bytes()
    diverging = run("train", *SAMPLE, "--lr", "30", "--out", str(out))
    assert diverging.returncode == 2 and "already holds a run" in diverging.stderr
    assert (out / "model.npz").read_bytes() == before
    replaced = run("train", *SAMPLE, "--lr", "0.05", "--out", str(out), "--overwrite")
    assert replaced.returncode == 0
    assert json.loads((out / "metrics.json").read_text())["config"]["learning_rate"] == 0.05


@pytest.mark.parametrize("make_out", [
    lambda t: (t / "file").write_text("x") and t / "file",
    lambda t: (t / "file").write_text("x") and t / "file" / "under",
    lambda t: t / ("n" * 300),
])
def test_an_unusable_out_is_refused_before_any_work(tmp_path, make_out):
    out = make_out(tmp_path)
    proc = run("train", "--dataset", "mnist-sample", "--epochs", "1", "--out", str(out))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and "epoch" not in proc.stderr, proc.stderr


def test_a_full_disk_leaves_the_old_complete_run(tmp_path, monkeypatch):
    out = tmp_path / "run"
    run_args = {"dataset": "mnist-sample", "data_dir": None, "val_size": None,
                "allow_download": False, "spec": {}, "config": {"max_epoch": 1}}
    with OutputFolder(out, RUN_FILES) as folder:
        run_and_save(folder, run_args, progress=False)
    before = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}

    def full_disk(self, stage):
        (stage / "model.npz").write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(RunResult, "save", full_disk)
    run_args["config"] = {"max_epoch": 1, "learning_rate": 0.05}
    with (OutputFolder(out, RUN_FILES, overwrite=True) as folder,
          pytest.raises(SoftmaxMnistError, match="no space left on device")):
        run_and_save(folder, run_args, progress=False)
    after = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    assert after == before  # the old complete set, no partial file, no staging left
    assert not [p for p in out.iterdir() if p.name.startswith(".staging")]


def _processes_with(marker: str) -> list[int]:
    """Processes whose environment holds ``marker`` (the workers of one test's report)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                if marker.encode() in fh.read():
                    found.append(int(pid))
        except OSError:
            continue
    return found


STUDY = """
kind = "compare"
[base]
max_epoch = 2
early_stop = "none"
[[runs]]
label = "a"
momentum = 0.0
[[runs]]
label = "b"
momentum = 0.5
[[runs]]
label = "c"
momentum = 0.9
[[runs]]
label = "d"
learning_rate = 0.05
"""


def test_sigterm_during_a_report_keeps_finished_runs_and_resume_completes_it(tmp_path):
    study = tmp_path / "s.toml"
    study.write_text(STUDY)
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    marker = f"SOFTMAX_MNIST_TEST_MARKER={os.getpid()}-{time.time_ns()}"
    env = {**os.environ, "TMPDIR": str(private_tmp), marker.split("=")[0]: marker.split("=")[1],
           "PYTHONUNBUFFERED": "1"}
    common = ["experiment", "s", "--config", str(study), "--dataset", "mnist-sample",
              "--jobs", "2"]
    whole = subprocess.run([sys.executable, "-m", "softmax_mnist", *common, "--quiet",
                            "--out", str(tmp_path / "whole")], capture_output=True, text=True,
                           timeout=300)
    assert whole.returncode == 0, whole.stderr

    out = tmp_path / "cut"
    proc = subprocess.Popen([sys.executable, "-m", "softmax_mnist", *common, "--out", str(out),
                             "--fresh"],  # trained again, not taken from the run cache
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 120
    while not list((out / ".finished-runs").glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    message = err.strip().splitlines()[-1]
    assert "finished run" in message and f"--resume {out}" in message
    assert "Traceback" not in err and not (out / "report.md").exists()
    deadline = time.monotonic() + 20  # workers and joblib's tracker finish their exit
    while (_processes_with(marker) or list(private_tmp.iterdir())) and (
            time.monotonic() < deadline):
        time.sleep(0.1)
    assert _processes_with(marker) == []  # the workers are gone
    assert list(private_tmp.iterdir()) == []  # and their shared data files

    resumed = subprocess.run([sys.executable, "-m", "softmax_mnist", "experiment", "--resume",
                              str(out), "--quiet"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    a, b = (json.loads((d / "results.json").read_text()) for d in (tmp_path / "whole", out))
    for va, vb in zip(a["studies"]["s"]["variants"], b["studies"]["s"]["variants"],
                      strict=True):
        assert va["runs"][0]["final"] == vb["runs"][0]["final"]
        np.testing.assert_array_equal(va["runs"][0]["history"]["val_accuracy"],
                                      vb["runs"][0]["history"]["val_accuracy"])
    assert not (out / ".finished-runs").exists()
