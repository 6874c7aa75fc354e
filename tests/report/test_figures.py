"""The report's figures as a reader sees them: no text over other text, no legend over a
data point, a smoothing that invents no drop, the early-stop mark only when a run stopped,
and Chinese words in the Chinese report."""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest
from matplotlib.transforms import Bbox

from softmax_mnist.data import load_dataset
from softmax_mnist.experiments import REPORT_STUDIES, load_study
from softmax_mnist.experiments.runcache import RunCache
from softmax_mnist.report import build, make_report, plotting
from softmax_mnist.report.figures import coinciding, smooth


def text_boxes(fig) -> list[tuple[str, Bbox]]:
    """Every visible, non-empty text of ``fig`` with its box in pixels: tick labels, axis
    labels, titles, annotations, legends and the figure's title."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = []

    def add(kind: str, artist) -> None:
        if artist is not None and artist.get_visible() and (
                not hasattr(artist, "get_text") or artist.get_text().strip()):
            boxes.append((f"{kind} {getattr(artist, 'get_text', lambda: '')()!r}",
                          artist.get_window_extent(renderer)))

    for i, ax in enumerate(fig.axes):
        if not ax.axison:  # an image shown with axis("off")
            continue
        for axis, (low, high) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            low, high = min(low, high), max(low, high)
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                if low <= tick.get_loc() <= high:  # ticks outside the view are not drawn
                    add(f"axes {i} tick", tick.label1)
        for label in (ax.xaxis.label, ax.yaxis.label, ax.title):
            add(f"axes {i} label", label)
        for note in ax.texts:
            add(f"axes {i} text", note)
        add(f"axes {i} legend", ax.get_legend())
    for legend in fig.legends:
        add("figure legend", legend)
    add("suptitle", fig._suptitle)
    return boxes


def overlapping_text(fig) -> list[str]:
    """Pairs of texts whose boxes overlap by more than a pixel."""
    found = []
    for (a, box_a), (b, box_b) in itertools.combinations(text_boxes(fig), 2):
        shrunk = Bbox.from_extents(box_a.x0 + 1, box_a.y0 + 1, box_a.x1 - 1, box_a.y1 - 1)
        if shrunk.overlaps(box_b):
            found.append(f"{a} × {b}")
    return found


def legend_covered_points(fig) -> list[str]:
    """Data points (line vertices) that a legend covers."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
    covered = []
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            for line in ax.get_lines():
                xy = ax.transData.transform(np.asarray(line.get_xydata(), dtype=float))
                inside = [p for p in xy if np.all(np.isfinite(p)) and box.contains(*p)]
                if inside:
                    covered.append(f"{line.get_label()!r}: {len(inside)} points")
    return covered


@pytest.fixture(scope="module")
def drawn(tmp_path_factory, quick_report, report_cache):
    """Every figure of a quick report (en and zh, drawn in this process, from the runs
    ``quick_report`` trained), checked as it is saved: {(lang, file): problems}."""
    problems: dict[tuple[str, str], list[str]] = {}
    original = plotting.save_figure
    lang = None

    def checked(fig, path, dpi):
        problems[(lang, path.name)] = overlapping_text(fig) + [
            f"legend covers {c}" for c in legend_covered_points(fig)]
        problems[(lang, path.name, "texts")] = [t for t, _ in text_boxes(fig)]
        original(fig, path, dpi)

    mp = pytest.MonkeyPatch()
    mp.setattr(plotting, "save_figure", checked)
    mp.setattr(build, "_local_jobs", lambda jobs: 1)  # draw here, where the check is
    studies = [load_study(name, quick=True) for name in REPORT_STUDIES
               if name != "preprocessing"]  # the ablation has no figure
    data = load_dataset("mnist-sample")
    outs = {}
    try:
        for lang in ("en", "zh"):
            out = tmp_path_factory.mktemp(f"figures-{lang}")
            results = make_report(studies, data, out, lang=lang, quick=True, jobs=2,
                                  progress=False, pdf=False,
                                  run_cache=RunCache(report_cache / "runs"))
            assert results["meta"]["runs_reused"] == results["meta"]["runs_trained"]
            outs[lang] = out
    finally:
        mp.undo()
    return problems, outs


def test_every_figure_is_checked(drawn):
    problems, outs = drawn
    for lang, out in outs.items():
        assert {p.name for p in out.glob("*.png")} == {k[1] for k in problems
                                                      if k[0] == lang and len(k) == 2}


def test_no_text_overlaps_other_text_and_no_legend_covers_a_point(drawn):
    problems, _ = drawn
    bad = {k: v for k, v in problems.items() if len(k) == 2 and v}
    assert not bad


def test_overlap_checker_sees_a_label_over_tick_labels():
    # the oracle's own check: a y label pushed onto the tick labels is found
    from softmax_mnist.plots import plt

    fig, ax = plt.subplots()
    ax.plot([1, 2], [0.3, 0.6])
    ax.set_yscale("log")
    ax.set_ylabel("training loss")
    ax.yaxis.set_label_coords(-0.02, 0.5)
    assert any("label" in p and "tick" in p for p in overlapping_text(fig))
    ax.legend(["curve"], loc="center")  # and a legend over the line's points
    ax.lines[0].set_data([1, 1.5, 2], [0.3, 0.42, 0.6])
    assert legend_covered_points(fig)
    plt.close(fig)


def test_chinese_figures_have_chinese_words(drawn):
    problems, _ = drawn
    for key, texts in problems.items():
        if len(key) == 3 and key[0] == "zh":
            words = " ".join(texts)
            assert re.search(r"[\u4e00-\u9fff]", words), key
            assert not re.search(r"\b(epoch|validation|accuracy|loss|diverged)\b", words), (
                key, words)


def test_early_stop_mark_is_promised_only_when_a_run_stopped(drawn):
    problems, outs = drawn
    results = json.loads((outs["en"] / "results.json").read_text(encoding="utf-8"))
    for name, section in results["studies"].items():
        if section["kind"] != "compare":
            continue
        stopped = any(r["stop_reason"] == "early_stop" for v in section["variants"]
                      for r in v["runs"])
        texts = problems[("en", f"{name}_curves.png", "texts")]
        assert any("early stop" in t for t in texts) == stopped, name


def test_centred_smoothing_invents_no_drop():
    # A loss falling exponentially (a straight line on the log axis) with noise: a trailing
    # window lags above it and drops where the first high values leave the window; the
    # centred log-average stays on the line from the first point, and stops half a window
    # before the end (a cut-short window there would turn one noisy point into a dip).
    rng = np.random.default_rng(0)
    x = np.arange(400)
    truth = 2.3 * np.exp(-x / 60) + 0.25
    noisy = truth * np.exp(rng.normal(0, 0.05, x.size))
    s = smooth(noisy.tolist(), 15)
    assert np.isnan(s[-7:]).all() and np.isfinite(s[:-7]).all()
    assert np.all(np.abs(np.log(s[:-7] / truth[:-7])) < 0.06)
    assert s[0] == pytest.approx(noisy[0])  # the first point is itself: no lag at the start
    line = np.exp(-x / 50)
    assert np.allclose(smooth(line.tolist(), 15)[:-7], line[:-7])  # exact on a log line
    trailing = np.convolve(noisy, np.ones(15) / 15)[:400]  # the old, trailing average …
    trailing[:15] = [noisy[:k + 1].mean() for k in range(15)]
    assert np.max(np.abs(np.log(trailing[15:60] / truth[15:60]))) > 0.1  # … lagged above
    assert np.isnan(smooth([None, None], 5)).all() and smooth([], 5).size == 0


def test_coinciding_curves_are_found():
    a = np.array([90.0, 92.0, 93.0])
    assert coinciding({"a": a, "b": a + 0.02, "c": a - 3}, span=10) == [("a", "b")]


@pytest.mark.parametrize("seconds", [0.00123, 0.0025, 0.0234, 37.7])
def test_time_axes_stay_readable_whatever_an_epoch_takes(tmp_path, monkeypatch, seconds):
    """The "against training time" panel takes its range from the measured seconds, which
    differ from machine to machine (0.0100, 0.0125 … once overlapped in the zh figure):
    with any epoch time its tick labels stay apart."""
    from softmax_mnist.experiments import EpochTiming, speed_key

    def fixed(specs, data, **kwargs):
        return {speed_key(s): EpochTiming(seconds, 1, 1, 1) for s in specs}

    saved = {}
    original = plotting.save_figure

    def checked(fig, path, dpi):
        saved[path.name] = overlapping_text(fig)
        original(fig, path, dpi)

    monkeypatch.setattr(build, "time_epochs", fixed)
    monkeypatch.setattr(plotting, "save_figure", checked)
    monkeypatch.setattr(build, "_local_jobs", lambda jobs: 1)
    make_report([load_study("epochs", quick=True)], load_dataset("mnist-sample"), tmp_path,
                lang="zh", quick=True, jobs=2, progress=False, pdf=False)
    assert saved["epochs_curves.png"] == []
