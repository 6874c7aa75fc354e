"""Figures of a grid study: the heat map of validation accuracy over two options, and for
each option the curves along it (the other option at its reference value) with the time
per epoch (from the serial timing pass)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..experiments import Study
from ..plots import plt
from .cells import value_text
from .figure_text import figure_text
from .plotting import Task, integer_epochs, legend_below, save, style
from .results import Figure, Section
from .sections import grid_slices
from .text import axis_name


def grid_figures(study: Study, section: Section, out: Path, lang: str) -> list[Task]:
    tasks: list[Task] = [(_grid_slice, (study, section, axis, out, lang)) for axis in study.grid]
    if len(study.grid) == 2:
        tasks.insert(0, (_heatmap, (study, section, out, lang)))
    return tasks


def _heatmap(study: Study, section: Section, out: Path, lang: str) -> Figure:
    f = lambda key, **kw: figure_text(lang, key, **kw)  # noqa: E731
    a0, a1 = study.grid
    rows, cols = study.grid[a0], study.grid[a1]
    by_coords = {tuple(v.coords): v for v in section.variants}
    values = np.full((len(rows), len(cols)), np.nan)
    fig, ax = plt.subplots(figsize=(1.3 * len(cols) + 2.5, 0.8 * len(rows) + 2))
    for i, x in enumerate(rows):
        for j, y in enumerate(cols):
            cell = by_coords[(x, y)].cells["final_val_accuracy"]
            if cell.status == "ok":
                values[i, j] = cell.value
    ok = values[np.isfinite(values)]
    low = max(np.percentile(ok, 10) - 1, 0) if ok.size else 0
    high = ok.max() if ok.size else 100
    image = ax.imshow(np.ma.masked_invalid(values), cmap="viridis", vmin=low, vmax=high,
                      aspect="auto")
    image.set_cmap(image.cmap.with_extremes(bad="#d9d9d9"))
    for i, x in enumerate(rows):
        for j, y in enumerate(cols):
            cell = by_coords[(x, y)].cells["final_val_accuracy"]
            label = f"{cell.value:.2f}" if cell.status == "ok" else f("diverged")
            dark = np.isfinite(values[i, j]) and values[i, j] <= (low + high) / 2
            ax.text(j, i, label, ha="center", va="center", fontsize=9,
                    color="white" if dark else "black")
    ax.set_xticks(range(len(cols)), [value_text(c) for c in cols])
    ax.set_yticks(range(len(rows)), [value_text(r) for r in rows])
    epochs = section.variants[0].first_run.config["max_epoch"]
    ax.set(xlabel=axis_name(lang, a1), ylabel=axis_name(lang, a0),
           title=f("heat_title", epochs=epochs))
    fig.colorbar(image, ax=ax, label=f("val_acc_pct"))
    return save(fig, out, f"{section.stem}_heatmap.png",
                f("cap_heatmap", title=section.title or section.name))


def _grid_slice(study: Study, section: Section, axis: str, out: Path, lang: str) -> Figure:
    f = lambda key, **kw: figure_text(lang, key, **kw)  # noqa: E731
    fig, (ax_curve, ax_time) = plt.subplots(1, 2, figsize=(10, 4.2))
    line = grid_slices(study, section.variants)[axis]
    xs, secs = [], []
    for i, (x, variant) in enumerate(line):
        run = variant.first_run
        label = f"{axis_name(lang, axis)} {value_text(x)}" + (
            f" ({f('diverged')})" if run.diverged else "")
        if run.epochs_run:
            ax_curve.plot(range(1, run.epochs_run + 1),
                          [np.nan if v is None else 100 * v for v in run.history["val_accuracy"]],
                          **style(i, len(line) if run.epochs_run > 12 else 1), label=label)
            if variant.cells["sec_per_epoch"].value is not None:
                xs.append(x)
                secs.append(variant.cells["sec_per_epoch"].value)
        else:
            ax_curve.plot([], [], "x", label=label)
    others = [a for a in study.grid if a != axis]
    at = (f("at", axis=axis_name(lang, others[0]), value=value_text(study.reference[others[0]]))
          if others else "")
    suffix = f("paren", x=at) if at else ""
    ax_curve.set(xlabel=f("epoch"), ylabel=f("val_acc_pct"), title=f("val_per_epoch") + suffix)
    integer_epochs(ax_curve)
    ax_time.plot(xs, secs, "o-")
    ax_time.set_ylim(bottom=0)  # equal times stay a flat line, not a zoomed-in wobble
    ax_time.set(xlabel=axis_name(lang, axis), ylabel=f("time_per_epoch"),
                title=f("time_per_epoch") + suffix)
    if len(xs) > 1 and min(xs) > 0 and max(xs) / min(xs) >= 50:
        ax_time.set_xscale("log")
        ax_time.set_xticks(xs, [value_text(x) for x in xs])
        ax_time.minorticks_off()
    for ax in (ax_curve, ax_time):
        ax.grid(alpha=0.3)
    legend_below(fig, [ax_curve], columns=5)
    return save(fig, out, f"{section.stem}_{axis}.png",
                f("cap_slice", title=section.title or section.name,
                  axis=axis_name(lang, axis), at=suffix))
