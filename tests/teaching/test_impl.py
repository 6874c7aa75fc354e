"""``--impl DIR``: the student's classes train through our Solver (train, report), the
reference they are checked against, and the tracing that finds loops over the rows."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from helpers import run
from softmax_mnist.cli import main
from softmax_mnist.data import load_dataset
from softmax_mnist.model import ModelSpec
from softmax_mnist.nn.gradcheck import numerical_gradient, relative_error
from softmax_mnist.runner import fit_network, prepare
from softmax_mnist.teaching import reference
from softmax_mnist.teaching.adapter import course_learner
from softmax_mnist.teaching.speed import find_row_loop
from softmax_mnist.training import Callback, TrainConfig, TrainingInterrupted
from softmax_mnist.training.checkpoint import load_checkpoint, save_checkpoint
from student_code import BUGS, CORRECT, write_impl


def test_train_impl_reaches_the_accuracy_of_our_implementation(tmp_path):
    args = ["train", "--dataset", "mnist-sample", "--epochs", "3", "--quiet"]
    ours = run(*args, "--out", str(tmp_path / "ours"))
    theirs = run(*args, "--impl", str(CORRECT), "--out", str(tmp_path / "theirs"))
    assert ours.returncode == 0 and theirs.returncode == 0, theirs.stderr
    assert "all 13 checks passed" in theirs.stderr
    m_ours, m_theirs = (json.loads((tmp_path / d / "metrics.json").read_text())
                        for d in ("ours", "theirs"))
    assert m_theirs["test_accuracy"] > 0.88
    assert abs(m_theirs["test_accuracy"] - m_ours["test_accuracy"]) <= 0.005
    assert m_ours["implementation"] == {"by": "softmax-mnist"}
    record = m_theirs["implementation"]
    assert record["by"] == "student" and record["folder"] == str(CORRECT)
    assert set(record["files"]) == {"loss.py", "optimizer.py"}
    # model.npz holds the student's weights in our network: evaluate gives the same number
    ev = run("evaluate", str(tmp_path / "theirs" / "model.npz"), "--json")
    assert ev.returncode == 0, ev.stderr
    assert json.loads(ev.stdout)["test_accuracy"] == pytest.approx(m_theirs["test_accuracy"],
                                                                   abs=1e-12)


def test_train_impl_refuses_a_failing_implementation_and_writes_nothing(tmp_path):
    folder = write_impl(tmp_path / "bob", next(b for b in BUGS if b.check_id == "grad_b"))
    out = tmp_path / "run"
    proc = run("train", "--dataset", "mnist-sample", "--impl", str(folder), "--out", str(out))
    assert proc.returncode == 1
    assert "✗ grad_b" in proc.stderr and "fix the failed checks first" in proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()


@pytest.mark.parametrize(("flags", "named"), [(["--hidden", "64"], "--hidden"),
                                             (["--nesterov"], "--nesterov"),
                                             (["--weight-decay", "1e-4"], "--weight-decay")])
def test_impl_refuses_what_the_course_interface_cannot_train(tmp_path, flags, named):
    proc = run("train", "--dataset", "mnist-sample", "--impl", str(CORRECT), *flags,
               "--out", str(tmp_path / "x"))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert named in proc.stderr and "--impl" in proc.stderr
    assert "checking" not in proc.stderr  # refused before check runs


def test_quick_report_on_the_students_code_says_so(tmp_path):
    out = tmp_path / "report"
    assert main(["report", "--impl", str(CORRECT), "--quick", "--dataset", "mnist-sample",
                 "--out", str(out), "--quiet", "--jobs", "2"]) == 0
    md = (out / "report.md").read_text(encoding="utf-8")
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["meta"]["implementation"]["folder"] == str(CORRECT)
    part = results["implementation"]
    # what the course interface cannot train (in lab 1's studies: Nesterov) is ours
    reference = ["Nesterov 0.9"]
    assert part["reference_runs"] == reference
    intro = md.split("## ")[0]
    assert f"the student's `SoftmaxCrossEntropyLoss` and `SGD` from `{CORRECT}`" in intro
    assert "; ".join(reference) in intro
    rows = part["tables"][0]["rows"]
    assert [r[0]["text"] for r in rows] == ["vectorised", "loop over the samples (naive)",
                                            "the student's"]
    losses = [r[1]["value"] for r in rows]
    assert max(losses) - min(losses) < 1e-9  # the same numbers, three ways
    assert rows[1][4]["value"] > 3  # the loop over the samples is slower
    # the student's runs trained as well as ours do (the same init, the same Solver)
    baseline = results["studies"]["baseline"]["variants"][0]["cells"]
    assert baseline["final_test_accuracy"]["value"] > 88


def test_an_interrupted_impl_run_resumes_to_the_same_weights(tmp_path):
    data = load_dataset("mnist-sample", progress=False)
    prepared = prepare(ModelSpec().pipeline(), data.splits())
    config = TrainConfig(max_epoch=3, early_stop="none")
    whole = fit_network(prepared, ModelSpec(), config, 10, learner=course_learner(CORRECT))

    class StopAfter(Callback):  # Ctrl-C at the end of epoch 2
        def on_epoch_end(self, epoch, logs, network):
            if epoch == 2:
                raise KeyboardInterrupt

    with pytest.raises(TrainingInterrupted) as stopped:
        fit_network(prepared, ModelSpec(), config, 10, learner=course_learner(CORRECT),
                    callbacks=[StopAfter()])
    save_checkpoint(tmp_path / "c.npz", stopped.value.checkpoint, {})
    state, _ = load_checkpoint(tmp_path / "c.npz")
    assert state["optimizer"]["attributes"]["velocity"]["W"].shape == (784, 10)
    resumed = fit_network(prepared, ModelSpec(), config, 10, learner=course_learner(CORRECT),
                          resume_state=state)
    for a, b in zip(whole.network.get_weights(), resumed.network.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


# -- the reference the checker trusts -------------------------------------------------

def test_reference_vectorised_gradient_is_the_numerical_one():
    rng = np.random.default_rng(0)
    W, b = rng.normal(0, 0.5, (7, 5)), rng.normal(0, 0.1, 5)
    X, y = rng.normal(size=(9, 7)), rng.integers(0, 5, 9)
    got = reference.softmax_loss_vectorized(W, b, X, y)
    f = lambda: reference.softmax_loss_vectorized(W, b, X, y).loss  # noqa: E731
    assert relative_error(got.grad_W, numerical_gradient(f, W)) < 1e-7
    assert relative_error(got.grad_b, numerical_gradient(f, b)) < 1e-7


def test_naive_loop_gives_the_vectorised_numbers_even_for_huge_logits():
    rng = np.random.default_rng(1)
    W, b = rng.normal(0, 1e3, (7, 5)), rng.normal(0, 1, 5)
    X, y = rng.normal(size=(9, 7)), rng.integers(0, 5, 9)
    fast, slow = (f(W, b, X, y) for f in (reference.softmax_loss_vectorized,
                                          reference.softmax_loss_naive))
    assert np.isfinite(fast.loss) and fast.loss == pytest.approx(slow.loss, rel=1e-12)
    assert fast.accuracy == slow.accuracy
    np.testing.assert_allclose(fast.grad_W, slow.grad_W, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(fast.grad_b, slow.grad_b, rtol=1e-10, atol=1e-14)


def test_tracing_finds_the_loop_over_rows_in_the_naive_reference_only():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(100, 20)), rng.integers(0, 3, 100)
    folder = Path(reference.__file__).parent
    naive = reference.NaiveSoftmaxCrossEntropyLoss(20, 3)
    loop = find_row_loop(naive, X, y, folder)
    assert loop is not None and loop.file == "reference.py" and loop.runs_per_row == 1
    source = Path(reference.__file__).read_text().splitlines()
    assert source[loop.line - 1].strip().startswith(("s = X[i]", "for i in range(n)"))
    assert find_row_loop(reference.SoftmaxCrossEntropyLoss(20, 3), X, y, folder) is None
