"""A class of 50 folders through ``softmax-mnist check --jobs 2`` (the goal: ≤ 3 min on
2 cores), and one correct folder alone (the goal: ≤ 5 s), with the isolation's cost:
the same runs with ``--isolation process``.

    python benchmarks/bench_check_class.py [--data-dir DIR] [--folders 50]

Half the class is the correct implementation, half the catalogue's mistakes
(tests/student_code.py), so failing checks and restarts are part of the time.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from student_code import BUGS, CORRECT, write_impl


def timed(args: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "softmax_mnist", "check", *args],
                          capture_output=True, text=True)
    return time.perf_counter() - start, proc.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir")
    parser.add_argument("--folders", type=int, default=50)
    args = parser.parse_args()
    data = ["--data-dir", args.data_dir] if args.data_dir else []
    root = Path(tempfile.mkdtemp(prefix="class-"))
    folders = [str(write_impl(root / f"s{i:02d}", None if i % 2 == 0 else
                              BUGS[(i // 2) % len(BUGS)])) for i in range(args.folders)]
    for isolation in ("sandbox", "process"):
        one, last = timed([str(CORRECT), "--isolation", isolation, *data])
        print(f"{isolation:8} one correct folder: {one:5.1f} s wall ({last})")
        many, last = timed([*folders, "--jobs", "2", "--isolation", isolation,
                            "--csv", str(root / f"{isolation}.csv"), *data])
        print(f"{isolation:8} {len(folders)} folders, --jobs 2: {many:5.1f} s wall ({last})")


if __name__ == "__main__":
    main()
