"""The lab report end to end, in four steps: ``plan`` (the distinct runs and the settings
to time), ``run_plan`` (train them, in parallel, and time each setting alone),
``analyse_runs`` (sections, diagnostics, the implementation part) and ``write_report``
(figures, ``report.md``, ``report.html`` with the figures embedded, ``report.pdf`` with the
``pdf`` extra, and ``results.json``). ``make_report`` does all four."""

from __future__ import annotations

import os
import platform
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..data import Dataset
from ..errors import ConfigError
from ..experiments import (
    KeptWeights,
    RunRecord,
    RunSpec,
    Study,
    check_executor,
    execute,
    time_epochs,
    unique_specs,
)
from ..experiments.runcache import RunCache
from ..experiments.store import RunStore
from ..experiments.timing import MAX_STEPS, QUICK_MAX_STEPS, EpochTiming, speed_key
from ..fileio import write_json, write_text
from ..outputs import OutputFolder
from ..teaching.impls import impl_unsupported, lab_of
from .figures import diagnostic_figures, draw, study_figures
from .implementation import ImplementationPart, implementation_part
from .implementation_lab2 import lab2_implementation_part
from .pdf import write_pdf
from .render import html_body, render_html, render_markdown
from .results import Diagnostics, Section
from .safety import file_stem
from .sections import Context, analyse, diagnostics
from .words import LANGS

REPORT_FILES = ("report.md", "report.html", "results.json")
"""The files that mark a folder as holding a report (the figures go with them)."""
FINISHED_RUNS = ".finished-runs"
"""Where the runs finished so far are kept until the report is written (``--resume``)."""


def make_report(studies: Sequence[Study], data: Dataset,
                out: OutputFolder | str | os.PathLike[str], *, lang: str = "en",
                seeds: int = 1, jobs: int | None = None, backend: str = "loky",
                scheduler: str | None = None, quick: bool = False, progress: bool = True,
                command: str = "softmax-mnist report", overwrite: bool = False,
                options: Sequence[str] = (), pdf: bool = True,
                impl: str | None = None, run_cache: RunCache | None = None,
                left_out: Sequence[str] = ()) -> dict[str, Any]:
    """Run ``studies`` on ``data`` and write the report into ``out``; returns results.json.

    Writes ``report.md``, ``report.html``, ``results.json``, one PNG per figure and, with
    ``pdf`` and WeasyPrint installed, ``report.pdf``, all at once when everything is done.
    ``out`` is a claimed OutputFolder, or a path to claim (refused when it holds another
    report, unless ``overwrite``). Runs finished before an interruption are kept in
    ``out/.finished-runs`` and not trained again. Settings are compared on validation
    accuracy; test accuracy is only reported. ``options``: the command-line options that
    change the numbers (``--data-dir DIR``, ``--seeds 3`` …), for the Reproduce section.
    ``progress``: a bar over runs on a terminal, else a line per finished study (stderr).
    ``impl``: a student's folder (already checked), lab 1's ``loss.py`` and
    ``optimizer.py`` or lab 2's layers, which train every run the course's classes can
    express (and are timed; lab 2's beside softmax-mnist's own MLP).
    ``run_cache``: runs (and epoch times) kept by earlier commands are reused from it, and
    the runs trained here are kept in it. ``left_out``: the names of the report's studies
    not asked for (the report says in one line how to add them).
    """
    check_report_options(lang, seeds, jobs, backend, scheduler)
    if not isinstance(out, OutputFolder):
        with OutputFolder(Path(out), REPORT_FILES, overwrite=overwrite) as folder:
            return make_report(studies, data, folder, lang=lang, seeds=seeds, jobs=jobs,
                               backend=backend, scheduler=scheduler, quick=quick,
                               progress=progress, command=command, options=options, pdf=pdf,
                               impl=impl, run_cache=run_cache, left_out=left_out)
    started = time.perf_counter()
    say = _Progress(studies, seeds, progress, started)
    planned = plan(studies, seeds, quick, impl)
    runs = run_plan(planned, data, out, jobs=jobs, backend=backend, scheduler=scheduler,
                    progress=progress, say=say, run_cache=run_cache)
    analysis = analyse_runs(studies, runs, data, seeds, lang, quick, jobs, impl)
    meta = {
        "command": command, "dataset": data.name, "data_source": data.source,
        "sizes": {"train": len(data.y_train), "val": len(data.y_val),
                  "test": len(data.y_test)},
        "seeds": seeds, "quick": quick, "jobs": _jobs_used(jobs), "backend": backend,
        "lang": lang, "runs_trained": len(planned.specs), "options": list(options),
        "runs_reused": run_cache.reused if run_cache else 0,
        "timings_reused": run_cache.timings_reused if run_cache else 0,
        "left_out": list(left_out),
        "timing": {"repeats": planned.repeats, "max_steps": planned.max_steps,
                   "blas_threads": planned.blas_threads,
                   "seconds": runs.timing_seconds,
                   "seconds_per_epoch": {k: round(t.seconds, 4)
                                         for k, t in runs.timings.items()}},
        "wall_seconds": 0.0,
        "version": __version__, "python": platform.python_version(),
        "numpy": np.__version__, "platform": f"{platform.system()} {platform.machine()}",
        "implementation": analysis.implementation.record,
    }
    results = write_report(studies, analysis, meta, data, out, jobs=jobs, lang=lang, pdf=pdf,
                           say=say, started=started)
    shutil.rmtree(out.path / FINISHED_RUNS, ignore_errors=True)  # all in results.json now
    return results


@dataclass(frozen=True)
class Plan:
    """What a report trains (each distinct run once) and times (each setting alone)."""

    specs: list[RunSpec]
    timed_specs: list[RunSpec]
    repeats: int  # timing rounds; the best is kept
    max_steps: int  # steps timed per setting
    blas_threads: int | None = None  # timed on this many BLAS threads at most (None: any)


def plan(studies: Sequence[Study], seeds: int, quick: bool, impl: str | None) -> Plan:
    """The runs of ``studies`` × ``seeds``; with ``impl`` the student's classes train (and
    are timed) wherever the course interface can express the run."""
    def by_impl(spec: RunSpec) -> RunSpec:
        return trained_by(spec, impl)

    repeats, max_steps = (2, QUICK_MAX_STEPS) if quick else (3, MAX_STEPS)
    timed = [sp for st in studies if st.kind != "ablation" for sp in st.specs(1)]
    # lab 2's speed table sets the student's layers against ours: both are timed, on the
    # one BLAS thread the student's run on (two threads of ours on a busy machine took
    # 10 s an epoch where one took 0.6 s: the table would time the machine's load)
    lab2 = impl is not None and lab_of(impl) == 2
    return Plan([by_impl(s) for s in unique_specs(studies, seeds)],
                [*(by_impl(sp) for sp in timed), *(timed if lab2 else [])], repeats,
                max_steps, 1 if lab2 else None)


def trained_by(spec: RunSpec, impl: str | None) -> RunSpec:
    """``spec`` trained by the student's classes in ``impl`` where they can express it."""
    return (spec if impl is None or impl_unsupported(impl, spec.model, spec.config)
            else replace(spec, impl=impl))


def section_timings(studies: Sequence[Study], timings: dict[str, EpochTiming],
                    impl: str | None) -> dict[str, EpochTiming]:
    """The epoch times the sections show, under the speed key of each study's own spec:
    with ``impl``, those of the code that trained the run (the student's where it can)."""
    if impl is None:
        return timings
    pairs = ((speed_key(sp), speed_key(trained_by(sp, impl)))
             for st in studies for sp in st.specs(1))
    return {own: timings[by] for own, by in pairs if by in timings}


@dataclass(frozen=True)
class Runs:
    """What training and timing gave: a RunRecord per run key, an EpochTiming per setting."""

    records: dict[str, RunRecord]
    timings: dict[str, EpochTiming]
    timing_seconds: float


def run_plan(planned: Plan, data: Dataset, out: OutputFolder, *, jobs: int | None,
             backend: str, scheduler: str | None, progress: bool, say: _Progress,
             run_cache: RunCache | None = None) -> Runs:
    """Train every planned run (those finished before an interruption are read back from
    ``out/.finished-runs``, those kept by earlier commands from ``run_cache``), then time
    each setting alone (or take its epoch time from ``run_cache``)."""
    store = RunStore(out.path / FINISHED_RUNS)
    records = execute(planned.specs, data, jobs=jobs, backend=backend, scheduler=scheduler,
                      progress=progress, store=store, cache=run_cache, on_done=say.run_done)
    timing_started = time.perf_counter()
    measure = _on_threads(time_epochs, planned.blas_threads)
    timings = (measure(planned.timed_specs, data, repeats=planned.repeats,
                       max_steps=planned.max_steps)
               if run_cache is None else
               run_cache.timings(planned.timed_specs, data, repeats=planned.repeats,
                                 max_steps=planned.max_steps, measure=measure))
    timing_seconds = round(time.perf_counter() - timing_started, 2)
    reused = f", {run_cache.timings_reused} from the run cache" if run_cache else ""
    say.line(f"timed {len(timings)} settings alone (one epoch each, best of "
             f"{planned.repeats}{reused}) in {timing_seconds} s")
    return Runs(records, timings, timing_seconds)


def _on_threads(measure, threads: int | None):
    """``measure`` on at most ``threads`` BLAS threads (``measure`` itself for None)."""
    if threads is None:
        return measure

    def limited(*args: Any, **kwargs: Any):
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=threads, user_api="blas"):
            return measure(*args, **kwargs)

    return limited


@dataclass
class Analysis:
    """The report's parts: a section per study, the Q1 model's diagnostics (and its kept
    weights, for their figures), and the implementation part."""

    sections: list[Section]
    diagnosed: Diagnostics | None
    kept: KeptWeights | None
    implementation: ImplementationPart


def analyse_runs(studies: Sequence[Study], runs: Runs, data: Dataset, seeds: int, lang: str,
                 quick: bool, jobs: int | None, impl: str | None) -> Analysis:
    """Tables and observations of every study, and the diagnostics of the first baseline
    run that trained without diverging."""
    ctx = Context(lang, 100 / len(data.y_val) if len(data.y_val) else 0.0,
                  section_timings(studies, runs.timings, impl), _jobs_used(jobs), quick)
    stems: set[str] = set()
    sections = [analyse(study, runs.records, seeds, ctx, file_stem(study.name, stems))
                for study in studies]
    diagnosed, kept = None, None
    for study in (s for s in studies if s.kind == "baseline"):
        record = runs.records[study.spec(study.variants[0], 0).key]
        if record.weights is not None and not record.diverged:
            diagnosed, kept = diagnostics(record.weights, data, lang), record.weights
            break
    part = (lab2_implementation_part(impl, studies, runs.timings, lang)
            if impl is not None and lab_of(impl) == 2
            else implementation_part(impl, data, studies, lang))
    return Analysis(sections, diagnosed, kept, part)


def write_report(studies: Sequence[Study], analysis: Analysis, meta: dict[str, Any],
                 data: Dataset, out: OutputFolder, *, jobs: int | None, lang: str, pdf: bool,
                 say: _Progress, started: float) -> dict[str, Any]:
    """Draw the figures and write report.md, report.html, report.pdf and results.json into
    ``out``, all at once; returns results.json."""
    a = analysis
    with out.staging() as stage:
        count = _draw_figures(studies, a.sections, a.diagnosed, a.kept, data, stage, jobs,
                              lang)
        say.line(f"drew {count} figures")
        meta["wall_seconds"] = round(time.perf_counter() - started, 1)
        results = {"meta": meta, "studies": {s.name: s.to_dict() for s in a.sections}}
        if a.diagnosed is not None:
            results["diagnostics"] = a.diagnosed.to_dict()
        results["implementation"] = a.implementation.to_dict()
        markdown_text = render_markdown(meta, a.sections, a.diagnosed, lang, a.implementation)
        figures = [f for part in (*a.sections, a.diagnosed) if part for f in part.figures]
        body = html_body(markdown_text, stage, figures)
        write_text(stage / "report.md", markdown_text)
        write_text(stage / "report.html", render_html(body, lang))
        meta["pdf"] = write_pdf(body, stage, lang) if pdf else {"written": False, "note": None}
        if meta["pdf"]["written"]:
            say.line(f"wrote report.pdf ({meta['pdf']['pages']} pages, "
                     f"{meta['pdf']['seconds']:.1f} s)")
        write_json(stage / "results.json", results)
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
                  folder: Path, jobs: int | None, lang: str) -> int:
    """Draw every figure into ``folder`` and list each on the section it belongs to;
    returns how many."""
    tasks, owners = [], []
    for study, section in zip(studies, sections, strict=True):
        new = study_figures(study, section, folder, lang)
        tasks += new
        owners += [section] * len(new)
    if diagnosed is not None:
        new = diagnostic_figures(kept, data, folder, lang)
        tasks += new
        owners += [diagnosed] * len(new)
    for owner, figure in zip(owners, draw(tasks, _local_jobs(jobs), lang), strict=True):
        owner.figures.append(figure)
    return len(tasks)


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
