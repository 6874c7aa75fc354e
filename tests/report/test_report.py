"""The lab report and the studies: end to end on the bundled sample, honest numbers."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import pytest

from softmax_mnist.cli import main
from softmax_mnist.errors import ConfigError
from softmax_mnist.experiments import (
    REPORT_STUDIES,
    RunSpec,
    block_means,
    execute,
    load_study,
    parse_study,
    study_names,
)
from softmax_mnist.report import make_cell

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w])")

TINY_COMPARE = """
kind = "compare"
checkpoints = [1, 2]
thresholds = [0.5, 0.99]
[base]
max_epoch = 2
early_stop = "none"
[[runs]]
label = "plain SGD"
momentum = 0.0
[[runs]]
label = "heavy ball"
momentum = 0.9
"""

DIVERGING_GRID = """
kind = "grid"
[base]
max_epoch = 1
early_stop = "none"
[grid]
learning_rate = [0.1, 1e6]
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def load_json(path: Path) -> dict:
    """Parse JSON, refusing NaN and Infinity (which are not JSON)."""
    def no_constants(name: str) -> None:
        raise AssertionError(f"{path.name} holds {name}")
    return json.loads(path.read_text(encoding="utf-8"), parse_constant=no_constants)


def numeric_leaves(obj) -> list[float]:
    if isinstance(obj, bool):
        return []
    if isinstance(obj, int | float):
        return [float(obj)]
    if isinstance(obj, dict):
        return [x for v in obj.values() for x in numeric_leaves(v)]
    if isinstance(obj, list):
        return [x for v in obj for x in numeric_leaves(v)]
    return []


def md_unescape(text: str) -> str:
    """What a markdown cell shows: backslash escapes and HTML entities resolved."""
    return html.unescape(re.sub(r"\\([\\`\[\]|])", r"\1", text))


def markdown_tables(md: str) -> list[list[list[str]]]:
    """Every table in the markdown: rows (header first, separator dropped) of cell texts."""
    tables, current = [], []
    for line in [*md.splitlines(), ""]:
        if line.startswith("|"):
            if not re.fullmatch(r"\|(---\|)+", line):
                cells = re.split(r"(?<!\\)\|", line.strip()[1:-1])
                current.append([md_unescape(c.strip()) for c in cells])
        elif current:
            tables.append(current)
            current = []
    return tables


def test_quick_report_writes_markdown_html_json_and_figures(quick_report):
    out = quick_report
    pngs = sorted(out.glob("*.png"))
    assert len(pngs) >= 8
    for png in pngs:
        data = png.read_bytes()
        assert data[:8] == PNG_MAGIC and len(data) > 10_000, png.name
    md = (out / "report.md").read_text(encoding="utf-8")
    for heading in ("## Q1", "## Q2", "## Q3", "Diagnostics"):
        assert heading in md
    for png in pngs:  # every figure is shown in the report
        assert f"]({png.name})" in md
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == len(pngs)
    assert not re.search(r'src="[^"]+\.png"', html)  # self-contained: no file references
    assert "<table>" in html
    results = load_json(out / "results.json")
    assert set(results["studies"]) == set(REPORT_STUDIES)
    assert not list(out.glob(".*tmp*"))  # atomic writes leave no temporaries
    assert not any("nan" in c.lower() for t in markdown_tables(md) for r in t for c in r)


def test_every_number_in_report_md_matches_results_json(quick_report):
    md = (quick_report / "report.md").read_text(encoding="utf-8")
    results = load_json(quick_report / "results.json")
    # 1. Tables: the markdown shows exactly the cells stored in results.json, and each
    #    cell's text is its stored value (mean ± std) formatted.
    json_tables = []  # in the report's order: the diagnostics follow Q1
    for name, section in results["studies"].items():
        json_tables += section["tables"]
        if name == "baseline":
            json_tables += results["diagnostics"]["tables"]
    json_tables += results["implementation"]["tables"]  # the last part
    md_tables = markdown_tables(md)
    assert len(md_tables) == len(json_tables)
    for md_table, table in zip(md_tables, json_tables, strict=True):
        assert md_table[0] == table["columns"]
        assert md_table[1:] == [[c["text"] for c in row] for row in table["rows"]]
        for row in table["rows"]:
            for cell in row:
                if cell.get("status") == "ok":
                    assert cell["text"].startswith(f"{cell['value']:.{cell['digits']}f}")
    # 2. Every number anywhere in the text (observations included) is a stored number.
    stored = numeric_leaves(results)
    body = md.split("## ")[1:]  # skip the intro line with the command and paths
    body[-1] = body[-1].split("```")[0]  # and the command block at the end
    # headings are the studies' fixed titles ("From 92 % to 99 %"), not measurements
    tokens = [tok for part in body for line in part.splitlines()[1:]
              if not line.startswith(("![", "*Figure ", "#")) for tok in NUMBER.findall(line)]
    assert len(tokens) > 200
    for tok in tokens:
        digits = len(tok.split(".")[1]) if "." in tok else 0
        target = float(tok)
        assert any(math.isclose(round(v, digits), target, abs_tol=1e-9) for v in stored), tok


def test_observations_name_the_settings_that_actually_lead(quick_report):
    """The leader sentence names exactly the settings within one validation image of the
    best, on the basis it states (see also tests/report/test_ranking.py)."""
    md = (quick_report / "report.md").read_text(encoding="utf-8")
    results = load_json(quick_report / "results.json")
    image = 100 / results["meta"]["sizes"]["val"]
    for name in ("momentum", "epochs", "batch-lr"):
        section = results["studies"][name]
        best = [o for o in section["observations"]
                if o["id"] in ("obs_best", "obs_tie", "obs_tie_all", "obs_grid_best")]
        assert len(best) == 1
        numbers = best[0]["numbers"]
        field = {"best": "best_val_accuracy"}.get(numbers.get("basis"), "final_val_accuracy")
        score = {v["label"]: v["cells"][field]["value"] for v in section["variants"]
                 if v["cells"][field].get("value") is not None}  # diverged: no value
        top = max(score.values())
        leaders = numbers.get("leaders", numbers.get("best"))
        assert set(leaders) == {k for k, v in score.items() if top - v < image - 1e-9}
        for label in leaders:
            assert f"**{label}**" in best[0]["text"]
        assert best[0]["text"] in md
    q1 = results["studies"]["baseline"]["variants"][0]["runs"][0]["final"]
    assert f"**{100 * q1['test_accuracy']:.2f} %**" in md
    # the confusion matrix agrees with the Q1 run's test accuracy
    assert results["diagnostics"]["test_accuracy"] == pytest.approx(q1["test_accuracy"])


def test_chinese_report(tmp_path):
    out = tmp_path / "zh"
    assert main(["experiment", "momentum", "--config", str(write(tmp_path / "m.toml",
                 TINY_COMPARE)), "--dataset", "mnist-sample", "--lang", "zh", "--out",
                 str(out), "--quiet", "--jobs", "1"]) == 0
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "实验报告" in md and "分析与结论" in md and "## Q2" in md
    assert 'lang="zh-CN"' in (out / "report.html").read_text(encoding="utf-8")


def test_diverging_learning_rate_shows_as_diverged(tmp_path):
    out = tmp_path / "div"
    assert main(["experiment", "lr-blowup", "--config",
                 str(write(tmp_path / "g.toml", DIVERGING_GRID)), "--dataset", "mnist-sample",
                 "--out", str(out), "--quiet", "--jobs", "1"]) == 0
    md = (out / "report.md").read_text(encoding="utf-8")
    results = load_json(out / "results.json")
    variants = results["studies"]["lr-blowup"]["variants"]
    blown = next(v for v in variants if v["options"]["learning_rate"] == 1e6)
    assert blown["runs"][0]["diverged"] and blown["cells"]["final_test_accuracy"]["text"] == (
        "diverged")
    row = next(r for r in markdown_tables(md)[0][1:] if r[0] == "1e+06")
    assert row[1:] == ["diverged"] * 4
    assert not any("nan" in c.lower() for t in markdown_tables(md) for r in t for c in r)
    assert any(o["id"] == "obs_diverged_runs" and "lr 1e+06" in o["text"]
               for o in results["studies"]["lr-blowup"]["observations"])
    assert "**lr 0.1**" in md  # the run that trained is the best one


def test_same_command_twice_same_numbers_and_seeds_give_mean_std(tmp_path):
    config = str(write(tmp_path / "m.toml", TINY_COMPARE))
    args = ["experiment", "momentum", "--config", config, "--dataset", "mnist-sample",
            "--quiet", "--jobs", "2", "--seeds", "2"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert main([*args, "--out", str(tmp_path / "b"), "--fresh"]) == 0  # trained again
    a, b = (load_json(tmp_path / d / "results.json") for d in "ab")
    for va, vb in zip(a["studies"]["momentum"]["variants"],
                      b["studies"]["momentum"]["variants"], strict=True):
        for ra, rb in zip(va["runs"], vb["runs"], strict=True):
            assert ra["final"] == rb["final"] and ra["iteration_loss"] == rb["iteration_loss"]
            assert ra["history"]["val_accuracy"] == rb["history"]["val_accuracy"]
        assert va["runs"][0]["config"]["seed"] == 0 and va["runs"][1]["config"]["seed"] == 1
        assert " ± " in va["cells"]["final_test_accuracy"]["text"]
    md = (tmp_path / "a" / "report.md").read_text(encoding="utf-8")
    assert "2 seeds" in md and " ± " in md


def test_dask_backend_runs_on_a_local_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    config = str(write(tmp_path / "m.toml", TINY_COMPARE))
    common = ["experiment", "momentum", "--config", config, "--dataset", "mnist-sample",
              "--quiet"]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  host="127.0.0.1", protocol="tcp",
                                  dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        assert main([*common, "--out", str(tmp_path / "dask"), "--backend", "dask",
                     "--scheduler", cluster.scheduler_address]) == 0
    assert main([*common, "--out", str(tmp_path / "local"), "--jobs", "1"]) == 0
    remote, local = (load_json(tmp_path / d / "results.json") for d in ("dask", "local"))
    assert remote["meta"]["backend"] == "dask"
    for vr, vl in zip(remote["studies"]["momentum"]["variants"],
                      local["studies"]["momentum"]["variants"], strict=True):
        assert vr["runs"][0]["final"]["val_accuracy"] == pytest.approx(
            vl["runs"][0]["final"]["val_accuracy"], abs=2e-3)
        assert vr["runs"][0]["epochs_run"] == 2


@pytest.mark.parametrize(("args", "message"), [
    (["experiment", "momentun"], "unknown study 'momentun'. Did you mean 'momentum'?"),
    (["experiment", "x", "--config", "{bad}"], "not valid TOML"),
    (["experiment", "x", "--config", "{unknown_key}"], "Did you mean 'batch_size'?"),
    (["experiment", "x", "--config", "{top_key}"], "unknown key 'grids'"),
    (["experiment", "x", "--config", "{missing}"], "cannot read study file"),
    (["report", "--scheduler", "tcp://127.0.0.1:1"], "use it with --backend dask"),
    (["report", "--seeds", "0", "--dataset", "mnist-sample"], "--seeds must be"),
])
def test_user_mistakes_are_one_line_and_exit_2(tmp_path, capsys, args, message):
    files = {
        "{bad}": write(tmp_path / "bad.toml", 'kind = "grid\n'),
        "{unknown_key}": write(tmp_path / "key.toml",
                               'kind = "grid"\n[grid]\nbatch_siz = [10, 100]\n'),
        "{top_key}": write(tmp_path / "top.toml", 'kind = "grid"\n[grids]\n'),
        "{missing}": tmp_path / "nowhere.toml",
    }
    args = [str(files.get(a, a)) for a in args]
    assert main([*args, "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("softmax-mnist: error: ")
    assert message in err


def test_packaged_studies_load_full_and_quick():
    assert set(REPORT_STUDIES) <= set(study_names())
    grid = load_study("batch-lr")
    assert grid.grid == {"batch_size": [1, 10, 100, 1000, 5000],
                         "learning_rate": [0.01, 0.1, 0.5, 1, 3]}
    assert len(grid.variants) == 25 and grid.reference == {"batch_size": 100,
                                                           "learning_rate": 0.1}
    momentum = load_study("momentum")
    assert momentum.checkpoints == (10, 30) and momentum.base["max_epoch"] == 30
    assert [v.options for v in momentum.variants][2] == {"momentum": 0.9, "nesterov": True}
    assert load_study("momentum", quick=True).base["max_epoch"] < 30
    with pytest.raises(ConfigError, match="distinct"):
        parse_study({"name": "g", "kind": "grid", "grid": {"batch_size": [10, 10]}})
    with pytest.raises(ConfigError, match="learning_rate must be"):
        parse_study({"name": "c", "kind": "compare", "runs": [{"learning_rate": -1}]})


def test_tracked_test_accuracy_matches_the_final_weights():
    """The per-epoch test curve (read at the Q2 checkpoints) is the final model's accuracy
    at the last epoch when nothing restores earlier weights."""
    from softmax_mnist.data import load_dataset
    from softmax_mnist.training import TrainConfig

    data = load_dataset("mnist-sample")
    spec = RunSpec(TrainConfig(max_epoch=3, early_stop="none"))
    record = execute([spec], data, jobs=1, progress=False)[spec.key]
    assert len(record.history["test_accuracy"]) == record.epochs_run == 3
    assert record.history["test_accuracy"][-1] == record.final["test_accuracy"]
    assert record.history["val_accuracy"][-1] == pytest.approx(record.final["val_accuracy"])


def test_cells_and_block_means():
    cell = make_cell([0.9, 0.92], "pct", "en")
    assert cell.text == "91.00 ± 1.41" and cell.value == pytest.approx(91.0)
    assert make_cell([0.9, None], "pct", "en", diverged=1).text == "diverged (1/2)"
    assert make_cell([None], "epoch", "en", missing="not_reached").text == "not reached"
    assert make_cell([3, 5], "epoch", "zh").text == "4.0 ± 1.4"
    means, size = block_means([1.0, 3.0, 5.0, float("nan"), 7.0], 2)
    assert size == 3 and means == [3.0, 7.0]


def test_quick_keeps_only_the_listed_runs_and_rejects_unknown_labels(tmp_path):
    from softmax_mnist.errors import ConfigError
    from softmax_mnist.experiments import load_study

    full, quick = load_study("preprocessing"), load_study("preprocessing", quick=True)
    assert len(quick.variants) < len(full.variants)
    assert {v.label for v in quick.variants} <= {v.label for v in full.variants}
    bad = tmp_path / "p.toml"
    bad.write_text('name = "x"\nkind = "ablation"\n[[runs]]\nlabel = "a"\n'
                   '[quick]\nruns = ["b"]\n')
    with pytest.raises(ConfigError, match="run label"):
        load_study("x", bad, quick=True)


def test_progress_is_a_line_per_finished_study_when_not_on_a_terminal(tmp_path):
    from helpers import run

    done = run("experiment", "momentum", "--config", str(write(tmp_path / "m.toml",
               TINY_COMPARE)), "--dataset", "mnist-sample", "--out", str(tmp_path / "out"),
               "--jobs", "1")  # stderr is a pipe here, as in a log file or CI
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert any(re.fullmatch(r"report: study momentum done \(2/2 runs\) \[\d+ s\]", line)
               for line in lines), lines
    assert any(line.startswith("report: timed 2 settings alone") for line in lines)
    assert "\r" not in done.stderr  # no progress bar redrawn into a log


def test_reproduce_section_repeats_the_data_options(quick_report):
    md = (quick_report / "report.md").read_text(encoding="utf-8")
    commands = md.split("```")[-2].strip().splitlines()
    assert commands[1:] == [f"softmax-mnist experiment {name} --dataset mnist-sample --quick"
                            for name in REPORT_STUDIES]
