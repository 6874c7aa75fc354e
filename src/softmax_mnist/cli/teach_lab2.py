"""``scaffold --lab 2`` and ``check --lab 2``: lab 2 (the course's NumPy MLP) handed out
and checked; ``require_lab2_check`` for ``train --impl DIR --lab 2``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def scaffold_lab2(args: argparse.Namespace) -> int:
    from ..teaching.lab2.scaffold import scaffold

    paths = scaffold(args.folder, args.lang)
    print(f"wrote {len(paths)} files into {args.folder} (layers/, criterion/, optimizer.py, "
          f"network.py, README.md). Fill in the TODOs, then: softmax-mnist check --lab 2 "
          f"{args.folder}")
    return 0


def run_lab2(folder: str, data_dir: str | None, lang: str, emit=None,
             seconds: float = 20.0, memory_mb: int = 2048, isolation: str = "sandbox",
             note: str = "", grades=None):
    """Every lab-2 check on ``folder`` (its probes in lab 1's sandboxed child, with these
    limits; points and levels of ``grades``, default the shipped rubric) -> a Lab2Report;
    ``emit`` gets each line."""
    from ..teaching.lab2.checklist import load_grades, run_checks
    from ..teaching.lab2.outcome import Lab2Report, result_line
    from ..teaching.sandbox import Limits

    started = time.perf_counter()
    results = run_checks(folder, data_dir, on_result=(lambda r: emit(result_line(r, lang)))
                         if emit else (lambda r: None), limits=Limits(seconds, memory_mb),
                         isolation=isolation, grades=grades or load_grades())
    return Lab2Report(folder, results, time.perf_counter() - started, isolation, note)


def check_lab2(args: argparse.Namespace) -> int:
    from ..errors import SoftmaxMnistError
    from ..teaching.lab2.outcome import default_lang

    lang = args.lang or default_lang()
    as_json = args.format == "json"
    if args.format == "gradescope" and len(args.folders) != 1:
        raise SoftmaxMnistError("--format gradescope: give one folder (Gradescope grades one "
                                "submission at a time).")
    if args.data_dir and not Path(args.data_dir).is_dir():
        raise SoftmaxMnistError(f"--data-dir {args.data_dir}: not a folder (it should hold "
                                f"the four MNIST files).")
    not_folders = [f for f in args.folders if not Path(f).is_dir()]
    if not_folders:
        raise SoftmaxMnistError(f"{', '.join(not_folders)}: not a folder (check --lab 2 takes "
                                f"folders holding the course's layers/, criterion/, "
                                f"optimizer.py and network.py).")
    from ..teaching.grading import in_parallel
    from ..teaching.lab2.checklist import load_grades
    from ..teaching.sandbox import Limits, choose_isolation
    from .options import check_output_file, write_output_file

    check_output_file(args.csv, "--csv")
    check_output_file(args.output if args.format == "gradescope" else None, "--output")

    Limits(args.time_limit, args.memory_limit)  # the same ranges as lab 1's
    grades = load_grades(args.rubric)
    isolation, note = choose_isolation(args.isolation)
    if note:
        print(note, file=sys.stdout if args.format == "text" else sys.stderr, flush=True)
    single = len(args.folders) == 1 and args.format == "text"
    width = max(len(f) for f in args.folders)

    def one(folder: str):
        return run_lab2(folder, args.data_dir, lang,
                        emit=(lambda line: print(line, flush=True)) if single else None,
                        seconds=args.time_limit, memory_mb=args.memory_limit,
                        isolation=isolation, note=note, grades=grades)

    reports = []
    for report in in_parallel(one, args.folders, args.jobs):
        reports.append(report)
        if as_json:
            print(json.dumps(report.to_dict(lang), ensure_ascii=False), flush=True)
        elif args.format == "gradescope":
            from ..teaching.lab2.outcome import gradescope

            write_output_file(args.output, json.dumps(gradescope(report, lang),
                                                      ensure_ascii=False, indent=1).encode(),
                              "--output")
            print(f"{report.total_line(lang)} → {args.output}")
        elif single:
            print(report.total_line(lang))
        else:
            print(report.summary_line(lang, width), flush=True)
    if len(reports) > 1 and not as_json:
        passed = sum(r.passed for r in reports)
        print(f"{passed}/{len(reports)} folders passed every required check")
    if args.csv:  # with a BOM, so that spreadsheet programs read Chinese names as UTF-8
        from ..teaching.lab2.outcome import grade_sheet

        write_output_file(args.csv, grade_sheet(reports, lang).encode("utf-8-sig"), "--csv")
        print(f"grade sheet → {args.csv}", file=sys.stderr)
    return 0 if all(r.passed for r in reports) else 1


def require_lab2_check(impl: str, data_dir: str | None) -> bool:
    """Run ``check --lab 2`` on ``impl`` before training on it: True if every check passes;
    else print the failures on stderr and return False."""
    from ..errors import SoftmaxMnistError
    from ..teaching.lab2.outcome import default_lang, result_line

    if not Path(impl).is_dir():
        raise SoftmaxMnistError(f"--impl {impl}: not a folder (it should hold lab 2's files; "
                                f"softmax-mnist scaffold --lab 2 DIR writes them).")
    from ..teaching.sandbox import choose_isolation

    lang = default_lang()
    isolation, note = choose_isolation(None)
    if note:
        print(note, file=sys.stderr, flush=True)
    print(f"checking {impl} (lab 2) …", file=sys.stderr, flush=True)
    report = run_lab2(impl, data_dir, lang, isolation=isolation)
    print(f"{impl}: {report.total_line(lang)}", file=sys.stderr)
    if report.passed:
        return True
    for result in report.results:
        if result.status != "pass":
            print(result_line(result, lang), file=sys.stderr)
    print(f"softmax-mnist: --impl {impl}: fix the failed checks first (softmax-mnist check "
          f"--lab 2 {impl} runs them again).", file=sys.stderr)
    return False
