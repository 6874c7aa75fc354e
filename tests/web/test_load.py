"""The serving benchmark must not rot: its smoke mode (200 requests per round, 8 at once,
against a real server) must count no error. Latency goals live in the benchmark's output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_serve.py"


def test_serve_load_smoke_has_no_errors_and_keeps_its_memory(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, str(BENCH), "--smoke", "--json", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    rounds = {(r["model"], r["body"]): r for r in report["rounds"]}
    assert set(rounds) == {(m, b) for m in ("linear", "mlp")
                           for b in ("json 28x28", "png 280x280")}
    for r in rounds.values():
        assert (r["requests"], r["errors"]) == (200, 0)
        assert 0 < r["p50_ms"] <= r["p99_ms"] <= r["max_ms"]
    assert report["server_exit_status"] == 0
    assert report["rss_mb_after"] - report["rss_mb_after_warmup"] < 50
