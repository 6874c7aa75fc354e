"""The lab report end to end: run the studies (in parallel), time each distinct setting
alone, analyse them into sections, draw the figures, write ``report.md``, ``report.html``
(figures embedded), ``report.pdf`` (with the ``pdf`` extra) and ``results.json``."""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..data import Dataset
from ..errors import ConfigError
from ..experiments import RunRecord, RunSpec, Study, execute, time_epochs, unique_specs
from ..experiments.timing import MAX_STEPS
from ..fileio import write_json, write_text
from .figures import diagnostic_figures, draw, study_figures
from .pdf import write_pdf
from .render import render_html, render_markdown
from .results import Diagnostics, Section
from .sections import Context, analyse, diagnostics
from .text import LANGS


def make_report(studies: Sequence[Study], data: Dataset, out: str | os.PathLike[str], *,
                lang: str = "en", seeds: int = 1, jobs: int | None = None,
                backend: str = "loky", scheduler: str | None = None, quick: bool = False,
                progress: bool = True, command: str = "softmax-mnist report",
                options: Sequence[str] = (), pdf: bool = True) -> dict[str, Any]:
    """Run ``studies`` on ``data`` and write the report into ``out``; returns results.json.

    Writes ``report.md``, ``report.html``, ``results.json``, one PNG per figure and, with
    ``pdf`` and WeasyPrint installed, ``report.pdf``. Settings are compared on validation
    accuracy; test accuracy is only reported. ``options``: the command-line options that
    change the numbers (``--data-dir DIR``, ``--seeds 3`` …), for the Reproduce section.
    ``progress``: a bar over runs on a terminal, else a line per finished study (stderr).
    """
    if lang not in LANGS:
        raise ConfigError(f"{{lang}} must be one of {', '.join(LANGS)}, got {lang!r}.",
                          params=("lang",))
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ConfigError(f"{{seeds}} must be a whole number ≥ 1, got {seeds!r}.",
                          params=("seeds",))
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    say = _Progress(studies, seeds, progress, started)
    specs = unique_specs(studies, seeds)
    records = execute(specs, data, jobs=jobs, backend=backend, scheduler=scheduler,
                      progress=progress, on_done=say.run_done)
    timed_specs = [sp for st in studies if st.kind != "ablation" for sp in st.specs(1)]
    repeats = 2 if quick else 5
    timings = time_epochs(timed_specs, data, repeats=repeats)
    say.line(f"timed {len(timings)} settings alone (one epoch each, best of {repeats})")
    ctx = Context(lang, 100 / len(data.y_val) if len(data.y_val) else 0.0, timings,
                  _jobs_used(jobs), quick)
    sections: list[Section] = []
    diagnosed: Diagnostics | None = None
    tasks, owners = [], []  # figures to draw, and the section each belongs to
    for study in studies:
        section = analyse(study, records, seeds, ctx)
        sections.append(section)
        new = study_figures(study, section, out, lang)
        tasks += new
        owners += [section] * len(new)
        if study.kind == "baseline":
            record = records[study.spec(study.variants[0], 0).key]
            if record.weights is not None and not record.diverged:
                diagnosed = diagnostics(record.weights, data, lang)
                new = diagnostic_figures(record.weights, data, out, lang)
                tasks += new
                owners += [diagnosed] * len(new)
    for owner, figure in zip(owners, draw(tasks, _local_jobs(jobs), lang), strict=True):
        owner.figures.append(figure)
    say.line(f"drew {len(tasks)} figures")
    meta = {
        "command": command, "dataset": data.name, "data_source": data.source,
        "sizes": {"train": len(data.y_train), "val": len(data.y_val),
                  "test": len(data.y_test)},
        "seeds": seeds, "quick": quick, "jobs": _jobs_used(jobs), "backend": backend,
        "lang": lang, "runs_trained": len(specs), "options": list(options),
        "timing": {"repeats": repeats, "max_steps": MAX_STEPS,
                   "seconds_per_epoch": {k: round(t.seconds, 4) for k, t in timings.items()}},
        "wall_seconds": round(time.perf_counter() - started, 1),
        "version": __version__, "python": platform.python_version(),
        "numpy": np.__version__, "platform": f"{platform.system()} {platform.machine()}",
    }
    results = {"meta": meta, "studies": {s.name: s.to_dict() for s in sections}}
    if diagnosed is not None:
        results["diagnostics"] = diagnosed.to_dict()
    markdown_text = render_markdown(meta, sections, diagnosed, lang)
    write_text(out / "report.md", markdown_text)
    html = render_html(markdown_text, out, lang)
    write_text(out / "report.html", html)
    meta["pdf"] = write_pdf(markdown_text, out, lang) if pdf else {"written": False,
                                                                    "note": None}
    if meta["pdf"]["written"]:
        say.line(f"wrote report.pdf ({meta['pdf']['pages']} pages, "
                 f"{meta['pdf']['seconds']:.1f} s)")
    write_json(out / "results.json", results)
    return results


class _Progress:
    """Lines on stderr while the report runs: one per finished study (the tqdm bar over
    runs shows progress on a terminal; elsewhere, e.g. in a log, these lines do), then one
    per phase after the runs."""

    def __init__(self, studies: Sequence[Study], seeds: int, enabled: bool, started: float):
        self.enabled, self.started = enabled, started
        self.terminal = sys.stderr.isatty()
        self.waiting = {s.name: {sp.key for sp in s.specs(seeds)} for s in studies}
        self.total = len({k for keys in self.waiting.values() for k in keys})
        self.done = 0

    def run_done(self, spec: RunSpec, record: RunRecord) -> None:
        self.done += 1
        for name, keys in list(self.waiting.items()):
            keys.discard(spec.key)
            if not keys:
                del self.waiting[name]
                if not self.terminal:
                    self.line(f"study {name} done ({self.done}/{self.total} runs)")

    def line(self, message: str) -> None:
        if self.enabled:
            from tqdm.auto import tqdm

            tqdm.write(f"report: {message} [{time.perf_counter() - self.started:.0f} s]",
                       file=sys.stderr)


def _local_jobs(jobs: int | None) -> int:
    """Processes for drawing figures on this machine."""
    cores = os.cpu_count() or 1
    return cores if jobs in (None, -1) else max(1, min(int(jobs), cores))


def _jobs_used(jobs: int | None) -> int:
    return os.cpu_count() or 1 if jobs in (None, -1) else int(jobs)
