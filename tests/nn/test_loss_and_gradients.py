import numpy as np
import pytest

from softmax_mnist.nn.gradcheck import (
    check_gradients,
    numerical_gradient,
    random_problem,
    relative_error,
)
from softmax_mnist.nn.layers import FCLayer
from softmax_mnist.nn.loss import SoftmaxCrossEntropyLoss, cross_entropy, log_softmax, softmax


def test_softmax_is_stable_for_huge_logits():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]])
    p = softmax(z)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p, [[1, 0, 0], [1 / 3] * 3, [0.5, 0.5, 0]], atol=1e-12)
    lp = log_softmax(z)
    assert np.all(np.isfinite(lp))
    np.testing.assert_allclose(lp[0], [0, -2e4, -1e4])


def test_loss_layer_is_stable_and_exact_for_huge_logits():
    z = np.array([[1e4, -1e4], [1e4, -1e4]], dtype=np.float32)
    loss, correct = SoftmaxCrossEntropyLoss().forward(z, np.array([0, 1]))
    assert np.isfinite(loss)
    assert loss == pytest.approx(1e4)  # one sample right (≈0), one wrong by 2e4
    assert correct == 1


def test_loss_matches_the_textbook_formula():
    rng = np.random.default_rng(1)
    z, y = rng.normal(size=(7, 4)), rng.integers(0, 4, 7)
    Y = np.eye(4)[y]
    naive = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    expected = np.mean(-np.sum(Y * np.log(naive), axis=1))
    loss_fn = SoftmaxCrossEntropyLoss()
    loss, correct = loss_fn.forward(z, y)
    assert loss == pytest.approx(expected, rel=1e-12)
    assert cross_entropy(z, y) == pytest.approx(expected, rel=1e-12)
    assert correct == np.sum(naive.argmax(1) == y)
    np.testing.assert_allclose(loss_fn.backward(), (naive - Y) / 7, atol=1e-14)


def test_fused_gradient_matches_numerical():
    rng = np.random.default_rng(2)
    z, y = rng.normal(size=(5, 3)), rng.integers(0, 3, 5)
    loss_fn = SoftmaxCrossEntropyLoss()
    loss_fn.forward(z, y)
    analytic = loss_fn.backward().copy()
    numeric = numerical_gradient(lambda: loss_fn.forward(z, y)[0], z)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-10)


def test_fc_gradient_is_the_lab_formula():
    rng = np.random.default_rng(3)
    fc = FCLayer(6, 4, rng=rng, dtype=np.float64)
    X, e = rng.normal(size=(5, 6)), rng.normal(size=(5, 4))  # e plays ŷ − y
    fc.forward(X)
    fc.backward(e / 5)
    np.testing.assert_allclose(fc.grads["W"], X.T @ e / 5)
    np.testing.assert_allclose(fc.grads["b"], e.mean(axis=0))


@pytest.mark.parametrize("hidden, activation", [((), "relu"), ((12,), "relu"),
                                                ((10, 7), "relu"), ((9,), "sigmoid")])
def test_gradients_match_numerical(hidden, activation):
    network, X, y = random_problem(hidden=hidden, activation=activation, seed=4)
    checks = check_gradients(network, X, y)
    assert len(checks) == 2 * (len(hidden) + 1)
    assert max(c.relative_error for c in checks) < 1e-7, checks


@pytest.mark.parametrize("hidden, activation", [((), "relu"), ((12,), "relu"),
                                                ((10, 7), "relu"), ((9,), "sigmoid")])
def test_input_gradient_matches_numerical(hidden, activation):
    """∂(Σ g ⊙ logits)/∂x against centred differences of the same scalar, in float64."""
    network, X, _ = random_problem(hidden=hidden, activation=activation, seed=7)
    g = np.random.default_rng(8).normal(size=(len(X), network.num_classes))
    analytic = network.input_gradient(X, g)
    numeric = numerical_gradient(lambda: float(np.sum(g * network.forward(X))), X)
    assert analytic.shape == X.shape
    assert relative_error(analytic, numeric) < 1e-7


@pytest.mark.parametrize("hidden, activation", [((16, 8), "relu"), ((256,), "relu"),
                                                ((16, 8), "sigmoid")])
def test_correct_gradients_pass_despite_tiny_entries(hidden, activation):
    """The README's example: per-entry errors of tiny entries reach 1e-6, the arrays not."""
    network, X, y = random_problem(hidden=hidden, activation=activation, seed=0)
    checks = check_gradients(network, X, y)
    assert max(c.relative_error for c in checks) < 1e-7, checks


def test_gradient_check_catches_a_wrong_gradient(monkeypatch):
    network, X, y = random_problem(seed=5)
    original = FCLayer.backward_params

    def wrong(self, grad_out):
        original(self, grad_out)
        self.grads["W"] *= 1.01  # a 1 % error must not pass

    monkeypatch.setattr(FCLayer, "backward_params", wrong)
    checks = {c.name: c.relative_error for c in check_gradients(network, X, y)}
    assert checks["layer0.W"] > 1e-3


def test_gradient_check_catches_a_missing_division_by_n(monkeypatch):
    network, X, y = random_problem(num_samples=8, seed=6)
    original = SoftmaxCrossEntropyLoss.backward
    monkeypatch.setattr(SoftmaxCrossEntropyLoss, "backward",
                        lambda self: original(self) * len(self._labels))  # (ŷ − y), no /N
    checks = check_gradients(network, X, y)
    assert min(c.relative_error for c in checks) > 0.5  # 8× too large: |8−1|/(8+1)


def test_init_scale():
    fc = FCLayer(784, 10, rng=np.random.default_rng(0))
    assert fc.params["W"].std() == pytest.approx(np.sqrt(2 / 794), rel=0.03)
    assert fc.params["W"].dtype == np.float32
    assert not fc.params["b"].any()


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("label_dtype", [np.uint8, np.int64])
def test_the_loss_reads_and_writes_the_true_classes_where_fancy_indexing_would(
        order, label_dtype):
    """The loss finds z[n, y_n] through a flat view (``label_entries``): the same loss,
    count and gradient as the two-index form ``(softmax(z) − onehot(y)) / N``, for
    row- and column-major logits and uint8 labels (which must not overflow n·C)."""
    from softmax_mnist.nn._fast import label_entries

    rng = np.random.default_rng(4)
    z = np.asarray(rng.normal(size=(300, 10)).astype(np.float32), order=order)
    y = rng.integers(0, 10, 300).astype(label_dtype)
    flat, at = label_entries(z, y, np.arange(300))
    np.testing.assert_array_equal(flat[at], z[np.arange(300), y])
    loss_layer = SoftmaxCrossEntropyLoss()
    loss, correct = loss_layer.forward(z, y)
    grad = loss_layer.backward()
    expected = softmax(z.astype(np.float64))
    expected[np.arange(300), y] -= 1
    np.testing.assert_allclose(grad, expected / 300, atol=1e-7)
    assert correct == int((z.argmax(axis=1) == y).sum())
    assert loss == pytest.approx(cross_entropy(z.astype(np.float64), y), rel=1e-6)
