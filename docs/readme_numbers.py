"""The README's measured numbers, from one source: ``docs/readme_numbers.json``.

    python docs/readme_numbers.py measure --data-dir ../shared/data/mnist   # ~50 minutes
    python docs/readme_numbers.py measure --only cnn report-quick   # these again, keep the rest
    python docs/readme_numbers.py write     # README.md and README.zh-CN.md from the JSON
    python docs/readme_numbers.py check     # exit 1 if a README differs from the JSON

``measure`` runs the commands the READMEs quote (``softmax-mnist train …``, the report
full and ``--quick``, and ``predict`` on 320 digits drawn with matplotlib's fonts) and
stores what they printed and wrote. ``write`` regenerates every block between
``<!-- numbers:NAME -->`` and ``<!-- /numbers:NAME -->``; a test runs ``check``, so a
README number cannot drift from the measurement.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "docs" / "readme_numbers.json"
READMES = (ROOT / "README.md", ROOT / "README.zh-CN.md")
CLI = [sys.executable, "-m", "softmax_mnist"]

RUNS = {  # name -> arguments after `softmax-mnist train` (DATA: the --data-dir given)
    "default": ["--data-dir", "DATA"],
    "sample": ["--dataset", "mnist-sample"],
    "moment-norm": ["--data-dir", "DATA", "--preprocess", "moment-norm"],
    "mlp": ["--data-dir", "DATA", "--hidden", "256"],
    "mlp-deskew": ["--data-dir", "DATA", "--hidden", "256", "--preprocess", "deskew"],
    "mlp-moment-norm": ["--data-dir", "DATA", "--hidden", "256", "--preprocess",
                        "moment-norm"],
    "cnn": ["--data-dir", "DATA", "--model", "cnn"],
    "cnn-augment": ["--data-dir", "DATA", "--model", "cnn", "--augment", "--epochs", "20"],
}
REPORTS = {"full": ["--data-dir", "DATA", "--all"],
           "quick": ["--data-dir", "DATA", "--quick", "--all"]}
# reports["lab"] (the default report, then --lang zh on its cache) is written by
# benchmarks/bench_report.py --readme


def measure(data_dir: str, only: list[str] | None = None, old: dict | None = None) -> dict:
    """Run the commands (all, or the ``only`` runs, keeping ``old``'s other numbers)."""
    path = str(Path(data_dir).resolve())  # the runs start in other folders

    def given(args: list[str], where: str) -> list[str]:
        return [where if a == "DATA" else a for a in args]

    with tempfile.TemporaryDirectory() as tmp:
        if only:  # run names, and report-full / report-quick
            return {**old, "runs": {**old["runs"], **{
                name: {**_train(name, given(RUNS[name], path), Path(tmp)),
                       "argv": ["train", *given(RUNS[name], data_dir)]}
                for name in only if name in RUNS}},
                "reports": {**old["reports"], **{
                    name: {**_report(given(REPORTS[name], path), Path(tmp) / f"report-{name}"),
                           "argv": ["report", *given(REPORTS[name], data_dir)]}
                    for name in REPORTS if f"report-{name}" in only}}}
        runs = {name: {**_train(name, given(args, path), Path(tmp)),
                       "argv": ["train", *given(args, data_dir)]}
                for name, args in RUNS.items()}
        reports = {**(old or {}).get("reports", {}),  # "lab": the benchmark's
                   **{name: {**_report(given(args, path), Path(tmp) / f"report-{name}"),
                             "argv": ["report", *given(args, data_dir)]}
                      for name, args in REPORTS.items()}}
        fonts = _font_rates(Path(tmp))
    return {"date": datetime.date.today().isoformat(), "data_dir": data_dir,
            "machine": f"{platform.machine()}, Python {platform.python_version()}",
            "runs": runs, "reports": reports, "fonts": fonts}


def _train(name: str, args: list[str], tmp: Path) -> dict:
    cwd = tmp / name  # no --out: the default folder, runs/<timestamp>, as a user sees it
    cwd.mkdir()
    done = subprocess.run([*CLI, "train", *args, "--quiet"], cwd=cwd, capture_output=True,
                          text=True, check=True)
    out = next((cwd / "runs").iterdir())
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    (tmp / f"{name}.npz").write_bytes((out / "model.npz").read_bytes())
    keep = ("dataset", "sizes", "epochs_run", "best_epoch", "stop_reason", "train_seconds",
            "train_accuracy", "val_accuracy", "test_accuracy", "test_loss")
    return {"printed": done.stdout.strip(),
            **{k: metrics[k] for k in keep},
            "epochs": [{k: metrics["history"][k][i] for k in ("train_loss", "train_accuracy",
                                                              "val_loss", "val_accuracy",
                                                              "lr", "seconds")}
                       for i in range(metrics["epochs_run"])]}


def _report(args: list[str], out: Path) -> dict:
    """The report with an empty run cache."""
    env = {**os.environ, "SOFTMAX_MNIST_CACHE": str(out.parent / f"cache-{out.name}")}
    started = time.perf_counter()
    subprocess.run([*CLI, "report", *args, "--out", str(out), "--quiet"], check=True,
                   capture_output=True, env=env)
    wall = time.perf_counter() - started
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    meta = results["meta"]
    cnn = sorted({run["train_seconds"] for study in results["studies"].values()
                  for variant in study["variants"] for run in variant["runs"]
                  if "conv" in run["model_info"]["architecture"]})
    return {"date": datetime.date.today().isoformat(), "wall_seconds": round(wall, 1),
            "runs": meta["runs_trained"], "figures": len(list(out.glob("*.png"))),
            "pdf_pages": meta["pdf"].get("pages"), "cnn_train_seconds": cnn}


def _font_rates(tmp: Path) -> dict:
    sys.path.insert(0, str(ROOT / "tests"))
    from fontdigits import write_font_digits

    digits = write_font_digits(tmp / "fonts", seed=0, variants=4)
    rates = {}
    for name in ("mlp", "default"):
        done = subprocess.run([*CLI, "predict", "--json", str(tmp / f"{name}.npz"),
                               *(str(d.path) for d in digits)], capture_output=True,
                              text=True, check=True)
        predicted = [json.loads(line)["prediction"] for line in done.stdout.splitlines()]
        rates[name] = sum(p == d.digit for p, d in zip(predicted, digits, strict=True))
    return {"images": len(digits), "recognised": rates}


# -- the blocks ----------------------------------------------------------------------------

def pct(x: float) -> str:
    return f"{100 * x:.2f} %"


def command(argv: list[str]) -> str:
    return "softmax-mnist " + " ".join(argv)


def epoch_line(i: int, e: dict, total: int) -> str:  # as the Solver prints it
    return (f"epoch {i:>3}/{total}  train loss {e['train_loss']:.4f} acc "
            f"{e['train_accuracy']:.2%}  val loss {e['val_loss']:.4f} acc "
            f"{e['val_accuracy']:.2%}  lr {e['lr']:.4g}  {e['seconds']:.2f}s")


def blocks(n: dict) -> dict[str, str]:
    runs, reports, fonts = n["runs"], n["reports"], n["fonts"]
    d = runs["default"]
    shown = sorted({1, 2, 3, d["best_epoch"], d["epochs_run"]})
    lines, last = [], 0
    for i in shown:
        if i > last + 1:
            lines.append("...")
        lines.append(epoch_line(i, d["epochs"][i - 1], len(d["epochs"])))
        last = i
    b = {"train-output": "```\n" + "\n".join([*lines, d["printed"]]) + "\n```"}
    mlp = runs["mlp"]
    b["mlp-output"] = ("```\n$ softmax-mnist train --data-dir ../shared/data/mnist --hidden 256 "
                       "--out runs/mlp --quiet\n"
                       + re.sub(r"→ \S+$", "→ runs/mlp/", mlp["printed"]) + "\n```")
    rows = ["| command | data | epochs run | train s | test accuracy |", "|---|---|---|---|---|"]
    rows_zh = ["| 命令 | 数据 | 训练轮数 | 训练用时 | 测试准确率 |", "|---|---|---|---|---|"]
    for name, r in runs.items():
        s = r["sizes"]
        data = (f"full MNIST, {s['train'] // 1000}k/{s['val'] // 1000}k/{s['test'] // 1000}k"
                if r["dataset"] == "mnist" else "bundled sample, 9k/1k/10k")
        why = {"early_stop": "early stop", "max_epoch": "all"}.get(r["stop_reason"], "")
        epochs = f"{r['epochs_run']} ({why}; best val: epoch {r['best_epoch']})"
        acc = pct(r["test_accuracy"])
        bold = f"**{acc}**" if name != "sample" else acc
        rows.append(f"| `{command(r['argv'])}` | {data} | {epochs} | "
                    f"{r['train_seconds']:.1f} | {bold} |")
        data_zh = "完整 MNIST" if r["dataset"] == "mnist" else "自带样本"
        rows_zh.append(f"| `{command(r['argv'])}` | {data_zh} | {r['epochs_run']} | "
                       f"{r['train_seconds']:.1f} 秒 | {bold} |")
    b["results"], b["results-zh"] = "\n".join(rows), "\n".join(rows_zh)
    beyond = ["| command (`softmax-mnist train --data-dir ../shared/data/mnist …`) | val % | "
              "test % | train s |", "|---|---|---|---|"]
    beyond_zh = ["| 选项 | 验证集 % | 测试集 % |", "|---|---|---|"]
    for r in runs.values():
        if r["dataset"] != "mnist":
            continue
        options = " ".join(r["argv"][3:]) or "*(defaults: linear, raw pixels)*"
        shown = f"`{options}`" if r["argv"][3:] else options
        val, test = f"{100 * r['val_accuracy']:.2f}", f"**{100 * r['test_accuracy']:.2f}**"
        beyond.append(f"| {shown} | {val} | {test} | {r['train_seconds']:.1f} |")
        beyond_zh.append(f"| {shown if r['argv'][3:] else '（默认，线性模型，原始像素）'} | "
                         f"{val} | {test} |")
    b["beyond"], b["beyond-zh"] = "\n".join(beyond), "\n".join(beyond_zh)
    full, quick, lab = reports["full"], reports["quick"], reports["lab"]
    full_date = full.get("date", n["date"])
    cnn = full.get("cnn_train_seconds") or []
    cnn_en = (f", of which the {len(cnn)} CNN runs of Q5 train for "
              f"{' and '.join(f'{t:.0f}' for t in cnn)} s, one after the other, after the "
              f"other runs" if cnn else "")
    cnn_zh = (f"，其中 Q5 的 {len(cnn)} 个 CNN 训练分别用 {' 和 '.join(f'{t:.0f}' for t in cnn)} "
              f"秒，在其他训练完成后依次进行" if cnn else "")
    b["report-times"] = (
        f"Measured with `python benchmarks/bench_report.py` ({lab['date']}, 2 cores, an empty "
        f"run cache, load average {lab['load']:.1f} from other work): `{command(lab['argv'])}` "
        f"(lab 1, Q1–Q3) trains {lab['runs']} runs and writes the report with its PDF in "
        f"**{lab['wall_seconds']:.0f} s** ({lab['cpu_seconds']:.0f} CPU seconds); `--lang zh` "
        f"right after it reuses every run and epoch time and writes the Chinese report, PDF "
        f"included, in **{lab['zh_after_seconds']:.0f} s**. With `python docs/readme_numbers.py "
        f"measure` ({full_date}, {n['machine']}): `{command(full['argv'])}` trains "
        f"{full['runs']} runs and writes {full['figures']} PNG figures and a PDF of "
        f"{full['pdf_pages']} pages in **{full['wall_seconds']:.0f} s** "
        f"({full['wall_seconds'] / 60:.1f} min){cnn_en}; with `--quick` ({quick['runs']} runs"
        f"{', no CNN' if cnn_en else ''}) **{quick['wall_seconds']:.0f} s**.")
    b["report-times-zh"] = (
        f"实测（`python benchmarks/bench_report.py`，{lab['date']}，2 核，运行缓存为空，"
        f"其他任务造成的平均负载 {lab['load']:.1f}）：`{command(lab['argv'])}`（实验一，Q1–Q3）"
        f"训练 {lab['runs']} 次并写出报告和 PDF，用时 **{lab['wall_seconds']:.0f} 秒**"
        f"（CPU {lab['cpu_seconds']:.0f} 秒）；紧接着加 `--lang zh` 复用全部训练结果和计时，"
        f"写出中文报告（含 PDF）只需 **{lab['zh_after_seconds']:.0f} 秒**。"
        f"`python docs/readme_numbers.py measure`（{full_date}）：`{command(full['argv'])}` 训练 "
        f"{full['runs']} 次，写出 {full['figures']} 张图和 {full['pdf_pages']} 页的 PDF，用时 "
        f"**{full['wall_seconds']:.0f} 秒**{cnn_zh}；`--quick`"
        f"（{quick['runs']} 次{'，不含 CNN' if cnn_zh else ''}）"
        f"**{quick['wall_seconds']:.0f} 秒**。")
    k, rec = fonts["images"], fonts["recognised"]
    b["fonts"] = "\n".join([
        "| model (`softmax-mnist train --data-dir …`) | MNIST test | font digits recognised |",
        "|---|---|---|",
        f"| MLP, `--hidden 256` | {pct(mlp['test_accuracy'])} | "
        f"**{100 * rec['mlp'] / k:.1f} %** ({rec['mlp']} / {k}) |",
        f"| softmax regression (defaults) | {pct(d['test_accuracy'])} | "
        f"{100 * rec['default'] / k:.1f} % ({rec['default']} / {k}) |"])
    b["fonts-zh"] = "\n".join([
        "| 模型 | MNIST 测试准确率 | 字体数字识别率 |", "|---|---|---|",
        f"| MLP（`--hidden 256`） | {pct(mlp['test_accuracy'])} | "
        f"**{100 * rec['mlp'] / k:.1f} %** |",
        f"| Softmax 回归（默认参数） | {pct(d['test_accuracy'])} | "
        f"{100 * rec['default'] / k:.1f} % |"])
    return b


def rewrite(text: str, b: dict[str, str]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"<!-- numbers:{name} -->\n{b[name]}\n<!-- /numbers:{name} -->"

    return re.sub(r"<!-- numbers:([\w-]+) -->\n(?:.*?\n)?<!-- /numbers:\1 -->", fill, text,
                  flags=re.S)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("action", choices=("measure", "write", "check"))
    p.add_argument("--data-dir", default="../shared/data/mnist")
    p.add_argument("--only", nargs="+", metavar="NAME",
                   choices=[*RUNS, *(f"report-{name}" for name in REPORTS)],
                   help="measure these runs (or report-full, report-quick) again, keep the "
                        "other numbers")
    args = p.parse_args()
    if args.action == "measure":
        old = json.loads(SOURCE.read_text(encoding="utf-8")) if args.only else None
        SOURCE.write_text(json.dumps(measure(args.data_dir, args.only, old), indent=1,
                                     ensure_ascii=False) + "\n", encoding="utf-8")
    b = blocks(json.loads(SOURCE.read_text(encoding="utf-8")))
    stale = []
    for readme in READMES:
        old = readme.read_text(encoding="utf-8")
        new = rewrite(old, b)
        if args.action == "check":
            if new != old:
                stale.append(readme.name)
        elif new != old:
            readme.write_text(new, encoding="utf-8")
    if stale:
        print(f"stale numbers in {', '.join(stale)}: run python docs/readme_numbers.py write",
              file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
