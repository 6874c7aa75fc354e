import numpy as np
import pytest

from softmax_mnist.fileio import atomic_open, write_json, write_npz


def test_a_crash_mid_write_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "metrics.json"
    write_json(target, {"old": 1})
    with pytest.raises(RuntimeError), atomic_open(target, "w") as fh:
        fh.write('{"new": ')
        raise RuntimeError("power cut")
    assert target.read_text() == '{\n  "old": 1\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]


def test_written_files_have_normal_permissions(tmp_path):
    write_npz(tmp_path / "a.npz", {"x": np.arange(3)})
    assert (tmp_path / "a.npz").stat().st_mode & 0o644 == 0o644
    with np.load(tmp_path / "a.npz", allow_pickle=False) as npz:
        assert npz["x"].tolist() == [0, 1, 2]
