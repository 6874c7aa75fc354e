"""A finished run: its model, History and metrics, and the files they are saved as."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..fileio import write_json
from ..model import Model
from ..plots import plot_curves
from ..training import History


@dataclass
class RunResult:
    """A trained model, its History and the metrics written to ``metrics.json``."""

    model: Model
    history: History
    metrics: dict[str, Any]

    @property
    def test_accuracy(self) -> float:
        """Accuracy on the test split, in [0, 1]."""
        return self.metrics["test_accuracy"]

    def summary(self) -> str:
        """One line: test, validation and train accuracy, epochs, seconds, data set."""
        m = self.metrics
        status = "DIVERGED (best epoch kept): " if m["diverged"] else ""
        val = "–" if m["val_accuracy"] is None else f"{m['val_accuracy']:.2%}"
        return (f"{status}test accuracy {m['test_accuracy']:.2%} (loss {m['test_loss']:.4f}), "
                f"val {val}, train {m['train_accuracy']:.2%} after "
                f"{m['epochs_run']} epoch{'' if m['epochs_run'] == 1 else 's'} in "
                f"{m['train_seconds']:.2f}s [{m['dataset']}]")

    def save(self, out_dir: str | os.PathLike[str]) -> Path:
        """Write ``model.npz``, ``metrics.json`` and ``curves.png`` into ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.model.save(out / "model.npz")
        write_json(out / "metrics.json", self.metrics)
        if self.history.epochs_run:
            plot_curves(self.history, out / "curves.png",
                        title=f"{self.metrics['dataset']}: test accuracy "
                              f"{self.metrics['test_accuracy']:.2%}")
        return out
