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
