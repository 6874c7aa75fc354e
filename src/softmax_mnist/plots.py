"""Figures: training curves, live while training runs. Matplotlib with the Agg backend.

- :func:`plot_curves` draws loss and accuracy per epoch from a History;
- :class:`LiveCurves` (a training callback) rewrites ``curves.png`` atomically after
  epochs, so an image viewer shows training as it goes (``softmax-mnist train`` attaches
  it); :class:`NotebookCurves` redraws the same figure in place in a Jupyter cell;
- :func:`use_language` makes Chinese text drawable (the CJK font of :mod:`fonts`).
"""

from __future__ import annotations

import io
import os
import time
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from PIL import Image

from . import signals
from .fileio import atomic_path
from .fonts import cjk_font
from .training.callbacks import BestEpoch, Callback, History

SCREEN_DPI = 110  # curves.png of a run
PRINT_DPI = 200  # the report's figures: a 10-inch figure on a 17 cm column is ~300 dpi


def save_figure(fig: plt.Figure, path: str | os.PathLike[str], dpi: int = SCREEN_DPI) -> None:
    """Save ``fig`` as an opaque RGB PNG (white background) atomically and close it.

    Opaque, because a PNG without an alpha channel goes into a PDF as it is, while an
    RGBA one is decoded and split into colour and mask (seconds for the report's PDF).
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    with Image.open(buffer) as image, atomic_path(path) as tmp:
        image.convert("RGB").save(tmp, format="png")


def use_language(lang: str) -> None:
    """Let the following figures draw ``lang``'s text: for Chinese, DejaVu Sans with the
    installed CJK font as fallback for the glyphs it lacks (see :mod:`fonts`)."""
    family = cjk_font() if lang == "zh" else None
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", family] if family else ["sans-serif"]


def draw_curves(history: History, title: str = "", fig: plt.Figure | None = None) -> plt.Figure:
    """Loss and accuracy per epoch, train and validation, side by side (on ``fig``'s two
    axes when given: they are cleared first)."""
    if fig is None:
        fig, _ = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss, ax_acc = fig.axes[:2]
    for ax in (ax_loss, ax_acc):
        ax.clear()
    h = history.history
    epochs = range(1, history.epochs_run + 1)
    ax_loss.plot(epochs, h["train_loss"], "o-", label="train")
    ax_loss.plot(epochs, h["val_loss"], "s--", label="validation")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", title="loss")
    ax_acc.plot(epochs, [100 * a for a in h["train_accuracy"]], "o-", label="train")
    ax_acc.plot(epochs, [100 * a for a in h["val_accuracy"]], "s--", label="validation")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    for ax in (ax_loss, ax_acc):
        ax.xaxis.get_major_locator().set_params(integer=True)
        if history.best_epoch is not None:
            ax.axvline(history.best_epoch, color="grey", ls=":", lw=1,
                       label=f"best epoch ({history.best_epoch})")
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    return fig


def plot_curves(history: History, path: str | os.PathLike[str], title: str = "") -> None:
    """Draw :func:`draw_curves` into the PNG ``path`` (atomically)."""
    save_figure(draw_curves(history, title), path)


class _Curves(Callback):
    """Keeps its own History from the epochs' ``logs`` and redraws it at most every
    ``interval`` seconds and after the last epoch (drawing takes ~0.1 s; an epoch of the
    linear model takes less, so drawing every epoch would triple the training's wall time).
    It draws in ``on_epoch_saved``, after the epoch is recorded, where Ctrl-C may cut in.
    """

    def __init__(self, interval: float = 1.0, start: History | None = None):
        self.interval = interval
        self.history = start if start is not None else History()
        self._drawn_at = -float("inf")
        self._pending = False
        self._best = BestEpoch()
        for i, value in enumerate(self.history.history["val_accuracy"], 1):  # a resumed run
            self._best.update(i, value)

    def on_train_begin(self, network: Any) -> None:
        self.history = History()
        self._best = BestEpoch()

    def on_epoch_end(self, epoch: int, logs: dict[str, float], network: Any) -> bool:
        self.history.record(**logs)
        if self._best.update(epoch, logs["val_accuracy"]):
            self.history.best_epoch = epoch
        self._pending = True
        return False

    def on_epoch_saved(self, epoch: int) -> None:
        if time.monotonic() - self._drawn_at >= self.interval:
            self._redraw()

    def on_train_end(self, network: Any) -> None:
        if self._pending:
            self._redraw()

    def _redraw(self) -> None:
        with signals.deferred():  # Ctrl-C in matplotlib can land in a weakref callback,
            self.draw()           # where Python ignores it: take it after the drawing
        self._drawn_at, self._pending = time.monotonic(), False

    def draw(self) -> None:
        raise NotImplementedError


class LiveCurves(_Curves):
    """Rewrites the PNG ``path`` (atomically) with the curves so far while training runs.

    Args:
        path: where to draw, e.g. ``runs/x/curves.png``; a viewer never sees half a file.
            If it cannot be written (a full disk), drawing stops and training goes on.
        interval: least seconds between two drawings (and always after the last epoch).
        start: the History so far, when a run resumes from a checkpoint.
    """

    def __init__(self, path: str | os.PathLike[str], interval: float = 1.0,
                 start: History | None = None, title: str = "training…"):
        super().__init__(interval, start)
        self.path, self.title = path, title

    def draw(self) -> None:
        if self.path is None:
            return
        try:
            plot_curves(self.history, self.path, self.title)
        except OSError:  # a full disk, a folder gone: a preview is not worth the run
            self.path = None


class NotebookCurves(_Curves):
    """In Jupyter: one figure under the cell, redrawn in place after epochs (like d2l's
    ``Animator``, but through a display handle, so the cell's other output stays).

    ``train(data=data, callbacks=[NotebookCurves("momentum 0.9")], progress=False)``
    """

    def __init__(self, title: str = "", interval: float = 0.5):
        super().__init__(interval)
        self.title = title
        self._handle = None

    def draw(self) -> None:
        from IPython.display import Image, display

        fig = draw_curves(self.history, self.title)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=SCREEN_DPI, bbox_inches="tight")
        plt.close(fig)
        image = Image(buffer.getvalue(), format="png")
        if self._handle is None:
            self._handle = display(image, display_id=True)
        else:
            self._handle.update(image)
