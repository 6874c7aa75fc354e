import math

import numpy as np
import pytest

from softmax_mnist import Solver, TrainConfig, load_dataset, train
from softmax_mnist.errors import ConfigError
from softmax_mnist.model import Model
from softmax_mnist.nn import Network
from softmax_mnist.preprocessing import Pipeline


@pytest.fixture(scope="module")
def sample():
    return load_dataset("mnist-sample")


def _blobs(n=300, d=20, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 3, (10, d))
    y = rng.integers(0, 10, n)
    return (centers[y] + rng.normal(size=(n, d))).astype(np.float32), y


@pytest.mark.parametrize("batch_size", [1, 16, 64, 299, 300])
def test_any_batch_size_uses_every_sample(batch_size):
    X, y = _blobs()
    epochs = 2 if batch_size < 100 else 40  # large batches take few steps per epoch
    solver = Solver(Network.build(20, 10), X, y, X[:50], y[:50], progress=False,
                    max_epoch=epochs, batch_size=batch_size, early_stop="none")
    history = solver.train()
    assert len(history.iteration_loss) == epochs * math.ceil(300 / batch_size)
    assert history.history["train_accuracy"][-1] > 0.5


def test_same_seed_same_numbers_other_seed_other_numbers():
    X, y = _blobs()

    def weights(seed):
        net = Network.build(20, 10, seed=seed)
        Solver(net, X, y, X[:50], y[:50], progress=False, max_epoch=2, seed=seed).train()
        return net.layers[0].params["W"]

    np.testing.assert_array_equal(weights(3), weights(3))
    assert not np.array_equal(weights(3), weights(4))


def test_unknown_option_is_rejected_with_a_suggestion():
    X, y = _blobs()
    with pytest.raises(ConfigError, match="learning_rate"):
        Solver(Network.build(20, 10), X, y, X, y, learning_rat=0.1)


def test_a_network_trains_by_the_loss_and_optimizer_its_config_names():
    """Solver(net, ..., optimizer="adam", loss="mse"): the same weights as a
    NetworkLearner given an Adam and an EuclideanLoss of the same settings."""
    from softmax_mnist.nn import Adam, EuclideanLoss
    from softmax_mnist.training import NetworkLearner

    X, y = _blobs()
    options = dict(optimizer="adam", loss="mse", learning_rate=0.001, max_epoch=2)
    net = Network.build(20, 10, seed=0)
    Solver(net, X, y, X[:50], y[:50], progress=False, **options).train()
    own = Network.build(20, 10, seed=0)
    learner = NetworkLearner(own, EuclideanLoss(), Adam(own, 0.001, beta1=0.9))
    Solver(learner, X, y, X[:50], y[:50], TrainConfig(**options), progress=False).train()
    np.testing.assert_array_equal(net.layers[0].params["W"], own.layers[0].params["W"])
    assert not np.array_equal(net.layers[0].params["W"],
                              Network.build(20, 10, seed=0).layers[0].params["W"])
    with pytest.raises(ConfigError, match="takes a function"):
        Solver(Network.build(20, 10), X, y, X, y, augment="affine")


@pytest.mark.parametrize("options, match", [
    (dict(batch_size=301), "batch_size must be in \\[1, 300\\]"),
    (dict(batch_size=0), "batch_size"),
    (dict(max_epoch=0), "max_epoch"),
    (dict(lr_decay=1.5), "lr_decay"),
    (dict(momentum=1.0), "momentum"),
])
def test_impossible_hyperparameters(options, match):
    X, y = _blobs()
    with pytest.raises(ConfigError, match=match):
        Solver(Network.build(20, 10), X, y, X, y, progress=False, **options)


def test_divergence_is_caught_and_last_good_weights_kept():
    X, y = _blobs()
    net = Network.build(20, 10)
    solver = Solver(net, X * 1e3, y, X[:50] * 1e3, y[:50], progress=False,
                    learning_rate=1e4, momentum=0.9, early_stop="none")
    history = solver.train()
    assert history.diverged and history.stop_reason == "diverged"
    assert all(np.isfinite(p).all() for p in net.get_weights())


def test_learning_rate_decays_every_epoch():
    X, y = _blobs()
    solver = Solver(Network.build(20, 10), X, y, X, y, progress=False, max_epoch=3,
                    learning_rate=0.2, lr_decay=0.5, early_stop="none")
    np.testing.assert_allclose(solver.train().history["lr"], [0.2, 0.1, 0.05])


def test_learns_on_the_bundled_sample(sample):
    result = train(data=sample, progress=False, max_epoch=5)
    assert result.metrics["test_accuracy"] > 0.88  # 10,000 training images, 5 epochs
    assert result.metrics["train_accuracy"] > 0.90
    assert result.history.history["val_loss"][-1] < result.history.history["val_loss"][0]


def test_preprocessing_is_fitted_on_the_training_split_only(sample):
    prep = Pipeline.default("pixel")
    prep.fit_transform(sample.X_train)
    mean = prep.steps[1].mean
    np.testing.assert_allclose(mean, sample.X_train.mean(0) / 255, atol=1e-6)
    assert not np.allclose(mean, np.concatenate([sample.X_train, sample.X_test]).mean(0) / 255,
                           atol=1e-4)


def test_per_image_centering_option(sample):
    X = Pipeline.default("image").fit_transform(sample.X_train[:10])
    np.testing.assert_allclose(X.mean(axis=1), 0, atol=1e-6)


def test_saved_model_predicts_the_same(tmp_path, sample):
    result = train(data=sample, progress=False, max_epoch=2, center="image")
    result.model.save(tmp_path / "m.npz")
    loaded = Model.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(loaded.predict(sample.X_test),
                                  result.model.predict(sample.X_test))
    np.testing.assert_allclose(loaded.predict_proba(sample.X_test[:5]),
                               result.model.predict_proba(sample.X_test[:5]), rtol=1e-6)
    assert loaded.evaluate(sample.X_test, sample.y_test)[1] == result.metrics["test_accuracy"]
    assert loaded.preprocess.spec == "scale,center-image"
    with np.load(tmp_path / "m.npz", allow_pickle=False) as npz:
        assert npz["layers/0/W"].shape == (784, 10)


def test_mlp_trains(sample):
    result = train(data=sample, progress=False, max_epoch=3, hidden=[32], learning_rate=0.05)
    assert result.metrics["test_accuracy"] > 0.88
    assert result.metrics["parameters"] == 784 * 32 + 32 + 32 * 10 + 10


def test_config_round_trip():
    c = TrainConfig(batch_size=10)
    assert TrainConfig.from_dict(c.to_dict()) == c


@pytest.mark.parametrize("batch_size", [1, 7, 100])
@pytest.mark.parametrize("center", ["pixel", "image"])
def test_features_mapped_in_chunks_give_the_numbers_of_one_call_per_batch(
        sample, monkeypatch, batch_size, center):
    """The Solver maps ``features`` over several batches' rows at a time (FEATURE_ROWS);
    the oracle maps each mini-batch on its own (FEATURE_ROWS = 1): the same weights and
    losses, bit for bit, for batch sizes that divide the chunk and one that does not."""
    from softmax_mnist.training import solver as solver_module

    pipeline = Pipeline.default(center).fit(sample.X_train)

    def trained(rows):
        monkeypatch.setattr(solver_module, "FEATURE_ROWS", rows)
        net = Network.build(784, 10, seed=1)
        solver = Solver(net, sample.X_train, sample.y_train, sample.X_val, sample.y_val,
                        progress=False, max_epoch=2, batch_size=batch_size, momentum=0.9,
                        learning_rate=0.01, early_stop="none", features=pipeline.transform)
        return solver.train().iteration_loss, net.get_weights()

    (losses, weights), (oracle_losses, oracle_weights) = trained(96), trained(1)
    assert losses == oracle_losses
    for w, o in zip(weights, oracle_weights, strict=True):
        np.testing.assert_array_equal(w, o)
