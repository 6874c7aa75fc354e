"""Broken, foreign and hostile data files: one readable line, never a traceback, a NaN or
a huge allocation; recognised data sets named truthfully."""

from __future__ import annotations

import gzip
import struct
import subprocess
import sys
import textwrap
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from helpers import make_idx_set, one_line_exit_2, run
from softmax_mnist.data import load_dataset, read_pair
from softmax_mnist.data.idx import MAX_BYTES, read_idx, write_idx
from softmax_mnist.errors import DataError

FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(dims=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=4),
       payload=st.binary(max_size=64), gz=st.booleans())
@example(dims=[0, 196, 216916130, 216941085], payload=b"", gz=False)  # once a CI failure
@example(dims=[0], payload=b"", gz=True)
def test_empty_or_huge_headers_are_data_errors_without_allocation(tmp_path, dims, payload, gz):
    raw = bytes([0, 0, 8, len(dims)]) + struct.pack(f">{len(dims)}I", *dims) + payload
    path = tmp_path / ("f.gz" if gz else "f")
    path.write_bytes(gzip.compress(raw) if gz else raw)
    tracemalloc.start()
    try:
        with pytest.raises(DataError):
            read_idx(path)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    claimed = int(np.prod(dims, dtype=object))
    # a plausible claim may be allocated (untouched until data arrives), never more
    assert peak < 20_000_000 + (claimed if claimed <= MAX_BYTES else 0)


@pytest.mark.parametrize("code, dtype", [(0x0D, ">f4"), (0x0E, ">f8"), (0x09, ">i1"),
                                         (0x0C, ">i4")])
def test_images_of_another_idx_type_are_refused(tmp_path, code, dtype):
    make_idx_set(tmp_path)
    images = np.full((60, 28, 28), np.nan if "f" in dtype else 1).astype(dtype)
    header = bytes([0, 0, code, 3]) + struct.pack(">3I", 60, 28, 28)
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(header + images.tobytes()))
    with pytest.raises(DataError, match="unsigned bytes"):
        read_pair(tmp_path / "train-images-idx3-ubyte.gz", tmp_path / "train-labels-idx1-ubyte.gz")


def test_label_count_is_compared_before_reading_a_huge_file(tmp_path):
    """A 2 MB .gz of labels whose header claims 2**26 items: refused from the headers."""
    write_idx(tmp_path / "i.gz", np.zeros((10, 28, 28), np.uint8))
    header = bytes([0, 0, 8, 1]) + struct.pack(">I", 1 << 26)
    with gzip.open(tmp_path / "l.gz", "wb") as fh:
        fh.write(header + bytes(1 << 26))
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match=r"10 images but .* 67108864 labels"):
            read_pair(tmp_path / "i.gz", tmp_path / "l.gz")
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 20_000_000


@pytest.mark.parametrize("n, status", [(MAX_BYTES // 784 + 1, 2), (MAX_BYTES // 784, 0)])
def test_a_small_file_claiming_a_big_set_stays_under_1_gb(tmp_path, n, status):
    """Files under 10 MB on disk: a header over the limit is refused from the header, the
    largest set allowed (all zeros, 64 MiB of pixels) trains with peak RSS under 1 GB."""
    for stem, shape in (("train-images-idx3-ubyte", (n, 28, 28)),
                        ("train-labels-idx1-ubyte", (n,)),
                        ("t10k-images-idx3-ubyte", (n, 28, 28)),
                        ("t10k-labels-idx1-ubyte", (n,))):
        header = bytes([0, 0, 8, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)
        with gzip.open(tmp_path / f"{stem}.gz", "wb") as fh:
            fh.write(header)
            for left in range(int(np.prod(shape)), 0, -(1 << 22)):
                fh.write(bytes(min(left, 1 << 22)))
    assert sum(p.stat().st_size for p in tmp_path.iterdir()) < 10 << 20
    code = textwrap.dedent(f"""
        import resource
        from softmax_mnist.cli import main
        status = main(["train", "--data-dir", {str(tmp_path)!r}, "--epochs", "1", "--quiet",
                       "--batch-size", "1000", "--out", {str(tmp_path / "out")!r}])
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, status)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    rss_kb, returned = map(int, proc.stdout.splitlines()[-1].split())
    assert returned == status, proc.stderr
    assert status == 0 or "not a plausible MNIST-format set" in proc.stderr
    assert rss_kb < 1_000_000


def test_a_folder_or_fifo_in_a_files_place_is_named(tmp_path):
    make_idx_set(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    (tmp_path / "t10k-labels-idx1-ubyte.gz").mkdir()
    line = one_line_exit_2(run("train", "--data-dir", str(tmp_path), "--quiet",
                                "--out", str(tmp_path / "o")))
    assert "is a folder" in line
    (tmp_path / "t10k-labels-idx1-ubyte.gz").rmdir()
    import os
    os.mkfifo(tmp_path / "t10k-labels-idx1-ubyte.gz")
    line = one_line_exit_2(run("train", "--data-dir", str(tmp_path), "--quiet",
                                "--out", str(tmp_path / "o")))
    assert "not a regular file" in line


def test_unreadable_names_and_odd_paths_are_one_line(tmp_path):
    too_long = str(tmp_path / ("x" * 300))
    assert "cannot search" in one_line_exit_2(run("train", "--data-dir", too_long, "--quiet",
                                                   "--out", str(tmp_path / "o")))
    undecodable = tmp_path.as_posix().encode() + b"/\xff\xfe-data"
    proc = subprocess.run([sys.executable, "-m", "softmax_mnist", "train", "--data-dir",
                           undecodable, "--quiet", "--out", str(tmp_path / "o")],
                          capture_output=True, timeout=120)
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
    assert proc.stderr.count(b"\n") == 1 and b"does not exist" in proc.stderr


def test_unknown_files_are_called_idx_and_a_wrong_name_is_refused(tmp_path, mnist_dir):
    make_idx_set(tmp_path / "random")
    data = load_dataset(data_dir=tmp_path / "random", log=lambda m: None)
    assert data.name == "idx"
    with pytest.raises(DataError, match="holds mnist, not fashion-mnist"):
        load_dataset("fashion-mnist", mnist_dir, test_only=True)
    assert load_dataset(data_dir=mnist_dir, test_only=True).name == "mnist"


def test_evaluate_reads_only_the_test_files(tmp_path):
    make_idx_set(tmp_path / "d")
    assert run("train", "--data-dir", str(tmp_path / "d"), "--epochs", "1", "--quiet",
               "--batch-size", "10",
               "--out", str(tmp_path / "r")).returncode == 0
    (tmp_path / "d" / "train-images-idx3-ubyte.gz").unlink()  # evaluate must not need it
    proc = run("evaluate", str(tmp_path / "r" / "model.npz"), "--data-dir", str(tmp_path / "d"))
    assert proc.returncode == 0 and "on 20 idx test images" in proc.stdout, proc.stderr
    proc = run("evaluate", str(tmp_path / "r" / "model.npz"))
    assert "none of the known sets" in one_line_exit_2(proc)


def test_the_cache_stays_under_its_cap_and_can_be_cleared(tmp_path, monkeypatch):
    from softmax_mnist.data.cache import entries
    from softmax_mnist.data.fetch import cache_dir

    for k in range(3):
        make_idx_set(tmp_path / f"set{k}", n_train=600, n_test=100, seed=k)
    monkeypatch.setenv("SOFTMAX_MNIST_CACHE_MB", "1.2")  # room for two sets of ~0.55 MB
    for k in range(3):
        load_dataset(data_dir=tmp_path / f"set{k}", log=lambda m: None)
    kept = entries(cache_dir() / "decoded")
    assert 0 < sum(size for _, size, _ in kept) <= 1.2 * 2**20
    assert len(kept) == 4  # the two latest sets, each a train and a test entry
    proc = run("cache", "clear", env={"SOFTMAX_MNIST_CACHE": str(cache_dir())})
    assert proc.returncode == 0 and "removed 4 decoded entries" in proc.stdout
    assert not (cache_dir() / "decoded").exists()


def test_permission_problems_are_not_called_damage():
    from pathlib import Path

    from softmax_mnist.data.idx import describe

    text = describe(Path("f.gz"), PermissionError(13, "Permission denied"))
    assert "permission denied" in text and "damaged" not in text
