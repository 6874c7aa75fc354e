"""The hostile battery (tests/hostile_code.py) against ``softmax-mnist check``, as a
table: for each hostile submission, the checks it passed and what it did to the others.

    python benchmarks/hostile_battery.py [extra check options, e.g. --isolation process]

A class folder holds a correct student ("good"), a correct classmate the attacks aim at
("victim") and one folder per attack; one ``check --json --jobs 2`` runs on all of them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "tests"),
                str(Path(__file__).resolve().parents[1] / "tests" / "teaching")]

from hostile_code import CASES, Listener, lingering, snapshot, write_hostile  # noqa: E402
from student_code import write_impl  # noqa: E402


def main(extra: list[str]) -> None:
    skip = [a.split("=", 1)[1] for a in extra if a.startswith("--skip=")]
    extra = [a for a in extra if not a.startswith("--skip=")]
    root = Path(tempfile.mkdtemp(prefix="hostile-class-"))
    good, victim = write_impl(root / "good"), write_impl(root / "victim")
    listener = Listener()
    folders = [write_hostile(root / f"h{i:02d}", name, victim=victim, root=root,
                             port=listener.port)
               for i, name in enumerate(CASES) if name not in skip]
    before = snapshot(root)
    start = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, "-m", "softmax_mnist", "check", "--json",
                               "--jobs", "2", "--time-limit", "5", *extra, str(good),
                               str(victim), *map(str, folders)], capture_output=True,
                              text=True, timeout=600, start_new_session=True)
        out, code = proc.stdout, proc.returncode
    except subprocess.TimeoutExpired as exc:
        out, code = exc.stdout or "", "timeout"
        out = out.decode() if isinstance(out, bytes) else out
    seconds = time.monotonic() - start
    time.sleep(1)
    reports = {}
    for line in out.splitlines():
        try:
            r = json.loads(line)
            reports[r["folder"]] = r
        except ValueError:
            pass
    after = snapshot(root) if root.exists() else {}
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    print(f"exit {code}, {seconds:.1f} s, {len(reports)} reports of {len(folders) + 2}; "
          f"files changed: {changed or 'none'}; bytes to the socket: {listener.received}; "
          f"lingering: {lingering(str(root))}; /tmp/HACKED: {Path('/tmp/HACKED').exists()}")
    print("| case | verdict | passed |")
    print("|---|---|---|")
    for name, folder in [("correct", good), ("correct victim", victim),
                         *zip([c for c in CASES if c not in skip], folders, strict=True)]:
        r = reports.get(str(folder))
        if r is None:
            print(f"| {name} | no report | |")
            continue
        passed = [c["id"] for c in r["checks"] if c["status"] == "pass"]
        score = (f"{r['score']:g}/{r['max_score']:g}" if "max_score" in r else r["score"])
        print(f"| {name} | {score} | {', '.join(passed)} |")


if __name__ == "__main__":
    main(sys.argv[1:])
