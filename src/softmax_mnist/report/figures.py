"""The report's figures, drawn from the sections' records (seed 0 of each setting).

``study_figures`` and ``diagnostic_figures`` list the figures to draw as (function,
arguments) tasks; :func:`draw` draws them, in parallel worker processes when there are
several cores (each figure is independent). Every figure function writes one PNG with
:func:`plots.save_figure` (atomic) and returns its :class:`Figure`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.ticker import MaxNLocator

from ..data import IMAGE_SIDE, Dataset
from ..experiments import KeptWeights, RunRecord, Study
from ..plots import plt, save_figure
from .results import Figure, Section, VariantResult
from .sections import grid_slices

Task = tuple[Callable[..., Figure], tuple[Any, ...]]


def draw(tasks: Sequence[Task], jobs: int = 1) -> list[Figure]:
    """Draw every task, in order; with ``jobs`` > 1 in joblib worker processes."""
    if jobs <= 1 or len(tasks) <= 1:
        return [fn(*args) for fn, args in tasks]
    from joblib import Parallel, delayed

    return list(Parallel(n_jobs=min(jobs, len(tasks)), backend="loky")(
        delayed(fn)(*args) for fn, args in tasks))


def _in_percent(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else 100 * v for v in values], dtype=float)


def _epochs(run: RunRecord) -> np.ndarray:
    return np.arange(1, run.epochs_run + 1)


def _label(variant: VariantResult) -> str:
    return variant.label + (" (diverged)" if variant.diverged else "")


def smooth(values: list[float | None], window: int) -> np.ndarray:
    """Moving average over ``window`` points (shorter at the start); NaN-safe."""
    v = np.array([np.nan if x is None else x for x in values], dtype=float)
    ok = np.isfinite(v)
    filled = np.where(ok, v, 0.0)
    kernel = np.ones(max(1, window))
    sums = np.convolve(filled, kernel)[:len(v)]
    counts = np.convolve(ok.astype(float), kernel)[:len(v)]
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts


def study_figures(study: Study, section: Section, out: Path) -> list[Task]:
    """The figures of one study (by kind), as tasks for :func:`draw`."""
    if study.kind == "baseline":
        return [(_baseline_curves, (study, section, out)),
                (_iteration_losses, (study, section, out))]
    if study.kind == "ablation":  # the table says it all
        return []
    if study.kind == "compare":
        return [(_compare_curves, (study, section, out)),
                (_iteration_losses, (study, section, out))]
    tasks: list[Task] = [(_grid_slice, (study, section, axis, out)) for axis in study.grid]
    if len(study.grid) == 2:
        tasks.insert(0, (_heatmap, (study, section, out)))
    return tasks


def _baseline_curves(study: Study, section: Section, out: Path) -> Figure:
    run = section.variants[0].first_run
    h, ep = run.history, _epochs(run)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(ep, h["train_loss"], "o-", label="train (running mean)")
    ax_loss.plot(ep, h["val_loss"], "s-", label="validation")
    ax_loss.plot(ep, h["test_loss"], "^:", label="test")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", title="loss per epoch")
    ax_acc.plot(ep, _in_percent(h["train_accuracy"]), "o-", label="train (running mean)")
    ax_acc.plot(ep, _in_percent(h["val_accuracy"]), "s-", label="validation")
    ax_acc.plot(ep, _in_percent(h["test_accuracy"]), "^:", label="test")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy per epoch")
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if run.best_epoch:
            ax.axvline(run.best_epoch, color="grey", ls="--", lw=1, label="best epoch")
        ax.grid(alpha=0.3)
        ax.legend()
    name = f"{section.stem}_curves.png"
    save_figure(fig, out / name)
    return Figure(name, "Q1: loss and accuracy per epoch (train, validation, test)")


def _iteration_losses(study: Study, section: Section, out: Path) -> Figure:
    fig, ax = plt.subplots(figsize=(8, 4))
    single = len(section.variants) == 1
    for variant in section.variants:
        run = variant.first_run
        losses, per = run.iteration_loss, run.iterations_per_point
        if not losses:
            continue
        x = (np.arange(len(losses)) + 0.5) * per
        if single:
            ax.plot(x, losses, color="tab:blue", alpha=0.3, lw=0.8,
                    label=f"mean of {per} mini-batches")
        ax.plot(x, smooth(losses, 15), lw=1.6,
                label="smoothed" if single else _label(variant))
    ax.set(xlabel="iteration (mini-batch)", ylabel="training loss", yscale="log",
           title=f"{study.name}: training loss per iteration (smoothed)")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    name = f"{section.stem}_iterations.png"
    save_figure(fig, out / name)
    return Figure(name, f"{study.name}: training loss per iteration, smoothed")


def _compare_curves(study: Study, section: Section, out: Path) -> Figure:
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for variant in section.variants:
        run = variant.first_run
        h, ep = run.history, _epochs(run)
        if not len(ep):
            continue
        line = axes[0].plot(ep, _in_percent(h["val_accuracy"]), "-", marker=".",
                            label=_label(variant))[0]
        axes[1].plot(np.cumsum(h["seconds"]), _in_percent(h["val_accuracy"]), "-", marker=".",
                     color=line.get_color())
        axes[2].plot(ep, h["train_loss"], "-", marker=".", color=line.get_color())
        if run.stop_reason == "early_stop":
            axes[0].plot(ep[-1], 100 * h["val_accuracy"][-1], "x", ms=10,
                         color=line.get_color())
    for th in study.thresholds:
        for ax in axes[:2]:
            ax.axhline(100 * th, color="grey", ls=":", lw=1)
    axes[0].set(xlabel="epoch", ylabel="validation accuracy (%)",
                title="validation accuracy per epoch (× = early stop)")
    axes[1].set(xlabel="training time (s)", ylabel="validation accuracy (%)",
                title="validation accuracy against time")
    axes[2].set(xlabel="epoch", ylabel="training loss (running mean)", yscale="log",
                title="training loss per epoch")
    for ax in axes:
        ax.grid(alpha=0.3)
    for ax in (axes[0], axes[2]):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0].legend()
    name = f"{section.stem}_curves.png"
    save_figure(fig, out / name)
    return Figure(name, f"{study.name}: validation accuracy and training loss")


def _heatmap(study: Study, section: Section, out: Path) -> Figure:
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
    image = ax.imshow(np.ma.masked_invalid(values), cmap="viridis", vmin=low,
                      vmax=ok.max() if ok.size else 100, aspect="auto")
    image.cmap.set_bad("#d9d9d9")
    for i, x in enumerate(rows):
        for j, y in enumerate(cols):
            cell = by_coords[(x, y)].cells["final_val_accuracy"]
            label = f"{cell.value:.2f}" if cell.status == "ok" else "diverged"
            shade = "black" if np.isfinite(values[i, j]) and values[i, j] > (
                low + ok.max()) / 2 else "white"
            ax.text(j, i, label, ha="center", va="center", fontsize=9,
                    color=shade if cell.status == "ok" else "black")
    ax.set_xticks(range(len(cols)), [f"{c:g}" for c in cols])
    ax.set_yticks(range(len(rows)), [f"{r:g}" for r in rows])
    ax.set(xlabel=a1.replace("_", " "), ylabel=a0.replace("_", " "),
           title="validation accuracy (%) after "
                 f"{section.variants[0].first_run.config['max_epoch']} epochs")
    fig.colorbar(image, ax=ax, label="validation accuracy (%)")
    name = f"{section.stem}_heatmap.png"
    save_figure(fig, out / name)
    return Figure(name, f"{study.name}: heat map of validation accuracy")


def _grid_slice(study: Study, section: Section, axis: str, out: Path) -> Figure:
    axes_names, ref = list(study.grid), study.reference
    fig, (ax_curve, ax_time) = plt.subplots(1, 2, figsize=(12, 4.2))
    xs, secs = [], []
    for x, variant in grid_slices(study, section.variants)[axis]:
        run = variant.first_run
        label = f"{axis.replace('_', ' ')} {x:g}" + (" (diverged)" if run.diverged else "")
        if run.epochs_run:
            ax_curve.plot(_epochs(run), _in_percent(run.history["val_accuracy"]), "o-",
                          label=label)
            xs.append(x)
            secs.append(variant.cells["sec_per_epoch"].value)
        else:
            ax_curve.plot([], [], "x", label=label)
    others = [a for a in axes_names if a != axis]
    at = f" at {others[0].replace('_', ' ')} {ref[others[0]]:g}" if others else ""
    ax_curve.set(xlabel="epoch", ylabel="validation accuracy (%)",
                 title=f"validation accuracy per epoch{at}")
    ax_curve.legend(fontsize=8)
    ax_curve.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_time.plot(xs, secs, "o-")
    ax_time.set(xlabel=axis.replace("_", " "), ylabel="time per epoch (s)",
                title=f"time per epoch{at}")
    if len(xs) > 1 and min(xs) > 0 and max(xs) / min(xs) >= 50:
        ax_time.set_xscale("log")
    for ax in (ax_curve, ax_time):
        ax.grid(alpha=0.3)
    name = f"{section.stem}_{axis}.png"
    save_figure(fig, out / name)
    return Figure(name, f"{study.name}: effect of {axis.replace('_', ' ')}{at}")


def diagnostic_figures(weights: KeptWeights, data: Dataset, out: Path) -> list[Task]:
    """Confusion matrix, the ten weight templates, misclassified test digits (tasks)."""
    test = _TestSet(np.asarray(data.X_test), np.asarray(data.y_test), data.classes)
    return [(_confusion, (weights, test, out)), (_templates, (weights, test, out)),
            (_misclassified, (weights, test, out))]


class _TestSet:
    """What the diagnostic figures need of a Dataset: X_test (N, 784), y_test (N,), classes."""

    def __init__(self, X_test: np.ndarray, y_test: np.ndarray, classes: Sequence[str]):
        self.X_test, self.y_test, self.classes = X_test, y_test, tuple(classes)


def _confusion(weights: KeptWeights, data: _TestSet, out: Path) -> Figure:
    k = len(data.classes)
    confusion = np.zeros((k, k), dtype=np.int64)
    np.add.at(confusion, (data.y_test.astype(np.int64), weights.test_pred.astype(np.int64)), 1)
    rates = confusion / np.maximum(confusion.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(7, 6))
    image = ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    for i in range(k):
        for j in range(k):
            if confusion[i, j]:
                ax.text(j, i, str(confusion[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if rates[i, j] > 0.5 else "black")
    ax.set_xticks(range(k), data.classes)
    ax.set_yticks(range(k), data.classes)
    ax.set(xlabel="predicted", ylabel="true", title="confusion matrix (test set, counts)")
    fig.colorbar(image, ax=ax, label="fraction of the true class")
    save_figure(fig, out / "diagnostics_confusion.png")
    return Figure("diagnostics_confusion.png", "confusion matrix on the test set")


def _templates(weights: KeptWeights, data: _TestSet, out: Path) -> Figure:
    W = weights.W  # (D, C): column k scores class k
    fig, axes = plt.subplots(2, 5, figsize=(10, 4.4))
    for k, ax in enumerate(axes.flat):
        w = W[:, k].reshape(IMAGE_SIDE, IMAGE_SIDE)
        limit = float(np.abs(w).max()) or 1.0
        ax.imshow(w, cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(f"class {data.classes[k]}")
        ax.axis("off")
    fig.suptitle("weights W[:, k] as 28×28 templates (red: evidence for, blue: against)")
    save_figure(fig, out / "diagnostics_templates.png")
    return Figure("diagnostics_templates.png", "the ten weight vectors as images")


def _misclassified(weights: KeptWeights, data: _TestSet, out: Path,
                   count: int = 24) -> Figure:
    wrong = np.flatnonzero(weights.test_pred != data.y_test)[:count]
    cols = 8
    rows = max(1, int(np.ceil(len(wrong) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.3, rows * 1.55))
    for ax in np.atleast_1d(axes).flat:
        ax.axis("off")
    for ax, i in zip(np.atleast_1d(axes).flat, wrong, strict=False):
        ax.imshow(np.asarray(data.X_test[i]).reshape(IMAGE_SIDE, IMAGE_SIDE), cmap="gray_r")
        ax.set_title(f"true {data.classes[data.y_test[i]]}\npred "
                     f"{data.classes[weights.test_pred[i]]}", fontsize=8)
    fig.suptitle(f"the first {len(wrong)} misclassified test digits")
    save_figure(fig, out / "diagnostics_misclassified.png")
    return Figure("diagnostics_misclassified.png",
                  "misclassified test digits with true and predicted labels")
