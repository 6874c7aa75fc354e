"""``softmax-mnist serve`` as a user runs it: a real uvicorn in a subprocess on loopback,
real signals, real sockets, hostile bodies; the server answers on after each of them."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import stat
import sys
import time
from urllib.parse import urlsplit

import numpy as np
import pytest

from helpers import run
from pngs import blank_png
from servers import rss_mb, start_server
from softmax_mnist.cli import main


def request(url: str, method: str = "GET", path: str = "/api/models", body: bytes | None = None,
            headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One HTTP request on a fresh connection: (status, headers, body)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def send_huge_body(url: str, size: int) -> tuple[int, bytes]:
    """POST ``size`` bytes in 1 MB chunks (until the server closes): (status, answer)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    conn.putrequest("POST", "/api/predict")
    conn.putheader("Content-Length", str(size))
    conn.putheader("Content-Type", "application/octet-stream")
    conn.endheaders()
    sent, chunk = 0, b"\0" * 2**20
    try:
        while sent < size:
            conn.send(chunk)
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed: the answer waits in our socket
    response = conn.getresponse()
    status, body = response.status, response.read()
    conn.close()
    return status, body


def json_image() -> bytes:
    return json.dumps(np.zeros((28, 28), int).tolist()).encode()


@pytest.fixture(scope="module")
def sample_server(sample_models):
    server = start_server(str(sample_models["linear"]), f"mlp={sample_models['mlp']}")
    yield server
    assert server.stop() == 0


def test_each_hostile_body_gets_a_4xx_json_error_and_the_server_goes_on(sample_server):
    hostile = {
        "30000x30000 png": (blank_png(30_000, 30_000), "image/png", 400, "too large"),
        "text file": (b"these are not pixels\n", "text/plain", 400, "not an image file"),
        "malformed json": (b'[[0, 1], [2,', "application/json", 400, "malformed JSON"),
    }
    for name, (body, media, status, words) in hostile.items():
        got, headers, answer = request(sample_server.url, "POST", "/api/predict", body,
                                       {"Content-Type": media})
        assert (got, headers["content-type"]) == (status, "application/json"), name
        assert words in json.loads(answer)["error"], name
        assert request(sample_server.url, "POST", "/api/predict", json_image())[0] == 200
    rss_before = rss_mb(sample_server.proc.pid)
    status, answer = send_huge_body(sample_server.url, 50 * 2**20)
    assert status == 413 and "too large" in json.loads(answer)["error"]
    assert rss_mb(sample_server.proc.pid) - rss_before < 20  # the 50 MB were never kept
    assert request(sample_server.url, "POST", "/api/predict", json_image())[0] == 200
    assert sample_server.proc.poll() is None


def test_the_page_and_its_assets_are_served_with_their_headers(sample_server):
    status, headers, page = request(sample_server.url, path="/")
    assert status == 200 and b'<canvas id="pad"' in page
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    status, _, models = request(sample_server.url)
    assert [m["name"] for m in json.loads(models)["models"]] == ["linear", "mlp"]


@pytest.mark.parametrize("sig, status", [(signal.SIGTERM, 0), (signal.SIGINT, 130)])
def test_sigterm_and_ctrl_c_stop_it_cleanly(sample_models, sig, status):
    server = start_server(str(sample_models["linear"]))
    assert request(server.url)[0] == 200
    assert server.stop(sig) == status
    stderr = "".join(server.stderr)
    assert "Traceback" not in stderr and stderr.rstrip().endswith("softmax-mnist: stopped.")
    with pytest.raises(OSError):
        request(server.url)  # nothing listens any more


def test_without_a_model_it_trains_the_default_one_and_says_so():
    server = start_server("--dataset", "mnist-sample")
    try:
        stderr = "".join(server.stderr)
        assert "no model given: training the default linear model" in stderr
        assert "test accuracy" in stderr and "[mnist-sample]" in stderr
        models = json.loads(request(server.url)[2])["models"]
        assert [(m["name"], m["kind"], m["dataset"]) for m in models] == \
            [("linear", "linear", "mnist-sample")]
        assert models[0]["test_accuracy"] > 0.85
    finally:
        assert server.stop() == 0


def test_a_busy_port_is_one_line_and_exit_2(sample_models):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = run("serve", str(sample_models["linear"]), "--port", str(port))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == (f"softmax-mnist: error: port {port} on 127.0.0.1 is in use: "
                                   f"choose another with --port (--port 0 picks a free one).")


@pytest.mark.parametrize("args, words", [
    (["missing.npz"], "missing.npz: no such file."),
    (["bad name=x.npz"], "a model name is 1–40 letters"),
    (["--host", "no-such-host.invalid"], "--host no-such-host.invalid: not an address"),
    (["--port", "70000"], "expected a port 0 … 65535"),
])
def test_user_mistakes_are_one_line_and_exit_2(args, words):
    proc = run("serve", *args, "--port", "0") if "--port" not in args else run("serve", *args)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and words in proc.stderr, proc.stderr


def test_without_the_web_extra_it_says_how_to_install_it(monkeypatch, capsys):
    for name in [m for m in sys.modules if m.startswith(("softmax_mnist.web", "starlette"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "starlette", None)  # import starlette fails
    # were the import to succeed, the missing model file would end it: never a server here
    assert main(["serve", "missing.npz", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err == ("softmax-mnist: error: serve needs the web extra (Starlette and uvicorn; "
                   "starlette is missing): pip install 'softmax-mnist[web]'\n")


def test_another_host_warns_and_open_starts_the_browser(sample_models, tmp_path):
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f"#!/bin/sh\necho \"$1\" > {opened}\n")
    browser.chmod(browser.stat().st_mode | stat.S_IXUSR)
    server = start_server(str(sample_models["linear"]), "--host", "0.0.0.0", "--open",
                          env={"BROWSER": str(browser)})
    try:
        assert "warning: listening on 0.0.0.0: anyone who can reach this machine" in \
            "".join(server.stderr)
        loopback = server.url.replace("0.0.0.0", "127.0.0.1")
        # any Host header is answered: the user chose to serve other machines
        assert request(loopback, headers={"Host": "my-laptop.local"})[0] == 200
        deadline = time.monotonic() + 30
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        assert server.stop() == 0
    assert opened.read_text().strip() == server.url
