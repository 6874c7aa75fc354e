"""Plot helpers every report figure uses: the (function, arguments) task a figure is
drawn from, saving at print resolution, a line style per run, the legend under the axes,
log and integer axes. A leaf: it knows nothing of studies or sections."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from ..plots import PRINT_DPI, plt, save_figure
from .results import Figure

Task = tuple[Callable[..., Figure], tuple[Any, ...]]
"""A figure to draw: its function and the arguments it is called with."""

LINESTYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def save(fig: plt.Figure, out: Path, name: str, caption: str) -> Figure:
    """Write ``fig`` as ``out/name`` at print resolution; the report's Figure record."""
    save_figure(fig, out / name, dpi=PRINT_DPI)
    return Figure(name, caption)


def style(i: int, count: int = 1) -> dict[str, Any]:
    """Line style and hollow marker of the i-th run; markers at staggered epochs so that
    coinciding curves still show each run's markers."""
    every = max(1, count)
    return {"ls": LINESTYLES[i % len(LINESTYLES)], "marker": MARKERS[i % len(MARKERS)],
            "mfc": "none", "ms": 6, "markevery": (i % every, every), "lw": 1.5}


def legend_below(fig: plt.Figure, axes: Sequence[Axes], columns: int = 4) -> None:
    """One legend for the whole figure, under the axes: it covers no data."""
    handles, labels = [], []
    for ax in axes:
        for h, label in zip(*ax.get_legend_handles_labels(), strict=True):
            if label not in labels:
                handles.append(h)
                labels.append(label)
    if handles:
        fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                   ncol=min(columns, len(handles)), frameon=False)


def log_axis(ax: Axes) -> None:
    """A log y axis labelled with plain numbers at 1, 2, 3, 5 × 10ᵏ: short labels that
    never reach into the axis label (2×10⁻¹-style minor labels did)."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 3.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def integer_epochs(ax: Axes) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
