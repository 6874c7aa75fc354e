"""Rendering: ``report.md`` from the sections, and ``report.html`` from the markdown with
every figure embedded (one self-contained file). ``pdf`` renders the same markdown."""

from __future__ import annotations

import base64
import itertools
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .cells import value_text
from .figure_text import figure_text
from .results import Diagnostics, Section, Table
from .text import text


def render_markdown(meta: dict[str, Any], sections: list[Section],
                    diagnostics: Diagnostics | None, lang: str) -> str:
    """report.md: headings, tables, figures, observations, in study order."""
    t = lambda key, **kw: text(lang, key, **kw)  # noqa: E731
    seeds_text = (t("seeds_one") if meta["seeds"] == 1 else t("seeds_many", seeds=meta["seeds"]))
    timing = meta["timing"]
    lines = [f"# {t('title')}", "", "```", meta["command"], "```", "",
             t("intro", dataset=meta["dataset"],
               train=f"{meta['sizes']['train']:,}", val=f"{meta['sizes']['val']:,}",
               test=f"{meta['sizes']['test']:,}", source=meta["data_source"],
               seeds_text=seeds_text, wall=meta["wall_seconds"],
               timing=t("timing", jobs=meta["jobs"], backend=meta["backend"],
                        repeats=timing["repeats"], max_steps=f"{timing['max_steps']:,}")),
             ""]
    if meta["quick"]:
        lines += [t("quick"), ""]
    question = None
    numbers = itertools.count(1)  # figure numbers
    for section in sections:
        if section.question and section.question != question:
            question = section.question
            lines += [f"## {t(question) if question in QUESTIONS else question}", ""]
            if question in QUESTIONS:
                lines += [f"> {t(question + '_ask')}", ""]
        lines += [f"### {section.title or section.name}", "",
                  t("setting", setting=_setting_text(section)), ""]
        lines += _section_body(section, lang, numbers)
        if section.kind == "baseline" and diagnostics is not None:
            lines += [f"### {t('diagnostics')}", ""]
            lines += _section_body(diagnostics, lang, numbers)
    lines += [f"## {t('reproduce')}", "", t("reproduce_text"), "", "```",
              meta["command"]]
    lines += [study_command(s, meta["options"]) for s in sections]
    lines += ["```", ""]
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
    return f"`{section.source}`" + (f" — {base}" if base else "")


QUESTIONS = ("Q1", "Q2", "Q3", "Q4")  # the lab's questions, then the extras (text.TEXT)


def _section_body(section: Section | Diagnostics, lang: str,
                  numbers: Iterator[int]) -> list[str]:
    lines = []
    for table in section.tables:
        lines += _markdown_table(table)
    for fig in section.figures:
        label = figure_text(lang, "figure", n=next(numbers))
        lines += [f"![{label}]({fig.file})", "", f"*{label}: {fig.caption}*"
                  if lang == "en" else f"*{label}：{fig.caption}*", ""]
    if section.observations:
        lines += [f"**{text(lang, 'observations')}**", ""]
        lines += [f"- {o.text}" for o in section.observations]
        lines.append("")
    return lines


def _markdown_table(table: Table) -> list[str]:
    esc = lambda s: str(s).replace("|", "\\|")  # noqa: E731
    lines = [f"*{table.title}*", ""] if table.title else []
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


def markdown_body(markdown_text: str) -> str:
    """The markdown as HTML; each figure with its caption as ``<figure>``, headings with
    ids (for the PDF's table of contents)."""
    import markdown

    body = markdown.markdown(markdown_text, extensions=["tables", "fenced_code", "toc"])
    return re.sub(r'<p>(<img alt="[^"]*" src="[^"]+" ?/?>)</p>\s*<p><em>(.*?)</em></p>',
                  r"<figure>\1<figcaption>\2</figcaption></figure>", body)


def render_html(markdown_text: str, folder: Path, lang: str) -> str:
    """A self-contained HTML page: the markdown rendered, every figure embedded (base64)."""
    body = markdown_body(markdown_text)

    def embed(match: re.Match[str]) -> str:
        data = base64.b64encode((folder / match.group(1)).read_bytes()).decode("ascii")
        return f'src="data:image/png;base64,{data}"'

    body = re.sub(r'src="([^":/]+\.png)"', embed, body)
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n'
            f'<meta charset="utf-8">\n<title>{text(lang, "title")}</title>\n'
            f"<style>{HTML_STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")
