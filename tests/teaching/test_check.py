"""``softmax-mnist check`` end to end, in real subprocesses: the correct implementation
and its right variants pass, every mistake of the catalogue fails with its hint in English
and in Chinese, the rubric scores it, Gradescope's results.json has the documented fields,
and student code that hangs, allocates without end, crashes or does not parse gives one
line and a non-zero exit in bounded time."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import FULL_MNIST, run
from softmax_mnist.data.fetch import SAMPLE_DIR
from softmax_mnist.teaching.checklist import CHECKS, CheckResult
from softmax_mnist.teaching.grading import CheckReport
from softmax_mnist.teaching.outcome import GRADESCOPE_FIELDS, GRADESCOPE_TEST_FIELDS, grade_sheet
from softmax_mnist.teaching.sandbox import sandbox_problem
from student_code import BUGS, CORRECT, CORRECT_VARIANTS, expected_hint, write_impl, write_variant

CHECK_IDS = [c.id for c in CHECKS]
SAMPLE = ["--data-dir", str(SAMPLE_DIR)]  # a short end-to-end run where MNIST is not the point
needs_bwrap = pytest.mark.skipif(bool(sandbox_problem()), reason="bubblewrap cannot start")


def check_json(*args: str, env: dict | None = None,
               ) -> tuple[subprocess.CompletedProcess, list[dict]]:
    proc = run("check", "--json", *args, env=env)
    return proc, [json.loads(line) for line in proc.stdout.splitlines()]


def statuses(report: dict) -> dict[str, dict]:
    return {c["id"]: c for c in report["checks"]}


@needs_bwrap
@pytest.mark.skipif(not FULL_MNIST.is_dir(), reason="needs the full MNIST set")
def test_correct_implementation_passes_every_check_in_the_sandbox():
    proc, (report,) = check_json(str(CORRECT), "--isolation", "sandbox", "--data-dir",
                                 str(FULL_MNIST))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert report["passed"] and [c["id"] for c in report["checks"]] == CHECK_IDS
    assert all(c["status"] == "pass" for c in report["checks"])
    assert report["score"] == report["max_score"] == 16
    assert report["isolation"] == "sandbox" and not report["isolation_note"]
    e2e = statuses(report)["end_to_end"]["message"]
    assert "55,000" in e2e and float(e2e.split("%")[0]) > 91.5  # the course's ≈ 92 %


@pytest.fixture(scope="module")
def class_folders(tmp_path_factory) -> tuple[list[Path], list[Path]]:
    root = tmp_path_factory.mktemp("buggy")
    bugs = [write_impl(root / f"{i:02d}", bug) for i, bug in enumerate(BUGS)]
    variants = [write_variant(root / f"v{i}", v) for i, v in enumerate(CORRECT_VARIANTS)]
    return bugs, variants


@pytest.fixture(scope="module")
def buggy_reports(class_folders) -> dict[str, dict[str, dict]]:
    """Every bug in its own folder and the right variants, checked by one command per
    language (two at a time); Chinese chosen by the locale."""
    bugs, variants = class_folders
    out = {}
    for lang, env in (("en", {"LANG": "C.UTF-8"}), ("zh", {"LANG": "zh_CN.UTF-8"})):
        folders = bugs + variants if lang == "en" else bugs
        proc, reports = check_json("--jobs", "2", *SAMPLE, *map(str, folders), env=env)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert [r["folder"] for r in reports] == [str(f) for f in folders]
        out[lang] = {r["folder"]: r for r in reports}
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("bug", BUGS, ids=[b.name for b in BUGS])
def test_each_mistake_fails_its_check_with_its_hint(class_folders, buggy_reports, bug, lang):
    folder = class_folders[0][BUGS.index(bug)]
    report = buggy_reports[lang][str(folder)]
    result = statuses(report)[bug.check_id]
    assert result["status"] == "fail", result
    assert expected_hint(folder, bug, lang) in result["message"]
    assert result["points"] == 0 and result["max_points"] > 0
    # one line: no traceback, no newline in any hint
    assert all("\n" not in c["message"] and "Traceback" not in c["message"]
               for c in report["checks"])


@pytest.mark.parametrize("variant", CORRECT_VARIANTS, ids=[v[0] for v in CORRECT_VARIANTS])
def test_a_right_variant_passes_every_required_check(class_folders, buggy_reports, variant):
    folder = class_folders[1][CORRECT_VARIANTS.index(variant)]
    report = buggy_reports["en"][str(folder)]
    failed = [c for c in report["checks"] if c["status"] != "pass"]
    assert report["passed"] and not failed, failed


def test_an_unused_import_hides_nothing_else(class_folders, buggy_reports):
    bug = next(b for b in BUGS if b.name == "unused import torch")
    report = buggy_reports["en"][str(class_folders[0][BUGS.index(bug)])]
    assert [c["id"] for c in report["checks"] if c["status"] != "pass"] == ["imports"]
    assert not report["passed"] and report["score"] == report["max_score"] - 1


def test_a_robustness_failure_costs_its_points_but_not_the_pass(class_folders, buggy_reports):
    bug = next(b for b in BUGS if b.name == "no max subtracted")
    report = buggy_reports["en"][str(class_folders[0][BUGS.index(bug)])]
    assert report["passed"] and report["score"] == report["max_score"] - 1
    assert statuses(report)["stability"]["level"] == "robustness"


def test_a_single_buggy_folder_exits_1_with_one_line_per_check(tmp_path):
    folder = write_impl(tmp_path / "s", next(b for b in BUGS if b.name == "labels not "
                                                                       "subtracted"))
    proc = run("check", str(folder), *SAMPLE, "--lang", "en")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert len(lines) == len(CHECKS) + 1
    assert lines[6].startswith("✗ grad_W") and "0/2" in lines[6]
    assert lines[-1].startswith(f"{len(CHECKS) - 3}/{len(CHECKS)} checks passed: 11/16 points")


def test_chinese_lines_and_summary(tmp_path):
    folder = write_impl(tmp_path / "s", next(b for b in BUGS if b.check_id == "grad_W"))
    proc = run("check", str(folder), *SAMPLE, "--lang", "zh")
    lines = proc.stdout.splitlines()
    assert proc.returncode == 1 and lines[0].startswith("✓ 导入")
    assert lines[-1].startswith("通过 ") and "分" in lines[-1] and "有必需项未通过" in lines[-1]


def test_several_folders_one_summary_line_each_and_a_grade_sheet(tmp_path):
    good = write_impl(tmp_path / "alice")
    bad = write_impl(tmp_path / "bob", next(b for b in BUGS if b.check_id == "grad_W"))
    sheet = tmp_path / "grades.csv"
    proc = run("check", str(good), str(bad), "--csv", str(sheet), *SAMPLE, "--lang", "en")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"✓ {good}") and "16/16 points" in lines[0]
    assert lines[1].startswith(f"✗ {bad}") and "grad_W: grad_W is N× too large" in lines[1]
    assert lines[2] == "1/2 folders passed every required check"
    rows = list(csv.DictReader(sheet.open(encoding="utf-8-sig", newline="")))
    assert sheet.read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM for spreadsheet programs
    assert [r["folder"] for r in rows] == [str(good), str(bad)]
    assert rows[0]["passed"] == "yes" and rows[1]["passed"] == "no"
    assert rows[0]["score"] == "16" and rows[1]["max_score"] == "16"
    assert rows[1]["grad_W"] == "fail" and rows[1]["sgd"] == "pass"
    assert rows[1]["isolation"] in ("sandbox", "process")


def test_gradescope_results_json_has_the_documented_fields(tmp_path):
    bad = write_impl(tmp_path / "sub", next(b for b in BUGS if b.check_id == "grad_b"))
    out = tmp_path / "results" / "results.json"
    out.parent.mkdir()
    proc = run("check", str(bad), "--format", "gradescope", "--output", str(out), *SAMPLE)
    assert proc.returncode == 1, proc.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) <= GRADESCOPE_FIELDS and {"score", "tests"} <= set(data)
    assert len(data["tests"]) == len(CHECKS)
    for test in data["tests"]:
        assert set(test) <= GRADESCOPE_TEST_FIELDS
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("hidden", "after_due_date", "after_published", "visible")
    assert data["score"] == sum(t["score"] for t in data["tests"]) == 13  # grad_b, training
    grad_b = next(t for t in data["tests"] if t["name"] == "grad_b")
    assert grad_b["status"] == "failed" and "grad_b is not set" in grad_b["output"]


def test_a_rubric_file_sets_points_and_levels(tmp_path):
    from softmax_mnist.teaching.rubric import DEFAULT

    text = DEFAULT.read_text(encoding="utf-8").replace(
        '[checks.grad_W]\npoints = 2\nlevel = "required"',
        '[checks.grad_W]\npoints = 5\nlevel = "robustness"')
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(text, encoding="utf-8")
    bad = write_impl(tmp_path / "s", next(b for b in BUGS if b.name == "grad_W transposed"))
    proc, (report,) = check_json(str(bad), "--rubric", str(rubric), *SAMPLE)
    assert report["max_score"] == 19 and statuses(report)["grad_W"]["max_points"] == 5
    failed = {c["id"] for c in report["checks"] if c["status"] == "fail"}
    assert failed == {"grad_W", "end_to_end"} and not report["passed"]
    assert proc.returncode == 1  # end to end is still required


@pytest.mark.parametrize(("text", "message"), [
    ("[checks.loss\n", "not valid TOML"),
    ("[checks.loss]\npoints = 1\nlevel = \"required\"\n", "no [checks.imports] table"),
    ("[checks.nope]\npoints = 1\nlevel = \"required\"\n", "unknown check nope"),
])
def test_a_wrong_rubric_is_one_line_and_exit_2(tmp_path, text, message):
    rubric = tmp_path / "r.toml"
    rubric.write_text(text, encoding="utf-8")
    proc = run("check", str(CORRECT), "--rubric", str(rubric))
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert proc.stderr.count("\n") == 1 and not proc.stdout


def test_without_bubblewrap_it_says_so_once_or_refuses(tmp_path):
    env = {"PATH": str(tmp_path)}  # no bwrap on this PATH
    proc = run("check", str(CORRECT), "--isolation", "sandbox", env=env)
    assert proc.returncode == 2 and "bubblewrap (bwrap) is not installed" in proc.stderr
    proc, (report,) = check_json(str(CORRECT), *SAMPLE, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("isolation: process limits only") == 1
    assert report["isolation"] == "process" and "process limits only" in report["isolation_note"]


@given(st.text(min_size=1, max_size=40))
def test_grade_sheet_cells_never_start_a_formula(folder):
    result = CheckResult("files", "files", "fail", folder)
    report = CheckReport(folder, [result] * len(CHECKS), 1.0)
    rows = list(csv.DictReader(io.StringIO(grade_sheet([report]), newline="")))
    assert len(rows) == 1
    formula = folder[:1] in ("=", "+", "-", "@", "\t", "\r")
    assert rows[0]["folder"] == ("'" + folder if formula else folder)
    assert rows[0]["first_failure"] == "files: " + folder


# -- student code that misbehaves -------------------------------------------------------

HOSTILE = {  # name: (file, old, new, check that fails, its message)
    "endless loop": ("loss.py", "        scores = ", "        while True:\n            pass\n"
                     "        scores = ", "interface", "did not finish within 3 s"),
    "10 GB array": ("loss.py", "        scores = ", "        big = np.ones(10 * 2**30 // 8)\n"
                    "        scores = ", "interface", "MemoryError"),
    "syntax error": ("loss.py", "acc = np.mean(", "acc = np.mean((", "files",
                     "SyntaxError: '(' was never closed (loss.py line"),
    "missing module": ("loss.py", "import numpy as np\n",
                       "import numpy as np\nimport torch_that_is_not_installed\n", "imports",
                       "torch_that_is_not_installed: not NumPy, not the standard library"),
    "exception in forward": ("loss.py", "        scores = ",
                             "        raise KeyError('oops')\n        scores = ", "interface",
                             "forward raised KeyError: 'oops' (loss.py line 20)"),
    "os._exit in step": ("optimizer.py", "        layer = self.model\n",
                         "        import os\n        os._exit(3)\n", "sgd",
                         "the check process ended with exit status 3"),
    "segmentation fault": ("loss.py", "        scores = ", "        import ctypes\n"
                           "        ctypes.string_at(0)\n        scores = ", "interface",
                           "crashed (segmentation fault)"),
    "endless loop at import": ("optimizer.py", "import numpy as np\n",
                               "import numpy as np\nwhile True:\n    pass\n", "files",
                               "did not finish within 3 s"),
}


@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory) -> tuple[float, dict[str, dict]]:
    root = tmp_path_factory.mktemp("hostile")
    folders = []
    for i, (file, old, new, _, _) in enumerate(HOSTILE.values()):
        folder = write_impl(root / f"{i}")
        path = folder / file
        path.write_text(path.read_text().replace(old, new, 1))
        folders.append(str(folder))
    start = time.monotonic()
    proc, reports = check_json("--time-limit", "3", "--jobs", "2", *SAMPLE, *folders)
    elapsed = time.monotonic() - start
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    return elapsed, dict(zip(HOSTILE, reports, strict=True))


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_student_code_fails_one_check_in_bounded_time(hostile_reports, name):
    elapsed, reports = hostile_reports
    # eight folders, two at a time; the slowest costs about two time limits plus restarts
    assert elapsed < 90
    *_, check_id, message = HOSTILE[name]
    result = statuses(reports[name])[check_id]
    assert result["status"] == "fail" and message in result["message"], result


def test_memory_limit_stops_a_runaway_allocation_that_is_touched(tmp_path):
    folder = write_impl(tmp_path / "grow")
    path = folder / "loss.py"
    path.write_text(path.read_text().replace(
        "        scores = ", "        junk = [np.ones(2**24) for _ in range(10_000)]\n"
                            "        scores = ", 1))
    proc, (report,) = check_json("--memory-limit", "700", "--time-limit", "10", *SAMPLE,
                                 str(folder))
    assert proc.returncode == 1
    assert "MemoryError" in statuses(report)["interface"]["message"]


def _processes_mentioning(text: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                    errors="replace")
            except OSError:
                continue
            if text in cmdline and int(entry.name) != os.getpid():
                pids.append(int(entry.name))
    return pids


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_or_kill_stops_check_and_its_child_at_once(tmp_path, signum, status):
    folder = write_impl(tmp_path / "spin-forever")
    path = folder / "loss.py"
    path.write_text(path.read_text().replace("        scores = ",
                                             "        while True:\n            pass\n"
                                             "        scores = ", 1))
    proc = subprocess.Popen([sys.executable, "-m", "softmax_mnist", "check", str(folder),
                             "--time-limit", "120"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not _processes_mentioning("probe.py") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_mentioning("probe.py")  # the check's child process
    time.sleep(1.0)  # the child is in the endless loop now
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == status and "interrupted" in err and "Traceback" not in err
    assert "✗" not in out  # the interrupted check is not reported as a failure
    time.sleep(0.5)
    assert not _processes_mentioning(f"probe.py {folder}")
    assert not _processes_mentioning("/probe/probe.py")


# -- scaffold ---------------------------------------------------------------------------

FORWARD_BODY = '''        scores = Input @ self.W + self.b
        scores = scores - scores.max(axis=1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=1, keepdims=True)
        rows = np.arange(len(labels))
        self.cache = (Input, probs, labels)
        loss = -np.log(probs[rows, labels]).mean()
        return loss, np.mean(scores.argmax(axis=1) == labels)
'''
GRADIENT_BODY = '''        Input, probs, labels = self.cache
        error = probs.copy()
        error[np.arange(len(labels)), labels] -= 1
        error /= len(labels)
        self.grad_W = Input.T @ error
        self.grad_b = error.sum(axis=0)
'''
STEP_BODY = '''        model = self.model
        self.v_W = self.momentum * self.v_W + self.learning_rate * model.grad_W
        self.v_b = self.momentum * self.v_b + self.learning_rate * model.grad_b
        model.W -= self.v_W
        model.b -= self.v_b
'''


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_scaffold_then_the_bodies_written_into_it_pass_check(tmp_path, lang):
    folder = tmp_path / "lab1"
    proc = run("scaffold", str(folder), "--lang", lang)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "loss.py", "optimizer.py"]
    assert "softmax-mnist check" in (folder / "README.md").read_text(encoding="utf-8")
    # as written, nothing is solved: every method the student writes says so
    proc, (report,) = check_json(str(folder))
    assert proc.returncode == 1
    for check_id in ("interface", "sgd", "momentum"):
        assert "not written yet: fill in the TODO" in statuses(report)[check_id]["message"]
    loss = (folder / "loss.py").read_text(encoding="utf-8").splitlines(keepends=True)
    bodies = iter([FORWARD_BODY, GRADIENT_BODY])
    loss = [next(bodies) if "raise NotImplementedError" in line else line for line in loss]
    (folder / "loss.py").write_text("".join(loss), encoding="utf-8")
    opt = (folder / "optimizer.py").read_text(encoding="utf-8")
    opt = opt.replace("        self.momentum = momentum\n",
                      "        self.momentum = momentum\n        self.v_W = np.zeros_like("
                      "model.W)\n        self.v_b = np.zeros_like(model.b)\n")
    opt = "".join(STEP_BODY if "raise NotImplementedError" in line else line
                  for line in opt.splitlines(keepends=True))
    (folder / "optimizer.py").write_text(opt, encoding="utf-8")
    proc, (report,) = check_json(str(folder))
    assert proc.returncode == 0, [c for c in report["checks"] if c["status"] != "pass"]


def test_scaffold_never_overwrites(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "loss.py").write_text("# my work\n")
    proc = run("scaffold", str(folder))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "never overwrites" in proc.stderr
    assert (folder / "loss.py").read_text() == "# my work\n"
    assert not (folder / "optimizer.py").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["check", "no-such-folder"], "not a folder"),
    (["check", ".", "--data-dir", "nowhere"], "--data-dir nowhere: not a folder"),
    (["check", ".", "--memory-limit", "100"], "--memory-limit must be at least"),
    (["check", ".", "--time-limit", "0"], "--time-limit must be in (0, 3600]"),
    (["scaffold", "x", "--lang", "fr"], "invalid choice"),
])
def test_user_mistakes_are_one_line_and_exit_2(args, message, tmp_path):
    proc = run(*args, cwd=tmp_path)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_a_file_given_for_the_folder_is_a_user_mistake(tmp_path):
    (tmp_path / "loss.py").write_text("x = 1\n")
    proc = run("scaffold", str(tmp_path / "loss.py"))
    assert proc.returncode == 2 and "is a file" in proc.stderr
    assert os.path.getsize(tmp_path / "loss.py") == 6
