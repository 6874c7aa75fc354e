"""The benchmark must not rot: run it in smoke mode and check what it reports.

No timing is asserted here — speed goals live in the benchmark's own output.
"""

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_train.py"


def test_benchmark_smoke(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, str(BENCH), "--smoke", "--json", str(out),
                           "--figure", str(tmp_path / "growth.png")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    med = result["median_seconds"]
    for key in ("ours_b100", "ours_b10", "ours_b1000", "plain_numpy", "floor", "load_gz",
                "load_cache"):
        assert med[key] > 0
    assert result["time_to_target"]["test_accuracy"] >= result["time_to_target"]["target"]
    assert 50 < result["peak_rss_mb"] < 2000
    assert (tmp_path / "growth.png").read_bytes()[:4] == b"\x89PNG"
    assert "ours, epoch, batch 100" in proc.stdout


def test_the_cnn_profile_and_predict_benchmark_run(tmp_path):
    """``profile_cnn_step.py`` lists every layer of the preset both ways and a total that
    is their sum; ``bench_cnn_predict.py`` reports positive times of this checkout."""
    bench = BENCH.parent
    proc = subprocess.run([sys.executable, str(bench / "profile_cnn_step.py"), "--dataset",
                           "mnist-sample", "--steps", "3", "--warmup", "1"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = [line.rsplit(" ms", 1)[0].split() for line in proc.stdout.splitlines()]
    parts = [float(r[-1]) for r in rows[:-1]]
    assert len(parts) == 12 + 11 + 2  # 12 layers forward, 11 backward, loss, Adam
    assert sum(parts) > 0 and abs(float(rows[-1][2]) - sum(parts)) < 0.05
    assert "backward  1 Conv2D(1, 32, 5) (weights only)" in proc.stdout
    out = tmp_path / "predict.json"
    proc = subprocess.run([sys.executable, str(bench / "bench_cnn_predict.py"), "--dataset",
                           "mnist-sample", "--repeats", "1", "--requests", "3", "--json",
                           str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    assert result["predict_seconds"] > 0 and result["request_ms_p50"] > 0
    assert result["images"] > 0
    assert Path(result["source"]).parent.parent == BENCH.parents[1]
