"""``softmax-mnist report`` (every study of the lab) and ``experiment`` (one study)."""

from __future__ import annotations

import argparse
import shlex
from datetime import datetime
from pathlib import Path

from .options import add_data_options, add_study_options


def register(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser("report", help="run the lab's studies (Q1–Q4) and write the report",
                       description="Run every study (Q1 default run and diagnostics, Q2 "
                                   "momentum, Q3 batch size × learning rate, epochs / early "
                                   "stopping / decay, Q4 preprocessing and an MLP) and write "
                                   "report.md, report.html, results.json and the figures.")
    add_data_options(r, "mnist")
    add_study_options(r, "reports/<timestamp>")
    _add_impl(r)
    r.set_defaults(handler=report)

    x = sub.add_parser("experiment", help="run one study and write its part of the report",
                       description="Run one study: baseline (Q1), momentum (Q2), batch-lr "
                                   "or epochs (Q3), preprocessing (Q4). Its grid is a TOML "
                                   "file: copy it from the package's studies/ folder, edit "
                                   "it, pass --config.")
    x.add_argument("name", metavar="NAME", help="study name (baseline, momentum, batch-lr, "
                                                "epochs, preprocessing) or any name with "
                                                "--config")
    x.add_argument("--config", metavar="FILE", help="the study's grid as a TOML file")
    add_data_options(x, "mnist")
    add_study_options(x, "experiments/<name>-<timestamp>")
    _add_impl(x)
    x.set_defaults(handler=experiment)


def _add_impl(p: argparse.ArgumentParser) -> None:
    p.add_argument("--impl", metavar="DIR",
                   help="train with the student's loss.py and optimizer.py in DIR (runs the "
                        "course interface cannot express, Nesterov and MLP, stay ours); "
                        "softmax-mnist check runs on them first")


def report(args: argparse.Namespace) -> int:
    from ..experiments import REPORT_STUDIES, load_study

    studies = [load_study(name, quick=args.quick) for name in REPORT_STUDIES]
    out = Path(args.out) if args.out else Path("reports") / _stamp()
    return _run_studies(args, studies, out)


def experiment(args: argparse.Namespace) -> int:
    from ..experiments import load_study

    study = load_study(args.name, args.config, quick=args.quick)
    out = Path(args.out) if args.out else Path("experiments") / f"{study.name}-{_stamp()}"
    return _run_studies(args, [study], out)


def _run_studies(args: argparse.Namespace, studies: list, out: Path) -> int:
    from ..data import load_dataset
    from ..experiments import check_executor
    from ..report import make_report

    check_executor(args.jobs, args.backend, args.scheduler)  # before loading anything
    impl = str(Path(args.impl).resolve()) if args.impl else None
    if impl:
        from .teach import require_passing_check

        if not require_passing_check(args.impl, args.data_dir if args.dataset == "mnist"
                                     else None):
            return 1
    data = load_dataset(args.dataset, args.data_dir, allow_download=not args.offline,
                        progress=not args.quiet)
    command = "softmax-mnist " + shlex.join(args.argv)
    results = make_report(studies, data, out, lang=args.lang, seeds=args.seeds,
                          jobs=args.jobs, backend=args.backend, scheduler=args.scheduler,
                          quick=args.quick, progress=not args.quiet, command=command,
                          impl=impl)
    meta = results["meta"]
    print(f"{meta['runs_trained']} runs on {meta['dataset']} in {meta['wall_seconds']} s "
          f"→ {out}/report.md, report.html, results.json")
    return 0


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")
