"""The report's wall time with the run cache (issue 23's "done when"), as a user runs it.

    python benchmarks/bench_report.py --data-dir ../shared/data/mnist [--all] [--out FILE]

Each step is a real ``softmax-mnist`` process, in order, on one empty cache:

1. ``report`` (lab 1, Q1–Q3) with the cache empty: the first report a student makes;
2. ``report --lang zh`` right after it: every run and epoch time reused, the PDF
   written; its numbers are checked to be the English report's;
3. ``experiment momentum --config edited.toml`` with one run of the study edited: it
   must train that run only (and reuse the other two from step 1);
4. with ``--all``: ``report --all`` (every study, the CNN rungs too: 20 minutes on 2
   cores), checked to hold every section of the full report.

Prints and writes (``--out``, default docs/bench_report.json; with ``--readme`` also the
README's report times in docs/readme_numbers.json) wall seconds, the CPU
seconds of the process and its workers (on a machine shared with other work the wall
time is longer than on a quiet one; CPU seconds / cores is the floor) and the load
average, next to the counts of trained and reused runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "softmax_mnist"]
README_NUMBERS = ROOT / "docs" / "readme_numbers.json"
LAB = ["baseline", "momentum", "batch-lr", "epochs"]
ALL = [*LAB, "preprocessing", "ladder", "lab2"]


def step(name: str, args: list[str], env: dict[str, str]) -> dict:
    """Run one command; its wall and CPU seconds (its own and its children's)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    done = subprocess.run([*CLI, *args, "--quiet"], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{name} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"{name}: {wall:.1f} s wall, {cpu:.1f} s CPU (load {load:.1f}) — "
          f"{done.stdout.strip()}", flush=True)
    return {"command": "softmax-mnist " + " ".join(args), "wall_seconds": round(wall, 1),
            "cpu_seconds": round(cpu, 1), "load_before": round(load, 2)}


def runs_of(results: dict) -> dict:
    """Every run's numbers in a results.json, without its seconds (timings aside)."""
    def numbers(run: dict) -> dict:
        return {k: v for k, v in run.items() if k != "train_seconds"} | {
            "history": {k: v for k, v in run["history"].items() if k != "seconds"}}
    return {name: [[numbers(r) for r in v["runs"]] for v in study["variants"]]
            for name, study in results["studies"].items()}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", required=True)
    p.add_argument("--all", action="store_true", help="also time report --all (20 min)")
    p.add_argument("--out", default=str(ROOT / "docs" / "bench_report.json"))
    p.add_argument("--readme", action="store_true",
                   help="also store the report times in docs/readme_numbers.json")
    args = p.parse_args()
    data = ["--data-dir", str(Path(args.data_dir).resolve())]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {**os.environ, "SOFTMAX_MNIST_CACHE": str(work / "cache")}
        result = {"cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d")}
        result["report"] = step("report", ["report", *data, "--out", str(work / "en")], env)
        result["report_zh"] = step("report --lang zh", ["report", *data, "--lang", "zh",
                                                         "--out", str(work / "zh")], env)
        en, zh = (json.loads((work / d / "results.json").read_text(encoding="utf-8"))
                  for d in ("en", "zh"))
        assert list(en["studies"]) == LAB, list(en["studies"])
        assert runs_of(en) == runs_of(zh), "the Chinese report's numbers differ"
        assert zh["meta"]["pdf"]["written"] and (work / "zh" / "report.pdf").is_file()
        result["report_zh"].update(same_numbers=True, pdf=True,
                                   reused=zh["meta"]["runs_reused"],
                                   runs=zh["meta"]["runs_trained"])
        result["report"].update(runs=en["meta"]["runs_trained"],
                                phases={"timing_seconds": en["meta"]["timing"]["seconds"]})
        study = resources.files("softmax_mnist.studies").joinpath("momentum.toml").read_text(
            encoding="utf-8")
        edited = work / "momentum.toml"  # one run of three edited: Nesterov → momentum 0.8
        edited.write_text(study.replace('label = "Nesterov 0.9"', 'label = "momentum 0.8"')
                          .replace("nesterov = true", "momentum = 0.8").replace(
                              "momentum = 0.9\nmomentum = 0.8", "momentum = 0.8"),
                          encoding="utf-8")
        result["edited_study"] = step("experiment momentum (one run edited)", [
            "experiment", "momentum", "--config", str(edited), *data, "--out",
            str(work / "edited")], env)
        edited_results = json.loads((work / "edited" / "results.json").read_text())
        meta = edited_results["meta"]
        result["edited_study"].update(runs=meta["runs_trained"], reused=meta["runs_reused"])
        assert meta["runs_trained"] - meta["runs_reused"] == 1, meta
        if args.all:
            result["report_all"] = step("report --all", ["report", *data, "--all", "--out",
                                                         str(work / "all")], env)
            everything = json.loads((work / "all" / "results.json").read_text())
            assert list(everything["studies"]) == ALL
            result["report_all"].update(runs=everything["meta"]["runs_trained"],
                                        reused=everything["meta"]["runs_reused"])
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"→ {args.out}")
    if args.readme:  # the README's report times (then: python docs/readme_numbers.py write)
        numbers = json.loads(README_NUMBERS.read_text(encoding="utf-8"))
        numbers["reports"]["lab"] = lab_numbers(result, args.data_dir)
        README_NUMBERS.write_text(json.dumps(numbers, indent=1, ensure_ascii=False) + "\n",
                                  encoding="utf-8")
        print(f"→ {README_NUMBERS}")


def lab_numbers(result: dict, data_dir: str) -> dict:
    """What the README says about the default report and the Chinese one after it."""
    en, zh = result["report"], result["report_zh"]
    return {"date": result["date"], "argv": ["report", "--data-dir", data_dir],
            "runs": en["runs"], "wall_seconds": en["wall_seconds"],
            "cpu_seconds": en["cpu_seconds"], "load": en["load_before"],
            "zh_after_seconds": zh["wall_seconds"]}


if __name__ == "__main__":
    main()
