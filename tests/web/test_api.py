"""The JSON API through Starlette's TestClient: every field against the library, every
error a 4xx JSON answer (never a traceback), and the app answering on after each one."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser

import anyio
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.testclient import TestClient

from pngs import blank_png
from softmax_mnist import load_dataset
from softmax_mnist.explain import Explainer
from softmax_mnist.model import Model
from softmax_mnist.nn import softmax
from softmax_mnist.predict import decode_gray, prepare_digit, prepare_files
from softmax_mnist.web import create_app, load_models
from softmax_mnist.web.api import read_body
from softmax_mnist.web.app import read_assets
from strokes import DIGITS, render

HOST = "127.0.0.1"


@pytest.fixture(scope="module")
def served(sample_models):
    return load_models([str(sample_models["linear"]), str(sample_models["mlp"])])


@pytest.fixture(scope="module")
def client(served):
    with TestClient(create_app(served, allowed_hosts=[HOST]), base_url=f"http://{HOST}") as c:
        yield c


@pytest.fixture(scope="module")
def test_images():
    data = load_dataset("mnist-sample", progress=False)
    return data.X_test[:40], data.y_test[:40]


def grid(x: np.ndarray) -> list:
    return x.reshape(28, 28).tolist()


def png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def assert_error(response, status: int, words: str = "") -> str:
    """A JSON ``{"error": …}`` with ``status``, no traceback; returns the message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    message = response.json()["error"]
    assert words.lower() in message.lower(), message
    assert "Traceback" not in response.text and 'File "' not in response.text
    return message


def test_models_lists_name_kind_layers_and_test_accuracy(client, sample_models):
    models = client.get("/api/models").json()["models"]
    assert [m["name"] for m in models] == ["linear", "mlp"]
    for m, path in zip(models, sample_models.values(), strict=True):
        model = Model.load(path)
        assert m["test_accuracy"] == model.metadata["test_accuracy"]
        assert m["preprocess"] == model.preprocess.spec
        assert m["classes"] == list(model.classes)
    assert [m["kind"] for m in models] == ["linear", "mlp"]
    assert [m["layers"] for m in models] == ["784-10", "784-32-10"]
    assert [m["explanation"] for m in models] == ["exact", "input×gradient"]
    assert [m["image_steps"] for m in models] == ["", "deskew"]


def test_a_cnn_is_served_with_input_times_gradient_evidence(cnn_model_path, test_images):
    """A convolutional model: listed as a CNN with its layers, answered with the library's
    probabilities and the explainer's maps, and no templates (a 404 that says why)."""
    [served] = load_models([f"cnn={cnn_model_path}"])
    model = served.model
    with TestClient(create_app([served], allowed_hosts=[HOST]),
                    base_url=f"http://{HOST}") as c:
        [listed] = c.get("/api/models").json()["models"]
        assert (listed["kind"], listed["explanation"]) == ("cnn", "input×gradient")
        assert listed["layers"] == "conv:4:5,pool:2,fc:16 → 10"
        assert_error(c.get("/api/templates?model=cnn"), 404, "is a CNN")
        x = test_images[0][2]
        answer = c.post("/api/predict?model=cnn&top=10&evidence=all", json=grid(x)).json()
    p = model.predict_proba(x[None])[0]
    assert answer["prediction"] == int(p.argmax())
    np.testing.assert_allclose([t["probability"] for t in answer["top"]], np.sort(p)[::-1],
                               atol=1e-6)
    expected = Explainer(model).explain(x, range(10))
    for e, ours in zip(answer["evidence"], expected.evidence, strict=True):
        np.testing.assert_allclose(e["pixels"], ours.pixels, atol=1e-6)
        assert np.sum(e["pixels"]) + e["offset"] == pytest.approx(e["logit"], abs=1e-3)


@pytest.mark.parametrize("name", ["linear", "mlp"])
def test_a_json_28x28_image_gets_the_libraries_prediction(client, served, test_images, name):
    model = next(s.model for s in served if s.name == name)
    X, _ = test_images
    expected = model.predict_proba(X)
    for x, p in zip(X, expected, strict=True):
        answer = client.post(f"/api/predict?model={name}&top=10", json=grid(x)).json()
        assert answer["model"] == name
        assert answer["prediction"] == int(p.argmax())
        top = answer["top"]
        assert [t["label"] for t in top] == list(np.argsort(-p, kind="stable"))
        np.testing.assert_allclose([t["probability"] for t in top], np.sort(p)[::-1], atol=1e-6)
        assert [t["class"] for t in top] == [model.classes[t["label"]] for t in top]
        assert answer["prepared"] == grid(x)  # taken as it is


def test_top_defaults_to_three_as_predict_json(client, test_images):
    answer = client.post("/api/predict", json=grid(test_images[0][0])).json()
    assert answer["model"] == "linear" and len(answer["top"]) == 3
    assert set(answer) == {"model", "prediction", "top", "prepared", "seen", "method",
                           "evidence"}


def test_image_bytes_are_prepared_as_predict_prepares_files(client, tmp_path):
    body = render(DIGITS[5])
    (tmp_path / "five.png").write_bytes(body)
    answer = client.post("/api/predict", content=body,
                         headers={"content-type": "image/png"}).json()
    expected = prepare_files([tmp_path / "five.png"])[0]
    assert answer["prepared"] == grid(expected)
    np.testing.assert_array_equal(expected, prepare_digit(decode_gray(body)))


def test_evidence_sums_to_the_logits_whose_softmax_is_the_answer(client, test_images):
    """Exact for the linear model: Σ pixels + offset = logit, and softmax(logits) gives
    the probabilities of ``top``: two independent paths through the model agree."""
    answer = client.post("/api/predict?model=linear&top=10&evidence=all",
                         json=grid(test_images[0][3])).json()
    assert answer["method"] == "exact" and answer["seen"] is None
    evidence = answer["evidence"]
    assert [e["label"] for e in evidence] == list(range(10))
    z = np.array([e["logit"] for e in evidence])
    for e in evidence:
        assert np.array(e["pixels"]).shape == (28, 28)
        assert np.sum(e["pixels"]) + e["offset"] == pytest.approx(e["logit"], abs=1e-3)
    p = {t["label"]: t["probability"] for t in answer["top"]}
    np.testing.assert_allclose(softmax(z[None])[0], [p[c] for c in range(10)], atol=1e-5)


def test_mlp_evidence_is_explainers_and_drawn_on_the_deskewed_image(client, served,
                                                                    test_images):
    x = test_images[0][5]
    answer = client.post("/api/predict?model=mlp&evidence=7,2,7", json=grid(x)).json()
    assert answer["method"] == "input×gradient"
    assert [e["label"] for e in answer["evidence"]] == [7, 2]
    explanation = Explainer(served[1].model).explain(x, [7, 2])
    for e, expected in zip(answer["evidence"], explanation.evidence, strict=True):
        np.testing.assert_allclose(e["pixels"], expected.pixels, atol=1e-6)
    np.testing.assert_allclose(answer["seen"], explanation.seen, atol=1e-3)


@pytest.mark.parametrize("evidence, labels", [("top", None), ("none", []), ("all", list(range(10))),
                                              ("0", [0]), ("9,1", [9, 1])])
def test_evidence_parameter(client, test_images, evidence, labels):
    answer = client.post(f"/api/predict?evidence={evidence}", json=grid(test_images[0][1])).json()
    got = [e["label"] for e in answer["evidence"]]
    assert got == (labels if labels is not None else [answer["prediction"]])


def test_templates_of_the_linear_model_and_none_for_the_mlp(client, served):
    answer = client.get("/api/templates?model=linear").json()
    np.testing.assert_allclose(answer["templates"], Explainer(served[0].model).templates(),
                               atol=1e-6)
    assert answer["classes"] == [str(d) for d in range(10)]
    assert_error(client.get("/api/templates?model=mlp"), 404, "no weight templates")
    assert_error(client.get("/api/templates?model=nope"), 404, "no model 'nope'")
    assert_error(client.get("/api/templates?model=linear&x=1"), 400, "unknown query")


def truncated_png() -> bytes:
    noise = np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8)
    return png_bytes(Image.fromarray(noise))[:600]


@pytest.mark.parametrize("body, headers, status, words", [
    (b"", {}, 400, "empty body"),
    (b"these are not pixels\n", {"content-type": "text/plain"}, 400, "not an image file"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, {"content-type": "image/png"}, 400, "not an image"),
    (lambda: truncated_png(), {"content-type": "image/png"}, 400, "cannot read"),
    (png_bytes(Image.new("L", (60, 40), 200)), {}, 400, "no digit found"),
    (lambda: blank_png(30_000, 30_000), {}, 400, "too large"),  # a bomb of 110 kB
    (lambda: blank_png(6000, 5000, 8), {}, 400, "too large (6000×5000"),
    (b"--x\r\nContent-Disposition: form-data; name=f\r\n\r\nab\r\n--x--\r\n",
     {"content-type": "multipart/form-data; boundary=x"}, 415, "form upload"),
    (b"[[1, 2]", {"content-type": "application/json"}, 400, "malformed JSON"),
    (b"[" * 100_000, {}, 400, "malformed JSON"),
    (b'{"image": []}', {}, 400, "got an object"),
    (json.dumps([[0] * 28] * 27).encode(), {}, 400, "got 27 rows of 28"),
    (json.dumps([[0] * 27] * 28).encode(), {}, 400, "got 28 rows of 27"),
    (json.dumps([0] * 784).encode(), {}, 400, "got a list of 784 items"),
    (json.dumps([[0] * 28] * 27 + [["1"] * 28]).encode(), {}, 400, "number 0…255"),
    (json.dumps([[0] * 28] * 27 + [[True] * 28]).encode(), {}, 400, "number 0…255"),
    (json.dumps([[0] * 28] * 27 + [[None] * 28]).encode(), {}, 400, "number 0…255"),
    (json.dumps([[0] * 28] * 27 + [[256] * 28]).encode(), {}, 400, "finite number 0…255"),
    (json.dumps([[0] * 28] * 27 + [[-1] * 28]).encode(), {}, 400, "finite number 0…255"),
    (b"[" + b",".join([b"[" + b",".join([b"NaN"] * 28) + b"]"] * 28) + b"]", {}, 400,
     "NaN is not a number"),
    (b"[" + b",".join([b"[" + b",".join([b"1e400"] * 28) + b"]"] * 28) + b"]", {}, 400,
     "finite"),
    (b"[" + b",".join([b"[" + b",".join([b"9" * 400] * 28) + b"]"] * 28) + b"]", {}, 400,
     "finite"),
    (b"\xff\xfe[\x00", {"content-type": "application/json"}, 400, "malformed JSON"),
], ids=["empty", "text", "png-header-only", "truncated-png", "blank", "bomb-30000x30000",
        "over-pixel-limit", "form", "bad-json", "deep-json", "object", "27-rows", "27-cols",
        "flat", "strings", "booleans", "nulls", "256", "negative", "nan", "1e400", "huge-int",
        "utf16-garbage"])
def test_bad_bodies_get_a_4xx_json_error_and_the_app_goes_on(client, test_images, body,
                                                            headers, status, words):
    body = body() if callable(body) else body  # the large ones are made when needed
    assert_error(client.post("/api/predict", content=body, headers=headers), status, words)
    assert client.post("/api/predict", json=grid(test_images[0][0])).status_code == 200


@pytest.mark.parametrize("query, status, words", [
    ("model=nope", 404, "no model 'nope' is served; the models are linear, mlp"),
    ("modle=linear", 400, "unknown query parameter 'modle'"),
    ("top=0", 400, "top must be"), ("top=11", 400, "top must be"), ("top=x", 400, "top must"),
    ("evidence=10", 400, "evidence must be"), ("evidence=1,,2", 400, "evidence must be"),
    ("evidence=-1", 400, "evidence must be"),
])
def test_bad_queries(client, test_images, query, status, words):
    assert_error(client.post(f"/api/predict?{query}", json=grid(test_images[0][0])), status,
                 words)


def test_a_body_over_the_limit_is_refused_with_413(served):
    with TestClient(create_app(served, max_body=100_000)) as c:
        assert_error(c.post("/api/predict", content=b"\0" * 100_001), 413, "at most 100,000")
        assert_error(c.post("/api/predict", content=iter([b"\0" * 60_000] * 2)), 413,
                     "too large")  # chunked: no Content-Length
        assert c.post("/api/predict", content=b"\0" * 100_000).status_code == 400  # in limit
        assert c.post("/api/predict", json=[[0] * 28] * 28).status_code == 200


def test_the_limit_stops_reading_at_the_first_chunk_past_it():
    """No Content-Length: chunks are counted as they arrive, the rest is never read."""
    received = 0

    async def receive():
        nonlocal received
        received += 1
        return {"type": "http.request", "body": b"\0" * 10_000, "more_body": True}

    request = Request({"type": "http", "method": "POST", "headers": []}, receive)
    with pytest.raises(HTTPException) as error:
        anyio.run(read_body, request, 100_000)
    assert error.value.status_code == 413 and received == 11


def test_routing_errors_and_foreign_hosts(client):
    assert_error(client.get("/api/predict"), 405, "use POST")
    assert_error(client.get("/nothing/here"), 404, "the page is /")
    response = client.get("/api/models", headers={"host": "attacker.example"})
    assert response.status_code == 400  # DNS rebinding: only the loopback names answer


@pytest.mark.parametrize("path", ["/static/../web/app.py", "/static/%2e%2e/app.py",
                                  "/static/app.py", "/static/", "/static/..%2fserved.py",
                                  "/static//etc/passwd", "/static/%2fetc%2fpasswd"])
def test_no_request_reaches_a_file_that_is_not_an_asset(client, path):
    response = client.get(path)
    assert response.status_code == 404 and "import" not in response.text


def test_assets_are_the_package_files_with_security_headers(client):
    assets = read_assets()
    assert set(assets) == {"index.html", "app.js", "i18n.js", "style.css", "favicon.svg"}
    for name, (content, media_type) in assets.items():
        response = client.get(f"/static/{name}")
        assert response.content == content and response.headers["content-type"] == media_type
    for response in (client.get("/"), client.get("/api/models"), client.get("/nope"),
                     client.post("/api/predict", content=b"x")):
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"


class _Inline(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, handlers and styles."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        self.found += [f"{tag}[{a}]" for a in names if a.startswith("on") or a == "style"]
        if tag == "script" and "src" not in names:
            self.found.append("inline <script>")
        self.found += ["<style>"] if tag == "style" else []
        self._in_script = tag == "script"

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append("script body")


def test_the_page_has_no_inline_script_or_style(client):
    html = client.get("/").text
    parser = _Inline()
    parser.feed(html)
    assert parser.found == []
    assert not re.search(r"https?://", html)  # nothing from the network: works offline


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-300, 300) | st.floats(allow_nan=False)
    | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=30) | st.dictionaries(st.text(max_size=3), inner,
                                                                 max_size=3),
    max_leaves=60)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(value=json_values)
def test_any_json_value_gets_an_answer_or_a_400(client, value):
    response = client.post("/api/predict", content=json.dumps(value).encode(),
                           headers={"content-type": "application/json"})
    assert response.status_code in (200, 400), response.text
    assert ("error" in response.json()) == (response.status_code == 400)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(body=st.binary(min_size=1, max_size=3000), png_header=st.booleans())
def test_any_bytes_get_an_answer_or_a_4xx(client, body, png_header):
    if png_header:
        body = b"\x89PNG\r\n\x1a\n" + body
    response = client.post("/api/predict", content=body,
                           headers={"content-type": "application/octet-stream"})
    assert response.status_code in (200, 400), response.text
