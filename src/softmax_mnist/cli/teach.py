"""``softmax-mnist scaffold`` (the student's starting files) and ``check`` (the checklist on
one or many students' folders); ``require_passing_check`` for the ``--impl`` of ``train``,
``experiment`` and ``report``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ..teaching.scaffold import SCAFFOLD_LANGS
from .options import check_output_file, positive_int, write_output_file

DEFAULT_SECONDS, DEFAULT_MEMORY_MB = 20.0, 2048


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("scaffold", help="write the lab's loss.py and optimizer.py to fill in",
                       description="Write loss.py and optimizer.py with the course's interface, "
                                   "docstrings giving every shape and what to compute, and "
                                   "TODO bodies, plus a README.md saying how to check, train "
                                   "and report on them. Never overwrites a file.")
    s.add_argument("folder", metavar="DIR", help="where to write (created if needed)")
    s.add_argument("--lang", choices=SCAFFOLD_LANGS, default="en",
                   help="language of the docstrings and README (default %(default)s)")
    add_lab_option(s, "which lab: 1 (loss.py, optimizer.py) or 2 (the course's MLP: layers/, "
                      "criterion/, optimizer.py, network.py)")
    s.set_defaults(handler=scaffold)

    c = sub.add_parser("check", help="check a student's loss.py and optimizer.py",
                       description="Run the checklist on each folder's loss.py and "
                                   "optimizer.py on the course's shapes — imports, interface, "
                                   "loss, accuracy, large logits, gradients, SGD, momentum, "
                                   "loops and speed, a short training — scored by a rubric. "
                                   "The student's code runs in a bubblewrap sandbox (no "
                                   "network, its own folder read-only, nothing else of yours "
                                   "visible) and only answers probes; every verdict is made "
                                   "outside it. One line per check with a hint for each "
                                   "failure; with several folders one summary line each. Exit "
                                   "0 only if every required check passes.")
    c.add_argument("folders", nargs="+", metavar="DIR", help="a folder with loss.py and "
                                                             "optimizer.py; several for a class")
    c.add_argument("--data-dir", metavar="DIR",
                   help="MNIST for the end-to-end check (default: $SOFTMAX_MNIST_DATA or the "
                        "cache, else the bundled sample; check never downloads)")
    c.add_argument("--format", choices=("text", "json", "gradescope"), default="text",
                   help="text lines, one JSON object per folder and line, or Gradescope's "
                        "results.json (one folder; written to --output)")
    c.add_argument("--json", action="store_const", const="json", dest="format",
                   help="the same as --format json")
    c.add_argument("--output", metavar="FILE", default="results.json",
                   help="where --format gradescope writes (default %(default)s; on "
                        "Gradescope /autograder/results/results.json)")
    c.add_argument("--csv", metavar="FILE", help="also write a grade sheet: one row per folder")
    c.add_argument("--rubric", metavar="FILE",
                   help="points and level (required/robustness) of each check, TOML "
                        "(default: the rubric shipped with softmax-mnist)")
    c.add_argument("--lang", choices=("en", "zh"), default=None,
                   help="language of the lines and hints (default: zh when LANG/LC_ALL is "
                        "zh_*, else en)")
    c.add_argument("--isolation", choices=("sandbox", "process"), default=None,
                   help="sandbox: bubblewrap (refused if it cannot start); process: process "
                        "limits only (default: sandbox where bubblewrap works)")
    c.add_argument("--time-limit", dest="time_limit", type=float, default=DEFAULT_SECONDS,
                   metavar="S", help="seconds each check may take; training 4× (default "
                                     "%(default)g)")
    c.add_argument("--memory-limit", dest="memory_limit", type=positive_int,
                   default=DEFAULT_MEMORY_MB, metavar="MB",
                   help="memory (address space) of the checked code (default %(default)s)")
    c.add_argument("--jobs", type=positive_int, default=1, metavar="N",
                   help="folders checked at the same time (default %(default)s)")
    add_lab_option(c, "which lab's checklist: 1 or 2 (the course's MLP; its lines carry "
                      "points and levels)")
    c.set_defaults(handler=check)


def add_lab_option(p: argparse.ArgumentParser, text: str) -> None:
    p.add_argument("--lab", type=int, choices=(1, 2), default=1,
                   help=f"{text} (default %(default)s)")


def locale_lang(environ: dict[str, str] | None = None) -> str:
    """zh when the locale (LC_ALL, LC_MESSAGES, LANG, the first one set) is Chinese."""
    env = os.environ if environ is None else environ
    for key in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(key):
            return "zh" if env[key].lower().startswith("zh") else "en"
    return "en"


def scaffold(args: argparse.Namespace) -> int:
    from ..teaching.scaffold import scaffold as write
    from .teach_lab2 import scaffold_lab2

    if args.lab == 2:
        return scaffold_lab2(args)
    paths = write(args.folder, args.lang)
    print(f"wrote {', '.join(str(p) for p in paths)}. Fill in the TODOs, then: "
          f"softmax-mnist check {args.folder}")
    return 0


def check(args: argparse.Namespace) -> int:
    from ..errors import SoftmaxMnistError
    from ..teaching.checklist import IDS
    from ..teaching.grading import check_folder, in_parallel
    from ..teaching.lab2.course import refuse_lab2_folder_as_lab1
    from ..teaching.outcome import InOrder, grade_sheet, gradescope, summary_line, total_line
    from ..teaching.rubric import load_rubric
    from ..teaching.sandbox import Limits, choose_isolation
    from .teach_lab2 import check_lab2

    if args.lab == 2:
        return check_lab2(args)
    limits = Limits(args.time_limit, args.memory_limit)
    lang = args.lang or locale_lang()
    if args.data_dir and not Path(args.data_dir).is_dir():
        raise SoftmaxMnistError(f"--data-dir {args.data_dir}: not a folder (it should hold "
                                f"the four MNIST files).")
    not_folders = [f for f in args.folders if not Path(f).is_dir()]
    if not_folders:
        raise SoftmaxMnistError(f"{', '.join(not_folders)}: not a folder (check takes "
                                f"folders holding loss.py and optimizer.py).")
    for folder in args.folders:
        refuse_lab2_folder_as_lab1(folder, "check")
    if args.format == "gradescope" and len(args.folders) != 1:
        raise SoftmaxMnistError("--format gradescope: give one folder (Gradescope grades one "
                                "submission at a time).")
    check_output_file(args.csv, "--csv")
    check_output_file(args.output if args.format == "gradescope" else None, "--output")
    grades = load_rubric(args.rubric, IDS)
    isolation, note = choose_isolation(args.isolation)
    if note:
        print(note, file=sys.stderr if args.format != "text" else sys.stdout, flush=True)
    single = len(args.folders) == 1
    text = args.format == "text"

    def one(folder: str):
        emit = InOrder(print, lang) if single and text else (lambda r: None)
        return check_folder(folder, data_dir=args.data_dir, limits=limits, isolation=isolation,
                            isolation_note=note, lang=lang, grades=grades, on_result=emit)

    width = max(len(f) for f in args.folders)
    reports = []
    for report in in_parallel(one, args.folders, args.jobs):
        reports.append(report)
        if args.format == "json":
            print(json.dumps(report.to_dict(), ensure_ascii=False), flush=True)
        elif args.format == "gradescope":
            write_output_file(args.output, json.dumps(gradescope(report, lang),
                                                      ensure_ascii=False, indent=1).encode(),
                              "--output")
            print(f"{total_line(report, lang)} → {args.output}")
        elif single:
            print(total_line(report, lang))
        else:
            print(summary_line(report, width, lang), flush=True)
    if not single and text:
        passed = sum(r.passed for r in reports)
        print(f"{passed}/{len(reports)} 个文件夹通过全部必需检查" if lang == "zh" else
              f"{passed}/{len(reports)} folders passed every required check")
    if args.csv:  # with a BOM, so that spreadsheet programs read Chinese names as UTF-8
        write_output_file(args.csv, grade_sheet(reports).encode("utf-8-sig"), "--csv")
        print(f"grade sheet → {args.csv}", file=sys.stderr)
    return 0 if all(r.passed for r in reports) else 1


def require_passing_check(impl: str, data_dir: str | None, command: str = "train --impl",
                          lab: int = 1) -> bool:
    """Run ``check`` (``check --lab 2`` with ``lab`` 2) on ``impl`` (isolated, as for an
    instructor) before training on it: True if every required check passes; else print
    the failures on stderr, False."""
    if lab == 2:
        from .teach_lab2 import require_lab2_check

        return require_lab2_check(impl, data_dir)
    from ..teaching.grading import check_folder, stop_all
    from ..teaching.lab2.course import refuse_lab2_folder_as_lab1
    from ..teaching.outcome import result_line, total_line
    from ..teaching.sandbox import Limits, choose_isolation

    if not Path(impl).is_dir():
        from ..errors import SoftmaxMnistError

        raise SoftmaxMnistError(f"--impl {impl}: not a folder (it should hold loss.py and "
                                f"optimizer.py; softmax-mnist scaffold DIR writes them).")
    refuse_lab2_folder_as_lab1(impl, command)
    print(f"checking {impl} …", file=sys.stderr, flush=True)
    try:
        isolation, note = choose_isolation(None)
        if note:
            print(note, file=sys.stderr)
        report = check_folder(impl, data_dir=data_dir, isolation=isolation,
                              limits=Limits(DEFAULT_SECONDS, DEFAULT_MEMORY_MB))
    except KeyboardInterrupt:
        stop_all()
        raise
    print(f"{impl}: {total_line(report)}", file=sys.stderr)
    if report.passed:
        return True
    for result in report.results:
        if result.status != "pass":
            print(result_line(result), file=sys.stderr)
    print(f"softmax-mnist: --impl {impl}: fix the failed checks first (softmax-mnist check "
          f"{impl} runs them again).", file=sys.stderr)
    return False
