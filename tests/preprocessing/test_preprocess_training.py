"""Preprocessing and MLPs through training, model files and the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from helpers import run
from softmax_mnist import Model, train
from softmax_mnist.data import load_dataset
from softmax_mnist.errors import ConfigError
from softmax_mnist.preprocessing import PCA


@pytest.fixture(scope="module")
def sample():
    return load_dataset("mnist-sample")


def test_saved_model_with_preprocessing_evaluates_the_same_after_loading(sample, tmp_path):
    result = train(data=sample, progress=False, max_epoch=2, hidden=[16],
                   preprocess="deskew,blur:0.5,pca:40")
    assert result.metrics["preprocess"]["spec"] == "deskew,blur:0.5,scale,center-pixel,pca:40"
    assert result.model.network.fc_layers[0].params["W"].shape == (40, 16)
    result.model.save(tmp_path / "model.npz")
    loaded = Model.load(tmp_path / "model.npz")
    assert loaded.preprocess.spec == result.model.preprocess.spec
    assert loaded.metadata["preprocess"]["steps"] == "deskew,blur:0.5,pca:40"
    loss, acc = loaded.evaluate(sample.X_test, sample.y_test)
    assert acc == result.metrics["test_accuracy"]
    assert loss == pytest.approx(result.metrics["test_loss"], rel=1e-6)
    np.testing.assert_array_equal(loaded.predict(sample.X_test[:50]),
                                  result.model.predict(sample.X_test[:50]))


def test_preprocessing_is_fitted_on_the_training_split_only(sample):
    result = train(data=sample, progress=False, max_epoch=1, preprocess="pca:20")
    pca = result.model.preprocess.steps[-1]
    assert isinstance(pca, PCA)
    mean = (sample.X_train / 255.0).mean(axis=0)
    refit = PCA(20).fit((sample.X_train / 255.0 - mean).astype(np.float32))
    np.testing.assert_allclose(np.abs(pca.components), np.abs(refit.components), atol=1e-3)
    everything = np.concatenate([sample.X_train, sample.X_val, sample.X_test]) / 255.0
    assert not np.allclose(result.model.preprocess.steps[1].mean, everything.mean(axis=0),
                           atol=1e-4)


def test_deskew_helps_a_linear_model_on_the_sample(sample):
    plain = train(data=sample, progress=False, max_epoch=3)
    deskewed = train(data=sample, progress=False, max_epoch=3, preprocess="deskew")
    assert deskewed.metrics["val_accuracy"] > plain.metrics["val_accuracy"] + 0.01


def test_cli_trains_and_evaluates_with_preprocessing(tmp_path):
    out = tmp_path / "run"
    proc = run("train", "--dataset", "mnist-sample", "--epochs", "2", "--quiet",
               "--preprocess", "deskew,pool:2", "--hidden", "32", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["preprocess"]["spec"] == "deskew,pool:2,scale,center-pixel"
    assert metrics["parameters"] == 196 * 32 + 32 + 32 * 10 + 10
    ev = run("evaluate", str(out / "model.npz"), "--json")
    assert ev.returncode == 0, ev.stderr
    assert json.loads(ev.stdout)["test_accuracy"] == metrics["test_accuracy"]


@pytest.mark.parametrize("steps, words", [
    ("sharpen", "unknown preprocessing step 'sharpen'"),
    ("pca:0", "pca:0 is out of range"),
    ("pca:900", "pca:900 is out of range"),
    ("pool:5", "must divide 28"),
    ("moment-norm:-1", "moment-norm:-1 is out of range"),
])
def test_preprocessing_mistakes_exit_2_with_one_line(steps, words, tmp_path):
    proc = run("train", "--dataset", "mnist-sample", "--quiet", "--preprocess", steps,
               cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], proc.stderr
    assert not (tmp_path / "runs").exists()


def test_ablation_study_runs_preprocessing_and_mlps(sample, tmp_path):
    from softmax_mnist.experiments import load_study, parse_study
    from softmax_mnist.report import make_report

    assert load_study("preprocessing", quick=True).kind == "ablation"
    study = parse_study({"name": "mini", "kind": "ablation", "thresholds": [],
                         "base": {"max_epoch": 1},
                         "runs": [{"label": "raw"},
                                  {"label": "deskew + PCA 20", "preprocess": "deskew,pca:20"},
                                  {"label": "MLP 16", "hidden": [16]}]})
    results = make_report([study], sample, tmp_path, jobs=1, progress=False)
    section = results["studies"]["mini"]
    rows = section["tables"][0]["rows"]
    assert [r[0]["text"] for r in rows] == ["raw", "deskew + PCA 20", "MLP 16"]
    assert [r[1]["text"] for r in rows] == ["784", "20", "784"]  # features
    assert [r[2]["text"] for r in rows] == ["7850", "210", str(784 * 16 + 16 + 170)]
    assert any(o["id"] == "obs_ablation_gain" for o in section["observations"])
    assert "deskew + PCA 20" in (tmp_path / "report.md").read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match="pca:0 is out of range"):
        parse_study({"name": "bad", "kind": "ablation", "runs": [{"preprocess": "pca:0"}]})
    with pytest.raises(ConfigError, match="hidden must be"):
        parse_study({"name": "bad", "kind": "ablation", "runs": [{"hidden": [0]}]})
