"""Diverging runs, Ctrl-C, SIGTERM and resume, damaged model files: nothing lost,
nothing crashes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from helpers import run, stop_after_epoch_2_and_resume
from softmax_mnist.errors import ModelFileError
from softmax_mnist.model import Model

TIMING_KEYS = {"train_seconds", "wall_seconds", "preprocess_seconds", "seconds", "argv"}


def _numbers(metrics: dict) -> dict:
    """metrics.json without the wall-clock timings, which differ run to run."""
    out = {k: v for k, v in metrics.items() if k not in TIMING_KEYS}
    out["history"] = {k: v for k, v in metrics["history"].items() if k not in TIMING_KEYS}
    return out


def test_lr_30_diverges_cleanly_and_keeps_a_usable_model(tmp_path):
    proc = run("train", "--dataset", "mnist-sample", "--lr", "30", "--quiet",
               "--out", str(tmp_path))
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "diverged in epoch 1" in proc.stderr and "smaller learning rate" in proc.stderr
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["diverged"] and metrics["stop_reason"] == "diverged"
    assert metrics["best_epoch"] == 1
    model = Model.load(tmp_path / "model.npz")
    assert all(np.isfinite(layer.params["W"]).all() for layer in model.network.fc_layers)
    assert metrics["test_accuracy"] > 0.6  # the kept epoch still classifies


def test_a_diverging_mlp_prints_one_line_and_no_numpy_warnings(tmp_path):
    """Lab 2's sigmoid + Euclidean pair at lr 0.1 overflows in its matmuls before the
    loss turns non-finite: the user reads the divergence line, not NumPy's warnings."""
    proc = run("train", "--dataset", "mnist-sample", "--hidden", "256", "--activation",
               "sigmoid", "--loss", "mse", "--epochs", "3", "--quiet", "--out", str(tmp_path))
    assert proc.returncode == 3, proc.stderr
    assert "RuntimeWarning" not in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and "diverged in epoch 1" in proc.stderr


def test_nan_mid_epoch_keeps_the_best_epoch():
    from softmax_mnist import Network, Solver

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(300, 8)).astype(np.float32), rng.integers(0, 3, 300)
    poisoned = X.copy()
    net = Network.build(8, 3)
    solver = Solver(net, poisoned, y, X, y, progress=False, max_epoch=5, early_stop="none")
    solver.train()  # healthy
    assert not solver.history.diverged
    poisoned[150] = np.inf
    net = Network.build(8, 3)
    solver = Solver(net, poisoned, y, X, y, progress=False, max_epoch=5, early_stop="none")
    history = solver.train()
    assert history.diverged and "epoch 1" in solver.divergence
    assert "initial weights" in solver.divergence
    assert all(np.isfinite(w).all() for w in net.get_weights())


def _train_cmd(out, *extra):
    return [sys.executable, "-m", "softmax_mnist", "train", "--dataset", "mnist-sample",
            "--batch-size", "2", "--epochs", "6", "--lr", "0.01", "--no-early-stop",
            "--out", str(out), *extra]


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupt_then_resume_equals_an_uninterrupted_run(tmp_path, signum, code):
    """Ctrl-C and a plain kill after epoch 2 leave a checkpoint that resumes to the very
    numbers (and weights) of a run that was never interrupted."""
    whole = subprocess.run(_train_cmd(tmp_path / "whole", "--quiet"), capture_output=True,
                           text=True, timeout=300)
    assert whole.returncode == 0, whole.stderr

    out = tmp_path / "cut"
    stop_after_epoch_2_and_resume(_train_cmd(out), out, signum, code)
    a = json.loads((tmp_path / "whole" / "metrics.json").read_text())
    b = json.loads((out / "metrics.json").read_text())
    assert b["epochs_run"] == 6
    assert _numbers(a) == _numbers(b)
    np.testing.assert_array_equal(Model.load(tmp_path / "whole" / "model.npz").network
                                  .layers[0].params["W"],
                                  Model.load(out / "model.npz").network.layers[0].params["W"])


CNN_OPTIONS = ("--layers", "conv:4:5,pool:2,conv:4:3,pool:2,fc:16,dropout:0.3",
               "--optimizer", "adam", "--lr", "0.002", "--augment", "elastic",
               "--batch-size", "60", "--epochs", "4", "--no-early-stop")


def test_a_killed_cnn_with_adam_dropout_and_augmentation_resumes_to_the_same_numbers(
        tmp_path):
    """Adam's running means, the dropout masks and the distortions all come back: a plain
    kill after epoch 2 and --resume end where an uninterrupted run ends, weights too."""
    def cmd(out, *extra):
        return [sys.executable, "-m", "softmax_mnist", "train", "--dataset", "mnist-sample",
                *CNN_OPTIONS, "--out", str(out), *extra]

    whole = subprocess.run(cmd(tmp_path / "whole", "--quiet"), capture_output=True,
                           text=True, timeout=300)
    assert whole.returncode == 0, whole.stderr
    out = tmp_path / "cut"
    stop_after_epoch_2_and_resume(cmd(out), out, signal.SIGTERM, 143)
    a = json.loads((tmp_path / "whole" / "metrics.json").read_text())
    b = json.loads((out / "metrics.json").read_text())
    assert b["epochs_run"] == 4 and b["config"]["optimizer"] == "adam"
    assert _numbers(a) == _numbers(b)
    for wa, wb in zip(Model.load(tmp_path / "whole" / "model.npz").network.get_weights(),
                      Model.load(out / "model.npz").network.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)


def test_two_quick_ctrl_c_leave_a_checkpoint_that_resumes(tmp_path):
    """A second Ctrl-C right after the first (while the checkpoint is written) must not
    cut the checkpoint short."""
    out = tmp_path / "cut"
    proc = subprocess.Popen(_train_cmd(out), stderr=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    for line in proc.stderr:
        if line.startswith("epoch   1/"):
            break
    proc.send_signal(signal.SIGINT)
    time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "Traceback" not in err, err
    resumed = subprocess.run([sys.executable, "-m", "softmax_mnist", "train", "--resume",
                              str(out), "--quiet"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads((out / "metrics.json").read_text())["epochs_run"] == 6


def test_resume_takes_no_other_options(tmp_path):
    proc = run("train", "--resume", str(tmp_path), "--lr", "0.5", "--epochs", "3")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "drop --epochs, --lr" in proc.stderr


def test_resume_without_checkpoint_is_a_clear_error(tmp_path):
    proc = run("train", "--resume", str(tmp_path))
    assert proc.returncode == 2 and "no checkpoint" in proc.stderr
    assert "Traceback" not in proc.stderr


def _saved_model(tmp_path):
    from softmax_mnist import train
    from softmax_mnist.data import load_dataset

    result = train(data=load_dataset("mnist-sample"), progress=False, max_epoch=1)
    result.model.save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


@pytest.mark.parametrize("tamper, words", [
    (lambda a: a.update({"format_version": np.array(99)}), "format 99"),
    (lambda a: a.pop("layers/0/W"), "missing or bad entry"),
    (lambda a: a.update({"layers/0/W": np.zeros((700, 10), np.float32)}), "preprocessing"),
    (lambda a: a.update({"layers/0/b": np.zeros(3, np.float32)}), "inconsistent"),
    (lambda a: a.update({"layers/0/W": np.full((784, 10), np.nan, np.float32)}), "non-finite"),
    (lambda a: a.update({"preprocess/spec": np.array("scale,voodoo")}), "preprocessing"),
    (lambda a: a.update({"preprocess/1/mean": np.zeros(5, np.float32)}), "preprocessing"),
])
def test_tampered_model_files_are_rejected(tmp_path, tamper, words):
    arrays = _saved_model(tmp_path)
    tamper(arrays)
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ModelFileError, match=words):
        Model.load(tmp_path / "bad.npz")


def test_pickled_and_garbage_files_are_rejected(tmp_path):
    np.savez(tmp_path / "obj.npz", a=np.array([{"x": 1}], dtype=object))
    (tmp_path / "junk.npz").write_bytes(b"not a zip file at all")
    for name in ("obj.npz", "junk.npz"):
        with pytest.raises(ModelFileError):
            Model.load(tmp_path / name)
        proc = run("evaluate", str(tmp_path / name))
        assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_images_of_another_size_are_rejected(tmp_path):
    from softmax_mnist.data import read_pair, write_idx
    from softmax_mnist.errors import DataError

    arrays = _saved_model(tmp_path)
    np.savez(tmp_path / "m2.npz", **arrays)
    model = Model.load(tmp_path / "m2.npz")
    with pytest.raises(DataError, match="shape \\(2, 1024\\)"):
        model.predict(np.zeros((2, 1024), np.uint8))
    assert model.predict(np.zeros((2, 28, 28), np.uint8)).shape == (2,)
    write_idx(tmp_path / "i", np.zeros((2, 32, 32), np.uint8))
    write_idx(tmp_path / "l", np.zeros(2, np.uint8))
    with pytest.raises(DataError, match="32x32, expected 28x28"):
        read_pair(tmp_path / "i", tmp_path / "l")
