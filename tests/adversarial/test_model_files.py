"""Model files, checkpoints and images that are tampered with, foreign or hostile."""

from __future__ import annotations

import contextlib
import io
import json
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from helpers import one_line_exit_2, run
from softmax_mnist import Model, train
from softmax_mnist.errors import ModelFileError
from softmax_mnist.fileio import MAX_NPZ_ENTRY
from softmax_mnist.training.checkpoint import load_checkpoint


@pytest.fixture(scope="module")
def model_arrays(tmp_path_factory) -> dict[str, np.ndarray]:
    path = tmp_path_factory.mktemp("m") / "model.npz"
    train(dataset="mnist-sample", max_epoch=1, progress=False).model.save(path)
    with np.load(path) as npz:
        return {k: npz[k] for k in npz.files}


def _save(path, arrays) -> None:
    np.savez(path, **arrays)


@pytest.mark.parametrize("change, words", [
    (lambda a: a.update(classes=np.array([str(i) for i in range(7)])), "names 7 classes"),
    (lambda a: a.update(metadata=np.array("[1, 2]")), "not a JSON object"),
    (lambda a: a.update(metadata=np.array("[" * 100_000 + "]" * 100_000)), "bad entry"),
    (lambda a: a.update({"preprocess/1/mean": np.full(784, np.nan, np.float32)}),
     "non-finite"),
    (lambda a: a.update(num_layers=np.array(10**6)), "bad entry"),
    (lambda a: a.pop("layers/0/W"), "missing or bad entry"),
])
def test_tampered_models_are_refused(tmp_path, model_arrays, change, words):
    arrays = dict(model_arrays)
    change(arrays)
    _save(tmp_path / "m.npz", arrays)
    with pytest.raises(ModelFileError, match=words):
        Model.load(tmp_path / "m.npz")


CNN_LAYERS = "conv:3:5,pool:2,conv:4:3:valid,pool:2,fc:8,dropout:0.5"


@pytest.fixture(scope="module")
def cnn_model() -> Model:
    """A small CNN (untrained weights, fitted preprocessing): format 2."""
    from softmax_mnist.data import load_dataset
    from softmax_mnist.model import ModelSpec

    data = load_dataset("mnist-sample", progress=False)
    spec = ModelSpec(layers=CNN_LAYERS)
    network = spec.network(784, 10, seed=3)
    for layer, name in network.parameters():  # biases that are not zero
        layer.params[name] += np.float32(0.01)
    return Model(network, spec.pipeline().fit(data.X_train[:500]))


@pytest.fixture(scope="module")
def cnn_arrays(cnn_model, tmp_path_factory) -> dict[str, np.ndarray]:
    path = tmp_path_factory.mktemp("cnn") / "model.npz"
    cnn_model.save(path)
    with np.load(path) as npz:
        return {k: npz[k] for k in npz.files}


def test_a_cnn_saves_as_format_2_and_loads_to_the_same_predictions(tmp_path, cnn_model,
                                                                    cnn_arrays):
    assert int(cnn_arrays["format_version"]) == 2
    assert str(cnn_arrays["architecture"]) == CNN_LAYERS
    assert int(cnn_arrays["num_layers"]) == 4  # two conv and two fc layers hold weights
    _save(tmp_path / "m.npz", cnn_arrays)
    loaded = Model.load(tmp_path / "m.npz")
    assert loaded.network.describe() == cnn_model.network.describe()
    X = np.random.default_rng(0).integers(0, 256, (9, 784), dtype=np.uint8)
    np.testing.assert_array_equal(loaded.predict_proba(X), cnn_model.predict_proba(X))


def test_format_1_is_still_written_for_linear_models_and_mlps(model_arrays):
    assert int(model_arrays["format_version"]) == 1 and "architecture" not in model_arrays


@pytest.mark.parametrize("change, words", [
    (lambda a: a.update(format_version=np.array(3)), "format 3, this version of "
                                                     "softmax-mnist reads formats 1 … 2"),
    (lambda a: a.pop("architecture"), "missing or bad entry"),
    (lambda a: a.update(architecture=np.array("conv:3:5,pool:2,conv:4:3:valid,pool:2")),
     "need 3 weight arrays, the file holds 4"),
    (lambda a: a.update(architecture=np.array("conv:100000:5")), "whole number in"),
    (lambda a: a.update(architecture=np.array("conv:1024:5,conv:1024:5,fc:16384")),
     "more than the"),
    (lambda a: a.update(architecture=np.array("fc:8,conv:3:5")), "comes after an fc"),
    (lambda a: a.update({"layers/1/W": np.zeros((4, 28), np.float32)}),
     "layer 1 .*Conv2D.* inconsistent"),
    (lambda a: a.update({"layers/0/W": np.full((3, 25), np.inf, np.float32)}), "non-finite"),
    (lambda a: a.update({"layers/0/b": np.zeros(3, np.int64)}), "inconsistent"),
    (lambda a: a.update({"layers/3/W": np.zeros((8, 7), np.float32)}),
     "names 10 classes but its last layer has 7 outputs"),
    (lambda a: a.update({"preprocess/spec": np.array("scale,center-pixel,pca:50")}),
     "preprocessing"),
    (lambda a: a.update(num_layers=np.array(5)), "bad entry"),
])
def test_tampered_cnn_models_are_refused(tmp_path, cnn_arrays, change, words):
    test_tampered_models_are_refused(tmp_path, cnn_arrays, change, words)


def test_an_npz_announcing_a_huge_entry_is_not_read(tmp_path, model_arrays):
    """A small file whose unused entry decompresses to more than the limit, and one whose
    .npy header lies about its size: both refused from the zip directory and header."""
    path = tmp_path / "big.npz"
    _save(path, model_arrays)
    header = io.BytesIO()
    size = MAX_NPZ_ENTRY + 4096
    np.lib.format.write_array_header_1_0(header, {"descr": "|u1", "fortran_order": False,
                                                  "shape": (size,)})
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf, \
            zf.open("junk.npy", "w", force_zip64=True) as fh:
        fh.write(header.getvalue())
        for left in range(size, 0, -(1 << 24)):
            fh.write(bytes(min(left, 1 << 24)))
    assert path.stat().st_size < 3 << 20
    with pytest.raises(ModelFileError, match="far more than"):
        _load_all_entries(path)
    liar = tmp_path / "liar.npz"
    _save(liar, {k: v for k, v in model_arrays.items() if k != "layers/0/b"})
    fake = io.BytesIO()
    np.lib.format.write_array_header_1_0(fake, {"descr": "<f4", "fortran_order": False,
                                                "shape": (10**8,)})
    with zipfile.ZipFile(liar, "a") as zf:
        zf.writestr("layers/0/b.npy", fake.getvalue() + bytes(40))
    with pytest.raises(ModelFileError, match="announces"):
        Model.load(liar)


def _load_all_entries(path):
    from softmax_mnist.fileio import read_npz

    return read_npz(path, "softmax-mnist model file")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 4000), flips=st.lists(st.tuples(st.integers(0, 10**6),
                                                          st.integers(1, 255)), max_size=3))
def test_damaged_model_bytes_only_give_model_file_errors(tmp_path, model_arrays, cut, flips):
    path = tmp_path / "m.npz"
    _save(path, model_arrays)
    blob = bytearray(path.read_bytes())
    for position, mask in flips:
        blob[position % len(blob)] ^= mask
    path.write_bytes(bytes(blob[:len(blob) - cut]))
    with contextlib.suppress(ModelFileError):  # anything else fails the test
        Model.load(path)


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 truncated",
                                     b"\x89PNG\r\n\x1a\n" + bytes(64)])
def test_broken_checkpoints_are_one_line(tmp_path, content):
    (tmp_path / "checkpoint.npz").write_bytes(content)
    line = one_line_exit_2(run("train", "--resume", str(tmp_path)))
    assert "checkpoint" in line


@pytest.mark.parametrize("doc", [
    {"format": "softmax-mnist checkpoint 2"},
    {"format": "softmax-mnist checkpoint 2", "state": {"epoch": 1}, "run": {}},
    [1, 2, 3],
])
def test_checkpoints_with_a_wrong_structure_are_refused(tmp_path, doc):
    np.savez(tmp_path / "checkpoint.npz", json=np.array(json.dumps(doc)))
    with pytest.raises(ModelFileError, match="not a usable softmax-mnist checkpoint"):
        load_checkpoint(tmp_path / "checkpoint.npz")


def test_a_model_file_in_the_checkpoints_place_is_named_as_such(tmp_path, model_arrays):
    _save(tmp_path / "checkpoint.npz", model_arrays)
    line = one_line_exit_2(run("train", "--resume", str(tmp_path)))
    assert "not a usable softmax-mnist checkpoint (no entry 'json')" in line


def test_deeply_nested_checkpoint_json_is_refused(tmp_path):
    np.savez(tmp_path / "checkpoint.npz", json=np.array("[" * 100_000 + "]" * 100_000))
    with pytest.raises(ModelFileError):
        load_checkpoint(tmp_path / "checkpoint.npz")


def test_a_png_given_as_the_model_says_so(tmp_path):
    Image.new("L", (28, 28)).save(tmp_path / "seven.png")
    line = one_line_exit_2(run("evaluate", str(tmp_path / "seven.png")))
    assert "not an .npz archive" in line and "allow_pickle" not in line


def test_pickled_entries_are_never_loaded(tmp_path):
    np.savez(tmp_path / "p.npz", metadata=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ModelFileError, match="pickled Python objects"):
        _load_all_entries(tmp_path / "p.npz")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A linear model, and one whose preprocessing ends in PCA (50 features)."""
    folder = tmp_path_factory.mktemp("runs")
    for name, extra in (("linear", []), ("pca", ["--preprocess", "pca:50"])):
        proc = run("train", "--dataset", "mnist-sample", "--epochs", "3", "--quiet",
                   "--out", str(folder / name), *extra)
        assert proc.returncode == 0, proc.stderr
    return folder


def _digit(kind: str, path):
    """A '1': a vertical bar, dark ink on light paper, in 16-bit, float or 8-bit form."""
    a = np.zeros((64, 64))
    a[8:56, 28:36] = 1.0
    if kind == "png16":
        Image.fromarray(((1 - a) * 65535).astype(np.uint16)).save(path)
    elif kind == "tiff-float":
        Image.fromarray((1 - a).astype(np.float32), mode="F").save(path)
    else:
        Image.fromarray(((1 - a) * 255).astype(np.uint8)).save(path)


@pytest.mark.parametrize("kind, name", [("png16", "one.png"), ("tiff-float", "one.tiff"),
                                        ("png8", "one8.png")])
def test_16_bit_and_float_images_are_read_and_predicted(tmp_path, trained, kind, name):
    _digit(kind, tmp_path / name)
    proc = run("predict", str(trained / "linear" / "model.npz"), str(tmp_path / name),
               "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["prediction"] == 1


def test_predict_applies_pca_like_evaluate(tmp_path, trained):
    _digit("png8", tmp_path / "one.png")
    proc = run("predict", str(trained / "pca" / "model.npz"), str(tmp_path / "one.png"),
               "--json", "--save-prepared", str(tmp_path / "prepared"))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["prediction"] == 1
    assert (tmp_path / "prepared" / "one.28x28.png").is_file()


def test_save_prepared_into_a_file_is_one_line(tmp_path, trained):
    _digit("png8", tmp_path / "one.png")
    (tmp_path / "taken").write_text("x")
    line = one_line_exit_2(run("predict", str(trained / "linear" / "model.npz"),
                                str(tmp_path / "one.png"), "--save-prepared",
                                str(tmp_path / "taken")))
    assert "takes a folder" in line


def test_a_decompression_bomb_is_one_line(tmp_path, trained):
    Image.new("1", (30_000, 30_000)).save(tmp_path / "bomb.png", optimize=True)
    line = one_line_exit_2(run("predict", str(trained / "linear" / "model.npz"),
                                str(tmp_path / "bomb.png")))
    assert "too large" in line
