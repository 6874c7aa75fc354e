"""Property-based: whatever bytes arrive, the IDX reader only ever raises DataError,
quickly and without large allocations."""

from __future__ import annotations

import gzip
import struct
import time
import tracemalloc

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from softmax_mnist.data.idx import read_idx, write_idx
from softmax_mnist.errors import DataError

FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _valid_idx(images: bool) -> bytes:
    rng = np.random.default_rng(0)
    array = (rng.integers(0, 256, (3, 28, 28), dtype=np.uint8) if images
             else rng.integers(0, 10, 7, dtype=np.uint8))
    header = bytes([0, 0, 8, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.tobytes()


def _read_only_data_errors(path, ndim=None) -> None:
    tracemalloc.start()
    start = time.perf_counter()
    try:
        read_idx(path, ndim=ndim)
    except DataError:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert time.perf_counter() - start < 2.0  # generous: a hang would take forever
    assert peak < 50_000_000  # the inputs here are tiny; nothing may balloon


@FAST
@given(data=st.binary(max_size=2000), gz=st.booleans())
def test_random_bytes(tmp_path, data, gz):
    path = tmp_path / ("f.gz" if gz else "f")
    path.write_bytes(gzip.compress(data) if gz and data[:1] != b"x" else data)
    _read_only_data_errors(path)


@FAST
@given(images=st.booleans(), flips=st.lists(st.tuples(st.integers(0, 10_000),
                                                     st.integers(1, 255)), max_size=4),
       cut=st.one_of(st.none(), st.integers(0, 3000)), gz=st.booleans())
def test_mutated_valid_files(tmp_path, images, flips, cut, gz):
    blob = bytearray(_valid_idx(images))
    for position, mask in flips:
        blob[position % len(blob)] ^= mask
    if cut is not None:
        blob = blob[:cut]
    path = tmp_path / ("f.gz" if gz else "f")
    path.write_bytes(gzip.compress(bytes(blob)) if gz else bytes(blob))
    _read_only_data_errors(path, ndim=3 if images else 1)


@FAST
@given(dims=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=4),
       payload=st.binary(max_size=64))
def test_huge_or_wrong_dimensions(tmp_path, dims, payload):
    path = tmp_path / "f"
    path.write_bytes(bytes([0, 0, 8, len(dims)]) + struct.pack(f">{len(dims)}I", *dims)
                     + payload)
    _read_only_data_errors(path)


def test_truncated_gzip_stream_of_a_valid_file(tmp_path):
    write_idx(tmp_path / "ok.gz", np.zeros((50, 28, 28), np.uint8))
    blob = (tmp_path / "ok.gz").read_bytes()
    for cut in (10, len(blob) // 3, len(blob) - 5):
        (tmp_path / "bad.gz").write_bytes(blob[:cut])
        _read_only_data_errors(tmp_path / "bad.gz")
