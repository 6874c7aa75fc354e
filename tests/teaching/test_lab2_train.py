"""``train --impl DIR --lab 2``: the student's lab-2 classes train through our Solver to the
very numbers of our own MLP with the same options, from the same initial weights; a
failing folder and options the course's classes cannot train are refused in one line."""

from __future__ import annotations

import json

import pytest

from helpers import one_line_exit_2, run
from lab2_student_code import BUGS, CORRECT, write_bug

COMMON = ["--dataset", "mnist-sample", "--epochs", "2", "--lr", "0.1", "--quiet"]


def test_the_students_mlp_trains_to_the_numbers_of_ours(tmp_path):
    theirs = run("train", *COMMON, "--impl", str(CORRECT), "--lab", "2",
                 "--out", str(tmp_path / "theirs"))
    assert theirs.returncode == 0, theirs.stderr
    assert "all 15 checks passed: 31/31 points" in theirs.stderr
    # the course runner's defaults, given explicitly to our own implementation
    ours = run("train", *COMMON, "--hidden", "128", "--weight-decay", "0.1", "--momentum", "0",
               "--lr-decay", "1", "--no-early-stop", "--out", str(tmp_path / "ours"))
    assert ours.returncode == 0, ours.stderr
    m_theirs, m_ours = (json.loads((tmp_path / d / "metrics.json").read_text())
                        for d in ("theirs", "ours"))
    assert m_theirs["config"] == m_ours["config"] and m_theirs["hidden"] == [128]
    assert m_theirs["test_accuracy"] > 0.8  # weight decay 0.1 holds it back
    assert m_theirs["test_accuracy"] == pytest.approx(m_ours["test_accuracy"], abs=0.002)
    record = m_theirs["implementation"]
    assert record["by"] == "student" and record["lab"] == 2
    assert record["folder"] == str(CORRECT) and "layers/fc_layer.py" in record["files"]
    ev = run("evaluate", str(tmp_path / "theirs" / "model.npz"), "--json")
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
    (["report", "--quick", "--impl"], "train --impl DIR --lab 2 trains lab 2"),
])
def test_a_lab_2_folder_given_as_lab_1_says_add_lab_2(tmp_path, command, says):
    extra = [] if command == ["check"] else ["--out", str(tmp_path / "r")]
    assert says in one_line_exit_2(run(*command, str(CORRECT), *extra))
    assert not (tmp_path / "r").exists()
