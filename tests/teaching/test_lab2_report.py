"""``report --impl DIR --lab 2``: lab 2's questions (Q6 on the course's SGD, momentum 0)
trained by the student's layers, to the numbers of our own MLP; interrupted by a real
signal and resumed; its runs kept in the run cache until a file of the student's changes;
a failing folder refused. And ``check --lab 2 --jobs N`` over a class."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from helpers import one_line_exit_2, run
from lab2_student_code import BUGS, CORRECT, RELU, write_bug, write_lab2

SAMPLE = ["--dataset", "mnist-sample"]
MEAN_KEYS = ("final_test_accuracy", "final_val_accuracy")
# the quick report's first run, alone: the same key, so the run cache holds it
RELU_CE = """name = "relu-ce"
kind = "compare"
question = "Q6"
[base]
hidden = [256]
early_stop = "none"
max_epoch = 2
momentum = 0.0
[[runs]]
label = "ReLU, cross-entropy"
"""


def _cells(results: dict) -> dict[str, dict]:
    return {v["label"]: v["cells"] for v in results["studies"]["lab2-course"]["variants"]}


def test_an_interrupted_lab_2_report_resumes_and_trains_the_students_layers(tmp_path):
    folder = write_lab2(tmp_path / "<b>&amp;")  # a name the HTML must escape
    out = tmp_path / "report"
    cmd = [sys.executable, "-m", "softmax_mnist", "report", "--impl", str(folder), "--lab",
           "2", "--quick", *SAMPLE, "--jobs", "1", "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + 120
    while not list((out / ".finished-runs").glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err and f"--resume {out}" in err
    kept = {p.name: p.read_text() for p in (out / ".finished-runs").glob("*.json")}
    assert 1 <= len(kept) < 5 and not (out / "report.md").exists()

    resumed = run("report", "--resume", str(out), "--quiet", "--jobs", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert "all 15 checks passed" in resumed.stderr
    results = json.loads((out / "results.json").read_text())
    record = results["implementation"]
    assert record["by"] == "student" and record["lab"] == 2 and record["reference_runs"] == []
    assert RELU in record["files"]
    studies = results["studies"]
    assert list(studies) == ["lab2-course"]
    runs = studies["lab2-course"]["variants"]
    kept_records = [json.loads(t)["record"] for t in kept.values()]
    for r in kept_records:  # the runs kept before the signal were not trained again
        assert any(v["runs"][0]["train_seconds"] == r["train_seconds"] for v in runs)
    assert {v["runs"][0]["config"]["momentum"] for v in runs} == {0.0}
    cells = _cells(results)
    assert cells["ReLU, cross-entropy"]["final_test_accuracy"]["value"] > 87
    assert cells["sigmoid, Euclidean loss"]["final_test_accuracy"]["status"] == "diverged"
    assert cells["sigmoid, Euclidean loss, lr 0.02"]["final_test_accuracy"]["value"] > 50
    # the speed table: both implementations timed alone, per setting
    rows = record["tables"][0]["rows"]
    assert len(rows) == 4 and all(r[1]["value"] > 0 and r[2]["value"] > 0 for r in rows)
    assert rows[0][3]["value"] == pytest.approx(rows[0][1]["value"] / rows[0][2]["value"])
    md = (out / "report.md").read_text(encoding="utf-8")
    q6 = md.split("## Q6")[1].split("## Implementation")[0]
    assert "has no momentum" in md and "momentum = 0." in q6 and "momentum = 0.9" not in q6
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<b>&amp;" not in html and "&lt;b&gt;&amp;amp;" in html

    # our own MLP with the same options: the same numbers
    ours = run("train", *SAMPLE, "--hidden", "256", "--momentum", "0", "--epochs", "2",
               "--no-early-stop", "--quiet", "--out", str(tmp_path / "ours"))
    assert ours.returncode == 0, ours.stderr
    m = json.loads((tmp_path / "ours" / "metrics.json").read_text())
    assert m["test_accuracy"] * 100 == pytest.approx(
        cells["ReLU, cross-entropy"]["final_test_accuracy"]["value"], abs=0.2)

    # the run cache: the same run again is reused; an edited file of the student's retrains
    study = tmp_path / "relu-ce.toml"
    study.write_text(RELU_CE, encoding="utf-8")
    alone = ["experiment", "relu-ce", "--config", str(study), "--impl", str(folder),
             "--lab", "2", *SAMPLE, "--quick", "--quiet", "--out"]
    again = run(*alone, str(tmp_path / "again"))
    assert again.returncode == 0, again.stderr
    assert "(1 reused from the run cache)" in again.stdout
    relu = folder / RELU
    relu.write_text(relu.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    edited = run(*alone, str(tmp_path / "edited"))
    assert edited.returncode == 0, edited.stderr
    assert "reused" not in edited.stdout


def test_a_failing_lab_2_folder_is_refused_before_any_run(tmp_path):
    folder = write_bug(tmp_path / "bob", next(b for b in BUGS if b.check_id == "relu"))
    out = tmp_path / "report"
    proc = run("report", "--impl", str(folder), "--lab", "2", "--quick", *SAMPLE,
               "--out", str(out))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "✗" in proc.stderr and "check --lab 2" in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize("options,says", [
    (["--lab", "2"], "give --impl DIR"),
    (["--lab", "2", "--impl", str(CORRECT), "--with", "lab2"], "drop them"),
    (["--lab", "2", "--impl", str(CORRECT.parent / "correct")], "drop --lab 2"),
    (["--impl", str(CORRECT)], "add --lab 2 to report"),
    (["--lab", "2", "--impl", str(CORRECT), "momentum"], "can train no run of momentum"),
])
def test_what_a_lab_2_report_cannot_do_is_refused_in_one_line(tmp_path, options, says):
    command = "experiment" if options[-1] == "momentum" else "report"
    proc = run(command, "--quick", *options, "--out", str(tmp_path / "r"))
    assert says in one_line_exit_2(proc)
    assert not (tmp_path / "r").exists()


def test_check_lab_2_over_a_class_in_parallel(tmp_path):
    good = write_lab2(tmp_path / "alice")
    bad = write_bug(tmp_path / "bob", next(b for b in BUGS if b.check_id == "sgd"))
    started = time.perf_counter()
    proc = run("check", "--lab", "2", "--jobs", "2", "--format", "json", str(good), str(bad))
    assert proc.returncode == 1, proc.stderr
    reports = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["folder"] for r in reports] == [str(good), str(bad)]  # in the order given
    assert [r["passed"] for r in reports] == [True, False]
    assert time.perf_counter() - started < 60
