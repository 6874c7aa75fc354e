"""Figures: training curves. Matplotlib with the non-interactive Agg backend."""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from .fileio import atomic_path
from .training.callbacks import History


def save_figure(fig: plt.Figure, path: str | os.PathLike[str]) -> None:
    """Save ``fig`` as PNG atomically and close it."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)


def plot_curves(history: History, path: str | os.PathLike[str], title: str = "") -> None:
    """Loss and accuracy per epoch, train and validation, side by side."""
    h = history.history
    epochs = range(1, history.epochs_run + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, h["train_loss"], "o-", label="train")
    ax_loss.plot(epochs, h["val_loss"], "s-", label="validation")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", title="loss")
    ax_acc.plot(epochs, [100 * a for a in h["train_accuracy"]], "o-", label="train")
    ax_acc.plot(epochs, [100 * a for a in h["val_accuracy"]], "s-", label="validation")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    for ax in (ax_loss, ax_acc):
        if history.best_epoch is not None:
            ax.axvline(history.best_epoch, color="grey", ls="--", lw=1,
                       label=f"best epoch ({history.best_epoch})")
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    save_figure(fig, path)
