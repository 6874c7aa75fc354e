"""SGD with momentum, Nesterov and weight decay: each update checked by hand."""

import numpy as np

from softmax_mnist.nn import SGD, Network


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


def test_velocity_survives_a_checkpoint():
    W, b, gW, gb = np.ones((2, 2)), np.zeros(2), np.full((2, 2), 0.2), np.array([0.1, 0.1])
    net, fc = _net_with_grads(W, b, gW, gb)
    opt = SGD(net, 0.1, momentum=0.9)
    opt.step()
    state = opt.state()
    copy_net, copy_fc = _net_with_grads(fc.params["W"], fc.params["b"], gW, gb)
    resumed = SGD(copy_net, 0.5, momentum=0.9)
    resumed.load_state(state)
    opt.step()
    resumed.step()
    assert resumed.learning_rate == 0.1
    np.testing.assert_array_equal(copy_fc.params["W"], fc.params["W"])


def test_adam_steps_by_hand():
    """Two steps of Kingma & Ba's update, with bias correction, written out."""
    from softmax_mnist.nn import Adam

    W, b = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -0.5])
    gW, gb = np.array([[0.1, -0.2], [0.3, 0.0]]), np.array([1.0, 2.0])
    net, fc = _net_with_grads(W, b, gW, gb)
    lr, b1, b2, eps = 0.01, 0.8, 0.99, 1e-8
    opt = Adam(net, lr, beta1=b1, beta2=b2, eps=eps)
    p, m, v = W.copy(), np.zeros_like(W), np.zeros_like(W)
    for t in (1, 2):
        opt.step()
        m = b1 * m + (1 - b1) * gW
        v = b2 * v + (1 - b2) * gW**2
        p = p - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        np.testing.assert_allclose(fc.params["W"], p, rtol=1e-12)
    # after one step from zero, every entry with a gradient moves by lr (sign of g)
    np.testing.assert_allclose(fc.params["b"], b - 2 * lr * np.sign(gb), rtol=1e-6)


def test_adam_weight_decay_adds_lambda_w_to_the_gradient_of_weights_only():
    from softmax_mnist.nn import Adam

    W, b = np.array([[1.0, -2.0], [3.0, 4.0]]), np.array([0.5, -0.5])
    zero = np.zeros((2, 2))
    net, fc = _net_with_grads(W, b, zero, np.zeros(2))
    Adam(net, 0.1, weight_decay=0.01).step()
    np.testing.assert_allclose(fc.params["W"], W - 0.1 * np.sign(W), rtol=1e-6)
    np.testing.assert_array_equal(fc.params["b"], b)  # no gradient, no decay


def test_adam_state_resumes_to_the_same_numbers():
    from softmax_mnist.nn import Adam

    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(2, 2)) for _ in range(5)]
    W, b = rng.normal(size=(2, 2)), rng.normal(size=2)

    def run(split: int | None):
        net, fc = _net_with_grads(W, b, grads[0], grads[0][0])
        opt = Adam(net, 0.05)
        for i, g in enumerate(grads):
            if i == split:
                state = opt.state()
                opt = Adam(net, 0.05)
                opt.load_state(state)
            fc.grads["W"][...], fc.grads["b"][...] = g, g[0]
            opt.step()
        return fc.params["W"].copy()

    np.testing.assert_array_equal(run(None), run(3))


def test_adam_split_among_workers_gives_the_numbers_of_one_thread():
    """A large weight matrix (F-order, as FCLayer stores it) is updated in parts by the
    worker threads: the numbers of the whole update on one thread, bit for bit, with
    weight decay, and a small bias that is not split."""
    from softmax_mnist.nn import Adam
    from softmax_mnist.nn._threads import workers
    from softmax_mnist.nn.optim import SPLIT_SIZE

    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(SPLIT_SIZE // 64 + 3, 64)).astype(np.float32) for _ in range(3)]

    def run(threads: int):
        net = Network.build(grads[0].shape[0], 64, seed=0)
        fc = net.layers[0]
        assert fc.params["W"].flags.f_contiguous and fc.params["W"].size > SPLIT_SIZE
        opt = Adam(net, 0.01, weight_decay=0.1)
        with workers(threads):
            for g in grads:
                fc.grads["W"][...], fc.grads["b"][...] = g, g[0]
                opt.step()
        return fc.params["W"].copy(), fc.params["b"].copy(), opt.slots[0].square.copy()

    for one, split in zip(run(1), run(3), strict=True):
        np.testing.assert_array_equal(one, split)
    assert not np.array_equal(run(1)[0], Network.build(grads[0].shape[0], 64, seed=0)
                              .layers[0].params["W"])  # the update did move the weights
