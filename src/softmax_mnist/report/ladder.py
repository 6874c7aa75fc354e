"""The ladder: an ablation study (``ladder = true``) whose runs each add one idea to the
one before — what every rung bought is read against the rung below it, as test error
(the share of test digits it gets wrong) and how many times fewer mistakes that is."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from ..plots import plt
from .cells import Cell
from .figure_text import figure_text
from .observations import observation, separator
from .plotting import log_axis, save
from .results import Figure, Observation, Section, VariantResult
from .text import text

ERROR_DIGITS = 2


def _test(v: VariantResult) -> float | None:
    return v.cells["final_test_accuracy"].value


def error_cells(variants: list[VariantResult]) -> list[tuple[Cell, Cell]]:
    """Per rung: its test error (%) and how many times fewer mistakes than the rung before
    (``—`` for the first rung or a rung without a number)."""
    cells, before = [], None
    for v in variants:
        acc = _test(v)
        if acc is None:
            cells.append((Cell("—", status="na"), Cell("—", status="na")))
            before = None
            continue
        error = 100 - acc
        ratio = before / error if before is not None and error > 0 else None
        cells.append((Cell(f"{error:.{ERROR_DIGITS}f}", error, n=1, total=1, status="ok",
                           digits=ERROR_DIGITS),
                      Cell("—", status="na") if ratio is None else
                      Cell(f"{ratio:.1f}", ratio, n=1, total=1, status="ok", digits=1)))
        before = error
    return cells


def ladder_observation(variants: list[VariantResult], lang: str) -> list[Observation]:
    """One sentence: every rung's test accuracy and error against the rung before."""
    parts, steps = [], []
    for below, v in itertools.pairwise(variants):
        a, b = _test(below), _test(v)
        if a is None or b is None:
            continue
        ratio = (100 - a) / (100 - b) if b < 100 else float("inf")
        steps.append({"run": v.label, "test_before": a, "test": b, "fewer_mistakes": ratio})
        parts.append(text(lang, "obs_ladder_part", label=v.label,
                          before=below.cells["final_test_accuracy"].number(),
                          test=v.cells["final_test_accuracy"].number(),
                          ratio=f"{ratio:.1f}", seconds=v.cells["train_seconds"].number()))
    if not parts:
        return []
    first = variants[0]
    return [observation("obs_ladder", lang, {"steps": steps}, first=first.label,
                        test=first.cells["final_test_accuracy"].number(),
                        parts=separator(lang).join(parts))]


def ladder_figure(section: Section, out: Path, lang: str) -> Figure:
    """Test error (%) and training seconds of each rung, side by side, log scales."""
    f = lambda key, **kw: figure_text(lang, key, **kw)  # noqa: E731
    rungs = [v for v in section.variants if _test(v) is not None]
    labels = [v.label for v in rungs]
    errors = [100 - _test(v) for v in rungs]
    seconds = [v.cells["train_seconds"].value or np.nan for v in rungs]
    x = np.arange(len(rungs))
    fig, (ax_err, ax_time) = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, values, label, fmt in ((ax_err, errors, f("test_error_pct"), "{:.2f}"),
                                   (ax_time, seconds, f("training_seconds"), "{:.3g}")):
        bars = ax.bar(x, values, color="#4c72b0", width=0.6)
        log_axis(ax)
        ax.bar_label(bars, [fmt.format(v) for v in values], fontsize=8, padding=2)
        ax.set(ylabel=label, xticks=x)
        ax.set_xticklabels(labels, rotation=20, ha="right", fontsize=8)
        ax.grid(alpha=0.3, axis="y")
        ax.margins(y=0.15)
    ax_err.set_title(f("ladder_error_title"))
    ax_time.set_title(f("ladder_time_title"))
    fig.tight_layout()
    return save(fig, out, f"{section.stem}_ladder.png", f("cap_ladder", title=section.title))
