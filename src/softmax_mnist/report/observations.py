"""Observations: sentences filled with the cells' numbers — which setting won on validation
accuracy and by how much, where training diverged, what reached a threshold when.

Settings are compared on validation accuracy; test accuracy is reported, never used to
choose.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..experiments import Study, Variant
from .cells import percent_text, value_text
from .results import Observation, VariantResult
from .text import axis_name, text


def observation(key: str, lang: str, numbers: dict[str, Any] | None = None,
                **words: Any) -> Observation:
    """The template ``key`` filled with ``words``; ``numbers`` are stored with it."""
    sentence = text(lang, key, **words)
    if lang == "en":
        sentence = re.sub(r"(?<![\d.])1 epochs\b", "1 epoch", sentence)
    return Observation(key, sentence, numbers or {})


def separator(lang: str) -> str:
    """Between the parts of a list sentence."""
    return "；" if lang == "zh" else "; "


def _val(v: VariantResult):
    return v.cells["final_val_accuracy"]


def trained(variants: list[VariantResult]) -> list[VariantResult]:
    """The settings with a validation accuracy (none of their seeds diverged)."""
    return [v for v in variants if _val(v).status == "ok"]


def compare_observations(study: Study, variants: list[VariantResult],
                         lang: str) -> list[Observation]:
    """Winner and margin, thresholds, time per epoch, checkpoints, early stops, divergence."""
    obs = []
    ok = trained(variants)
    ranked = sorted(ok, key=lambda v: -_val(v).value)
    if len(ranked) >= 2:
        best, second = ranked[0].cells, ranked[1].cells
        margin = best["final_val_accuracy"].value - second["final_val_accuracy"].value
        obs.append(observation(
            "obs_best", lang, {"margin": round(margin, 2), "best": ranked[0].label},
            label=ranked[0].label, val=best["final_val_accuracy"].number(),
            test=best["final_test_accuracy"].number(), margin=f"{margin:.2f}",
            second=ranked[1].label, second_val=second["final_val_accuracy"].number()))
    elif ranked:
        c = ranked[0].cells
        obs.append(observation("obs_only", lang, {"best": ranked[0].label},
                               label=ranked[0].label, val=c["final_val_accuracy"].number(),
                               test=c["final_test_accuracy"].number()))
    for th in study.thresholds:
        parts, reached = [], False
        for v in ok:
            e, s = v.cells[f"epochs_to_{th}"], v.cells[f"seconds_to_{th}"]
            if e.value is not None:
                reached = True
                parts.append(text(lang, "obs_threshold_part", label=v.label, epochs=e.number(),
                                  seconds=s.number()))
            else:
                parts.append(text(lang, "obs_threshold_miss", label=v.label,
                                  epochs=v.cells["epochs_run"].number()))
        if reached:
            obs.append(observation("obs_threshold", lang, t=percent_text(th),
                                   parts=separator(lang).join(parts)))
        elif ok:
            longest = max((v.cells["epochs_run"] for v in ok), key=lambda c: c.value)
            obs.append(observation("obs_threshold_none", lang, t=percent_text(th),
                                   epochs=longest.number()))
    if len(ok) >= 2:
        by_time = sorted(ok, key=lambda v: v.cells["sec_per_epoch"].value)
        momentum_varies = len({study.config(Variant("", v.options), 0).momentum
                               for v in variants}) > 1
        obs.append(observation(
            "obs_epoch_time", lang, low=by_time[0].cells["sec_per_epoch"].number(),
            low_label=by_time[0].label, high=by_time[-1].cells["sec_per_epoch"].number(),
            high_label=by_time[-1].label,
            why=text(lang, "why_momentum") if momentum_varies else ""))
    if len(study.checkpoints) >= 2:
        c1, c2 = study.checkpoints[0], study.checkpoints[-1]
        parts = [text(lang, "obs_checkpoint_part", label=v.label,
                      a=v.cells[f"test_at_{c1}"].number(), b=v.cells[f"test_at_{c2}"].number())
                 for v in ok if v.cells[f"test_at_{c2}"].value is not None]
        if parts:
            obs.append(observation("obs_checkpoint", lang, c1=c1, c2=c2,
                                   parts=separator(lang).join(parts)))
    obs += _stopping_observations(study, ok, lang)
    obs.append(divergence_observation(variants, lang))
    return obs


def _stopping_observations(study: Study, ok: list[VariantResult],
                           lang: str) -> list[Observation]:
    """Which runs the early-stopping rule stopped, and (in one sentence) which it left."""
    obs = []
    not_stopped: dict[int, list[str]] = {}  # max_epoch -> labels
    for v in ok:
        config = study.config(Variant("", v.options), 0)
        if config.early_stop == "none":
            continue
        stops = {r.stop_reason for r in v.runs}
        c = v.cells
        if stops == {"early_stop"}:
            obs.append(observation("obs_stopped", lang, label=v.label,
                                   epochs=c["epochs_run"].number(),
                                   best=c["best_epoch"].number(),
                                   test=c["final_test_accuracy"].number()))
        elif stops == {"max_epoch"}:
            not_stopped.setdefault(config.max_epoch, []).append(v.label)
    for epochs, labels in not_stopped.items():
        obs.append(observation("obs_not_stopped", lang, label=separator(lang).join(labels),
                               epochs=epochs))
    return obs


def divergence_observation(variants: list[VariantResult], lang: str) -> Observation:
    """The settings that diverged, or that none did."""
    bad = [v.label for v in variants if v.diverged]
    if bad:
        return observation("obs_diverged_runs", lang, {"diverged": bad},
                           runs=separator(lang).join(bad))
    return observation("obs_no_divergence", lang)


def ablation_gain_observation(variants: list[VariantResult], lang: str) -> list[Observation]:
    """Each setting's validation accuracy against the first one's, in points."""
    ref = variants[0]
    if _val(ref).value is None or len(variants) < 2:
        return []
    parts, gains = [], {}
    for v in variants[1:]:
        if _val(v).value is None:
            continue
        gain = round(_val(v).value - _val(ref).value, 2)
        gains[v.label] = gain
        parts.append(f"{v.label} {gain:+.2f}")
    return [observation("obs_ablation_gain", lang, {"gains": gains}, ref=ref.label,
                        ref_val=_val(ref).number(), parts=separator(lang).join(parts))]


def grid_observations(study: Study, variants: list[VariantResult],
                      slices: dict[str, list[tuple[Any, VariantResult]]],
                      by_coords: dict[tuple, VariantResult], lang: str,
                      epochs: int) -> list[Observation]:
    """Best and worst cell, divergence, best value along each axis, batch-size cost."""
    obs = []
    ok = trained(variants)
    if ok:
        best = max(ok, key=lambda v: _val(v).value)  # first of equals, in grid order
        worst = min(ok, key=lambda v: _val(v).value)
        obs.append(observation(
            "obs_grid_best", lang, {"best": best.label, "worst": worst.label}, epochs=epochs,
            label=best.label, val=_val(best).number(),
            test=best.cells["final_test_accuracy"].number(), worst=worst.label,
            worst_val=_val(worst).number()))
    obs.append(divergence_observation(variants, lang))
    axes = list(study.grid)
    for axis in axes:
        line = [(x, v) for x, v in slices[axis] if _val(v).status == "ok"]
        others = [a for a in axes if a != axis]
        if len(line) >= 2 and others:
            bx, bv = max(line, key=lambda p: _val(p[1]).value)
            wx, wv = min(line, key=lambda p: _val(p[1]).value)
            obs.append(observation(
                "obs_axis_best", lang, {"axis": axis, "best": bx},
                other=axis_name(lang, others[0]), ref=value_text(study.reference[others[0]]),
                axis=axis_name(lang, axis), best=value_text(bx), val=_val(bv).number(),
                worst=value_text(wx), worst_val=_val(wv).number()))
        if axis == "batch_size" and len(line) >= 2:
            (b_small, v_small), (b_large, v_large) = line[0], line[-1]
            t_small = v_small.cells["sec_per_epoch"]
            t_large = v_large.cells["sec_per_epoch"]
            ratio = t_small.value / t_large.value if t_large.value else math.inf
            obs.append(observation("obs_batch_time", lang, {"ratio": round(ratio, 1)},
                                   t_small=t_small.number(), b_small=b_small,
                                   t_large=t_large.number(), b_large=b_large,
                                   ratio=f"{ratio:.1f}"))
    if len(axes) == 2:
        a0, a1 = axes
        parts = []
        for x in study.grid[a0]:
            row = [(y, by_coords[(x, y)]) for y in study.grid[a1]]
            row = [(y, v) for y, v in row if _val(v).status == "ok"]
            if row:
                y_best = max(row, key=lambda p: _val(p[1]).value)[0]
                parts.append(f"{value_text(x)} → {value_text(y_best)}")
        if parts:
            obs.append(observation("obs_best_per_row", lang, axis=axis_name(lang, a1),
                                   row_axis=axis_name(lang, a0), parts=", ".join(parts)))
    return obs
