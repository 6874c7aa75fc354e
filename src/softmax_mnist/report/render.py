"""Rendering: ``report.md`` from the sections, and from the markdown one sanitised HTML
body with every figure embedded — ``report.html`` around it here, ``report.pdf`` in
``pdf``."""

from __future__ import annotations

import base64
import html
import itertools
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .cells import value_text
from .figure_text import figure_text
from .implementation import ImplementationPart, implementation_lines
from .implementation_lab2 import lab2_implementation_lines
from .results import Diagnostics, Figure, Section, Table
from .safety import code_span, fence, md_escape, sanitize_html
from .text import text

QUESTIONS = ("Q1", "Q2", "Q3", "Q4", "Q5", "Q6")  # the lab's questions, then the extras (text.TEXT)


def render_markdown(meta: dict[str, Any], sections: list[Section],
                    diagnostics: Diagnostics | None, lang: str,
                    implementation: ImplementationPart | None = None) -> str:
    """report.md: the command, the lab's questions with their answers (headings, the
    question asked, tables, numbered figures, observations), a student's implementation
    when given, the commands to reproduce."""
    t = lambda key, **kw: text(lang, key, **kw)  # noqa: E731
    seeds_text = (t("seeds_one") if meta["seeds"] == 1 else t("seeds_many", seeds=meta["seeds"]))
    timing = meta["timing"]
    lines = [f"# {t('title')}", "", *fence([meta["command"]]), "",
             t("intro", dataset=md_escape(meta["dataset"]),
               train=f"{meta['sizes']['train']:,}", val=f"{meta['sizes']['val']:,}",
               test=f"{meta['sizes']['test']:,}", source=md_escape(meta["data_source"]),
               seeds_text=seeds_text, wall=meta["wall_seconds"],
               timing=t("timing", jobs=meta["jobs"], backend=meta["backend"],
                        repeats=timing["repeats"], max_steps=f"{timing['max_steps']:,}")),
             ""]
    if meta["quick"]:
        lines += [t("quick"), ""]
    if meta.get("runs_reused"):
        lines += [t("reused", reused=meta["runs_reused"], runs=meta["runs_trained"],
                    timed=meta["timings_reused"]), ""]
    if meta.get("left_out"):
        parts = t("list_sep").join(t(f"left_{name}") for name in meta["left_out"])
        lines += [t("left_out", parts=parts, names=",".join(meta["left_out"])), ""]
    if implementation is not None:
        lines += [*(lab2_implementation_lines if implementation.record.get("lab") == 2
                    else implementation_lines)(implementation, lang), ""]
    question = None
    numbers = itertools.count(1)  # figure numbers
    for section in sections:
        if section.question and section.question != question:
            question = section.question
            lines += [f"## {t(question) if question in QUESTIONS else md_escape(question)}",
                      ""]
            if question in QUESTIONS:
                lines += [f"> {t(question + '_ask')}", ""]
        lines += [f"### {md_escape(section.title or section.name)}", "",
                  t("setting", setting=_setting_text(section)), ""]
        lines += _section_body(section, lang, numbers)
        if section.kind == "baseline" and diagnostics is not None:
            lines += [f"### {t('diagnostics')}", ""]
            lines += _section_body(diagnostics, lang, numbers)
    if implementation is not None:
        lines += [f"## {t('implementation')}", "",
                  *_section_body(implementation, lang, numbers)]
    commands = [meta["command"], *(study_command(s, meta["options"]) for s in sections)]
    lines += [f"## {t('reproduce')}", "", t("reproduce_text"), "", *fence(commands), ""]
    return "\n".join(lines)


def study_command(section: Section, options: list[str]) -> str:
    """The command that runs one study alone with the same numbers: its file (when it is
    not a packaged one) and every option that changes numbers (``--data-dir`` …)."""
    words = ["softmax-mnist", "experiment", section.name]
    if not section.source.startswith("studies/"):
        words += ["--config", section.source]
    return shlex.join([*words, *options])


def _setting_text(section: Section) -> str:
    base = ", ".join(f"{k} = {value_text(v)}" for k, v in section.base.items())
    return code_span(section.source) + (f" — {md_escape(base)}" if base else "")


def _section_body(section: Section | Diagnostics | ImplementationPart, lang: str,
                  numbers: Iterator[int]) -> list[str]:
    lines = []
    for table in section.tables:
        lines += _markdown_table(table)
    for fig in section.figures:
        label = figure_text(lang, "figure", n=next(numbers))
        colon = ": " if lang == "en" else "："
        lines += [f"![{label}]({fig.file})", "", f"*{label}{colon}{md_escape(fig.caption)}*",
                  ""]
    if section.observations:
        lines += [f"**{text(lang, 'observations')}**", ""]
        lines += [f"- {md_escape(o.text)}" for o in section.observations]
        lines.append("")
    return lines


def _markdown_table(table: Table) -> list[str]:
    esc = lambda s: md_escape(s).replace("|", "\\|")  # noqa: E731
    lines = [f"*{esc(table.title)}*", ""] if table.title else []
    lines.append("| " + " | ".join(esc(c) for c in table.columns) + " |")
    lines.append("|" + "---|" * len(table.columns))
    lines += ["| " + " | ".join(esc(c.text) for c in row) + " |" for row in table.rows]
    return [*lines, ""]


HTML_STYLE = """
body { font-family: -apple-system, "Segoe UI", "Noto Sans", "PingFang SC",
       "Microsoft YaHei", sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.5; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f3f3f3; }
img { max-width: 100%; }
figure { margin: 1rem 0; } figcaption { font-size: 0.9rem; color: #444; }
blockquote { margin: 0.5rem 0; padding-left: 1rem; border-left: 3px solid #ccc; color: #444; }
code, pre { background: #f6f6f6; }
pre { padding: 0.5rem; overflow-x: auto; }
"""


def html_body(markdown_text: str, folder: Path, figures: list[Figure]) -> str:
    """The markdown as sanitised HTML, each of ``figures`` (files in ``folder``) embedded
    as base64 data; then, on the sanitised text, each figure and its caption joined into
    ``<figure>`` and the h2/h3 headings given ids (``sec-1`` …) for a table of contents."""
    import markdown

    body = markdown.markdown(markdown_text, extensions=["tables", "fenced_code"])
    embedded = {f.file: base64.b64encode((folder / f.file).read_bytes()).decode("ascii")
                for f in figures}

    def embed(match: re.Match[str]) -> str:
        data = embedded.get(html.unescape(match.group(1)))
        return f'src="data:image/png;base64,{data}"' if data else 'src=""'

    body = sanitize_html(re.sub(r'src="([^"]*)"', embed, body))
    body = re.sub(r"<p>(<img [^>]*>)</p>\s*<p><em>(.*?)</em></p>",
                  r"<figure>\1<figcaption>\2</figcaption></figure>", body, flags=re.S)
    ids = itertools.count(1)
    return re.sub(r"<h([23])>", lambda m: f'<h{m.group(1)} id="sec-{next(ids)}">', body)


def render_html(body: str, lang: str) -> str:
    """report.html: a self-contained page around :func:`html_body`'s ``body``."""
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n'
            f'<meta charset="utf-8">\n<title>{text(lang, "title")}</title>\n'
            f"<style>{HTML_STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")
