"""TrainConfig's option table, early-stopping rules and custom callbacks."""

import numpy as np
import pytest

from softmax_mnist.errors import ConfigError
from softmax_mnist.nn import Network
from softmax_mnist.training import EarlyStopping, PlateauStopping, TrainConfig


@pytest.mark.parametrize("kwargs, name", [
    (dict(learning_rate=0), "learning_rate must be a number ≥ 1e-07"),
    (dict(learning_rate=-1), "learning_rate"), (dict(learning_rate=float("nan")), "learning_rate"),
    (dict(learning_rate="0.01"), "learning_rate must be a number ≥ 1e-07 .*got '0.01'"),
    (dict(momentum=1.0), r"momentum must be a number in \[0, 1\)"),
    (dict(momentum=-0.1), "momentum"), (dict(weight_decay=-1), "weight_decay"),
    (dict(max_epoch=2.5), "max_epoch must be a whole number"), (dict(seed=True), "seed"),
    (dict(early_stop="sometimes"), "early_stop must be one of plateau, patience, none"),
    (dict(nesterov=True, momentum=0), "nesterov needs momentum > 0"),
])
def test_bad_options_name_the_parameter(kwargs, name):
    with pytest.raises(ConfigError, match=name):
        TrainConfig(**kwargs)


def test_unknown_key_suggests_the_nearest():
    with pytest.raises(ConfigError, match="Did you mean 'learning_rate'"):
        TrainConfig.from_dict({"learning_rat": 0.1})


def _run(stopper, values):
    net = Network.build(2, 2)
    for epoch, v in enumerate(values, start=1):
        net.layers[0].params["b"][:] = epoch  # marks which epoch's weights are in place
        if stopper.on_epoch_end(epoch, {"val_accuracy": v}, net):
            stopper.on_train_end(net)
            return epoch, net
    stopper.on_train_end(net)
    return None, net


def test_plateau_rule_of_the_seed_write_up():
    # changes (in points): +1.0, +0.02, +0.00, -0.02, +0.00, +0.00 -> stop at the 7th epoch:
    # the first epoch whose last two changes are both below 0.02 points
    vals = [0.90, 0.91, 0.9102, 0.9102, 0.9100, 0.9100, 0.9100, 0.95]
    assert _run(PlateauStopping(), vals)[0] == 7
    # a change of exactly one image in 5000 (0.02 points) counts as a change
    vals = [0.9, 0.9 + 1 / 5000, 0.9 + 2 / 5000, 0.9 + 3 / 5000, 0.9 + 3 / 5000]
    assert _run(PlateauStopping(), vals)[0] is None


def test_keras_early_stopping_with_restore():
    stopper = EarlyStopping(patience=2, min_delta=0.001, restore_best_weights=True)
    epoch, net = _run(stopper, [0.90, 0.92, 0.9205, 0.921, 0.95])
    assert epoch == 4  # 0.9205 and 0.921 are within min_delta of 0.92
    assert stopper.best_epoch == 4
    assert net.layers[0].params["b"][0] == 4
    stopper = EarlyStopping(patience=1, restore_best_weights=True)
    epoch, net = _run(stopper, [0.90, 0.93, 0.91])
    assert epoch == 3 and net.layers[0].params["b"][0] == 2


def test_solver_calls_custom_callbacks_and_stops_when_asked():
    from softmax_mnist import Callback, Solver

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 5)).astype(np.float32), rng.integers(0, 3, 200)

    class StopAtThree(Callback):
        def __init__(self):
            self.seen, self.ended = [], False

        def on_epoch_end(self, epoch, logs, network):
            self.seen.append((epoch, logs["train_seconds"] > 0, "val_accuracy" in logs))
            return epoch == 3

        def on_train_end(self, network):
            self.ended = True

    cb = StopAtThree()
    history = Solver(Network.build(5, 3), X, y, X, y, progress=False, max_epoch=10,
                     early_stop="none", callbacks=[cb]).train()
    assert cb.seen == [(1, True, True), (2, True, True), (3, True, True)] and cb.ended
    assert history.epochs_run == 3 and history.stop_reason == "early_stop"
