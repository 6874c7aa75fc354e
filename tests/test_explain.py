"""Evidence maps (softmax_mnist.explain): each checked against an oracle — the model's
own logits for the exact decomposition, centred differences for input × gradient."""

from __future__ import annotations

import numpy as np
import pytest

from softmax_mnist import load_dataset, train
from softmax_mnist.explain import EXACT, INPUT_X_GRADIENT, Explainer
from softmax_mnist.nn.gradcheck import relative_error
from softmax_mnist.preprocessing import STEPS, Pipeline


@pytest.fixture(scope="module")
def sample():
    return load_dataset("mnist-sample", progress=False)


def trained(sample, **spec):
    return train(data=sample, progress=False, max_epoch=2, **spec).model


def logits(model, X: np.ndarray) -> np.ndarray:
    """The model's own logits for X: (N, 784): the oracle of the decomposition."""
    return model.network.logits(X, model.preprocess.transform).astype(np.float64)


@pytest.mark.parametrize("spec", [
    {}, {"center": "image"}, {"center": "none"}, {"preprocess": "standardize"},
    {"preprocess": "pca:40"}, {"preprocess": "pool:2"}, {"preprocess": "blur:1,pca:60"},
    {"preprocess": "deskew"}, {"preprocess": "moment-norm,pool:2"}, {"preprocess": "denoise:40"},
])
def test_linear_evidence_plus_offset_is_the_logit_exactly(sample, spec):
    model = trained(sample, **spec)
    explainer = Explainer(model)
    assert explainer.method == EXACT
    X = sample.X_test[:5]
    z = logits(model, X)
    for x, z_row in zip(X, z, strict=True):
        explanation = explainer.explain(x, range(10))
        tol = 1e-4 * max(1.0, np.abs(z_row).max())
        for e in explanation.evidence:
            assert e.pixels.shape == (28, 28) or spec.get("preprocess") == "moment-norm,pool:2"
            # exact up to the float32 rounding that the model's own logits carry as well
            assert e.pixels.sum() + e.offset == pytest.approx(z_row[e.label], abs=tol)
            assert e.logit == pytest.approx(z_row[e.label], abs=tol)
    blank = logits(model, np.zeros((1, 784), np.uint8))[0]
    if not explainer.image_steps.steps:  # the offset is the logit of a blank image
        np.testing.assert_allclose([e.offset for e in explanation.evidence], blank, atol=1e-4)


def test_default_model_evidence_is_pixels_times_weights(sample):
    """Scale + centre: e_i = x_i W_ic / 255, the lab's "pixels × W_c"; nothing off the ink."""
    model = trained(sample)
    W = model.network.fc_layers[0].params["W"].astype(np.float64)
    x = sample.X_test[7]
    explanation = Explainer(model).explain(x, [3, 8])
    for e in explanation.evidence:
        np.testing.assert_allclose(e.pixels.ravel(), x * W[:, e.label] / 255, atol=1e-9)
    np.testing.assert_array_equal(explanation.seen.ravel(), x)


def test_templates_are_the_evidence_of_a_fully_inked_image(sample):
    model = trained(sample, preprocess="pca:50")
    explainer = Explainer(model)
    templates = explainer.templates()
    assert templates.shape == (10, 28, 28)
    full = explainer.explain(np.full(784, 255, np.uint8), range(10))
    for e in full.evidence:
        np.testing.assert_allclose(templates[e.label], e.pixels, atol=1e-9)


def test_evidence_is_drawn_on_the_deskewed_image(sample):
    model = trained(sample, preprocess="deskew,pca:50")
    explainer = Explainer(model)
    assert explainer.image_steps.spec == "deskew"
    x = sample.X_test[3]
    seen = explainer.explain(x, [0]).seen
    np.testing.assert_allclose(seen.ravel(), Pipeline.from_spec("deskew").transform(x[None])[0])
    assert not np.allclose(seen.ravel(), x)


@pytest.mark.parametrize("spec", [
    {"hidden": [24]}, {"hidden": [16, 12], "preprocess": "pca:30"},
    {"hidden": [20], "activation": "sigmoid", "preprocess": "standardize"},
    {"hidden": [24], "preprocess": "deskew"},
    {"layers": "conv:4:5,pool:2,conv:4:3:valid,fc:16,dropout:0.5", "optimizer": "adam",
     "learning_rate": 0.002},
])
def test_mlp_evidence_is_input_times_numerical_gradient(sample, spec):
    model = trained(sample, **spec)
    explainer = Explainer(model)
    assert explainer.method == INPUT_X_GRADIENT
    x = sample.X_test[11]
    explanation = explainer.explain(x, [2, 5])
    seen = explanation.seen.ravel().astype(np.float64)

    def z(image: np.ndarray) -> np.ndarray:
        features = explainer.affine_steps.transform(image[None])
        return model.network.forward(np.asarray(features, np.float64))[0]

    h = 1e-3
    for e in explanation.evidence:
        grad = np.array([(z(seen + h * u)[e.label] - z(seen - h * u)[e.label]) / (2 * h)
                         for u in np.eye(784)])
        assert relative_error(e.pixels.ravel(), seen * grad) < 1e-5
        assert e.pixels.sum() + e.offset == pytest.approx(e.logit)


def test_mlp_has_no_templates_and_labels_are_checked(sample):
    explainer = Explainer(trained(sample, hidden=[8]))
    with pytest.raises(ValueError, match="no weight templates"):
        explainer.templates()
    with pytest.raises(ValueError, match="0 … 9"):
        explainer.explain(sample.X_test[0], [10])


@pytest.mark.parametrize("name", sorted(STEPS))
def test_the_affine_flag_of_every_step_is_true(sample, name):
    """A step flagged affine keeps superposition, T(a + b) − T(0) = T(a) − T(0) + T(b) −
    T(0); one not flagged (deskew, moment-norm, denoise) breaks it on real digits."""
    step = Pipeline.from_spec({"pca": "pca:20", "denoise": "denoise:40"}.get(name, name)).steps[0]
    step.fit(sample.X_train[:2000].astype(np.float64))
    a, b = (sample.X_test[i].astype(np.float64) for i in (0, 1))
    t = lambda v: np.asarray(step.transform(v[None]), np.float64)[0]  # noqa: E731
    zero = t(np.zeros_like(a))
    superposed = np.allclose(t(a + b) - zero, (t(a) - zero) + (t(b) - zero), atol=1e-3)
    assert superposed == step.affine
