"""The lab report end to end: run the studies, analyse them into sections, draw the figures,
write ``report.md``, ``report.html`` (figures embedded) and ``results.json``."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..data import Dataset
from ..errors import ConfigError
from ..experiments import Study, execute, unique_specs
from ..fileio import write_json, write_text
from ..teaching.adapter import unsupported
from .figures import diagnostic_figures, draw, study_figures
from .implementation import implementation_part
from .render import render_html, render_markdown
from .results import Diagnostics, Section
from .sections import analyse, diagnostics
from .text import LANGS


def make_report(studies: Sequence[Study], data: Dataset, out: str | os.PathLike[str], *,
                lang: str = "en", seeds: int = 1, jobs: int | None = None,
                backend: str = "loky", scheduler: str | None = None, quick: bool = False,
                progress: bool = True, command: str = "softmax-mnist report",
                impl: str | None = None) -> dict[str, Any]:
    """Run ``studies`` on ``data`` and write the report into ``out``; returns results.json.

    Writes ``report.md``, ``report.html``, ``results.json`` and one PNG per figure.
    Settings are compared on validation accuracy; test accuracy is only reported.
    ``impl``: a folder with a student's ``loss.py`` and ``optimizer.py`` (already
    checked), which train every run the course interface can express.
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
    specs = unique_specs(studies, seeds)
    if impl is not None:
        specs = [s if unsupported(s.model.hidden, s.config) else replace(s, impl=impl)
                 for s in specs]
    records = execute(specs, data, jobs=jobs, backend=backend, scheduler=scheduler,
                      progress=progress)
    sections: list[Section] = []
    diagnosed: Diagnostics | None = None
    tasks, owners = [], []  # figures to draw, and the section each belongs to
    for study in studies:
        section = analyse(study, records, seeds, lang)
        sections.append(section)
        new = study_figures(study, section, out)
        tasks += new
        owners += [section] * len(new)
        if study.kind == "baseline":
            record = records[study.spec(study.variants[0], 0).key]
            if record.weights is not None and not record.diverged:
                diagnosed = diagnostics(record.weights, data, lang)
                new = diagnostic_figures(record.weights, data, out)
                tasks += new
                owners += [diagnosed] * len(new)
    for owner, figure in zip(owners, draw(tasks, _local_jobs(jobs)), strict=True):
        owner.figures.append(figure)
    meta = {
        "command": command, "dataset": data.name, "data_source": data.source,
        "sizes": {"train": len(data.y_train), "val": len(data.y_val),
                  "test": len(data.y_test)},
        "seeds": seeds, "quick": quick, "jobs": _jobs_used(jobs), "backend": backend,
        "lang": lang, "runs_trained": len(specs), "wall_seconds": round(
            time.perf_counter() - started, 1),
        "version": __version__, "python": platform.python_version(),
        "numpy": np.__version__, "platform": f"{platform.system()} {platform.machine()}",
    }
    implementation = implementation_part(impl, data, studies, lang)
    meta["implementation"] = implementation.record
    results = {"meta": meta, "studies": {s.name: s.to_dict() for s in sections}}
    if diagnosed is not None:
        results["diagnostics"] = diagnosed.to_dict()
    results["implementation"] = implementation.to_dict()
    markdown_text = render_markdown(meta, sections, diagnosed, lang, implementation)
    write_text(out / "report.md", markdown_text)
    write_text(out / "report.html", render_html(markdown_text, out, lang))
    write_json(out / "results.json", results)
    return results


def _local_jobs(jobs: int | None) -> int:
    """Processes for drawing figures on this machine."""
    cores = os.cpu_count() or 1
    return cores if jobs in (None, -1) else max(1, min(int(jobs), cores))


def _jobs_used(jobs: int | None) -> int:
    return os.cpu_count() or 1 if jobs in (None, -1) else int(jobs)
