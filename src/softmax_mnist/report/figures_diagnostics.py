"""Figures of the Q1 model's diagnostics: the confusion matrix, the ten weight templates,
misclassified test digits."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..data import IMAGE_SIDE
from ..experiments import KeptWeights
from ..plots import plt
from .figure_text import figure_text
from .plotting import Task, save
from .results import Figure


class TestImages:
    """What the diagnostic figures need of a Dataset (and no more, to ship to workers):
    X_test (N, 784), y_test (N,), classes."""

    def __init__(self, X_test: np.ndarray, y_test: np.ndarray, classes: Sequence[str]):
        self.X_test, self.y_test, self.classes = X_test, y_test, tuple(classes)


def diagnostic_tasks(weights: KeptWeights, data: Any, out: Path, lang: str) -> list[Task]:
    test = TestImages(np.asarray(data.X_test), np.asarray(data.y_test), data.classes)
    return [(_confusion, (weights, test, out, lang)), (_templates, (weights, test, out, lang)),
            (_misclassified, (weights, test, out, lang))]


def _confusion(weights: KeptWeights, data: TestImages, out: Path, lang: str) -> Figure:
    f = lambda key, **kw: figure_text(lang, key, **kw)  # noqa: E731
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
    ax.set(xlabel=f("predicted"), ylabel=f("true"), title=f("confusion_title"))
    fig.colorbar(image, ax=ax, label=f("fraction"))
    return save(fig, out, "diagnostics_confusion.png", f("cap_confusion"))


def _templates(weights: KeptWeights, data: TestImages, out: Path, lang: str) -> Figure:
    f = lambda key, **kw: figure_text(lang, key, **kw)  # noqa: E731
    W = weights.W  # (D, C): column k scores class k
    fig, axes = plt.subplots(2, 5, figsize=(10, 4.6))
    for k, ax in enumerate(axes.flat):
        w = W[:, k].reshape(IMAGE_SIDE, IMAGE_SIDE)
        limit = float(np.abs(w).max()) or 1.0
        ax.imshow(w, cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(f("class", k=data.classes[k]))
        ax.axis("off")
    fig.suptitle(f("templates_title"))
    return save(fig, out, "diagnostics_templates.png", f("cap_templates"))


def _misclassified(weights: KeptWeights, data: TestImages, out: Path, lang: str,
                   count: int = 24) -> Figure:
    f = lambda key, **kw: figure_text(lang, key, **kw)  # noqa: E731
    wrong = np.flatnonzero(weights.test_pred != data.y_test)[:count]
    cols = 8
    rows = max(1, int(np.ceil(len(wrong) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.3, rows * 1.75))
    for ax in np.atleast_1d(axes).flat:
        ax.axis("off")
    for ax, i in zip(np.atleast_1d(axes).flat, wrong, strict=False):
        ax.imshow(np.asarray(data.X_test[i]).reshape(IMAGE_SIDE, IMAGE_SIDE), cmap="gray_r")
        ax.set_title(f("mistake", true=data.classes[data.y_test[i]],
                       pred=data.classes[weights.test_pred[i]]), fontsize=8)
    fig.suptitle(f("misclassified_title", n=len(wrong)))
    return save(fig, out, "diagnostics_misclassified.png", f("cap_misclassified"))
