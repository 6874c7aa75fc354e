"""``check --lab 2``: the correct solution and every other correct way of splitting 1/N
pass, every mistake of the catalogue fails its check with its hint in English and
Chinese, the judges' oracle is the numerical gradient, and the probe executor reports
what the student's code did as plain values."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from helpers import one_line_exit_2, run
from lab2_student_code import BUGS, CORRECT, VARIANTS, write_bug, write_lab2
from softmax_mnist.nn.gradcheck import numerical_gradient, relative_error
from softmax_mnist.teaching.lab2 import reference as ref
from softmax_mnist.teaching.lab2.checklist import CHECKS, TOTAL_POINTS, run_checks
from softmax_mnist.teaching.lab2.executor import run_in_process
from softmax_mnist.teaching.lab2.probe import Probe, array, call, get, imports, new

FAST = [c.id for c in CHECKS if c.id != "end_to_end"]  # the catalogue's runs skip training


def by_id(results) -> dict:
    return {r.id: r for r in results}


def test_the_correct_solution_passes_every_check_with_full_points():
    proc = run("check", "--lab", "2", "--json", str(CORRECT))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["passed"] and report["points"] == report["max_points"] == TOTAL_POINTS
    assert [c["id"] for c in report["checks"]] == [c.id for c in CHECKS]
    e2e = report["checks"][-1]
    assert e2e["status"] == "pass" and "test accuracy" in e2e["message"]


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_every_correct_way_of_writing_it_passes(tmp_path, variant):
    results = run_checks(write_lab2(tmp_path / "s", variant.changes), ids=FAST)
    failed = [(r.id, r.text.en) for r in results if r.status != "pass"]
    assert not failed


@pytest.mark.parametrize("bug", BUGS, ids=[b.name for b in BUGS])
def test_each_mistake_fails_its_check_with_its_hint_in_both_languages(tmp_path, bug):
    results = by_id(run_checks(write_bug(tmp_path / "s", bug), ids=FAST))
    result = results[bug.check_id]
    assert result.status == "fail" and result.points == 0
    assert bug.hint in result.text.en, result.text.en
    assert bug.hint_zh in result.text.zh, result.text.zh
    assert all("\n" not in r.text.en and "\n" not in r.text.zh for r in results.values())


def test_a_scaffold_fails_with_fill_in_the_todo_and_one_line_per_check(tmp_path):
    folder = tmp_path / "s"
    assert run("scaffold", "--lab", "2", str(folder)).returncode == 0
    proc = run("check", "--lab", "2", "--lang", "zh", str(folder))
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert len(lines) == len(CHECKS) + 1
    assert lines[1].startswith("✗ FC 前向") and "请完成 TODO" in lines[1]
    assert lines[3].startswith("– FC 反向") and "需要先通过 FC 前向" in lines[3]
    assert lines[-1].startswith("通过 2/15 项检查，得分 2/31")


def test_a_lab_1_folder_checked_as_lab_2_names_the_missing_files(tmp_path):
    (tmp_path / "loss.py").write_text("")
    proc = run("check", "--lab", "2", str(tmp_path))
    assert proc.returncode == 1
    assert "layers/fc_layer.py" in proc.stdout.splitlines()[0]
    assert one_line_exit_2(run("check", "--lab", "2", str(tmp_path / "nope"))).endswith(
        "network.py).")


@pytest.mark.parametrize("loss,activation", [("cross-entropy", "relu"), ("mse", "sigmoid"),
                                             ("cross-entropy", "sigmoid")])
def test_the_reference_gradients_are_the_numerical_ones(loss, activation):
    rng = np.random.default_rng(0)
    layers = [ref.Dense(rng.normal(size=(5, 7)), rng.normal(size=(1, 7))),
              ref.Dense(rng.normal(size=(7, 10)), rng.normal(size=(1, 10)))]
    X, Y = rng.normal(size=(6, 5)), np.eye(10)[rng.integers(0, 10, 6)]
    grads = ref.mlp_gradients(layers, activation, loss, X, Y)
    for layer, grad in zip(layers, grads, strict=True):
        for name in ("W", "b"):
            num = numerical_gradient(lambda: ref.mlp_loss(layers, activation, loss, X, Y),
                                     getattr(layer, name))
            assert relative_error(getattr(grad, name), num) < 1e-7


def test_the_probe_executor_returns_plain_values_and_where_the_code_failed(tmp_path):
    folder = write_bug(tmp_path / "s", next(b for b in BUGS if b.name.startswith(
        "one-hot labels used as indices")))
    z, Y = np.zeros((4, 10)), np.eye(10)[[1, 2, 3, 4]]
    steps = [*imports("criterion.softmax_cross_entropy", "layers.fc_layer"),
             new("fc", "layers.fc_layer.FCLayer", 3, 2), get("fc.W", "W"),
             get("fc.trainable", "trainable"), get("fc.forward", "method"),
             new("loss", "criterion.softmax_cross_entropy.SoftmaxCrossEntropyLossLayer"),
             call("loss.forward", array("z"), array("Y"), keep="loss")]
    reply = run_in_process(folder, Probe(steps, {"z": z, "Y": Y}))
    kept = reply.kept
    assert kept["W"].shape == (3, 2) and kept["trainable"] is True
    assert kept["method"] == {"type": "method"}  # never an object of the student's
    error = reply.error
    assert error["step"] == 7 and error["type"] == "IndexError"
    assert error["where"] == "criterion/softmax_cross_entropy.py:19"
    assert "self.prob[np.arange(len(gt)), gt]" in error["line"]
    # the student's modules are gone again: another folder may use the same names
    assert run_in_process(CORRECT, Probe([*steps[:2], new(
        "fc", "layers.fc_layer.FCLayer", 3, 2)])).error is None


def test_code_that_hangs_exits_or_allocates_without_end_costs_one_line_each(tmp_path):
    from lab2_student_code import RELU, SIGMOID, Change

    hangs = write_lab2(tmp_path / "hangs", (Change(
        RELU, "return np.maximum(0, Input)", "while True:\n            pass"),))
    exits = write_lab2(tmp_path / "exits", (Change(
        SIGMOID, "self.Output = 1 / (1 + np.exp(-Input))", "import os; os._exit(3)"),))
    grows = write_lab2(tmp_path / "grows", (Change(
        "layers/fc_layer.py", "self.Input = Input\n",
        "self.Input = Input\n        self.junk = np.ones((10**6, 10**4))\n"),))
    started = time.monotonic()
    proc = run("check", "--lab", "2", "--json", "--time-limit", "2", "--memory-limit", "1024",
               str(hangs), str(exits), str(grows))
    assert time.monotonic() - started < 120
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    reports = {r["folder"]: {c["id"]: c for c in r["checks"]}
               for r in map(json.loads, proc.stdout.splitlines())}
    assert "did not finish within 2 s" in reports[str(hangs)]["relu"]["message"]
    assert "without a reply (exit status 3" in reports[str(exits)]["sigmoid"]["message"]
    assert "MemoryError" in reports[str(grows)]["fc_forward"]["message"]
    for checks in reports.values():  # the rest of each checklist still ran
        assert checks["sgd"]["status"] == "pass"


def test_a_rubric_sets_points_and_levels_and_gradescope_gets_one_test_per_check(tmp_path):
    from softmax_mnist.teaching.lab2.checklist import RUBRIC

    folder = tmp_path / "s"
    assert run("scaffold", "--lab", "2", str(folder)).returncode == 0
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(RUBRIC.read_text(encoding="utf-8").replace(
        '[checks.fc_forward]\npoints = 2\nlevel = "required"',
        '[checks.fc_forward]\npoints = 5\nlevel = "robustness"'), encoding="utf-8")
    out = tmp_path / "results.json"
    proc = run("check", "--lab", "2", "--format", "gradescope", "--output", str(out),
               "--rubric", str(rubric), str(folder))
    assert proc.returncode == 1 and "2/34 points" in proc.stdout, proc.stdout + proc.stderr
    results = json.loads(out.read_text(encoding="utf-8"))
    tests = {t["tags"][0]: t for t in results["tests"]}
    assert [t["tags"][0] for t in results["tests"]] == [c.id for c in CHECKS]
    assert results["score"] == 2 and tests["files"]["score"] == 1  # files and FC init
    assert tests["fc_forward"]["max_score"] == 5 and tests["fc_forward"]["tags"][1] == \
        "robustness" and tests["fc_forward"]["status"] == "failed"
    assert "fill in the TODO" in tests["fc_forward"]["output"]
    bad = tmp_path / "bad.toml"
    bad.write_text("[checks.files]\npoints = 1\nlevel = 'required'\n", encoding="utf-8")
    assert "no [checks.fc_forward] table" in one_line_exit_2(run(
        "check", "--lab", "2", "--rubric", str(bad), str(folder)))


def test_without_bubblewrap_lab_2_says_so_once_or_refuses(tmp_path):
    env = {"PATH": str(tmp_path)}  # no bwrap on this PATH
    proc = run("check", "--lab", "2", "--isolation", "sandbox", str(CORRECT), env=env)
    assert "bubblewrap (bwrap) is not installed" in one_line_exit_2(proc)
    folder = write_bug(tmp_path / "s", BUGS[0])
    proc = run("check", "--lab", "2", "--json", str(CORRECT), str(folder), env=env)
    assert proc.returncode == 1 and proc.stderr.count("isolation: process limits only") == 1
    good, bad = map(json.loads, proc.stdout.splitlines())
    assert good["isolation"] == "process" and "process limits only" in good["isolation_note"]
    assert good["passed"] and not bad["passed"]
