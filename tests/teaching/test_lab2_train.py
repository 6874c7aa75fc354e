"""``train --impl DIR --lab 2``: the student's lab-2 classes train through our Solver to the
very numbers of our own MLP with the same options, from the same initial weights, and
resume after a kill; a failing folder and options the course's classes cannot train are
refused in one line."""

from __future__ import annotations

import json
import signal
import sys

import numpy as np
import pytest

from helpers import one_line_exit_2, run, stop_after_epoch_2_and_resume
from lab2_student_code import BUGS, CORRECT, write_bug
from softmax_mnist.data import load_dataset
from softmax_mnist.model import Model, ModelSpec
from softmax_mnist.runner import fit_network, prepare
from softmax_mnist.teaching.lab2.learner import lab2_learner
from softmax_mnist.training import TrainConfig

SAMPLE = ["--dataset", "mnist-sample"]
COMMON = [*SAMPLE, "--epochs", "2", "--lr", "0.1", "--quiet"]


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143)])
def test_an_interrupted_lab_2_run_resumes_to_the_numbers_of_ours(tmp_path, signum, code):
    """A plain kill after epoch 2 leaves a checkpoint; --resume (check --lab 2 again
    first) ends on the weights of an uninterrupted run of the student's classes, and on
    the numbers of our own MLP given the course runner's defaults."""
    out = tmp_path / "theirs"
    cmd = [sys.executable, "-m", "softmax_mnist", "train", *SAMPLE, "--epochs", "3",
           "--lr", "0.1", "--impl", str(CORRECT), "--lab", "2", "--out", str(out)]
    stop_after_epoch_2_and_resume(cmd, out, signum, code)
    # the course runner's defaults, given explicitly to our own implementation
    ours = run("train", *SAMPLE, "--epochs", "3", "--lr", "0.1", "--quiet", "--hidden", "128",
               "--weight-decay", "0.1", "--momentum", "0", "--lr-decay", "1",
               "--no-early-stop", "--out", str(tmp_path / "ours"))
    assert ours.returncode == 0, ours.stderr
    m_theirs, m_ours = (json.loads((tmp_path / d / "metrics.json").read_text())
                        for d in ("theirs", "ours"))
    assert m_theirs["config"] == m_ours["config"] and m_theirs["hidden"] == [128]
    assert m_theirs["epochs_run"] == 3
    assert m_theirs["test_accuracy"] > 0.8  # weight decay 0.1 holds it back
    assert m_theirs["test_accuracy"] == pytest.approx(m_ours["test_accuracy"], abs=0.002)
    record = m_theirs["implementation"]
    assert record["by"] == "student" and record["lab"] == 2
    assert record["folder"] == str(CORRECT) and "layers/fc_layer.py" in record["files"]
    # the uninterrupted run, in this process: the very same weights
    data = load_dataset("mnist-sample", progress=False)
    spec, config = ModelSpec(hidden=(128,)), TrainConfig.from_dict(m_theirs["config"])
    whole = fit_network(prepare(spec.pipeline(), data.splits()), spec, config, 10,
                        learner=lab2_learner(CORRECT, spec))
    for a, b in zip(whole.network.get_weights(),
                    Model.load(out / "model.npz").network.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    ev = run("evaluate", str(out / "model.npz"), "--json")
    assert ev.returncode == 0, ev.stderr
    assert json.loads(ev.stdout)["test_accuracy"] == pytest.approx(m_theirs["test_accuracy"],
                                                                   abs=1e-12)


def test_a_failing_folder_is_refused_and_nothing_is_written(tmp_path):
    folder = write_bug(tmp_path / "bob", next(b for b in BUGS if b.check_id == "sgd"))
    out = tmp_path / "run"
    proc = run("train", *COMMON, "--impl", str(folder), "--lab", "2", "--out", str(out))
    assert proc.returncode == 1
    assert "✗ SGD" in proc.stderr and "check --lab 2" in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize("options,says", [
    ([], "give --impl DIR"),
    (["--impl", str(CORRECT), "--momentum", "0.9"], "no momentum"),
    (["--impl", str(CORRECT), "--layers", "conv:8:3,pool:2"], "convolutions"),
])
def test_what_the_course_classes_cannot_train_is_refused_in_one_line(tmp_path, options, says):
    proc = run("train", *COMMON, "--lab", "2", *options, "--out", str(tmp_path / "r"))
    assert says in one_line_exit_2(proc)
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("command,says", [
    (["check"], "add --lab 2 to check"),
    (["train", "--impl"], "add --lab 2 to train --impl"),
    (["report", "--quick", "--impl"], "add --lab 2 to report"),
])
def test_a_lab_2_folder_given_as_lab_1_says_add_lab_2(tmp_path, command, says):
    extra = [] if command == ["check"] else ["--out", str(tmp_path / "r")]
    assert says in one_line_exit_2(run(*command, str(CORRECT), *extra))
    assert not (tmp_path / "r").exists()
