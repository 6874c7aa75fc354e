import numpy as np
import pytest

from softmax_mnist.callbacks import EarlyStopping, PlateauStopping
from softmax_mnist.errors import ConfigError
from softmax_mnist.model import Network
from softmax_mnist.optimizer import SGD


def _net_with_grads(W, b, gW, gb):
    net = Network.build(2, 2, dtype=np.float64)
    fc = net.layers[0]
    fc.params["W"][...] = W
    fc.params["b"][...] = b
    fc.grads["W"][...] = gW
    fc.grads["b"][...] = gb
    return net, fc


def test_momentum_steps_by_hand():
    W, b = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -0.5])
    gW, gb = np.array([[0.1, -0.2], [0.3, 0.0]]), np.array([1.0, 2.0])
    net, fc = _net_with_grads(W, b, gW, gb)
    opt = SGD(net, learning_rate=0.5, momentum=0.9)
    opt.step()
    # v1 = 0.9*0 + 0.5*g ; p1 = p0 - v1
    np.testing.assert_allclose(fc.params["W"], W - 0.5 * gW)
    np.testing.assert_allclose(fc.params["b"], b - 0.5 * gb)
    opt.step()
    # v2 = 0.9*v1 + 0.5*g = 0.95 g ; p2 = p1 - v2
    np.testing.assert_allclose(fc.params["W"], W - 0.5 * gW - 0.95 * gW)
    np.testing.assert_allclose(fc.params["b"], [0.5 - 0.5 - 0.95, -0.5 - 1.0 - 1.9])


def test_plain_sgd_nesterov_and_weight_decay():
    W, b, gW, gb = np.ones((2, 2)), np.zeros(2), np.full((2, 2), 0.2), np.array([0.1, 0.1])
    net, fc = _net_with_grads(W, b, gW, gb)
    SGD(net, 0.1).step()
    np.testing.assert_allclose(fc.params["W"], 1 - 0.02)

    net, fc = _net_with_grads(W, b, gW, gb)
    SGD(net, 0.1, momentum=0.5, nesterov=True).step()
    # v = 0.1 g ; p -= 0.5 v + 0.1 g = 0.15 g
    np.testing.assert_allclose(fc.params["W"], 1 - 0.15 * 0.2)

    net, fc = _net_with_grads(W, b, gW, gb)
    SGD(net, 0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(fc.params["W"], 1 - 0.1 * (0.2 + 0.5 * 1))
    np.testing.assert_allclose(fc.params["b"], -0.01)  # biases are not decayed


@pytest.mark.parametrize("kwargs", [dict(learning_rate=0), dict(learning_rate=-1),
                                    dict(learning_rate=float("nan")),
                                    dict(learning_rate=0.1, momentum=1.0),
                                    dict(learning_rate=0.1, momentum=-0.1),
                                    dict(learning_rate=0.1, weight_decay=-1)])
def test_bad_hyperparameters(kwargs):
    with pytest.raises(ConfigError):
        SGD(Network.build(2, 2), **kwargs)


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
