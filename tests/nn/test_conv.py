"""The convolutional layers and dropout: forward passes against naive loops, backward
passes against numerical gradients, and the reshapes against PyTorch's row order."""

from __future__ import annotations

import numpy as np
import pytest

from softmax_mnist.nn import (
    Conv2D,
    Dropout,
    EuclideanLoss,
    Flatten,
    MaxPool2D,
    Network,
    SoftmaxCrossEntropyLoss,
    Unflatten,
)
from softmax_mnist.nn.gradcheck import (
    check_gradients,
    numerical_gradient,
    random_problem,
    relative_error,
)


def naive_conv(x: np.ndarray, W: np.ndarray, b: np.ndarray, size: int,
               padding: str) -> np.ndarray:
    """z[f, h, w, n] = b[f] + Σ_{c,i,j} W[f, c, i, j] x_padded[c, h+i, w+j, n], by loops."""
    C, H, Wd, N = x.shape
    F = W.shape[0]
    kernel = W.reshape(F, C, size, size)
    lo, hi = ((size - 1) // 2, size // 2) if padding == "same" else (0, 0)
    xp = np.zeros((C, H + lo + hi, Wd + lo + hi, N))
    xp[:, lo:lo + H, lo:lo + Wd] = x
    Ho, Wo = xp.shape[1] - size + 1, xp.shape[2] - size + 1
    z = np.zeros((F, Ho, Wo, N))
    for f in range(F):
        for h in range(Ho):
            for w in range(Wo):
                for n in range(N):
                    z[f, h, w, n] = b[f] + np.sum(kernel[f] * xp[:, h:h + size,
                                                                 w:w + size, n])
    return z


METHODS = ["columns", "fourier"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("channels, filters, size, padding", [
    (1, 3, 5, "same"), (2, 4, 3, "same"), (3, 2, 4, "same"), (2, 3, 3, "valid"),
    (1, 2, 1, "same"), (2, 2, 2, "valid"),
])
def test_conv_forward_matches_naive_loops(channels, filters, size, padding, method):
    rng = np.random.default_rng(0)
    layer = Conv2D(channels, filters, size, padding, rng=rng, dtype=np.float64, method=method)
    layer.params["b"][:] = rng.normal(size=filters)
    x = rng.normal(size=(channels, 7, 6, 3))
    z = layer.forward(x)
    np.testing.assert_allclose(z, naive_conv(x, layer.params["W"], layer.params["b"], size,
                                             padding), atol=1e-12)
    assert z.shape[1:3] == ((7, 6) if padding == "same" else (7 - size + 1, 6 - size + 1))


@pytest.mark.parametrize("method", METHODS)
def test_conv_kernel_is_pytorchs_layout(method):
    """W: (F, C·K·K) is PyTorch's (F, C, K, K) weight with each filter flattened: a kernel
    with a single 1 at (c, i, j) copies channel c shifted by (i, j)."""
    layer = Conv2D(2, 1, 3, "valid", dtype=np.float64, method=method)
    kernel = np.zeros((1, 2, 3, 3))
    kernel[0, 1, 2, 0] = 1.0  # channel 1, row offset 2, column offset 0
    layer.params["W"][:] = kernel.reshape(1, -1)
    x = np.random.default_rng(1).normal(size=(2, 5, 5, 1))
    np.testing.assert_allclose(layer.forward(x)[0], x[1, 2:5, 0:3], atol=1e-14)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("size, padding", [(3, "same"), (4, "same"), (2, "valid")])
def test_conv_gradients_match_numerical(method, size, padding):
    """∂L/∂x, ∂L/∂W and ∂L/∂b of L = Σ g·z; the Fourier products' backward pass is the
    transpose of their forward pass, so these hold to rounding as the columns' do."""
    rng = np.random.default_rng(2)
    layer = Conv2D(2, 3, size, padding, rng=rng, dtype=np.float64, method=method)
    x = rng.normal(size=(2, 5, 4, 2))
    g = rng.normal(size=layer.forward(x).shape)
    analytic = layer.backward(g).copy()
    grads = {k: v.copy() for k, v in layer.grads.items()}
    loss = lambda: float(np.sum(layer.forward(x) * g))  # noqa: E731
    assert relative_error(analytic, numerical_gradient(loss, x)) < 1e-8
    for name, param in layer.params.items():
        assert relative_error(grads[name], numerical_gradient(loss, param)) < 1e-8, name


def test_the_fourier_products_are_chosen_where_they_pay():
    """The preset's second layer (32 -> 64 channels, 5×5 on 14×14) runs in the frequency
    domain, its first (one input channel) on the column matrix; both give the same
    float32 numbers to rounding."""
    network = Network.build(784, 10, architecture="conv:32:5,pool:2,conv:64:5,pool:2")
    first, second = (layer for layer in network.layers if isinstance(layer, Conv2D))
    assert not first._uses_fourier(28, 28) and second._uses_fourier(14, 14)
    rng = np.random.default_rng(16)
    x = rng.normal(size=(32, 14, 14, 3)).astype(np.float32)
    g = rng.normal(size=(64, 14, 14, 3)).astype(np.float32)
    results = []
    for method in METHODS:
        second.method = method
        z = second.forward(x).copy()
        dx = second.backward(g).copy()
        results.append((z, dx, second.grads["W"].copy(), second.grads["b"].copy()))
    for fourier, columns in zip(*results, strict=True):
        scale = np.abs(columns).max()
        np.testing.assert_allclose(fourier, columns, atol=2e-5 * scale)


def naive_max_pool(x: np.ndarray, s: int) -> tuple[np.ndarray, np.ndarray]:
    """Window maxima and the gradient of Σ g·y: all of g at the window's first maximum."""
    C, H, W, N = x.shape
    y = np.zeros((C, H // s, W // s, N))
    route = np.zeros_like(x)
    for c in range(C):
        for h in range(H // s):
            for w in range(W // s):
                for n in range(N):
                    window = x[c, h * s:h * s + s, w * s:w * s + s, n]
                    i, j = np.unravel_index(np.argmax(window), window.shape)  # first max
                    y[c, h, w, n] = window[i, j]
                    route[c, h * s + i, w * s + j, n] = 1
    return y, route


@pytest.mark.parametrize("size, shape", [(2, (2, 6, 6, 3)), (3, (1, 7, 8, 2)),
                                         (2, (3, 5, 5, 2))])
def test_max_pool_matches_naive_loops_with_ties(size, shape):
    """Blank parts of a digit give exactly equal activations: the gradient goes to the
    first maximum of each window only, as the loop's argmax does."""
    rng = np.random.default_rng(3)
    x = rng.integers(0, 3, size=shape).astype(np.float64)  # many ties
    layer = MaxPool2D(size)
    y = layer.forward(x)
    expected, route = naive_max_pool(x, size)
    np.testing.assert_array_equal(y, expected)
    g = rng.normal(size=y.shape)
    up = np.repeat(np.repeat(g, size, axis=1), size, axis=2)
    full = np.zeros_like(x)
    full[:, :up.shape[1], :up.shape[2]] = up
    np.testing.assert_array_equal(layer.backward(g), full * route)


def test_flatten_rows_are_in_pytorchs_c_h_w_order_and_unflatten_inverts_it():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 4, 5, 2))  # (C, H, W, N)
    flatten, unflatten = Flatten(), Unflatten((3, 4, 5))
    rows = flatten.forward(x)
    np.testing.assert_array_equal(rows, np.stack([x[..., n].ravel() for n in range(2)]))
    np.testing.assert_array_equal(unflatten.forward(rows), x)
    np.testing.assert_array_equal(flatten.backward(rows), x)  # the gradient goes back
    np.testing.assert_array_equal(unflatten.backward(x), rows)


def test_dropout_is_the_identity_at_evaluation_and_inverted_while_training():
    layer = Dropout(0.25)
    x = np.ones((400, 50), np.float32)
    assert layer.forward(x) is x and layer.backward(x) is x
    layer.training, layer.rng = True, np.random.default_rng(5)
    y = layer.forward(x)
    kept = y > 0
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.75)}
    assert abs(kept.mean() - 0.75) < 0.01  # 20,000 draws: ±0.3 % is one std
    g = np.arange(x.size, dtype=np.float32).reshape(x.shape)
    np.testing.assert_array_equal(layer.backward(g), g * y)  # the same mask


ARCHITECTURES = [
    "conv:3:3,pool:2,conv:4:3,pool:2,fc:6,dropout:0.5",
    "conv:2:3:valid,conv:3:2,pool:3,dropout:0.3",
    "dropout:0.2,conv:2:5,pool:2",
    "conv:2:4",
    "fc:7,dropout:0.5,fc:5",
]


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_every_layer_matches_numerical_gradients(architecture, activation):
    network, X, y = random_problem(architecture=architecture, activation=activation, seed=6)
    checks = check_gradients(network, X, y)
    assert len(checks) == 2 * sum(1 for layer in network.layers if layer.params)
    assert max(c.relative_error for c in checks) < 1e-7, checks


def test_a_network_on_the_fourier_products_matches_numerical_gradients():
    network, X, y = random_problem(architecture=ARCHITECTURES[0], seed=6)
    for layer in network.layers:
        if isinstance(layer, Conv2D):
            layer.method = "fourier"
    checks = check_gradients(network, X, y)
    assert max(c.relative_error for c in checks) < 1e-7, checks


@pytest.mark.parametrize("architecture", ["", "fc:9", ARCHITECTURES[0]])
def test_euclidean_loss_gradients_match_numerical(architecture):
    network, X, y = random_problem(architecture=architecture, seed=7)
    checks = check_gradients(network, X, y, loss_fn=EuclideanLoss())
    assert max(c.relative_error for c in checks) < 1e-7, checks


def test_euclidean_loss_is_half_the_mean_squared_distance_to_one_hot():
    rng = np.random.default_rng(8)
    z, y = rng.normal(size=(6, 4)), rng.integers(0, 4, 6)
    Y = np.eye(4)[y]
    loss_fn = EuclideanLoss()
    loss, correct = loss_fn.forward(z, y)
    assert loss == pytest.approx(np.sum((z - Y) ** 2) / (2 * 6), rel=1e-12)
    assert correct == np.sum(z.argmax(1) == y)
    np.testing.assert_allclose(loss_fn.backward(), (z - Y) / 6, atol=1e-15)


def test_cnn_input_gradient_matches_numerical():
    network, X, _ = random_problem(architecture=ARCHITECTURES[0], seed=9)
    g = np.random.default_rng(10).normal(size=(len(X), network.num_classes))
    analytic = network.input_gradient(X, g)
    numeric = numerical_gradient(lambda: float(np.sum(network.forward(X) * g)), X)
    assert relative_error(analytic, numeric) < 1e-7


def test_evaluation_is_deterministic_even_inside_training_mode():
    network = Network.build(64, 3, architecture="conv:2:3,pool:2,fc:8,dropout:0.5")
    X = np.random.default_rng(11).normal(size=(20, 64)).astype(np.float32)
    before = network.logits(X)
    with network.training(np.random.default_rng(12)):
        trained_pass = network.forward(X)
        during = network.logits(X)
        assert all(layer.training for layer in network.layers)  # logits restored it
    np.testing.assert_array_equal(before, during)
    np.testing.assert_array_equal(before, network.forward(X))
    assert not np.array_equal(before, trained_pass)  # dropout dropped something


def test_a_batch_of_one_and_evaluation_batches_agree():
    """The column matrix is kept between batches of one shape; another shape must not
    see stale numbers."""
    network = Network.build(64, 4, architecture="conv:3:3,pool:2,conv:2:3:valid")
    X = np.random.default_rng(13).normal(size=(7, 64)).astype(np.float32)
    whole = network.logits(X)
    for batch in (1, 3, 7):
        np.testing.assert_allclose(network.logits(X, batch_size=batch), whole, atol=1e-5)
    for layer in network.layers:
        if isinstance(layer, Conv2D):
            layer.method = "fourier"
    for batch in (7, 2):
        np.testing.assert_allclose(network.logits(X, batch_size=batch), whole, atol=1e-5)


@pytest.mark.parametrize("loss_fn", [SoftmaxCrossEntropyLoss, EuclideanLoss])
def test_a_tiny_cnn_learns_a_toy_problem(loss_fn):
    """Bright left half vs bright right half of 6×6 images: a few Adam steps suffice."""
    from softmax_mnist.nn import Adam

    rng = np.random.default_rng(14)
    X = rng.random((200, 36)).astype(np.float32) * 0.3
    y = rng.integers(0, 2, 200)
    images = X.reshape(-1, 6, 6)
    images[y == 0, :, :3] += 1
    images[y == 1, :, 3:] += 1
    network = Network.build(36, 2, architecture="conv:2:3,pool:2,dropout:0.2", seed=1)
    optimizer, loss = Adam(network, 0.05), loss_fn()
    with network.training(np.random.default_rng(15)):
        for _ in range(60):
            loss.forward(network.forward(X), y)
            network.backward(loss.backward())
            optimizer.step()
    assert (network.logits(X).argmax(1) == y).mean() == 1.0


@pytest.mark.parametrize("method", METHODS)
def test_worker_threads_split_the_products_without_changing_them(method):
    """Two workers (as the Solver runs a CNN) give the one-thread numbers to rounding;
    the gradients still match numerical ones."""
    from softmax_mnist.nn._threads import workers

    network, X, y = random_problem(architecture="conv:4:3,pool:2,conv:5:3,fc:6", seed=17)
    for layer in network.layers:
        if isinstance(layer, Conv2D):
            layer.method = method
    alone = network.forward(X).copy()
    with workers(2):
        np.testing.assert_allclose(network.forward(X), alone, atol=1e-12)
        checks = check_gradients(network, X, y)
    assert max(c.relative_error for c in checks) < 1e-7, checks


def test_the_fully_connected_layer_after_flatten_splits_and_keeps_the_layout():
    """The preset's FCLayer(3136, 128) behind Flatten: its weight gradient split among
    two worker threads and its input gradient computed as (W gᵀ)ᵀ give the numbers of
    one thread (bit for bit) and of the plain formulas xᵀ g and g Wᵀ (to rounding), and
    the input gradient comes back in Flatten's column-major layout, which Flatten
    reshapes to feature maps without a copy."""
    from softmax_mnist.nn import FCLayer
    from softmax_mnist.nn._threads import workers
    from softmax_mnist.nn.conv import Flatten

    rng = np.random.default_rng(3)
    maps = rng.normal(size=(64, 7, 7, 100)).astype(np.float32)
    g = rng.normal(size=(100, 128)).astype(np.float32)
    flatten, fc = Flatten(), FCLayer(3136, 128, rng=rng)
    results = []
    for threads in (1, 2):
        with workers(threads):
            x = flatten.forward(maps)
            fc.forward(x)
            dx = fc.backward(g)
            dmaps = flatten.backward(dx)
            results.append((fc.grads["W"].copy(), fc.grads["b"].copy(), dmaps.copy()))
    for one, two in zip(*results, strict=True):
        np.testing.assert_array_equal(one, two)
    assert dx.flags.f_contiguous and np.shares_memory(dmaps, dx)  # no copy in Flatten
    x64, g64, W64 = x.astype(np.float64), g.astype(np.float64), fc.params["W"].astype(float)
    np.testing.assert_allclose(results[0][0], x64.T @ g64, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(dmaps.reshape(3136, 100).T, g64 @ W64.T, rtol=1e-4, atol=1e-4)
