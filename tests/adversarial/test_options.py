"""Options an adversary (or a tired student) types: one line and exit 2 before any work,
or a correct result — never a traceback, a huge allocation or a silent no-op."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from softmax_mnist import Network, Solver
from softmax_mnist.cli import main
from softmax_mnist.errors import ConfigError
from softmax_mnist.experiments import check_executor
from softmax_mnist.model import ModelSpec
from softmax_mnist.training import TrainConfig


@pytest.mark.parametrize("args, words", [
    (["train", "--lr", "1e-320"], "--lr must be a number ≥ 1e-07"),
    (["train", "--weight-decay", "1e308"], "--weight-decay must be a number in [0, 1)"),
    (["train", "--hidden", "100000"], "--hidden must be a list of whole numbers 1 … 16384"),
    (["train", "--hidden", "10000000"], "--hidden must be"),
    (["train", "--hidden", ",".join(["8"] * 80)], "at most 63 layers"),
    (["train", "--nesterov", "--momentum", "0"], "--nesterov needs --momentum > 0"),
    (["train", "--center", "pixel", "--preprocess", "scale"], "not a preprocessing step"),
    (["gradcheck", "--seed", "-1"], "--seed must be a whole number ≥ 0"),
    (["train", "--layers", "conv:32"], "--layers: 'conv:32' has the wrong number of values"),
    (["train", "--layers", "conv:99999:5"], "--layers: 'conv:99999:5': '99999' must be"),
    (["train", "--layers", "fc:8,pool:2"], "comes after an fc layer"),
    (["train", "--layers", "conv:8:3", "--preprocess", "pca:50"],
     "--layers: conv and pool layers need square images"),
    (["train", "--layers", "conv:1024:3,fc:16384"], "more than the 33,554,432"),
    (["train", "--layers", "pool:4,pool:4,pool:4"], "leaves nothing"),
    (["train", "--hidden", "8", "--layers", "fc:8"], "give --hidden or --layers, not both"),
    (["train", "--model", "cnn", "--nesterov"], "--nesterov is a variant of --optimizer sgd"),
    (["gradcheck", "--layers", "dropout:2"], "a dropout rate must be"),
    (["report", "--jobs", "0"], "--jobs must be"),
    (["report", "--seeds", "0"], "--seeds must be"),
    (["report", "--scheduler", "tcp://127.0.0.1:1"], "use it with --backend dask"),
    (["experiment"], "needs a study NAME"),
])
def test_bad_options_are_one_line_before_any_work(tmp_path, capsys, args, words):
    status = main([*args, "--quiet"] if args[0] in ("train", "report") else args)
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1, err
    assert words in err
    assert not (tmp_path / "runs").exists()


def test_more_jobs_than_cores_start_no_more_workers_than_cores():
    assert check_executor(10_000, "loky", None) == (os.cpu_count() or 1)


@settings(max_examples=200, deadline=None)
@given(options=st.dictionaries(
    st.sampled_from(["max_epoch", "batch_size", "learning_rate", "momentum", "nesterov",
                     "weight_decay", "lr_decay", "early_stop", "patience", "min_delta",
                     "restore_best_weights", "seed", "display_freq"]),
    st.one_of(st.none(), st.booleans(), st.integers(-10, 10**9), st.text(max_size=6),
              st.floats(allow_nan=True, allow_infinity=True), st.lists(st.integers()))))
def test_any_option_values_are_valid_or_one_config_error(options):
    try:
        TrainConfig(**options)
    except ConfigError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=200, deadline=None)
@given(layers=st.lists(st.tuples(st.sampled_from(["conv", "pool", "fc", "dropout", "x", ""]),
                                 st.lists(st.one_of(st.integers(-3, 40000), st.floats(),
                                                    st.sampled_from(["same", "valid", ""])),
                                          max_size=3)), max_size=6),
       preprocess=st.sampled_from(["", "pca:50", "pool:2", "pool:4", "deskew"]))
def test_any_layers_text_is_valid_or_one_config_error(layers, preprocess):
    """Whatever --layers says: a spec whose network is small enough to build, or one
    ConfigError line — never a huge allocation or a traceback."""
    text = ",".join(":".join([kind, *map(str, args)]) for kind, args in layers)
    try:
        spec = ModelSpec(layers=text, preprocess=preprocess)
    except ConfigError as exc:
        assert "\n" not in str(exc) and "layers" in exc.params
        return
    assert spec.network(spec.pipeline().output_size(784), 10, 0).num_parameters <= 1 << 25


@settings(max_examples=100, deadline=None)
@given(hidden=st.lists(st.one_of(st.integers(-5, 10**6), st.booleans(), st.text(max_size=3)),
                       max_size=5),
       center=st.text(max_size=8), preprocess=st.text(max_size=12))
def test_any_model_options_are_valid_or_one_config_error(hidden, center, preprocess):
    try:
        ModelSpec(center=center, preprocess=preprocess, hidden=hidden)
    except ConfigError as exc:
        assert "\n" not in str(exc)


def test_divergence_from_weight_decay_names_weight_decay():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 8)).astype(np.float32), rng.integers(0, 3, 200)
    solver = Solver(Network.build(8, 3), X, y, X, y, progress=False, max_epoch=3,
                    early_stop="none", learning_rate=5.0, weight_decay=0.9)
    solver.train()
    assert solver.history.diverged
    assert "weight decay" in solver.divergence and "learning rate" in solver.divergence


@pytest.mark.parametrize("lab", ["1", "2"])
@pytest.mark.parametrize(("flag", "where", "message"), [
    ("--csv", "missing/sheet.csv", "does not exist"),
    ("--csv", ".", "is a folder"),
    ("--output", "missing/results.json", "does not exist"),
])
def test_check_refuses_an_unwritable_grade_file_before_checking(tmp_path, lab, flag, where,
                                                                message):
    """Found: --format gradescope --output in a missing folder wrote a traceback after the
    whole check; a class's --csv into one lost every verdict."""
    from helpers import one_line_exit_2, run

    folder = tmp_path / "student"
    folder.mkdir()
    extra = ["--format", "gradescope"] if flag == "--output" else []
    proc = run("check", "--lab", lab, *extra, flag, str(tmp_path / where), str(folder))
    line = one_line_exit_2(proc)
    assert flag in line and message in line
    assert not list(tmp_path.rglob("*.csv")) and not list(tmp_path.rglob("*.json"))
