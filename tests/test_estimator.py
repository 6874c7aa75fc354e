"""The scikit-learn estimator: the estimator checks, GridSearchCV and Pipeline on MNIST."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from softmax_mnist import Model, SoftmaxRegression, TrainConfig, load_dataset, train  # noqa: E402


@pytest.fixture(scope="module")
def sample():
    return load_dataset("mnist-sample", progress=False)


# Every check of scikit-learn's suite runs, for softmax regression and for a small MLP.
# Two can skip, depending on the environment rather than on the estimator:
# - check_array_api_input skips unless SCIPY_ARRAY_API=1 and array-api-strict are
#   installed; the estimator is NumPy-only by design (the lab is "from scratch in NumPy"),
#   so it declares no array-API support and the check has nothing to test.
# - check_classifier_data_not_an_array skips when pandas is not installed (it is not a
#   dependency, not even of the tests); with pandas present it passes (checked with
#   pandas 3.1): inputs go through sklearn's validate_data, which accepts DataFrames.
@parametrize_with_checks([SoftmaxRegression(random_state=0),
                          SoftmaxRegression(hidden_layer_sizes=(8,), random_state=0)])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_grid_search_finds_the_lab_setting(sample):
    X, y = sample.X_train[:3000], sample.y_train[:3000]
    grid = {"learning_rate": [0.01, 0.1], "momentum": [0.0, 0.9]}
    search = GridSearchCV(SoftmaxRegression(max_epoch=5, random_state=0), grid, cv=3)
    search.fit(X, y)
    # in 5 short epochs the fastest learner wins: measured 87.5 % vs 60-83 % for the others
    assert search.best_params_ == {"learning_rate": 0.1, "momentum": 0.9}
    scores = search.cv_results_["mean_test_score"]
    assert scores.max() - scores.min() > 0.1  # the grid matters: plain SGD at 0.01 lags
    assert search.score(sample.X_test, sample.y_test) > 0.87


def test_pipeline_with_pca(sample):
    """The seed write-up's idea: fewer features by PCA, then softmax regression.

    Whitened components have unit variance, so ``scale=1.0`` keeps them as they are
    (the default would divide by the largest value)."""
    pipe = make_pipeline(PCA(n_components=40, whiten=True, random_state=0),
                         SoftmaxRegression(max_epoch=10, scale=1.0, random_state=0))
    pipe.fit(sample.X_train[:3000], sample.y_train[:3000])
    assert pipe.score(sample.X_test[:3000], sample.y_test[:3000]) > 0.80  # measured 84.8 %


def test_same_numbers_as_the_runner(sample):
    """Same data, seed and settings: the estimator is the package's solver, not a copy."""
    est = SoftmaxRegression(max_epoch=3, random_state=0).fit(sample.X_train, sample.y_train)
    run = train(data=sample, max_epoch=3, early_stop="none", progress=False)
    assert est.n_iter_ == 3
    assert est.score(sample.X_test, sample.y_test) == pytest.approx(run.test_accuracy, abs=0.003)


def test_defaults_are_the_packages_defaults():
    est, cfg = SoftmaxRegression(), TrainConfig()
    for name in ("learning_rate", "momentum", "batch_size", "max_epoch", "lr_decay",
                 "weight_decay", "nesterov"):
        assert getattr(est, name) == getattr(cfg, name), name


def test_any_label_values_are_mapped_through_classes(sample):
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven",
                      "eight", "nine"])
    X, y = sample.X_train[:2000], names[sample.y_train[:2000]]
    est = SoftmaxRegression(max_epoch=5, random_state=0).fit(X, y)
    assert list(est.classes_) == sorted(names)
    proba = est.predict_proba(sample.X_test[:500])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_array_equal(est.predict(sample.X_test[:500]),
                                  est.classes_[proba.argmax(axis=1)])
    assert est.score(sample.X_test[:500], names[sample.y_test[:500]]) > 0.8
    assert est.n_features_in_ == 784


def test_early_stopping_holds_out_validation(sample):
    est = SoftmaxRegression(max_epoch=30, early_stopping=True, random_state=0)
    est.fit(sample.X_train[:3000], sample.y_train[:3000])
    assert est.history_.stop_reason == "early_stop" and est.n_iter_ < 30
    assert len(est.history_.history["val_accuracy"]) == est.n_iter_


@pytest.mark.parametrize("params, words", [
    ({"learning_rate": -1}, "learning_rate must be a number ≥ 1e-07"),
    ({"batch_size": 0}, "batch_size"),
    ({"activation": "tanh"}, "activation"),
    ({"early_stopping": True, "validation_fraction": 1.5}, "validation_fraction"),
    ({"scale": 0}, "scale"),
    ({"layers": "conv:4"}, "layers: 'conv:4' has the wrong number of values"),
    ({"optimizer": "rmsprop"}, "optimizer must be one of sgd, adam"),
])
def test_bad_parameters_raise_value_error_in_fit(sample, params, words):
    est = SoftmaxRegression(**params)  # stored as given: sklearn validates in fit
    assert est.get_params()[next(iter(params))] == params[next(iter(params))]
    with pytest.raises(ValueError, match=words):
        est.fit(sample.X_train[:200], sample.y_train[:200])


def test_to_model_predicts_the_same_and_saves(sample, tmp_path):
    est = SoftmaxRegression(hidden_layer_sizes=(32,), max_epoch=3, random_state=0)
    est.fit(sample.X_train[:3000], sample.y_train[:3000])
    path = tmp_path / "model.npz"
    est.to_model().save(path)
    loaded = Model.load(path)
    X = sample.X_test[:1000]
    agree = (loaded.predict(X) == est.predict(X)).mean()  # float32 vs float64 inference
    assert agree > 0.998
    with pytest.raises(ValueError, match="784 pixel features"):
        clone(est).set_params(scale=1.0).fit(X[:300] / 255.0, sample.y_test[:300]).to_model()


def test_a_cnn_through_the_estimator_learns_and_becomes_a_model(sample, tmp_path):
    """layers= trains a convolutional network on 784-pixel rows (Adam): better than the
    linear model on the same 3,000 images and epochs, and to_model predicts the same."""
    X, y = sample.X_train[:3000], sample.y_train[:3000]
    est = SoftmaxRegression(layers="conv:6:5,pool:2,fc:32", optimizer="adam",
                            learning_rate=0.005, batch_size=50, max_epoch=3,
                            random_state=0).fit(X, y)
    linear = SoftmaxRegression(max_epoch=3, random_state=0).fit(X, y)
    X_test, y_test = sample.X_test[:2000], sample.y_test[:2000]
    assert est.score(X_test, y_test) > linear.score(X_test, y_test) + 0.02
    est.to_model().save(tmp_path / "cnn.npz")
    loaded = Model.load(tmp_path / "cnn.npz")
    assert (loaded.predict(X_test) == est.predict(X_test)).mean() > 0.998
    with pytest.raises(ValueError, match="square images"):
        clone(est).fit(X[:, :700], y)


def test_package_imports_without_scikit_learn():
    code = ("import sys; sys.modules['sklearn'] = None\n"
            "import softmax_mnist\n"
            "assert callable(softmax_mnist.train)\n"
            "try:\n    softmax_mnist.SoftmaxRegression\n"
            "except ImportError as e:\n    print(e)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert 'pip install "softmax-mnist[sklearn]"' in proc.stdout
