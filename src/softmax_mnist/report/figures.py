"""The report's figures, drawn from the sections' records (seed 0 of each setting).

``study_figures`` and ``diagnostic_figures`` list the figures to draw as (function,
arguments) tasks; :func:`draw` draws them, in parallel worker processes when there are
several cores (each figure is independent). Every figure function writes one PNG at print
resolution with :func:`plots.save_figure` (atomic) and returns its :class:`Figure`.

What every figure keeps to: words in the report's language (:mod:`figure_text`);
legends outside the axes, so they cover no point; a line style and marker of its own for
each run, so curves that coincide stay visible (and the caption says they coincide);
log axes labelled 0.2, 0.3, 0.5 rather than 2×10⁻¹; no smoothing artefact at the start.
This module draws the curves of the Q1–Q3 studies; ``figures_grid`` the grids,
``figures_diagnostics`` the Q1 model's diagnostics.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..experiments import KeptWeights, RunRecord, Study
from ..plots import plt, use_language
from .figure_text import figure_text
from .figures_diagnostics import diagnostic_tasks
from .figures_grid import grid_figures
from .ladder import ladder_figure
from .observations import list_text
from .plotting import LINESTYLES, Task, integer_epochs, legend_below, log_axis, save, style
from .results import Figure, Section, VariantResult


def draw(tasks: Sequence[Task], jobs: int = 1, lang: str = "en") -> list[Figure]:
    """Draw every task, in order; with ``jobs`` > 1 in the worker processes the runs used
    (see :func:`~softmax_mnist.experiments.execute.worker_pool`)."""
    if jobs <= 1 or len(tasks) <= 1:
        return [_draw_one(fn, args, lang) for fn, args in tasks]
    from ..experiments.execute import worker_pool

    with worker_pool(jobs) as executor:
        return list(executor.map(_draw_one, *zip(*tasks, strict=True),
                                 [lang] * len(tasks)))


def _draw_one(fn: Callable[..., Figure], args: tuple[Any, ...], lang: str) -> Figure:
    use_language(lang)  # in a worker process too
    return fn(*args)




def in_percent(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else 100 * v for v in values], dtype=float)


def epochs_of(run: RunRecord) -> np.ndarray:
    return np.arange(1, run.epochs_run + 1)


def run_label(variant: VariantResult, lang: str) -> str:
    return variant.label + (f" ({figure_text(lang, 'diverged')})" if variant.diverged else "")










def smooth(values: Sequence[float | None], window: int) -> np.ndarray:
    """Centred moving average of ``log(values)`` over ``window`` points, back-transformed;
    at the start the window shrinks symmetrically (point 0 is itself, point 1 the mean of
    three …), at the end the last ``window // 2`` points are left NaN.

    Centred, so no lag: a trailing window sits above a falling loss and drops where it lets
    go of the first high values — an event that never happened. The start keeps the steep
    first descent (there the curve is large and monotone); at the end a cut-short window
    would turn one noisy point into a dip, so the curve stops half a window early. A
    straight line on a log axis stays that line; NaN values are left out of their windows.
    """
    v = np.array([np.nan if x is None else x for x in values], dtype=float)
    n, half = len(v), max(0, window // 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(v)
    ok = np.isfinite(logs)
    sums = np.concatenate([[0.0], np.cumsum(np.where(ok, logs, 0.0))])
    counts = np.concatenate([[0], np.cumsum(ok)])
    out = np.full(n, np.nan)
    i = np.arange(max(0, n - half))
    h = np.minimum(i, half)
    with np.errstate(invalid="ignore", divide="ignore"):
        out[i] = np.exp((sums[i + h + 1] - sums[i - h]) / (counts[i + h + 1] - counts[i - h]))
    return out


def coinciding(curves: dict[str, np.ndarray], span: float) -> list[tuple[str, str]]:
    """Pairs of labels whose curves differ by less than 1 % of ``span`` at every common
    point: drawn on the same axes they look like one curve."""
    pairs = []
    for (a, ya), (b, yb) in itertools.combinations(curves.items(), 2):
        k = min(len(ya), len(yb))
        if k and np.nanmax(np.abs(ya[:k] - yb[:k])) < 0.01 * span:
            pairs.append((a, b))
    return pairs


def coinciding_groups(pairs: list[tuple[str, str]]) -> list[list[str]]:
    """Pairs joined into groups of curves that all look like one (connected pairs)."""
    groups: list[list[str]] = []
    for a, b in pairs:
        joined = [g for g in groups if a in g or b in g]
        merged = list(dict.fromkeys([*(x for g in joined for x in g), a, b]))
        groups = [g for g in groups if g not in joined] + [merged]
    return groups


def coincide_note(groups: list[list[str]], lang: str) -> str:
    if not groups:
        return ""
    sep = "；" if lang == "zh" else "; "
    names = sep.join(list_text(g, lang, most=len(g)) for g in groups)  # quotes if needed
    return figure_text(lang, "cap_coincide", pairs=names)


def study_figures(study: Study, section: Section, out: Path, lang: str) -> list[Task]:
    """The figures of one study (by kind), as tasks for :func:`draw`."""
    if study.kind == "baseline":
        return [(_baseline_curves, (section, out, lang)),
                (_iteration_losses, (section, out, lang))]
    if study.kind == "ablation":  # the table says it all; a ladder's rungs are drawn
        return [(ladder_figure, (section, out, lang))] if study.ladder else []
    if study.kind == "compare":
        return [(_compare_curves, (study, section, out, lang)),
                (_iteration_losses, (section, out, lang))]
    return grid_figures(study, section, out, lang)


def diagnostic_figures(weights: KeptWeights, data: Any, out: Path, lang: str) -> list[Task]:
    """Confusion matrix, weight templates, misclassified digits (see figures_diagnostics)."""
    return diagnostic_tasks(weights, data, out, lang)


def _baseline_curves(section: Section, out: Path, lang: str) -> Figure:
    f = lambda key, **kw: figure_text(lang, key, **kw)  # noqa: E731
    run = section.variants[0].first_run
    h, ep = run.history, epochs_of(run)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    for i, (key, split) in enumerate((("train", "train"), ("validation", "val"),
                                      ("test", "test"))):
        ax_loss.plot(ep, h[f"{split}_loss"], **style(i), label=f(key))
        ax_acc.plot(ep, in_percent(h[f"{split}_accuracy"]), **style(i), label=f(key))
    ax_loss.set(xlabel=f("epoch"), ylabel=f("loss_ce"), title=f("loss_per_epoch"))
    ax_acc.set(xlabel=f("epoch"), ylabel=f("acc_pct"), title=f("acc_per_epoch"))
    for ax in (ax_loss, ax_acc):
        integer_epochs(ax)
        if run.best_epoch:
            ax.axvline(run.best_epoch, color="grey", ls=":", lw=1, label=f("best_epoch"))
        ax.grid(alpha=0.3)
    legend_below(fig, [ax_loss, ax_acc])
    return save(fig, out, f"{section.stem}_curves.png", f("cap_baseline"))


def _iteration_losses(section: Section, out: Path, lang: str) -> Figure:
    f = lambda key, **kw: figure_text(lang, key, **kw)  # noqa: E731
    fig, ax = plt.subplots(figsize=(8, 4))
    single = len(section.variants) == 1
    per = 1
    for i, variant in enumerate(section.variants):
        run = variant.first_run
        losses, per = run.iteration_loss, run.iterations_per_point
        if not losses:
            continue
        x = (np.arange(len(losses)) + 0.5) * per
        if single:  # with several runs the raw lines would hide each other's averages
            ax.plot(x, losses, color="tab:blue", alpha=0.3, lw=0.8,
                    label=f("block_mean", n=per) if per > 1 else None)
        ax.plot(x, smooth(losses, 15), lw=1.6, ls=LINESTYLES[i % len(LINESTYLES)],
                label=f("smoothed") if single else run_label(variant, lang))
    log_axis(ax)
    ax.set(xlabel=f("iteration"), ylabel=f("training_loss"), title=f("iter_title"))
    ax.grid(alpha=0.3, which="both")
    legend_below(fig, [ax], columns=3)
    return save(fig, out, f"{section.stem}_iterations.png",
                f("cap_iterations" if per > 1 else "cap_iterations_each",
                  title=section.title or section.name, n=per))


def _compare_curves(study: Study, section: Section, out: Path, lang: str) -> Figure:
    """2 × 2: validation accuracy per epoch and against time, training loss per epoch, and
    the legend in the fourth panel (it covers nothing there)."""
    f = lambda key, **kw: figure_text(lang, key, **kw)  # noqa: E731
    fig, grid = plt.subplots(2, 2, figsize=(10, 7.2))
    axes, legend_ax = [grid[0, 0], grid[0, 1], grid[1, 0]], grid[1, 1]
    count = len(section.variants)
    stopped, val_curves, loss_curves = False, {}, {}
    for i, variant in enumerate(section.variants):
        run = variant.first_run
        h, ep = run.history, epochs_of(run)
        if not len(ep):
            continue
        s = style(i, count if run.epochs_run > 12 else 1)
        val = in_percent(h["val_accuracy"])
        line = axes[0].plot(ep, val, **s, label=run_label(variant, lang))[0]
        per_epoch = variant.cells["sec_per_epoch"].value or 0.0
        axes[1].plot(ep * per_epoch, val, **s, color=line.get_color())
        axes[2].plot(ep, h["train_loss"], **s, color=line.get_color())
        val_curves[variant.label], loss_curves[variant.label] = val, np.log(h["train_loss"])
        if run.stop_reason == "early_stop":
            stopped = True
            axes[0].plot(ep[-1], val[-1], "x", ms=11, mew=2, color=line.get_color())
    for th in study.thresholds:
        for ax in axes[:2]:
            ax.axhline(100 * th, color="grey", ls=":", lw=1)
    title = f("val_per_epoch") + (f"\n({f('early_mark')})" if stopped else "")
    axes[0].set(xlabel=f("epoch"), ylabel=f("val_acc_pct"), title=title)
    axes[1].set(xlabel=f("training_time"), ylabel=f("val_acc_pct"), title=f("val_vs_time"))
    # seconds can span any range (0.01 … 0.03 s on the sample): few ticks, short labels
    axes[1].xaxis.set_major_locator(MaxNLocator(nbins=5))
    axes[1].xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}"))
    log_axis(axes[2])
    axes[2].set(xlabel=f("epoch"), ylabel=f("train_loss_running"),
                title=f("train_loss_per_epoch"))
    for ax in axes:
        ax.grid(alpha=0.3)
    for ax in (axes[0], axes[2]):
        integer_epochs(ax)
    legend_ax.axis("off")
    legend_ax.legend(*axes[0].get_legend_handles_labels(), loc="center", frameon=False)
    groups = coinciding_groups([p for p in coinciding(val_curves, _span(axes[0]))
                                if p in coinciding(loss_curves, _span(axes[2], log=True))])
    fig.tight_layout()
    caption = f("cap_compare", title=section.title or section.name) + coincide_note(groups,
                                                                                   lang)
    return save(fig, out, f"{section.stem}_curves.png", caption)


def _span(ax: Axes, log: bool = False) -> float:
    low, high = ax.get_ylim()
    return float(np.log(high) - np.log(low)) if log else float(high - low)
