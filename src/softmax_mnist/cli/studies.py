"""``softmax-mnist report`` (every study of the lab) and ``experiment`` (one study).

Both claim their output folder before any work and keep every finished run there while
they go; ``--resume DIR`` continues an interrupted report with its own options.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from .options import Parser, add_data_options, add_study_options

ARGS_FILE = ".report-args.json"  # how the report in this folder was asked for (--resume)
ARGS_FORMAT = "softmax-mnist report-args 1"
RESUME_KEEPS = {"--resume", "--quiet", "--jobs", "--data-dir", "--offline"}


def register(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser("report", help="run the lab's studies (Q1–Q6) and write the report",
                       description="Run every study (Q1 default run and diagnostics, Q2 "
                                   "momentum, Q3 batch size × learning rate, epochs / early "
                                   "stopping / decay, Q4 preprocessing and an MLP, Q5 the "
                                   "ladder to a CNN, Q6 lab 2's loss and activation) and "
                                   "write report.md, report.html, report.pdf (with the pdf "
                                   "extra), results.json and the figures. By default lab 1's "
                                   "questions (Q1–Q3); --with NAMES or --all adds the extras. "
                                   "Runs finished before with the same options, seed, data "
                                   "and code are reused from the run cache (--fresh: none).")
    add_data_options(r)
    add_study_options(r, "reports/<timestamp>[-N]")
    extras = r.add_mutually_exclusive_group()
    extras.add_argument("--with", dest="extras", metavar="NAMES", type=_extra_names,
                        default=[], help="add the extras by name, comma-separated: "
                        "preprocessing (Q4), ladder (Q5: its CNN rungs take 20 minutes "
                        "on 2 cores), lab2 (Q6); default: lab 1's questions only (Q1–Q3)")
    extras.add_argument("--all", dest="extras", action="store_const",
                        const=["preprocessing", "ladder", "lab2"],
                        help="every study: Q1–Q3 and the extras Q4–Q6")
    _add_impl(r)
    r.set_defaults(handler=report)

    x = sub.add_parser("experiment", help="run one study and write its part of the report",
                       description="Run one study: baseline (Q1), momentum (Q2), batch-lr "
                                   "or epochs (Q3), preprocessing (Q4), ladder (Q5), lab2 "
                                   "(Q6). Its grid is a TOML file: copy it from the "
                                   "package's studies/ folder, edit it, pass --config.")
    x.add_argument("name", metavar="NAME", nargs="?",
                   help="study name (baseline, momentum, batch-lr, epochs, preprocessing, "
                        "ladder, lab2) or any name with --config")
    x.add_argument("--config", metavar="FILE", help="the study's grid as a TOML file")
    add_data_options(x)
    add_study_options(x, "experiments/<name>-<timestamp>[-N]")
    _add_impl(x)
    x.set_defaults(handler=experiment)


def _parser() -> Parser:
    """A parser of this module's commands alone (the saved arguments of ``--resume``)."""
    parser = Parser(prog="softmax-mnist")
    register(parser.add_subparsers(dest="command", required=True, parser_class=Parser))
    return parser


def _add_impl(p: argparse.ArgumentParser) -> None:
    p.add_argument("--impl", metavar="DIR",
                   help="train with the student's loss.py and optimizer.py in DIR (runs the "
                        "course interface cannot express, Nesterov and MLP, stay ours); "
                        "softmax-mnist check runs on them first")
    p.add_argument("--lab", type=int, choices=(1, 2), default=1,
                   help="with --impl: 1 (loss.py, optimizer.py) or 2 (the course's MLP: "
                        "report runs Q6 on the student's layers with the course's SGD, "
                        "momentum 0, and times their epochs against ours; check --lab 2 runs "
                        "first) (default %(default)s)")


def _check_lab(args: argparse.Namespace) -> None:
    """A one-line error for ``--lab 2`` without a lab-2 ``--impl`` or with lab 1's extras."""
    from ..errors import ConfigError
    from .train_lab2 import refuse_lab1_folder_as_lab2

    if args.lab != 2 or args.resume:
        return
    if not args.impl:
        raise ConfigError("--lab 2 trains a student's lab-2 folder: give {impl} DIR "
                          "(softmax-mnist scaffold --lab 2 DIR writes one).", params=("impl",))
    if getattr(args, "extras", None):
        raise ConfigError("--lab 2 reports lab 2's questions (Q6 on the course's SGD); "
                          "--with and --all add lab 1's extras: drop them.")
    refuse_lab1_folder_as_lab2(args.impl)


def _refuse_untrainable(studies: list, impl: str) -> None:
    """A one-line error when the course's lab-2 classes can train no run of ``studies``
    (a report on them would be ours alone under the student's name)."""
    from ..errors import ConfigError
    from ..teaching.lab2.learner import lab2_unsupported

    for study in studies:
        whys = {lab2_unsupported(study.model(v), study.config(v, 0)) for v in study.variants}
        if all(whys):
            raise ConfigError(f"--impl {impl} --lab 2: the course's lab-2 classes can train "
                              f"no run of {study.name}, whose runs need {sorted(whys)[0]}; "
                              f"lab 2's report is softmax-mnist report --impl DIR --lab 2.")


def _extra_names(text: str) -> list[str]:
    """``"ladder,lab2"`` -> the extras' names, each checked."""
    from ..experiments import EXTRA_STUDIES

    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in EXTRA_STUDIES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"expected extras from {', '.join(EXTRA_STUDIES)} "
                                         f"(comma-separated), got {text!r}")
    return names


def report(args: argparse.Namespace) -> int:
    from ..experiments import LAB_STUDIES, REPORT_STUDIES
    from ..report.implementation_lab2 import LAB2_STUDY

    if args.resume:
        return _resume(args)
    _check_lab(args)
    wanted = ([LAB2_STUDY] if args.lab == 2 else
              [n for n in REPORT_STUDIES if n in LAB_STUDIES or n in args.extras])
    return _run_studies(args, [(name, None) for name in wanted], "reports", "")


def experiment(args: argparse.Namespace) -> int:
    from ..errors import ConfigError

    if args.resume:
        return _resume(args)
    if not args.name:
        raise ConfigError("experiment needs a study NAME (or --resume DIR).")
    _check_lab(args)
    return _run_studies(args, [(args.name, args.config)], "experiments", args.name)


def _run_studies(args: argparse.Namespace, wanted: list[tuple[str, str | None]],
                 parent: str, stem: str, texts: list[str] | None = None) -> int:
    """Load the studies, claim the folder, record the arguments, run, write the report."""
    from .. import signals
    from ..data import load_dataset
    from ..errors import SoftmaxMnistError
    from ..experiments import EXTRA_STUDIES, load_study, read_study_text
    from ..experiments.runcache import RunCache
    from ..fileio import printable, write_json
    from ..outputs import OutputFolder
    from ..report import make_report
    from ..report.build import FINISHED_RUNS, REPORT_FILES, check_report_options
    from ..report.safety import file_stem
    from .teach import require_passing_check

    if texts is None:
        texts = [read_study_text(name, path)[0] for name, path in wanted]
    studies = [load_study(name, path, quick=args.quick, text=text)
               for (name, path), text in zip(wanted, texts, strict=True)]
    check_report_options(args.lang, args.seeds, args.jobs, args.backend, args.scheduler)
    if args.impl and args.lab == 2:
        _refuse_untrainable(studies, args.impl)
    markers = (*REPORT_FILES, ARGS_FILE)
    if args.resume:
        folder = OutputFolder(Path(args.resume), markers, resuming=True)
    elif args.out:
        folder = OutputFolder(Path(args.out), markers, overwrite=args.overwrite)
    else:
        folder = OutputFolder.unique(Path(parent), file_stem(stem) if stem else "", markers)
    out = printable(folder.path)
    impl = str(Path(args.impl).resolve()) if args.impl else None
    asked = {name for name, path in wanted if path is None}
    left_out = [n for n in EXTRA_STUDIES if n not in asked] if (
        args.command == "report" and args.lab == 1) else []
    with folder:
        if impl and not require_passing_check(impl, args.data_dir if args.dataset in (
                None, "mnist") else None, args.command, args.lab):
            return 1  # the folder, made for this report, is removed again
        data = load_dataset(args.dataset, args.data_dir, allow_download=not args.offline,
                            progress=not args.quiet)
        if not args.resume:
            write_json(folder.path / ARGS_FILE, {
                "format": ARGS_FORMAT, "command": args.command, "argv": args.argv,
                "studies": [{"name": n, "path": p, "text": t}
                            for (n, p), t in zip(wanted, texts, strict=True)]})
        finished = folder.path / FINISHED_RUNS
        command = "softmax-mnist " + shlex.join(args.argv)
        try:
            results = make_report(studies, data, folder, lang=args.lang, seeds=args.seeds,
                                  jobs=args.jobs, backend=args.backend,
                                  scheduler=args.scheduler, quick=args.quick,
                                  progress=not args.quiet, command=command, impl=impl,
                                  options=_number_options(args),
                                  run_cache=RunCache(fresh=args.fresh),
                                  left_out=left_out)
        except KeyboardInterrupt as exc:
            kept = len(list(finished.glob("*.json")))
            print(f"softmax-mnist: interrupted; {kept} finished run{'s' * (kept != 1)} kept "
                  f"in {out}. Continue with: softmax-mnist {args.command} --resume {out}",
                  file=sys.stderr)
            return signals.exit_code(exc)
        except SoftmaxMnistError:
            if not args.resume and not any(finished.glob("*.json")):
                (folder.path / ARGS_FILE).unlink(missing_ok=True)  # nothing to resume
            raise
        (folder.path / ARGS_FILE).unlink(missing_ok=True)
    meta = results["meta"]
    pdf = meta["pdf"]
    files = ["report.md", "report.html", *(["report.pdf"] if pdf["written"] else []),
             "results.json"]
    reused = f" ({meta['runs_reused']} reused from the run cache)" if meta["runs_reused"] else ""
    print(f"{meta['runs_trained']} runs{reused} on {meta['dataset']} in "
          f"{meta['wall_seconds']} s → {out}/{', '.join(files)}")
    if meta["left_out"]:
        print(f"softmax-mnist: left out the extras {', '.join(meta['left_out'])}; add them "
              f"with --with {','.join(meta['left_out'])} (or --all)", file=sys.stderr)
    if pdf.get("note"):
        print(f"softmax-mnist: {pdf['note']}", file=sys.stderr)
    return 0


def _number_options(args: argparse.Namespace) -> list[str]:
    """The options given that change the report's numbers (or its language), as typed:
    the Reproduce section repeats them for each study."""
    words = []
    if args.dataset not in (None, "mnist"):
        words += ["--dataset", args.dataset]
    if args.data_dir:
        words += ["--data-dir", args.data_dir]
    if args.offline:
        words.append("--offline")
    if args.quick:
        words.append("--quick")
    if args.seeds != 1:
        words += ["--seeds", str(args.seeds)]
    if args.lang != "en":
        words += ["--lang", args.lang]
    if getattr(args, "impl", None):
        words += ["--impl", args.impl, *(["--lab", "2"] if args.lab == 2 else [])]
    return words


def _resume(args: argparse.Namespace) -> int:
    """Continue the interrupted report in ``args.resume`` with the arguments it was run with."""
    from ..errors import ConfigError

    others = sorted({a.split("=")[0] for a in args.argv if a.startswith("--")} - RESUME_KEEPS)
    if others:
        raise ConfigError(f"--resume continues a report with the options it was started "
                          f"with; drop {', '.join(others)}.")
    folder = Path(args.resume)
    try:
        doc = json.loads((folder / ARGS_FILE).read_text(encoding="utf-8"))
        if doc.get("format") != ARGS_FORMAT or doc.get("command") != args.command:
            raise ValueError("written by another command or version")
        saved = _parser().parse_args(doc["argv"])
        wanted = [(s["name"], s["path"]) for s in doc["studies"]]
        texts = [str(s["text"]) for s in doc["studies"]]
    except FileNotFoundError:
        raise ConfigError(f"{folder} holds no interrupted {args.command}: --resume takes the "
                          f"folder an interrupted run named.") from None
    except (OSError, ValueError, KeyError, TypeError, SystemExit, RecursionError) as exc:
        raise ConfigError(f"{folder}/{ARGS_FILE} is damaged ({exc}); start the "
                          f"{args.command} again.") from None
    saved.argv, saved.resume, saved.quiet = doc["argv"], str(folder), args.quiet
    if "--jobs" in {a.split("=")[0] for a in args.argv}:
        saved.jobs = args.jobs
    if args.data_dir:
        saved.data_dir, saved.offline = args.data_dir, args.offline
    print(f"resuming {folder}", file=sys.stderr)
    return _run_studies(saved, wanted, "", "", texts)
