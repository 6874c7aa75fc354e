"""The report's "Implementation" part for a lab-2 ``--impl`` (the course's NumPy MLP): which
code trained the runs, what the course's SGD cannot train and was left out, and a speed
table — seconds per epoch of each setting on the student's layers and on softmax-mnist's
own MLP, both timed alone by the report's timing pass (:mod:`..experiments.timing`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from ..experiments import Study
from ..experiments.timing import EpochTiming, speed_key
from ..teaching.impls import impl_record
from .cells import Cell
from .implementation import ImplementationPart, number_cell, reference_runs
from .observations import observation, separator
from .results import table
from .safety import code_span, md_escape
from .sections import variant_label
from .text import text

LAB2_STUDY = "lab2-course"
"""Lab 2's questions (Q6) as the course's SGD trains them: lab2.toml's runs at momentum 0."""


def lab2_implementation_part(impl: str, studies: Sequence[Study],
                             timings: Mapping[str, EpochTiming], lang: str,
                             ) -> ImplementationPart:
    """The record of ``impl``'s files, the runs its classes cannot train, and one row per
    speed setting of ``studies`` (the first run's label): the student's seconds per epoch,
    ours, and their ratio (n/a where a setting was not timed)."""
    t = lambda key, **kw: text(lang, key, **kw)  # noqa: E731
    rows, parts, ratios, seen = [], [], [], set()
    for study in studies:
        for variant in study.variants:
            ours = study.spec(variant, 0)
            theirs = replace(ours, impl=impl)
            if speed_key(theirs) in seen:
                continue
            seen.add(speed_key(theirs))
            a, b = timings.get(speed_key(theirs)), timings.get(speed_key(ours))
            label = variant_label(study, variant, lang)
            if a is None or b is None:
                rows.append([label, *(number_cell(x.seconds, 2) if x else Cell.label(t("na"))
                                      for x in (a, b)), Cell.label(t("na"))])
                continue
            ratio = a.seconds / b.seconds
            ratios.append(ratio)
            rows.append([label, number_cell(a.seconds, 2), number_cell(b.seconds, 2),
                         number_cell(ratio, 1)])
            parts.append(t("lab2_speed_part", label=label, ratio=f"{ratio:.1f}"))
    speed = table(t("lab2_speed_table"), [t("lab2_speed_run"), t("lab2_speed_theirs"),
                                          t("lab2_speed_ours"), t("lab2_speed_ratio")], rows)
    obs = [observation("lab2_speed", lang, {"ratios": [round(r, 3) for r in ratios]},
                       parts=separator(lang).join(parts))] if ratios else []
    return ImplementationPart(impl_record(impl), reference_runs(studies, impl), [speed], obs,
                              momentum_left_out=any(s.name == LAB2_STUDY for s in studies))


def lab2_implementation_lines(part: ImplementationPart, lang: str) -> list[str]:
    """The sentences saying which code trained the runs and what the course's SGD left
    out (markdown), for the intro."""
    t = lambda key, **kw: text(lang, key, **kw)  # noqa: E731
    record = part.record
    files = ", ".join(f"{code_span(name)} {code_span(digest)}"
                      for name, digest in record["files"].items())
    lines = [t("lab2_student", folder=code_span(record["folder"]), files=files),
             *([t("lab2_left_out")] if part.momentum_left_out else [])]
    if part.reference_runs:
        lines.append(t("lab2_reference_runs", runs=md_escape(
            separator(lang).join(part.reference_runs))))
    return [("" if lang == "zh" else " ").join(lines)]
