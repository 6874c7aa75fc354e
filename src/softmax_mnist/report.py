"""The lab report: run the studies, turn the records into tables, observations and figures,
and write ``report.md``, ``report.html`` (figures embedded) and ``results.json``.

Every number the report shows is computed once here and stored in ``results.json``;
the markdown is rendered from those stored values, and the observations are sentences
filled with the same numbers, so the text cannot contradict the tables. Settings are
compared on validation accuracy; test accuracy is reported, never used to choose.
"""

from __future__ import annotations

import base64
import math
import os
import platform
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .data import Dataset
from .experiments import Study, Variant, execute, unique_specs
from .fileio import write_json, write_text
from .report_text import axis_name, text

STOP_KEYS = {"max_epoch": "stop_max_epoch", "early_stop": "stop_early_stop",
             "diverged": "stop_diverged"}
DIGITS = {"pct": 2, "loss": 4, "sec": 2, "epoch": 0}


# -- cells: one table entry, its value and its text ---------------------------------------

def make_cell(values: Sequence[float | None], kind: str, lang: str, *, diverged: int = 0,
              missing: str = "na") -> dict[str, Any]:
    """Aggregate one number over seeds into a table cell.

    Args:
        values: per seed, in the stored unit (accuracies as fractions); None = no value.
        kind: "pct" (shown ×100, 2 decimals), "loss" (4), "sec" (2) or "epoch".
        diverged: how many seeds diverged; any divergence shows as "diverged".
        missing: text key when no seed has a value ("na" or "not_reached").

    Returns:
        {"text", "value" (mean, display unit), "std", "n", "total", "status"}.
    """
    total = len(values)
    if diverged:
        word = text(lang, "diverged")
        return {"text": word if diverged == total else f"{word} ({diverged}/{total})",
                "value": None, "std": None, "n": total - diverged, "total": total,
                "status": "diverged"}
    vals = [float(v) * (100 if kind == "pct" else 1) for v in values if v is not None]
    if not vals:
        return {"text": text(lang, missing), "value": None, "std": None, "n": 0,
                "total": total, "status": missing}
    mean = float(np.mean(vals))
    std = float(np.std(vals, ddof=1)) if len(vals) > 1 else None
    digits = DIGITS[kind]
    if kind == "epoch" and len(set(vals)) > 1:
        digits = 1
    body = f"{mean:.{digits}f}" + (f" ± {std:.{digits}f}" if std is not None else "")
    if len(vals) < total:
        body += f" ({len(vals)}/{total})"
    return {"text": body, "value": mean, "std": std, "n": len(vals), "total": total,
            "status": "ok", "digits": digits}


def num(cell: dict[str, Any]) -> str:
    """A cell's mean, formatted as in its table."""
    return f"{cell['value']:.{cell['digits']}f}"


def value_text(v: Any) -> str:
    """An option value as people write it: 0.01, 3, 1000, True."""
    return f"{v:g}" if isinstance(v, float) else str(v)


# -- per-run and per-setting numbers ----------------------------------------------------

def seed_metrics(rec: dict[str, Any], study: Study) -> dict[str, float | None]:
    """The numbers of one run (one seed) that the tables use; None where there is none."""
    h, n = rec["history"], rec["epochs_run"]
    val, secs = h["val_accuracy"], h["seconds"]
    m: dict[str, float | None] = {
        "epochs_run": n, "best_epoch": rec["best_epoch"],
        "sec_per_epoch": float(np.mean(secs)) if n else None,
        "train_seconds": rec["train_seconds"],
        **{f"final_{k}": v for k, v in rec["final"].items()},
    }
    cumulative = np.cumsum(secs) if n else np.zeros(0)
    for t in study.thresholds:
        hit = next((i for i, v in enumerate(val) if v is not None and v >= t - 1e-9), None)
        m[f"epochs_to_{t}"] = None if hit is None else hit + 1
        m[f"seconds_to_{t}"] = None if hit is None else float(cumulative[hit])
    for c in study.checkpoints:
        m[f"test_at_{c}"] = h["test_accuracy"][c - 1] if n >= c else None
    if "model_info" in rec:
        info = rec["model_info"]
        m.update(features=info["features"], parameters=info["parameters"],
                 preprocess_seconds=info["preprocess_seconds"])
    return m


METRIC_KINDS = {"epochs_run": "epoch", "best_epoch": "epoch", "sec_per_epoch": "sec",
                "train_seconds": "sec", "final_train_loss": "loss", "final_val_loss": "loss",
                "final_test_loss": "loss", "features": "epoch", "parameters": "epoch",
                "preprocess_seconds": "sec"}


def metric_kind(name: str) -> str:
    if name in METRIC_KINDS:
        return METRIC_KINDS[name]
    if name.startswith("epochs_to_"):
        return "epoch"
    if name.startswith("seconds_to_"):
        return "sec"
    return "pct"


def summarise(study: Study, variant: Variant, recs: list[dict[str, Any]],
              lang: str) -> dict[str, dict[str, Any]]:
    """Cells (mean ± std over seeds) for every metric of one setting."""
    diverged = sum(bool(r["diverged"]) for r in recs)
    per_seed = [seed_metrics(r, study) for r in recs]
    cells = {}
    for name in per_seed[0]:
        missing = "not_reached" if name.split("_to_")[0] in ("epochs", "seconds") else "na"
        cells[name] = make_cell([m[name] for m in per_seed], metric_kind(name), lang,
                                diverged=diverged, missing=missing)
    return cells


# -- sections -----------------------------------------------------------------------------

def analyse(study: Study, records: dict[str, dict[str, Any]], seeds: int,
            lang: str) -> dict[str, Any]:
    """The study's section of results.json: settings with their runs and cells, tables,
    observations (figures are added by the caller)."""
    variants = []
    for v in study.variants:
        recs = [records[study.spec(v, s).key] for s in range(seeds)]
        variants.append({"label": v.label, "options": v.options, "coords": list(v.coords),
                         "cells": summarise(study, v, recs, lang),
                         "runs": [{k: val for k, val in r.items() if k != "model"}
                                  for r in recs]})
    section = {"name": study.name, "question": study.question, "kind": study.kind,
               "source": study.source, "base": study.base, "grid": study.grid,
               "checkpoints": list(study.checkpoints), "thresholds": list(study.thresholds),
               "variants": variants}
    builders = {"baseline": _baseline_section, "compare": _compare_section,
                "grid": _grid_section, "ablation": _ablation_section}
    section["tables"], section["observations"] = builders[study.kind](study, variants, lang)
    return section


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> dict[str, Any]:
    """A table: header texts and rows of cells (plain strings become text-only cells)."""
    return {"title": title, "columns": columns,
            "rows": [[c if isinstance(c, dict) else {"text": str(c)} for c in row]
                     for row in rows]}


def _obs(key: str, lang: str, numbers: dict[str, Any] | None = None,
         **words: Any) -> dict[str, Any]:
    sentence = text(lang, key, **words)
    if lang == "en":
        sentence = re.sub(r"(?<![\d.])1 epochs\b", "1 epoch", sentence)
    return {"id": key, "text": sentence, "numbers": numbers or {}}


def _baseline_section(study: Study, variants: list[dict[str, Any]],
                      lang: str) -> tuple[list, list]:
    c = variants[0]["cells"]
    t = lambda key, **kw: text(lang, key, **kw)  # noqa: E731
    splits = _table("", [t("split"), t("accuracy"), t("loss")], [
        [t(s), c[f"final_{k}_accuracy"], c[f"final_{k}_loss"]]
        for s, k in (("train", "train"), ("val", "val"), ("test", "test"))])
    run = _table("", [t("epochs_run"), t("best_epoch"), t("train_seconds"),
                      t("sec_per_epoch")],
                 [[c["epochs_run"], c["best_epoch"], c["train_seconds"], c["sec_per_epoch"]]])
    if c["final_test_accuracy"]["status"] == "diverged":
        return [splits, run], [_obs("obs_diverged_runs", lang, runs=variants[0]["label"])]
    gap = c["final_train_accuracy"]["value"] - c["final_test_accuracy"]["value"]
    obs = [_obs("obs_baseline", lang, test=num(c["final_test_accuracy"]),
                val=num(c["final_val_accuracy"]), train=num(c["final_train_accuracy"]),
                epochs=num(c["epochs_run"]), seconds=num(c["train_seconds"]),
                best=num(c["best_epoch"]) if c["best_epoch"]["value"] is not None else "-"),
           _obs("obs_gap", lang, {"gap": round(gap, 2)}, gap=f"{gap:.2f}",
                verdict=t("gap_small" if gap < 1.5 else "gap_large"))]
    return [splits, run], obs


def _compare_section(study: Study, variants: list[dict[str, Any]],
                     lang: str) -> tuple[list, list]:
    t = lambda key, **kw: text(lang, key, **kw)  # noqa: E731
    stopping = any(study.config(Variant("", v["options"]), 0).early_stop != "none"
                   for v in variants)
    columns = [t("run"), t("sec_per_epoch"), t("epochs_run")]
    keys = ["sec_per_epoch", "epochs_run"]
    if stopping:
        columns.append(t("best_epoch"))
        keys.append("best_epoch")
    for th in study.thresholds:
        columns += [t("epochs_to", t=_pct(th)), t("seconds_to", t=_pct(th))]
        keys += [f"epochs_to_{th}", f"seconds_to_{th}"]
    for cp in study.checkpoints:
        columns.append(t("test_at", c=cp))
        keys.append(f"test_at_{cp}")
    columns += [t("final_val"), t("final_test")]
    keys += ["final_val_accuracy", "final_test_accuracy"]
    table = _table("", columns, [[v["label"], *(v["cells"][k] for k in keys)]
                                 for v in variants])
    return [table], _compare_observations(study, variants, lang)


def _ablation_section(study: Study, variants: list[dict[str, Any]],
                      lang: str) -> tuple[list, list]:
    """One row per run: features, parameters, seconds, validation and test accuracy."""
    t = lambda key, **kw: text(lang, key, **kw)  # noqa: E731
    keys = ["features", "parameters", "preprocess_seconds", "train_seconds", "epochs_run",
            "final_val_accuracy", "final_test_accuracy"]
    columns = [t("run"), t("features"), t("parameters"), t("preprocess_seconds"),
               t("train_seconds"), t("epochs_run"), t("final_val"), t("final_test")]
    table = _table("", columns, [[v["label"], *(v["cells"][k] for k in keys)]
                                 for v in variants])
    obs = _compare_observations(study, variants, lang)
    ref = variants[0]
    ref_val = ref["cells"]["final_val_accuracy"]["value"]
    if ref_val is not None and len(variants) > 1:
        parts, gains = [], {}
        for v in variants[1:]:
            val = v["cells"]["final_val_accuracy"]["value"]
            if val is None:
                continue
            gain = round(val - ref_val, 2)
            gains[v["label"]] = gain
            parts.append(f"{v['label']} {gain:+.2f}")
        obs.append(_obs("obs_ablation_gain", lang, {"gains": gains}, ref=ref["label"],
                        ref_val=num(ref["cells"]["final_val_accuracy"]),
                        parts=_sep(lang).join(parts)))
    return [table], obs


def _compare_observations(study: Study, variants: list[dict[str, Any]],
                          lang: str) -> list[dict[str, Any]]:
    obs = []
    ok = [v for v in variants if v["cells"]["final_val_accuracy"]["status"] == "ok"]
    ranked = sorted(ok, key=lambda v: -v["cells"]["final_val_accuracy"]["value"])
    if len(ranked) >= 2:
        best, second = ranked[0]["cells"], ranked[1]["cells"]
        margin = best["final_val_accuracy"]["value"] - second["final_val_accuracy"]["value"]
        obs.append(_obs("obs_best", lang, {"margin": round(margin, 2),
                                            "best": ranked[0]["label"]},
                        label=ranked[0]["label"], val=num(best["final_val_accuracy"]),
                        test=num(best["final_test_accuracy"]), margin=f"{margin:.2f}",
                        second=ranked[1]["label"], second_val=num(second["final_val_accuracy"])))
    elif ranked:
        c = ranked[0]["cells"]
        obs.append(_obs("obs_only", lang, {"best": ranked[0]["label"]},
                        label=ranked[0]["label"], val=num(c["final_val_accuracy"]),
                        test=num(c["final_test_accuracy"])))
    for th in study.thresholds:
        parts, reached = [], False
        for v in ok:
            e, s = v["cells"][f"epochs_to_{th}"], v["cells"][f"seconds_to_{th}"]
            if e["value"] is not None:
                reached = True
                parts.append(text(lang, "obs_threshold_part", label=v["label"], epochs=num(e),
                                  seconds=num(s)))
            else:
                parts.append(text(lang, "obs_threshold_miss", label=v["label"],
                                  epochs=num(v["cells"]["epochs_run"])))
        if reached:
            obs.append(_obs("obs_threshold", lang, t=_pct(th), parts=_sep(lang).join(parts)))
        elif ok:
            obs.append(_obs("obs_threshold_none", lang, t=_pct(th),
                            epochs=num(max((v["cells"]["epochs_run"] for v in ok),
                                           key=lambda c: c["value"]))))
    if len(ok) >= 2:
        by_time = sorted(ok, key=lambda v: v["cells"]["sec_per_epoch"]["value"])
        momentum_varies = len({study.config(Variant("", v["options"]), 0).momentum
                               for v in variants}) > 1
        obs.append(_obs("obs_epoch_time", lang, low=num(by_time[0]["cells"]["sec_per_epoch"]),
                        low_label=by_time[0]["label"],
                        high=num(by_time[-1]["cells"]["sec_per_epoch"]),
                        high_label=by_time[-1]["label"],
                        why=text(lang, "why_momentum") if momentum_varies else ""))
    if len(study.checkpoints) >= 2:
        c1, c2 = study.checkpoints[0], study.checkpoints[-1]
        parts = [text(lang, "obs_checkpoint_part", label=v["label"],
                      a=num(v["cells"][f"test_at_{c1}"]), b=num(v["cells"][f"test_at_{c2}"]))
                 for v in ok if v["cells"][f"test_at_{c2}"]["value"] is not None]
        if parts:
            obs.append(_obs("obs_checkpoint", lang, c1=c1, c2=c2, parts=_sep(lang).join(parts)))
    not_stopped: dict[int, list[str]] = {}  # max_epoch -> labels, said in one sentence
    for v in ok:
        config = study.config(Variant("", v["options"]), 0)
        if config.early_stop == "none":
            continue
        stops = {r["stop_reason"] for r in v["runs"]}
        c = v["cells"]
        if stops == {"early_stop"}:
            obs.append(_obs("obs_stopped", lang, label=v["label"], epochs=num(c["epochs_run"]),
                            best=num(c["best_epoch"]), test=num(c["final_test_accuracy"])))
        elif stops == {"max_epoch"}:
            not_stopped.setdefault(config.max_epoch, []).append(v["label"])
    for epochs, labels in not_stopped.items():
        obs.append(_obs("obs_not_stopped", lang, label=_sep(lang).join(labels), epochs=epochs))
    obs.append(_divergence_obs(variants, lang))
    return obs


def _divergence_obs(variants: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    bad = [v["label"] for v in variants if any(r["diverged"] for r in v["runs"])]
    if bad:
        return _obs("obs_diverged_runs", lang, {"diverged": bad}, runs=_sep(lang).join(bad))
    return _obs("obs_no_divergence", lang)


def _grid_section(study: Study, variants: list[dict[str, Any]],
                  lang: str) -> tuple[list, list]:
    axes = list(study.grid)
    epochs = study.config(study.variants[0], 0).max_epoch
    by_coords = {tuple(v["coords"]): v for v in variants}
    tables = []
    if len(axes) == 2:
        a0, a1 = axes
        for key, metric in (("grid_val", "final_val_accuracy"),
                            ("grid_test", "final_test_accuracy")):
            header = f"{axis_name(lang, a0)} \\ {axis_name(lang, a1)}"
            rows = [[value_text(x), *(by_coords[(x, y)]["cells"][metric]
                                      for y in study.grid[a1])] for x in study.grid[a0]]
            tables.append(_table(text(lang, key, epochs=epochs),
                                 [header, *map(value_text, study.grid[a1])], rows))
    for axis in axes:
        tables.append(_slice_table(study, axis, by_coords, lang))
    return tables, _grid_observations(study, variants, by_coords, lang, epochs)


def _slice(study: Study, axis: str,
           by_coords: dict[tuple, dict[str, Any]]) -> list[tuple[Any, dict[str, Any]]]:
    """(value, setting) along ``axis`` with the other axis at its reference value."""
    axes, ref = list(study.grid), study.reference
    out = []
    for x in study.grid[axis]:
        coords = tuple(x if a == axis else ref[a] for a in axes)
        out.append((x, by_coords[coords]))
    return out


def _slice_table(study: Study, axis: str, by_coords: dict[tuple, dict[str, Any]],
                 lang: str) -> dict[str, Any]:
    others = [a for a in study.grid if a != axis]
    title = axis_name(lang, axis)
    if others:
        title = text(lang, "grid_slice", axis=title, other=axis_name(lang, others[0]),
                     value=value_text(study.reference[others[0]]))
    cols = [axis_name(lang, axis), text(lang, "sec_per_epoch"), text(lang, "final_val"),
            text(lang, "final_test"), text(lang, "final_train_loss")]
    rows = [[value_text(x), v["cells"]["sec_per_epoch"], v["cells"]["final_val_accuracy"],
             v["cells"]["final_test_accuracy"], v["cells"]["final_train_loss"]]
            for x, v in _slice(study, axis, by_coords)]
    return _table(title, cols, rows)


def _grid_observations(study: Study, variants: list[dict[str, Any]],
                       by_coords: dict[tuple, dict[str, Any]], lang: str,
                       epochs: int) -> list[dict[str, Any]]:
    obs = []
    val = lambda v: v["cells"]["final_val_accuracy"]  # noqa: E731
    ok = [v for v in variants if val(v)["status"] == "ok"]
    if ok:
        best = max(ok, key=lambda v: val(v)["value"])  # first of equals, in grid order
        worst = min(ok, key=lambda v: val(v)["value"])
        obs.append(_obs("obs_grid_best", lang, {"best": best["label"], "worst": worst["label"]},
                        epochs=epochs, label=best["label"], val=num(val(best)),
                        test=num(best["cells"]["final_test_accuracy"]), worst=worst["label"],
                        worst_val=num(val(worst))))
    obs.append(_divergence_obs(variants, lang))
    axes = list(study.grid)
    for axis in axes:
        line = [(x, v) for x, v in _slice(study, axis, by_coords) if val(v)["status"] == "ok"]
        others = [a for a in axes if a != axis]
        if len(line) >= 2 and others:
            bx, bv = max(line, key=lambda p: val(p[1])["value"])
            wx, wv = min(line, key=lambda p: val(p[1])["value"])
            obs.append(_obs("obs_axis_best", lang, {"axis": axis, "best": bx},
                            other=axis_name(lang, others[0]),
                            ref=value_text(study.reference[others[0]]),
                            axis=axis_name(lang, axis), best=value_text(bx), val=num(val(bv)),
                            worst=value_text(wx), worst_val=num(val(wv))))
        if axis == "batch_size" and len(line) >= 2:
            (b_small, v_small), (b_large, v_large) = line[0], line[-1]
            t_small = v_small["cells"]["sec_per_epoch"]["value"]
            t_large = v_large["cells"]["sec_per_epoch"]["value"]
            ratio = t_small / t_large if t_large else math.inf
            obs.append(_obs("obs_batch_time", lang, {"ratio": round(ratio, 1)},
                            t_small=num(v_small["cells"]["sec_per_epoch"]), b_small=b_small,
                            t_large=num(v_large["cells"]["sec_per_epoch"]), b_large=b_large,
                            ratio=f"{ratio:.1f}"))
    if len(axes) == 2:
        a0, a1 = axes
        parts = []
        for x in study.grid[a0]:
            row = [(y, by_coords[(x, y)]) for y in study.grid[a1]]
            row = [(y, v) for y, v in row if val(v)["status"] == "ok"]
            if row:
                y_best = max(row, key=lambda p: val(p[1])["value"])[0]
                parts.append(f"{value_text(x)} → {value_text(y_best)}")
        if parts:
            obs.append(_obs("obs_best_per_row", lang, axis=axis_name(lang, a1),
                            row_axis=axis_name(lang, a0), parts=", ".join(parts)))
    return obs


def _sep(lang: str) -> str:
    return "；" if lang == "zh" else "; "


def _pct(fraction: float) -> str:
    return f"{100 * fraction:g}"


# -- diagnostics --------------------------------------------------------------------------

def diagnostics(model: dict[str, np.ndarray], data: Dataset, lang: str) -> dict[str, Any]:
    """Confusion matrix, per-class accuracy and most frequent mistakes of a model.

    Args:
        model: ``W`` (784, 10), ``b`` (10,), ``test_pred`` (N_test,) from the Q1 run.
    """
    y, pred = np.asarray(data.y_test, dtype=np.int64), model["test_pred"].astype(np.int64)
    k = len(data.classes)
    confusion = np.zeros((k, k), dtype=np.int64)
    np.add.at(confusion, (y, pred), 1)
    per_class = confusion.diagonal() / np.maximum(confusion.sum(axis=1), 1)
    off = confusion.copy()
    np.fill_diagonal(off, 0)
    flat = np.argsort(-off, axis=None, kind="stable")[:5]
    top = [{"true": int(i // k), "pred": int(i % k), "count": int(off.flat[i])} for i in flat]
    class_cells = [make_cell([float(a)], "pct", lang) for a in per_class]
    tables = [
        _table(text(lang, "class_accuracy"), [text(lang, "digit"), *data.classes],
               [[text(lang, "class_accuracy"), *class_cells]]),
        _table("", ["", *data.classes],
               [[c, *map(str, row)] for c, row in zip(data.classes, confusion, strict=True)]),
    ]
    hard, easy = int(per_class.argmin()), int(per_class.argmax())
    obs = [_obs("obs_confusion", lang, {"top_confusions": top},
                true=data.classes[top[0]["true"]], pred=data.classes[top[0]["pred"]],
                count=top[0]["count"], hard=data.classes[hard], hard_acc=num(class_cells[hard]),
                easy=data.classes[easy], easy_acc=num(class_cells[easy]))]
    return {"confusion_matrix": confusion.tolist(), "per_class_accuracy": per_class.tolist(),
            "test_accuracy": float(confusion.trace() / confusion.sum()),
            "top_confusions": top, "tables": tables, "observations": obs}


# -- the whole thing ----------------------------------------------------------------------

def make_report(studies: Sequence[Study], data: Dataset, out: str | os.PathLike[str], *,
                lang: str = "en", seeds: int = 1, jobs: int | None = None,
                backend: str = "loky", scheduler: str | None = None, quick: bool = False,
                progress: bool = True, command: str = "softmax-mnist report",
                ) -> dict[str, Any]:
    """Run ``studies`` on ``data`` and write the report into ``out``; returns results.json.

    Writes ``report.md``, ``report.html``, ``results.json`` and one PNG per figure.
    """
    from .errors import ConfigError
    from .report_figures import diagnostic_figures, draw, study_figures

    if lang not in ("en", "zh"):
        raise ConfigError(f"--lang must be en or zh, got {lang!r}.")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ConfigError(f"--seeds must be a whole number ≥ 1, got {seeds!r}.")
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    specs = unique_specs(studies, seeds)
    records = execute(specs, data, jobs=jobs, backend=backend, scheduler=scheduler,
                      progress=progress)
    results: dict[str, Any] = {"meta": {}, "studies": {}}
    tasks, owners = [], []  # figures to draw, and the section each belongs to
    for study in studies:
        section = analyse(study, records, seeds, lang)
        results["studies"][study.name] = section
        new = study_figures(study, section, out)
        tasks += new
        owners += [section] * len(new)
        if study.kind == "baseline":
            record = records[study.spec(study.variants[0], 0).key]
            if "model" in record and not record["diverged"]:
                results["diagnostics"] = diagnostics(record["model"], data, lang)
                new = diagnostic_figures(record["model"], data, out)
                tasks += new
                owners += [results["diagnostics"]] * len(new)
    for owner, figure in zip(owners, draw(tasks, _local_jobs(jobs)), strict=True):
        owner.setdefault("figures", []).append(figure)
    results["meta"] = {
        "command": command, "dataset": data.name, "data_source": data.source,
        "sizes": {"train": len(data.y_train), "val": len(data.y_val),
                  "test": len(data.y_test)},
        "seeds": seeds, "quick": quick, "jobs": _jobs_used(jobs), "backend": backend,
        "lang": lang, "runs_trained": len(specs), "wall_seconds": round(
            time.perf_counter() - started, 1),
        "version": __version__, "python": platform.python_version(),
        "numpy": np.__version__, "platform": f"{platform.system()} {platform.machine()}",
    }
    markdown_text = render_markdown(results, lang)
    write_text(out / "report.md", markdown_text)
    write_text(out / "report.html", render_html(markdown_text, out, results))
    write_json(out / "results.json", results)
    return results


def _local_jobs(jobs: int | None) -> int:
    """Processes for drawing figures on this machine."""
    cores = os.cpu_count() or 1
    return cores if jobs in (None, -1) else max(1, min(int(jobs), cores))


def _jobs_used(jobs: int | None) -> int:
    return os.cpu_count() or 1 if jobs in (None, -1) else int(jobs)


# -- markdown and html --------------------------------------------------------------------

def render_markdown(results: dict[str, Any], lang: str) -> str:
    """report.md from results.json: headings, tables, figures, observations."""
    meta = results["meta"]
    t = lambda key, **kw: text(lang, key, **kw)  # noqa: E731
    seeds_text = (t("seeds_one") if meta["seeds"] == 1 else t("seeds_many", seeds=meta["seeds"]))
    lines = [f"# {t('title')}", "",
             t("intro", command=meta["command"], dataset=meta["dataset"],
               train=meta["sizes"]["train"], val=meta["sizes"]["val"],
               test=meta["sizes"]["test"], source=meta["data_source"],
               seeds_text=seeds_text, jobs=meta["jobs"], backend=meta["backend"],
               wall=meta["wall_seconds"]), ""]
    if meta["quick"]:
        lines += [t("quick"), ""]
    question = None
    for name, section in results["studies"].items():
        if section["question"] and section["question"] != question:
            question = section["question"]
            heading = t(question) if question in ("Q1", "Q2", "Q3", "Q4") else question
            lines += [f"## {heading}", ""]
        title = t(name) if name in ("baseline", "momentum", "batch-lr", "epochs",
                                    "preprocessing") else name
        lines += [f"### {title}", "", t("setting", setting=_setting_text(section)), ""]
        lines += _section_body(section, lang)
        if section["kind"] == "baseline" and "diagnostics" in results:
            lines += [f"### {t('diagnostics')}", ""]
            lines += _section_body(results["diagnostics"], lang)
    lines += [f"## {t('reproduce')}", "", t("reproduce_text"), "", "```",
              meta["command"]]
    lines += [f"softmax-mnist experiment {name}" for name in results["studies"]]
    lines += ["```", ""]
    return "\n".join(lines)


def _setting_text(section: dict[str, Any]) -> str:
    base = ", ".join(f"{k} = {value_text(v)}" for k, v in section["base"].items())
    return f"`{section['source']}`" + (f" — {base}" if base else "")


def _section_body(section: dict[str, Any], lang: str) -> list[str]:
    lines = []
    for table in section["tables"]:
        lines += _markdown_table(table)
    for fig in section.get("figures", []):
        lines += [f"![{fig['caption']}]({fig['file']})", ""]
    if section["observations"]:
        lines += [f"**{text(lang, 'observations')}**", ""]
        lines += [f"- {o['text']}" for o in section["observations"]]
        lines.append("")
    return lines


def _markdown_table(table: dict[str, Any]) -> list[str]:
    esc = lambda s: str(s).replace("|", "\\|")  # noqa: E731
    lines = [f"*{table['title']}*", ""] if table["title"] else []
    lines.append("| " + " | ".join(esc(c) for c in table["columns"]) + " |")
    lines.append("|" + "---|" * len(table["columns"]))
    lines += ["| " + " | ".join(esc(c["text"]) for c in row) + " |" for row in table["rows"]]
    return [*lines, ""]


HTML_STYLE = """
body { font-family: -apple-system, "Segoe UI", "Noto Sans", "PingFang SC",
       "Microsoft YaHei", sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.5; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f3f3f3; }
img { max-width: 100%; }
code, pre { background: #f6f6f6; }
pre { padding: 0.5rem; overflow-x: auto; }
"""


def render_html(markdown_text: str, folder: Path, results: dict[str, Any]) -> str:
    """A self-contained HTML page: the markdown rendered, every figure embedded (base64)."""
    import markdown

    body = markdown.markdown(markdown_text, extensions=["tables", "fenced_code"])

    def embed(match: re.Match[str]) -> str:
        data = base64.b64encode((folder / match.group(1)).read_bytes()).decode("ascii")
        return f'src="data:image/png;base64,{data}"'

    body = re.sub(r'src="([^":/]+\.png)"', embed, body)
    lang = results["meta"]["lang"]
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n'
            f'<meta charset="utf-8">\n<title>{text(lang, "title")}</title>\n'
            f"<style>{HTML_STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")
