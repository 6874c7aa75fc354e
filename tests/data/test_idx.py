import gzip
import struct
import tracemalloc

import numpy as np
import pytest

from helpers import make_idx_set
from softmax_mnist.data import load_dataset, read_idx, read_pair, write_idx
from softmax_mnist.data.fetch import find_files
from softmax_mnist.errors import DataError


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int32, np.float32, np.float64])
def test_round_trip(tmp_path, suffix, dtype):
    array = (np.arange(2 * 3 * 4) - 7).astype(dtype).reshape(2, 3, 4)
    if dtype == np.uint8:
        array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / f"a-idx3-ubyte{suffix}", array)
    back = read_idx(tmp_path / f"a-idx3-ubyte{suffix}")
    np.testing.assert_array_equal(back, array)
    assert back.dtype == array.dtype


def test_header_is_the_published_format(tmp_path):
    write_idx(tmp_path / "l", np.array([3, 1, 4], dtype=np.uint8))
    raw = (tmp_path / "l").read_bytes()
    assert raw[:4] == bytes.fromhex("00000801")
    assert struct.unpack(">I", raw[4:8]) == (3,)
    assert raw[8:] == bytes([3, 1, 4])


@pytest.mark.parametrize("dotted", [False, True])
@pytest.mark.parametrize("gz", [False, True])
def test_both_naming_variants_gz_and_raw(tmp_path, dotted, gz):
    arrays = make_idx_set(tmp_path, dotted=dotted, gz=gz)
    data = load_dataset("mnist", tmp_path, val_size=10)
    np.testing.assert_array_equal(data.X_train, arrays["train-images"][:50].reshape(50, -1))
    np.testing.assert_array_equal(data.X_val, arrays["train-images"][50:].reshape(10, -1))
    np.testing.assert_array_equal(data.y_test, arrays["t10k-labels"])
    name = "t10k-images" + (".idx3" if dotted else "-idx3") + "-ubyte" + (".gz" if gz else "")
    assert find_files(tmp_path)["test_images"].name == name


def test_missing_file_is_named(tmp_path):
    make_idx_set(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte"):
        load_dataset("mnist", tmp_path)


def _labels_file(tmp_path, payload: bytes, name="x-idx1-ubyte"):
    path = tmp_path / name
    path.write_bytes(payload)
    return path


@pytest.mark.parametrize("payload, message", [
    (b"", "empty"),
    (b"\x00\x00\x08", "not an IDX"),
    (b"PK\x03\x04junkjunk", "not an IDX"),
    (bytes.fromhex("00000801") + struct.pack(">I", 5) + bytes(4), "truncated"),
    (bytes.fromhex("00000801") + struct.pack(">I", 5) + bytes(6), "is 14 bytes .* needs 13"),
    (bytes.fromhex("00000801") + b"\x00\x00", "truncated"),
    (bytes.fromhex("00000803") + struct.pack(">3I", 1, 28, 28) + bytes(784), "expected labels"),
])
def test_corrupt_files_are_rejected(tmp_path, payload, message):
    path = _labels_file(tmp_path, payload)
    with pytest.raises(DataError, match=message) as info:
        read_idx(path, ndim=1)
    assert str(path) in str(info.value)


def test_huge_header_allocates_nothing(tmp_path):
    path = _labels_file(tmp_path, bytes.fromhex("00000803") + struct.pack(">3I", 2**32 - 1,
                                                                         2**16, 2**16))
    tracemalloc.start()
    with pytest.raises(DataError, match="not a plausible"):
        read_idx(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1_000_000


def test_truncated_gz_is_rejected(tmp_path):
    write_idx(tmp_path / "a-idx1-ubyte.gz", np.arange(200, dtype=np.uint8))
    blob = (tmp_path / "a-idx1-ubyte.gz").read_bytes()
    (tmp_path / "a-idx1-ubyte.gz").write_bytes(blob[: len(blob) // 2])
    with pytest.raises(DataError, match=r"a-idx1-ubyte\.gz"):
        read_idx(tmp_path / "a-idx1-ubyte.gz")


def test_not_gzip_despite_suffix(tmp_path):
    (tmp_path / "a-idx1-ubyte.gz").write_bytes(b"this is not gzip at all")
    with pytest.raises(DataError, match="damaged"):
        read_idx(tmp_path / "a-idx1-ubyte.gz")


def test_image_and_label_counts_must_agree(tmp_path):
    write_idx(tmp_path / "i", np.zeros((3, 28, 28), np.uint8))
    write_idx(tmp_path / "l", np.zeros(4, np.uint8))
    with pytest.raises(DataError, match=r"3 images but .* 4 labels"):
        read_pair(tmp_path / "i", tmp_path / "l")


def test_labels_outside_0_to_9_rejected(tmp_path):
    write_idx(tmp_path / "i", np.zeros((2, 28, 28), np.uint8))
    write_idx(tmp_path / "l", np.array([1, 12], np.uint8))
    with pytest.raises(DataError, match=r"0\.\.9"):
        read_pair(tmp_path / "i", tmp_path / "l")


def test_gz_written_reproducibly(tmp_path):
    a = np.arange(50, dtype=np.uint8)
    write_idx(tmp_path / "a.gz", a)
    write_idx(tmp_path / "b.gz", a)
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()
    assert gzip.decompress((tmp_path / "a.gz").read_bytes())[8:] == a.tobytes()


def test_trailing_bytes_in_gz_rejected(tmp_path):
    payload = bytes.fromhex("00000801") + struct.pack(">I", 5) + bytes(6)
    (tmp_path / "x-idx1-ubyte.gz").write_bytes(gzip.compress(payload))
    with pytest.raises(DataError, match="after the 5"):
        read_idx(tmp_path / "x-idx1-ubyte.gz")
