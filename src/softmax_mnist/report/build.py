"""The lab report end to end: run the studies, analyse them into sections, draw the figures,
write ``report.md``, ``report.html`` (figures embedded) and ``results.json``."""

from __future__ import annotations

import os
import platform
import shutil
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..data import Dataset
from ..errors import ConfigError
from ..experiments import KeptWeights, Study, check_executor, execute, unique_specs
from ..experiments.store import RunStore
from ..fileio import write_json, write_text
from ..outputs import OutputFolder
from ..teaching.adapter import unsupported
from .figures import diagnostic_figures, draw, study_figures
from .implementation import implementation_part
from .render import render_html, render_markdown
from .results import Diagnostics, Section
from .safety import file_stem
from .sections import analyse, diagnostics
from .text import LANGS

REPORT_FILES = ("report.md", "report.html", "results.json")
"""The files that mark a folder as holding a report (the figures go with them)."""
FINISHED_RUNS = ".finished-runs"
"""Where the runs finished so far are kept until the report is written (``--resume``)."""


def make_report(studies: Sequence[Study], data: Dataset,
                out: OutputFolder | str | os.PathLike[str], *, lang: str = "en",
                seeds: int = 1, jobs: int | None = None, backend: str = "loky",
                scheduler: str | None = None, quick: bool = False, progress: bool = True,
                command: str = "softmax-mnist report", overwrite: bool = False,
                impl: str | None = None) -> dict[str, Any]:
    """Run ``studies`` on ``data`` and write the report into ``out``; returns results.json.

    Writes ``report.md``, ``report.html``, ``results.json`` and one PNG per figure, all
    at once when everything is done. ``out`` is a claimed OutputFolder, or a path to
    claim (refused when it holds another report, unless ``overwrite``). Runs finished
    before an interruption are kept in ``out/.finished-runs`` and not trained again.
    Settings are compared on validation accuracy; test accuracy is only reported.
    ``impl``: a folder with a student's ``loss.py`` and ``optimizer.py`` (already
    checked), which train every run the course interface can express.
    """
    check_report_options(lang, seeds, jobs, backend, scheduler)
    if not isinstance(out, OutputFolder):
        with OutputFolder(Path(out), REPORT_FILES, overwrite=overwrite) as folder:
            return make_report(studies, data, folder, lang=lang, seeds=seeds, jobs=jobs,
                               backend=backend, scheduler=scheduler, quick=quick,
                               progress=progress, command=command, impl=impl)
    started = time.perf_counter()
    specs = unique_specs(studies, seeds)
    if impl is not None:
        specs = [s if unsupported(s.model.hidden, s.config) else replace(s, impl=impl)
                 for s in specs]
    store = RunStore(out.path / FINISHED_RUNS)
    records = execute(specs, data, jobs=jobs, backend=backend, scheduler=scheduler,
                      progress=progress, store=store)
    stems: set[str] = set()
    sections = [analyse(study, records, seeds, lang, file_stem(study.name, stems))
                for study in studies]
    diagnosed, kept = None, None  # the diagnostics of the first baseline run that trained
    for study in (s for s in studies if s.kind == "baseline"):
        record = records[study.spec(study.variants[0], 0).key]
        if record.weights is not None and not record.diverged:
            diagnosed, kept = diagnostics(record.weights, data, lang), record.weights
            break
    meta = {
        "command": command, "dataset": data.name, "data_source": data.source,
        "sizes": {"train": len(data.y_train), "val": len(data.y_val),
                  "test": len(data.y_test)},
        "seeds": seeds, "quick": quick, "jobs": _jobs_used(jobs), "backend": backend,
        "lang": lang, "runs_trained": len(specs), "wall_seconds": 0.0,
        "version": __version__, "python": platform.python_version(),
        "numpy": np.__version__, "platform": f"{platform.system()} {platform.machine()}",
    }
    implementation = implementation_part(impl, data, studies, lang)
    meta["implementation"] = implementation.record
    with out.staging() as stage:
        _draw_figures(studies, sections, diagnosed, kept, data, stage, jobs)
        meta["wall_seconds"] = round(time.perf_counter() - started, 1)
        results = {"meta": meta, "studies": {s.name: s.to_dict() for s in sections}}
        if diagnosed is not None:
            results["diagnostics"] = diagnosed.to_dict()
        results["implementation"] = implementation.to_dict()
        markdown_text = render_markdown(meta, sections, diagnosed, lang, implementation)
        figures = [f for part in (*sections, diagnosed) if part for f in part.figures]
        write_text(stage / "report.md", markdown_text)
        write_text(stage / "report.html", render_html(markdown_text, stage, figures, lang))
        write_json(stage / "results.json", results)
    shutil.rmtree(store.folder, ignore_errors=True)  # every run is in results.json now
    return results


def check_report_options(lang: str, seeds: int, jobs: int | None, backend: str,
                         scheduler: str | None) -> None:
    """ConfigError for an option of a report that cannot work (before any work starts)."""
    if lang not in LANGS:
        raise ConfigError(f"{{lang}} must be one of {', '.join(LANGS)}, got {lang!r}.",
                          params=("lang",))
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ConfigError(f"{{seeds}} must be a whole number ≥ 1, got {seeds!r}.",
                          params=("seeds",))
    check_executor(jobs, backend, scheduler)


def _draw_figures(studies: Sequence[Study], sections: list[Section],
                  diagnosed: Diagnostics | None, kept: KeptWeights | None, data: Dataset,
                  folder: Path, jobs: int | None) -> None:
    """Draw every figure into ``folder`` and list each on the section it belongs to."""
    tasks, owners = [], []
    for study, section in zip(studies, sections, strict=True):
        new = study_figures(study, section, folder)
        tasks += new
        owners += [section] * len(new)
    if diagnosed is not None:
        new = diagnostic_figures(kept, data, folder)
        tasks += new
        owners += [diagnosed] * len(new)
    for owner, figure in zip(owners, draw(tasks, _local_jobs(jobs)), strict=True):
        owner.figures.append(figure)


def _local_jobs(jobs: int | None) -> int:
    """Processes for drawing figures on this machine."""
    cores = os.cpu_count() or 1
    return cores if jobs in (None, -1) else max(1, min(int(jobs), cores))


def _jobs_used(jobs: int | None) -> int:
    return os.cpu_count() or 1 if jobs in (None, -1) else int(jobs)
