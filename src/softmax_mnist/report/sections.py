"""Sections: a study's runs turned into its tables and observations, by study kind; and the
diagnostics of the Q1 model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data import Dataset
from ..experiments import (
    EpochTiming,
    KeptWeights,
    RunRecord,
    Study,
    Variant,
    load_study,
    speed_key,
    study_names,
)
from .cells import make_cell, percent_text, summarise, value_text
from .ladder import error_cells, ladder_observation
from .observations import (
    ablation_gain_observation,
    compare_observations,
    grid_observations,
    observation,
)
from .ranking import BEST, comparison_basis, ends_on_best_weights
from .results import Diagnostics, Observation, Section, Table, VariantResult, table
from .text import axis_name, text


@dataclass(frozen=True)
class Context:
    """What every section needs besides its study: the language, the points one
    validation image is worth (100 / N_val), the serial timings, the parallel jobs."""

    lang: str
    resolution: float
    timings: dict[str, EpochTiming]
    jobs: int
    quick: bool = False


def analyse(study: Study, records: dict[str, RunRecord], seeds: int, ctx: Context,
            stem: str = "study") -> Section:
    """The study's section: settings with their runs and cells, tables and observations
    (figures are added by the caller); ``stem`` names its figure files."""
    lang = ctx.lang
    variants = []
    for v in study.variants:
        recs = [records[study.spec(v, s).key] for s in range(seeds)]
        timing = (ctx.timings.get(speed_key(study.spec(v, 0)))  # ablation: see its note
                  if study.kind != "ablation" else None)
        cells = summarise(study, v, recs, lang, timing.seconds if timing else None)
        variants.append(VariantResult(variant_label(study, v, lang), v.options,
                                      list(v.coords), cells, recs))
    section = Section(study.name, study.question, study.kind, study.source, study.base,
                      study.grid, list(study.checkpoints), list(study.thresholds), variants,
                      stem, title=section_title(study, ctx))
    builders = {"baseline": _baseline_section, "compare": _compare_section,
                "grid": _grid_section, "ablation": _ablation_section}
    section.tables, section.observations = builders[study.kind](study, variants, ctx)
    return section


Built = tuple[list[Table], list[Observation]]


def variant_label(study: Study, variant: Variant, lang: str) -> str:
    """A setting's label in ``lang``: a grid's from its coordinates, a run's from the
    file's ``label_<lang>`` (its ``label`` otherwise)."""
    if study.kind == "grid" and lang != "en":
        return text(lang, "comma").join(f"{axis_name(lang, a)} {value_text(x)}"
                                        for a, x in zip(study.grid, variant.coords, strict=True))
    return variant.translations.get(lang, variant.label)


def section_title(study: Study, ctx: Context) -> str:
    """The packaged study's heading while the study is the packaged one; an edited copy
    keeps its heading only when its runs are unchanged (else its own ``title`` or its
    name and file)."""
    if study.name in study_names() and study.name in TITLED:
        packaged = load_study(study.name, quick=ctx.quick)
        same = (packaged.kind, packaged.base, packaged.grid) == (study.kind, study.base,
                                                                  study.grid)
        if same and [(v.label, v.options) for v in packaged.variants] == [
                (v.label, v.options) for v in study.variants]:
            return text(ctx.lang, study.name)
    return study.title or text(ctx.lang, "study_title", name=study.name, source=study.source)


TITLED = ("baseline", "momentum", "batch-lr", "epochs", "preprocessing", "ladder",
          "lab2", "lab2-course")  # in text.TEXT


def _baseline_section(study: Study, variants: list[VariantResult], ctx: Context) -> Built:
    lang = ctx.lang
    c = variants[0].cells
    t = lambda key, **kw: text(lang, key, **kw)  # noqa: E731
    splits = table("", [t("split"), t("accuracy"), t("loss")], [
        [t(s), c[f"final_{s}_accuracy"], c[f"final_{s}_loss"]] for s in ("train", "val", "test")])
    run = table("", [t("epochs_run"), t("best_epoch"), t("train_seconds"), t("sec_per_epoch")],
                [[c["epochs_run"], c["best_epoch"], c["train_seconds"], c["sec_per_epoch"]]])
    if c["final_test_accuracy"].status == "diverged":
        return [splits, run], [observation("obs_diverged_runs", lang, runs=variants[0].label)]
    gap = c["final_train_accuracy"].value - c["final_test_accuracy"].value
    best = c["best_epoch"].number() if c["best_epoch"].value is not None else "-"
    kept = t("kept_best" if ends_on_best_weights(study, variants[0]) else "kept_last",
             best=best)
    obs = [observation("obs_baseline", lang, test=c["final_test_accuracy"].number(),
                       val=c["final_val_accuracy"].number(),
                       train=c["final_train_accuracy"].number(),
                       epochs=c["epochs_run"].number(), seconds=c["train_seconds"].number(),
                       kept=kept),
           observation("obs_gap", lang, {"gap": round(gap, 2)}, gap=f"{gap:.2f}",
                       verdict=t("gap_small" if gap < 1.5 else "gap_large"))]
    return [splits, run], obs


def _compare_section(study: Study, variants: list[VariantResult], ctx: Context) -> Built:
    lang = ctx.lang
    t = lambda key, **kw: text(lang, key, **kw)  # noqa: E731
    stopping = any(study.config(Variant("", v.options), 0).early_stop != "none"
                   for v in variants)
    best_basis = comparison_basis(study, variants) is BEST
    columns = [t("run"), t("sec_per_epoch"), t("epochs_run")]
    keys = ["sec_per_epoch", "epochs_run"]
    if stopping and not best_basis:  # (with basis BEST the "at epoch" column says it)
        columns.append(t("best_epoch"))
        keys.append("best_epoch")
    for th in study.thresholds:  # the seconds are epochs × time per epoch: in the text
        columns.append(t("epochs_to", t=percent_text(th)))
        keys.append(f"epochs_to_{th}")
    for cp in study.checkpoints:
        columns.append(t("test_at", c=cp))
        keys.append(f"test_at_{cp}")
    columns += [t("final_val"), t("final_test")]
    keys += ["final_val_accuracy", "final_test_accuracy"]
    if best_basis:
        columns += [t("best_val"), t("best_val_epoch"), t("test_at_best")]
        keys += ["best_val_accuracy", "best_val_epoch", "test_at_best"]
    rows = [[v.label, *(v.cells[k] for k in keys)] for v in variants]
    return [table("", columns, rows)], compare_observations(study, variants, lang,
                                                             ctx.resolution)


def _ablation_section(study: Study, variants: list[VariantResult], ctx: Context) -> Built:
    """One row per run: features, parameters, seconds, validation and test accuracy."""
    lang = ctx.lang
    t = lambda key, **kw: text(lang, key, **kw)  # noqa: E731
    keys = ["features", "parameters", "preprocess_seconds", "train_seconds", "epochs_run",
            "final_val_accuracy", "final_test_accuracy"]
    columns = [t("run"), t("features"), t("parameters"), t("preprocess_seconds"),
               t("train_seconds"), t("epochs_run"), t("final_val"), t("final_test")]
    rows = [[v.label, *(v.cells[k] for k in keys)] for v in variants]
    title = t("parallel_times", jobs=ctx.jobs) if ctx.jobs > 1 else ""
    if study.ladder:  # each rung against the one before it: what it bought, what it cost
        keys = ["parameters", "train_seconds", "epochs_run", "final_val_accuracy",
                "final_test_accuracy"]
        columns = [t("run"), t("parameters"), t("train_seconds"), t("epochs_run"),
                   t("final_val"), t("final_test"), t("test_error"), t("fewer_mistakes")]
        rows = [[v.label, *(v.cells[k] for k in keys), *pair]
                for v, pair in zip(variants, error_cells(variants), strict=True)]
        return [table(title, columns, rows)], ladder_observation(variants, lang)
    obs = (compare_observations(study, variants, lang, ctx.resolution)
           + ablation_gain_observation(variants, lang, ctx.resolution))
    return [table(title, columns, rows)], obs


def grid_slices(study: Study, variants: list[VariantResult],
                ) -> dict[str, list[tuple[Any, VariantResult]]]:
    """For each axis: (value, setting) along it, the other axis at its reference value."""
    by_coords = {tuple(v.coords): v for v in variants}
    axes, ref = list(study.grid), study.reference
    return {axis: [(x, by_coords[tuple(x if a == axis else ref[a] for a in axes)])
                   for x in study.grid[axis]]
            for axis in axes}


def _grid_section(study: Study, variants: list[VariantResult], ctx: Context) -> Built:
    lang = ctx.lang
    axes = list(study.grid)
    epochs = study.config(study.variants[0], 0).max_epoch
    by_coords = {tuple(v.coords): v for v in variants}
    slices = grid_slices(study, variants)
    tables = []
    if len(axes) == 2:
        a0, a1 = axes
        for key, metric in (("grid_val", "final_val_accuracy"),
                            ("grid_test", "final_test_accuracy")):
            header = f"{axis_name(lang, a0)} \\ {axis_name(lang, a1)}"
            rows = [[value_text(x), *(by_coords[(x, y)].cells[metric]
                                      for y in study.grid[a1])] for x in study.grid[a0]]
            tables.append(table(text(lang, key, epochs=epochs),
                                [header, *map(value_text, study.grid[a1])], rows))
    for axis in axes:
        tables.append(_slice_table(study, axis, slices[axis], lang))
    return tables, grid_observations(study, variants, slices, by_coords, lang, epochs,
                                     ctx.resolution)


def _slice_table(study: Study, axis: str, line: list[tuple[Any, VariantResult]],
                 lang: str) -> Table:
    others = [a for a in study.grid if a != axis]
    title = axis_name(lang, axis)
    if others:
        title = text(lang, "grid_slice", axis=title, other=axis_name(lang, others[0]),
                     value=value_text(study.reference[others[0]]))
    cols = [axis_name(lang, axis), text(lang, "sec_per_epoch"), text(lang, "final_val"),
            text(lang, "final_test"), text(lang, "final_train_loss")]
    rows = [[value_text(x), v.cells["sec_per_epoch"], v.cells["final_val_accuracy"],
             v.cells["final_test_accuracy"], v.cells["final_train_loss"]] for x, v in line]
    return table(title, cols, rows)


def diagnostics(weights: KeptWeights, data: Dataset, lang: str) -> Diagnostics:
    """Confusion matrix, per-class accuracy and most frequent mistakes of the Q1 model."""
    y, pred = np.asarray(data.y_test, dtype=np.int64), weights.test_pred.astype(np.int64)
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
        table(text(lang, "class_accuracy"), [text(lang, "digit"), *data.classes],
              [[text(lang, "class_accuracy"), *class_cells]]),
        table("", ["", *data.classes],
              [[c, *map(str, row)] for c, row in zip(data.classes, confusion, strict=True)]),
    ]
    hard, easy = int(per_class.argmin()), int(per_class.argmax())
    obs = [observation("obs_confusion", lang, {"top_confusions": top},
                       true=data.classes[top[0]["true"]], pred=data.classes[top[0]["pred"]],
                       count=top[0]["count"], hard=data.classes[hard],
                       hard_acc=class_cells[hard].number(), easy=data.classes[easy],
                       easy_acc=class_cells[easy].number())]
    return Diagnostics(confusion.tolist(), per_class.tolist(),
                       float(confusion.trace() / confusion.sum()), top, tables, obs)
