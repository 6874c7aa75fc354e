"""A study's heading fits its runs; a study file cannot run under another study's name;
the Reproduce section repeats every option that changes the numbers."""

from __future__ import annotations

from importlib import resources

import pytest

from helpers import run
from softmax_mnist.errors import ConfigError
from softmax_mnist.experiments import load_study
from softmax_mnist.report.render import study_command
from softmax_mnist.report.results import Section
from softmax_mnist.report.sections import Context, section_title

PACKAGED = resources.files("softmax_mnist.studies").joinpath("momentum.toml").read_text(
    encoding="utf-8")
EXTRA_RUN = '\n[[runs]]\nlabel = "momentum 0.5"\nmomentum = 0.5\n'


def title_of(path, lang="en", name="momentum") -> str:
    return section_title(load_study(name, path), Context(lang, 0.02, {}, 2))


def test_an_unchanged_copy_keeps_the_packaged_heading(tmp_path):
    copy = tmp_path / "m.toml"
    copy.write_text(PACKAGED, encoding="utf-8")
    assert title_of(copy) == "Momentum 0 vs 0.9 vs Nesterov, same learning rate"
    assert title_of(copy, "zh") == "动量 0、0.9 与 Nesterov 动量（相同学习率）"


def test_a_heading_that_no_longer_fits_its_runs_is_not_kept(tmp_path):
    edited = tmp_path / "m.toml"
    edited.write_text(PACKAGED + EXTRA_RUN, encoding="utf-8")
    assert title_of(edited) == f"Study “momentum” ({edited})"
    edited.write_text('title = "Four momentum values"\n' + PACKAGED + EXTRA_RUN,
                      encoding="utf-8")
    assert title_of(edited) == "Four momentum values"


def test_a_file_holding_another_study_is_refused(tmp_path):
    other = tmp_path / "my.toml"
    other.write_text(PACKAGED, encoding="utf-8")  # says name = "momentum"
    with pytest.raises(ConfigError, match=r"holds the study 'momentum', not 'batch-lr'"):
        load_study("batch-lr", other)
    done = run("experiment", "batch-lr", "--config", str(other), "--dataset", "mnist-sample",
               "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "softmax-mnist experiment momentum --config" in done.stderr
    assert not (tmp_path / "out").exists()


def test_reproduce_commands_keep_the_options_that_change_numbers():
    section = Section("momentum", "Q2", "compare", "studies/momentum.toml", {}, {}, [], [], [])
    options = ["--data-dir", "../shared/data/mnist", "--quick", "--seeds", "3"]
    assert study_command(section, options) == (
        "softmax-mnist experiment momentum --data-dir ../shared/data/mnist --quick --seeds 3")
    section.source = "my studies/m.toml"
    assert study_command(section, []) == (
        "softmax-mnist experiment momentum --config 'my studies/m.toml'")
