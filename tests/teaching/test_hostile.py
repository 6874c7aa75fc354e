"""The hostile battery (tests/hostile_code.py) against ``check`` in the bubblewrap sandbox, in real
subprocesses: each hostile submission earns only what a lazy implementation earns, and no
other folder's verdict or files change, nothing lingers, nothing reaches the network."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hostile_code import CASES, Listener, lingering, snapshot, write_hostile
from softmax_mnist.data.fetch import SAMPLE_DIR
from softmax_mnist.teaching.probe_reply import BadReply, decode, parse_reply
from softmax_mnist.teaching.sandbox import sandbox_problem
from student_code import write_impl

EARNED = {"imports", "files", "interface", "stability", "vectorised"}
"""What the lazy implementation behind every attack may pass: constant numbers are finite,
zero gradients need no loop. Never the loss, the gradients, SGD or training."""


@pytest.fixture(scope="module")
def battery(tmp_path_factory):
    if sandbox_problem():
        pytest.skip(f"bubblewrap cannot start: {sandbox_problem()}")
    root = tmp_path_factory.mktemp("class")
    good, victim = write_impl(root / "good"), write_impl(root / "victim")
    listener = Listener()
    folders = {name: write_hostile(root / f"h{i:02d}", name, victim=victim, root=root,
                                   port=listener.port) for i, name in enumerate(CASES)}
    before = snapshot(root)
    tmp_marker = Path("/tmp/HACKED")
    tmp_marker.unlink(missing_ok=True)
    proc = subprocess.run([sys.executable, "-m", "softmax_mnist", "check", "--json", "--jobs",
                           "2", "--time-limit", "3", "--isolation", "sandbox", "--data-dir",
                           str(SAMPLE_DIR), str(good), str(victim), *map(str, folders.values())],
                          capture_output=True, text=True, timeout=600, start_new_session=True)
    reports = {r["folder"]: r for r in map(json.loads, proc.stdout.splitlines())}
    return {"proc": proc, "reports": reports, "good": good, "victim": victim,
            "folders": folders, "changed": [k for k, v in snapshot(root).items()
                                            if before.get(k) != v] + sorted(
                set(before) - set(snapshot(root))),
            "listener": listener, "root": root, "tmp_marker": tmp_marker.exists()}


def test_the_battery_changes_nothing_outside_and_leaves_nothing_running(battery):
    assert battery["proc"].returncode == 1 and "Traceback" not in battery["proc"].stderr
    assert battery["changed"] == [] and not battery["tmp_marker"]
    assert battery["listener"].received == 0
    assert lingering(str(battery["root"])) == []
    for name in ("good", "victim"):
        report = battery["reports"][str(battery[name])]
        assert report["passed"] and report["score"] == report["max_score"], report


@pytest.mark.parametrize("name", CASES)
def test_a_hostile_submission_earns_nothing_it_did_not_do(battery, name):
    report = battery["reports"][str(battery["folders"][name])]
    passed = {c["id"] for c in report["checks"] if c["status"] == "pass"}
    assert passed <= EARNED and not report["passed"], passed
    assert all("\n" not in c["message"] for c in report["checks"])
    assert not any("def gradient_computing" in c["message"] or "root:x:" in c["message"]
                   for c in report["checks"])  # nothing of a classmate's or the system's


@pytest.mark.parametrize(("raw", "why"), [
    (b"not json", "not JSON"),
    (b'{"kept": {"loss": 1.0, "extra": 2.0}, "error": null}', "not asked for"),
    (b'{"kept": {"loss": {"array": {"shape": [2], "dtype": "float64", "data": [1]}}}}',
     "shape, type or size"),
    (b'{"kept": {"loss": {"array": {"shape": [1], "dtype": "object", "data": ["x"]}}}}',
     "shape, type or size"),
    (b'{"kept": {"loss": {"eval": "1"}}}', "unknown kind"),
    (b'{"kept": {}, "error": null, "verdict": "pass"}', "unknown fields"),
    (b'{"kept": {"loss": 1}, "error": "all good"}', "wrong form"),
])
def test_a_reply_that_is_not_plain_values_is_refused(raw, why):
    with pytest.raises(BadReply, match=why):
        parse_reply(raw, ["loss"], 0.0)


def test_decoded_values_are_plain_numbers_and_arrays():
    value = decode({"items": [1.5, {"array": {"shape": [1, 2], "dtype": "int64",
                                               "data": [3, 4]}}, {"object": "Liar"}]})
    assert value[0] == 1.5 and value[1].tolist() == [[3, 4]] and value[2].name == "Liar"


@pytest.fixture(scope="module")
def lab2_battery(tmp_path_factory):
    """``check --lab 2`` in the sandbox on a correct folder, a correct classmate (the
    victim), the bare scaffold and the scaffold with each attack of LAB2_CASES."""
    from hostile_code import LAB2_CASES, write_hostile_lab2
    from lab2_student_code import write_lab2
    from softmax_mnist.teaching.lab2.scaffold import scaffold

    if sandbox_problem():
        pytest.skip(f"bubblewrap cannot start: {sandbox_problem()}")
    root = tmp_path_factory.mktemp("lab2class")
    good, victim, lazy = write_lab2(root / "good"), write_lab2(root / "victim"), root / "lazy"
    scaffold(lazy, "en")
    folders = {name: write_hostile_lab2(root / f"h{i:02d}", name, victim=victim, root=root)
               for i, name in enumerate(LAB2_CASES)}
    before = snapshot(root)
    proc = subprocess.run([sys.executable, "-m", "softmax_mnist", "check", "--lab", "2",
                           "--json", "--time-limit", "5", "--isolation", "sandbox",
                           str(good), str(victim), str(lazy), *map(str, folders.values())],
                          capture_output=True, text=True, timeout=300, start_new_session=True)
    reports = {r["folder"]: r for r in map(json.loads, proc.stdout.splitlines())}
    passed = {folder: {c["id"] for c in r["checks"] if c["status"] == "pass"}
              for folder, r in reports.items()}
    return {"proc": proc, "reports": reports, "passed": passed, "good": good,
            "victim": victim, "lazy": lazy, "folders": folders, "root": root,
            "changed": [k for k, v in snapshot(root).items() if before.get(k) != v]
            + sorted(set(before) - set(snapshot(root)))}


def test_lab_2_attacks_change_nothing_and_the_correct_folders_still_pass(lab2_battery):
    b = lab2_battery
    assert b["proc"].returncode == 1 and "Traceback" not in b["proc"].stderr, b["proc"].stderr
    assert b["changed"] == [] and lingering(str(b["root"])) == []
    for name in ("good", "victim"):
        report = b["reports"][str(b[name])]
        assert report["passed"] and report["points"] == report["max_points"], report


@pytest.mark.parametrize("name", ["patch the lab-2 checklist", "copy a classmate's layers",
                                  "write into the parent's folder"])
def test_a_hostile_lab_2_submission_earns_no_more_than_the_bare_scaffold(lab2_battery, name):
    b = lab2_battery
    lazy = b["passed"][str(b["lazy"])]
    assert "fc_forward" not in lazy and "files" in lazy  # the scaffold's TODOs fail
    report = b["reports"][str(b["folders"][name])]
    assert b["passed"][str(b["folders"][name])] <= lazy and not report["passed"], report
    assert not any("np.dot(delta, self.W.T)" in c["message"] for c in report["checks"])
