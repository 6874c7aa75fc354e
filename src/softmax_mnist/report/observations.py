"""Observations: sentences filled with the cells' numbers — which setting won on validation
accuracy and by how much, where training diverged, what reached a threshold when.

Settings are compared on validation accuracy; test accuracy is reported, never used to
choose.
"""

from __future__ import annotations

import math
from typing import Any

from ..experiments import Study, Variant, speed_key
from ..training import TrainConfig
from .cells import percent_text, value_text
from .ranking import comparison_basis, images, is_tie, rank
from .results import Observation, VariantResult
from .text import axis_name, text


def observation(key: str, lang: str, numbers: dict[str, Any] | None = None,
                **words: Any) -> Observation:
    """The template ``key`` filled with ``words``; ``numbers`` are stored with it. An
    English sentence starts with a capital, even when it starts with a run's label."""
    sentence = text(lang, key, **words)
    if lang == "en" and sentence[:1].islower():
        sentence = sentence[0].upper() + sentence[1:]
    return Observation(key, sentence, numbers or {})


def separator(lang: str) -> str:
    """Between the parts of a list sentence."""
    return "；" if lang == "zh" else "; "


def _val(v: VariantResult):
    return v.cells["final_val_accuracy"]


def trained(variants: list[VariantResult]) -> list[VariantResult]:
    """The settings with a validation accuracy (none of their seeds diverged)."""
    return [v for v in variants if _val(v).status == "ok"]


def compare_observations(study: Study, variants: list[VariantResult], lang: str,
                         resolution: float) -> list[Observation]:
    """Leader and margin (ties below one validation image, one basis for all runs),
    thresholds, time per epoch, checkpoints, early stops, divergence."""
    ok = trained(variants)
    obs = ranking_observations(study, ok, lang, resolution)
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
    if study.kind != "ablation":  # its times were measured in parallel (see its table)
        obs += epoch_time_observations(study, ok, lang)
    if len(study.checkpoints) >= 2:
        c1, c2 = study.checkpoints[0], study.checkpoints[-1]
        parts = [text(lang, "obs_checkpoint_part", label=v.label,
                      a=v.cells[f"test_at_{c1}"].number(), b=v.cells[f"test_at_{c2}"].number())
                 for v in ok if v.cells[f"test_at_{c2}"].value is not None]
        if parts:
            obs.append(observation("obs_checkpoint", lang, c1=c1, c2=c2,
                                   parts=separator(lang).join(parts)))
    obs += stopping_observations(study, ok, lang)
    obs.append(divergence_observation(variants, lang))
    return obs


def ranking_observations(study: Study, ok: list[VariantResult], lang: str,
                         resolution: float) -> list[Observation]:
    """The leader (or the tied leaders) on one basis for every run, and by how much."""
    basis = comparison_basis(study, ok)
    r = rank(ok, basis.val, resolution)
    if not r.leaders:
        return []

    def scored(v: VariantResult) -> str:
        at = (text(lang, "at_epoch", epoch=v.cells[basis.epoch].number())
              if basis.epoch else "")
        label = f"**{v.label}**" if v in r.leaders else v.label
        return text(lang, "scored", label=label, val=v.cells[basis.val].number(), at=at)

    numbers = {"basis": basis.name, "leaders": [v.label for v in r.leaders],
               "resolution": round(resolution, 4)}
    words = {"basis": text(lang, f"basis_{basis.name}"),
             "test": " / ".join(v.cells[basis.test].number() for v in r.leaders)}
    if len(r.leaders) == 1 and r.runner_up is None:
        v = r.leaders[0]
        return [observation("obs_only", lang, numbers, label=v.label,
                            val=v.cells[basis.val].number(), **words)]
    if r.runner_up is not None:
        numbers.update(margin=round(r.margin, 2), runner_up=r.runner_up.label,
                       images=round(images(r.margin, resolution), 1))
        words.update(margin=f"{r.margin:.2f}", images=images_text(r.margin, resolution, lang),
                     second=scored(r.runner_up))
    if len(r.leaders) == 1:
        return [observation("obs_best", lang, numbers, lead=scored(r.leaders[0]), **words)]
    key = "obs_tie_all" if r.runner_up is None else "obs_tie"
    return [observation(key, lang, numbers,
                        labels=list_text([f"**{v.label}**" for v in r.leaders], lang),
                        val=r.leaders[0].cells[basis.val].number(), res=f"{resolution:.2f}",
                        **words)]


def images_text(points: float, resolution: float, lang: str) -> str:
    """A margin in points as validation images ("3 validation images")."""
    n = images(points, resolution)
    count = f"{n:.0f}" if abs(n - round(n)) < 0.05 else f"{n:.1f}"
    return text(lang, "images_one" if count == "1" else "images", n=count)


def list_text(labels: list[str], lang: str, most: int = 4) -> str:
    """"A, B and C"; more than ``most`` names become "A, B, C and 5 more". Labels with a
    comma of their own are quoted, so the list stays readable."""
    if any("," in label or "，" in label for label in labels):
        labels = [f"“{label}”" for label in labels]
    if len(labels) > most:
        labels = [*labels[:most - 1], text(lang, "n_more", n=len(labels) - most + 1)]
    if len(labels) == 1:
        return labels[0]
    return text(lang, "and", first=text(lang, "comma").join(labels[:-1]), last=labels[-1])


def epoch_time_observations(study: Study, ok: list[VariantResult],
                            lang: str) -> list[Observation]:
    """Time per epoch across the runs; the explanation follows from the measured ratio."""
    timed = [v for v in ok if v.cells["sec_per_epoch"].value]
    if len(timed) < 2:
        return []
    if len({speed_key(study.spec(Variant("", v.options), 0)) for v in timed}) == 1:
        return [observation("obs_epoch_time_one", lang,
                            seconds=timed[0].cells["sec_per_epoch"].number())]
    by_time = sorted(timed, key=lambda v: v.cells["sec_per_epoch"].value)
    low, high = by_time[0], by_time[-1]
    ratio = high.cells["sec_per_epoch"].value / low.cells["sec_per_epoch"].value
    fast, slow = low.cells["sec_per_epoch"].value, high.cells["sec_per_epoch"].value
    numbers = {"ratio": round(ratio, 2), "percent_more": round(100 * (ratio - 1)),
               "seconds": [round(fast, 3), round(slow, 3)]}  # 3 digits: 0.064–0.068 s
    words = {"low": f"{fast:.3f}", "low_label": low.label, "high": f"{slow:.3f}",
             "high_label": high.label, "pct": f"{100 * (ratio - 1):.0f}"}
    momentum = {v.label: study.config(Variant("", v.options), 0).momentum for v in timed}
    if ratio < SAME_SPEED:
        why = "why_same_momentum" if len(set(momentum.values())) > 1 else "why_same"
        return [observation("obs_epoch_time_same", lang, numbers, why=text(lang, why),
                            **words)]
    why = ""
    if momentum[high.label] > 0 and momentum[low.label] == 0:
        why = text(lang, "why_momentum_cost")
    return [observation("obs_epoch_time", lang, numbers, why=why, **words)]


SAME_SPEED = 1.10  # epoch times within 10 % are "the same": timing noise is about that


def stopping_observations(study: Study, ok: list[VariantResult],
                          lang: str) -> list[Observation]:
    """Which runs the early-stopping rule stopped and why (min_delta), and how many it left."""
    obs = []
    not_stopped: dict[int, list[str]] = {}  # max_epoch -> labels
    for v in ok:
        config = study.config(Variant("", v.options), 0)
        if config.early_stop == "none":
            continue
        stops = {r.stop_reason for r in v.runs}
        if stops == {"early_stop"}:
            obs.append(_stopped(v, config, lang))
        elif stops == {"max_epoch"}:
            not_stopped.setdefault(config.max_epoch, []).append(v.label)
    stopped = len(obs)
    for epochs, labels in not_stopped.items():
        if len(labels) <= 3:
            obs.append(observation("obs_not_stopped", lang, label=list_text(labels, lang),
                                   epochs=epochs))
        else:
            obs.append(observation("obs_not_stopped_many", lang, {"runs": labels},
                                   n=len(labels), epochs=epochs,
                                   others=text(lang, "others") if stopped else ""))
    return obs


def _stopped(v: VariantResult, config: TrainConfig, lang: str) -> Observation:
    """One stopped run: after how many epochs, which rule fired and what it ends with."""
    c = v.cells
    delta = f"{100 * config.min_delta:.2f}"
    ends = text(lang, "ends_best" if config.restore_best_weights else "ends_last",
                best=c["best_epoch"].number(), test=c["final_test_accuracy"].number())
    if len(v.runs) > 1:  # epochs differ between seeds: the rule, without epoch arithmetic
        why = text(lang, f"why_{config.early_stop}", delta=delta, patience=config.patience)
        return observation("obs_stopped", lang, label=v.label, epochs=c["epochs_run"].number(),
                           why=why, ends=ends)
    run = v.first_run
    if config.early_stop == "plateau":
        why = text(lang, "why_plateau", delta=delta)
    else:
        reference = run.epochs_run - config.patience  # the last epoch that counted as a gain
        why = text(lang, "why_patience", delta=delta, patience=config.patience)
        if run.best_epoch and run.best_epoch > reference:
            why += text(lang, "why_patience_small", best=run.best_epoch, ref=reference,
                        delta=delta)
    return observation("obs_stopped", lang, {"min_delta": config.min_delta}, label=v.label,
                       epochs=run.epochs_run, why=why, ends=ends)


def divergence_observation(variants: list[VariantResult], lang: str) -> Observation:
    """The settings that diverged, or that none did."""
    bad = [v.label for v in variants if v.diverged]
    if bad:
        return observation("obs_diverged_runs", lang, {"diverged": bad},
                           runs=separator(lang).join(bad))
    return observation("obs_no_divergence", lang)


def ablation_gain_observation(variants: list[VariantResult], lang: str,
                              resolution: float) -> list[Observation]:
    """Each setting's validation accuracy against the first one's, in points (a tie when
    less than one validation image apart)."""
    ref = variants[0]
    if _val(ref).value is None or len(variants) < 2:
        return []
    parts, gains = [], {}
    for v in variants[1:]:
        if _val(v).value is None:
            continue
        gain = round(_val(v).value - _val(ref).value, 2)
        gains[v.label] = gain
    ranked = sorted(gains.items(), key=lambda p: -p[1])
    if len(ranked) > 6:  # the table has them all; the sentence names the extremes
        ranked = [*ranked[:3], None, *ranked[-3:]]
    for item in ranked:
        if item is None:
            parts.append("…")
            continue
        label, gain = item
        parts.append(f"{label} {text(lang, 'tie')}" if is_tie(gain, resolution)
                     else f"{label} {gain:+.2f}")
    return [observation("obs_ablation_gain", lang, {"gains": gains}, ref=ref.label,
                        ref_val=_val(ref).number(), parts=separator(lang).join(parts))]


def grid_observations(study: Study, variants: list[VariantResult],
                      slices: dict[str, list[tuple[Any, VariantResult]]],
                      by_coords: dict[tuple, VariantResult], lang: str,
                      epochs: int, resolution: float) -> list[Observation]:
    """Best (ties included) and worst cell, divergence, best value along each axis,
    batch-size cost, best value per row."""
    obs = []
    ok = trained(variants)
    if ok:
        r = rank(ok, "final_val_accuracy", resolution)
        best = r.leaders[0]
        worst = min(ok, key=lambda v: _val(v).value)
        tied = (text(lang, "tied_with", labels=list_text([v.label for v in r.leaders[1:]],
                                                          lang))
                if len(r.leaders) > 1 else "")
        obs.append(observation(
            "obs_grid_best", lang, {"best": [v.label for v in r.leaders], "worst": worst.label},
            epochs=epochs, label=best.label, tied=tied, val=_val(best).number(),
            test=best.cells["final_test_accuracy"].number(), worst=worst.label,
            worst_val=_val(worst).number()))
    obs.append(divergence_observation(variants, lang))
    axes = list(study.grid)
    for axis in axes:
        line = [(x, v) for x, v in slices[axis] if _val(v).status == "ok"]
        others = [a for a in axes if a != axis]
        if len(line) >= 2 and others:
            r = rank([v for _, v in line], "final_val_accuracy", resolution)
            value_of = {id(v): x for x, v in line}
            bests = [value_text(value_of[id(v)]) for v in r.leaders]
            wx, wv = min(line, key=lambda p: _val(p[1]).value)
            obs.append(observation(
                "obs_axis_best", lang, {"axis": axis, "best": [value_of[id(v)] for v in
                                                               r.leaders]},
                other=axis_name(lang, others[0]), ref=value_text(study.reference[others[0]]),
                axis=axis_name(lang, axis), best=list_text(bests, lang),
                val=_val(r.leaders[0]).number(), worst=value_text(wx),
                worst_val=_val(wv).number()))
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
            row = [by_coords[(x, y)] for y in study.grid[a1]]
            r = rank(trained(row), "final_val_accuracy", resolution)
            if r.leaders:
                ys = [value_text(v.coords[1]) for v in r.leaders]
                parts.append(f"{value_text(x)} → {' = '.join(ys)}")
        if parts:
            obs.append(observation("obs_best_per_row", lang, axis=axis_name(lang, a1),
                                   row_axis=axis_name(lang, a0),
                                   parts=separator(lang).join(parts)))
    return obs
