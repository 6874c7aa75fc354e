"""The run cache: a run is reused only when everything that decides its numbers matches;
a damaged entry is trained again; the cache stays under its cap with two writers at once;
report / experiment / train reuse each other's runs and say so."""

from __future__ import annotations

import json
import multiprocessing
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from softmax_mnist.cli import main
from softmax_mnist.cli.studies import _extra_names
from softmax_mnist.data import load_dataset
from softmax_mnist.experiments import RunSpec, execute
from softmax_mnist.experiments.runcache import RunCache
from softmax_mnist.experiments.store import RunStore
from softmax_mnist.training import TrainConfig

TWO_RUNS = """
kind = "compare"
checkpoints = [1]
[base]
max_epoch = 1
early_stop = "none"
[[runs]]
label = "plain SGD"
momentum = 0.0
[[runs]]
label = "heavy ball"
momentum = {momentum}
"""


@pytest.fixture(scope="module")
def sample():
    return load_dataset("mnist-sample")


def one_thread(spec, missing):
    return 1


def specs(n: int = 3) -> list[RunSpec]:
    return [RunSpec(TrainConfig(max_epoch=1, seed=s, early_stop="none")) for s in range(n)]


def test_the_key_changes_with_everything_that_decides_the_numbers(sample, tmp_path):
    cache = RunCache(tmp_path)
    base = RunSpec(TrainConfig(max_epoch=1))
    key = cache.run_key(base, sample, 1)
    assert cache.run_key(RunSpec(TrainConfig(max_epoch=1)), sample, 1) == key
    assert cache.run_key(replace(base, config=replace(base.config, seed=1)), sample, 1) != key
    assert cache.run_key(replace(base, config=replace(base.config, learning_rate=0.2)),
                         sample, 1) != key
    flipped = sample.X_test.copy()
    flipped[0, 0] ^= 1  # one pixel of one test image
    assert cache.run_key(base, replace(sample, X_test=flipped), 1) != key
    impl = tmp_path / "impl"
    impl.mkdir()
    (impl / "loss.py").write_text("x = 1\n")
    with_impl = cache.run_key(replace(base, impl=str(impl)), sample, 1)
    assert with_impl != key
    # threads only where the Solver would use more than one: a batch of 100 does not
    assert cache.run_key(base, sample, 2) == key
    wide = replace(base, config=replace(base.config, batch_size=1000))
    assert cache.run_key(wide, sample, 1) != cache.run_key(wide, sample, 2)


def test_a_kept_run_is_reused_and_a_damaged_one_trained_again(sample, tmp_path):
    cache = RunCache(tmp_path)
    first = execute(specs(), sample, jobs=1, progress=False, cache=cache)
    assert cache.reused == 0 and len(list(tmp_path.glob("*.json"))) == 3
    again = RunCache(tmp_path)
    second = execute(specs(), sample, jobs=1, progress=False, cache=again)
    assert again.reused == 3
    assert {k: r.to_dict() for k, r in second.items()} == {
        k: r.to_dict() for k, r in first.items()}
    # damage: a changed number, a truncated file, a file that is not JSON
    entries = sorted(tmp_path.glob("*.json"))
    doc = json.loads(entries[0].read_text())
    doc["record"]["final"]["test_accuracy"] = 0.99
    entries[0].write_text(json.dumps(doc))
    entries[1].write_text(entries[1].read_text()[:100])
    entries[2].write_bytes(b"\x00\xff")
    third = RunCache(tmp_path)
    records = execute(specs(), sample, jobs=1, progress=False, cache=third)
    assert third.reused == 0  # all three trained again, none trusted
    assert {k: r.final for k, r in records.items()} == {k: r.final for k, r in first.items()}
    fresh = RunCache(tmp_path, fresh=True)
    execute(specs(), sample, jobs=1, progress=False, cache=fresh)
    assert fresh.reused == 0


def test_a_run_the_resume_store_holds_is_in_the_run_cache_too(sample, tmp_path):
    """Ctrl-C or SIGTERM right as a finished run is kept for ``--resume``: the run cache
    already holds it, so another command with the same run reuses it (the store's runs
    are never handed to the cache again)."""
    class Interrupted(RunStore):
        def save(self, spec, record):
            super().save(spec, record)
            raise KeyboardInterrupt

    store = Interrupted(tmp_path / "resume")
    with pytest.raises(KeyboardInterrupt):
        execute(specs(2), sample, jobs=1, progress=False, store=store,
                cache=RunCache(tmp_path / "cache"))
    (kept,) = RunStore(tmp_path / "resume").load(specs(2)).values()
    cache = RunCache(tmp_path / "cache")
    found = cache.load(specs(2), sample, one_thread)
    assert [r.to_dict() for r in found.values()] == [kept.to_dict()]


def test_damaged_kept_weights_are_never_used(sample, tmp_path):
    spec = replace(specs(1)[0], keep_weights=True)
    execute([spec], sample, jobs=1, progress=False, cache=RunCache(tmp_path))
    (weights,) = tmp_path.glob("*.weights.npz")
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    cache = RunCache(tmp_path)
    assert cache.load([spec], sample, one_thread) == {}
    records = execute([spec], sample, jobs=1, progress=False, cache=RunCache(tmp_path))
    kept = RunCache(tmp_path).load([spec], sample, one_thread)[spec.key]
    np.testing.assert_array_equal(kept.weights.W, records[spec.key].weights.W)


def test_the_least_recently_used_go_first_under_the_cap(sample, tmp_path):
    runs = specs(4)
    execute(runs[:1], sample, jobs=1, progress=False, cache=RunCache(tmp_path))
    size = sum(p.stat().st_size for p in tmp_path.glob("*.json"))
    cache = RunCache(tmp_path, limit=int(2.5 * size))
    execute(runs[1:3], sample, jobs=1, progress=False, cache=cache)
    assert len(cache.entries()) == 2  # the first one went out for the third
    RunCache(tmp_path).load(runs[1:2], sample, one_thread)  # used again: kept longer
    execute(runs[3:], sample, jobs=1, progress=False, cache=cache)
    left = RunCache(tmp_path).load(runs, sample, one_thread)
    assert set(left) == {runs[1].key, runs[3].key}
    assert RunCache(tmp_path, limit=0).load(runs, sample, one_thread) == {}


def _write_many(folder: str, offset: int, limit: int) -> None:
    data = load_dataset("mnist-sample")
    cache = RunCache(Path(folder), limit=limit)
    record = execute(specs(1), data, jobs=1, progress=False)[specs(1)[0].key]
    for seed in range(offset, offset + 30):
        spec = RunSpec(TrainConfig(max_epoch=1, seed=seed, early_stop="none"))
        cache.save(spec, record, data, 1)


def test_two_processes_writing_at_once_leave_only_sound_entries_under_the_cap(tmp_path):
    limit = 12 * 15_000  # about a dozen entries of ~12 kB
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_write_many, args=(str(tmp_path), k * 100, limit))
               for k in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    cache = RunCache(tmp_path, limit=limit)
    entries = cache.entries()
    assert 0 < len(entries) < 60 and sum(size for _, size, _ in entries) <= limit
    data = load_dataset("mnist-sample")
    kept = cache.load([RunSpec(TrainConfig(max_epoch=1, seed=s, early_stop="none"))
                       for o in (0, 100) for s in range(o, o + 30)], data, one_thread)
    assert len(kept) == len(entries)  # every entry left is whole and readable
    assert not list(tmp_path.glob(".*.tmp*"))  # no half-written file left behind


def test_editing_one_run_of_a_study_trains_that_run_only(tmp_path, capsys):
    study = tmp_path / "m.toml"
    args = ["experiment", "momentum", "--config", str(study), "--dataset", "mnist-sample",
            "--jobs", "1", "--quiet"]
    study.write_text(TWO_RUNS.format(momentum=0.9))
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    study.write_text(TWO_RUNS.format(momentum=0.5))
    capsys.readouterr()
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    assert "2 runs (1 reused from the run cache)" in capsys.readouterr().out
    a, b = (json.loads((tmp_path / d / "results.json").read_text()) for d in "ab")
    assert b["meta"]["runs_reused"] == 1
    assert (a["studies"]["momentum"]["variants"][0]["runs"]
            == b["studies"]["momentum"]["variants"][0]["runs"])
    assert "1 of the 2 runs" in (tmp_path / "b" / "report.md").read_text()


def test_the_default_report_is_lab_1_and_says_what_it_left_out(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["report", "--dataset", "mnist-sample", "--quick", "--out", str(out),
                 "--quiet"]) == 0
    results = json.loads((out / "results.json").read_text())
    assert list(results["studies"]) == ["baseline", "momentum", "batch-lr", "epochs"]
    assert results["meta"]["left_out"] == ["preprocessing", "ladder", "lab2"]
    md = (out / "report.md").read_text()
    assert "`softmax-mnist report --with preprocessing,ladder,lab2`" in md
    assert "--with preprocessing,ladder,lab2 (or --all)" in capsys.readouterr().err
    assert _extra_names("lab2, ladder") == ["lab2", "ladder"]
    with pytest.raises(SystemExit) as usage:
        main(["report", "--with", "cnn", "--quiet"])  # not an extra's name
    assert usage.value.code == 2
    assert "expected extras from preprocessing, ladder, lab2" in capsys.readouterr().err


def test_train_reuses_its_run_and_the_report_reuses_train_s(tmp_path, capsys):
    args = ["train", "--dataset", "mnist-sample", "--epochs", "2", "--quiet"]
    assert main([*args, "--out", str(tmp_path / "t1")]) == 0
    assert "reused" not in capsys.readouterr().out
    assert main([*args, "--out", str(tmp_path / "t2")]) == 0
    assert "reused from the run cache" in capsys.readouterr().out
    one, two = (json.loads((tmp_path / d / "metrics.json").read_text()) for d in ("t1", "t2"))
    assert one == two and (tmp_path / "t2" / "curves.png").is_file()
    baseline = tmp_path / "b.toml"
    baseline.write_text('kind = "baseline"\n[base]\nmax_epoch = 2\n')
    assert main(["experiment", "baseline", "--config", str(baseline), "--dataset",
                 "mnist-sample", "--out", str(tmp_path / "e"), "--quiet"]) == 0
    run = json.loads((tmp_path / "e" / "results.json").read_text())
    assert run["meta"]["runs_reused"] == 1  # the diagnostics' weights came with it
    final = run["studies"]["baseline"]["variants"][0]["runs"][0]["final"]
    assert final["test_loss"] == one["test_loss"] and final["val_accuracy"] == one[
        "val_accuracy"]
    capsys.readouterr()
    assert main(["cache", "info"]) == 0
    assert "finished runs: 1 run and " in capsys.readouterr().out
    assert main(["cache", "clear"]) == 0
    capsys.readouterr()
    assert main(["cache", "info"]) == 0
    assert "finished runs: 0 runs and 0 epoch timings" in capsys.readouterr().out
    assert main([*args, "--out", str(tmp_path / "t3")]) == 0
    assert "reused" not in capsys.readouterr().out  # emptied: trained again
