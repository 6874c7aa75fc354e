"""Downloads from mirrors served on 127.0.0.1: a dead one, a corrupt one, a good one."""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from helpers import make_idx_set
from softmax_mnist.data import DATASETS, load_dataset
from softmax_mnist.data.fetch import download
from softmax_mnist.data.registry import PARTS, archive_name
from softmax_mnist.errors import DataError


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """Serve tmp_path/www on 127.0.0.1; yields (base URL, root, request log)."""
    root = tmp_path / "www"
    root.mkdir()
    requests: list[str] = []

    class Handler(QuietHandler):
        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", root, requests
    httpd.shutdown()
    httpd.server_close()


def _mirrors(server):
    """dead/ has nothing (404), bad/ has other bytes, good/ has the real files."""
    base, root, requests = server
    arrays = make_idx_set(root / "good", n_train=40, n_test=10)
    make_idx_set(root / "bad", n_train=40, n_test=10, seed=99)
    md5 = {archive_name(p): hashlib.md5((root / "good" / archive_name(p)).read_bytes())
           .hexdigest() for p in PARTS}
    info = replace(DATASETS["mnist"], mirrors=(base + "dead/", base + "bad/", base + "good/"),
                   md5=md5)
    return info, arrays, requests


def test_falls_through_dead_and_corrupt_mirrors(server, tmp_path):
    info, _, requests = _mirrors(server)
    messages = []
    paths = download(info, tmp_path / "cache", progress=False, log=messages.append)
    for part, path in paths.items():
        assert hashlib.md5(path.read_bytes()).hexdigest() == info.md5[archive_name(part)]
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted(info.md5)
    # every file was asked of all three mirrors, in order
    assert requests[:3] == [f"/{m}/train-images-idx3-ubyte.gz" for m in ("dead", "bad", "good")]
    assert len(requests) == 12 and len(messages) == 12


def test_all_mirrors_failing_is_one_clear_error(server, tmp_path):
    info, _, _ = _mirrors(server)
    info = replace(info, mirrors=info.mirrors[:2])
    with pytest.raises(DataError) as exc:
        download(info, tmp_path / "cache", progress=False, log=lambda m: None)
    assert "HTTP 404" in str(exc.value) and "checksum mismatch" in str(exc.value)
    assert not any((tmp_path / "cache").iterdir())  # no half-written or corrupt file left


def test_load_dataset_downloads_once_then_uses_the_cache(server, monkeypatch, tmp_path):
    info, arrays, requests = _mirrors(server)
    monkeypatch.setitem(DATASETS, "mnist", info)
    monkeypatch.setenv("SOFTMAX_MNIST_CACHE", str(tmp_path / "cache"))
    data = load_dataset("mnist", val_size=5, progress=False, log=lambda m: None)
    assert data.source.startswith("download")
    np.testing.assert_array_equal(data.y_test, arrays["t10k-labels"])
    count = len(requests)
    again = load_dataset("mnist", val_size=5, progress=False)
    assert again.source.startswith("cache") and len(requests) == count


def test_offline_falls_back_to_the_sample_and_says_so(server, monkeypatch):
    base = server[0]
    monkeypatch.setitem(DATASETS, "mnist", replace(DATASETS["mnist"], mirrors=(base + "x/",)))
    notes = []
    data = load_dataset("mnist", log=notes.append, progress=False)
    assert data.name == "mnist-sample" and len(data.y_train) + len(data.y_val) == 10_000
    assert len(notes) == 2 and "bundled" in notes[-1] and "--data-dir" in notes[-1]
    assert "HTTP 404" in notes[-1]


def test_other_datasets_do_not_fall_back(monkeypatch, server):
    base = server[0]
    monkeypatch.setitem(DATASETS, "kmnist", replace(DATASETS["kmnist"], mirrors=(base + "x/",)))
    with pytest.raises(DataError, match="Kuzushiji"):
        load_dataset("kmnist", progress=False, log=lambda m: None)


def test_env_variable_is_used(monkeypatch, tmp_path):
    make_idx_set(tmp_path / "d", n_train=30)
    monkeypatch.setenv("SOFTMAX_MNIST_DATA", str(tmp_path / "d"))
    data = load_dataset("mnist", val_size=3, allow_download=False)
    assert "SOFTMAX_MNIST_DATA" in data.source and len(data.y_train) == 27


def test_sample_files_are_in_the_package():
    data = load_dataset("mnist-sample")
    assert (len(data.y_train), len(data.y_val), len(data.y_test)) == (9000, 1000, 10000)
    assert Path(__file__).parents[2].joinpath(
        "src/softmax_mnist/data/sample/README.md").read_text().count("CC BY-SA 3.0")
