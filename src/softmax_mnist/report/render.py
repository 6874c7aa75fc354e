"""Rendering: ``report.md`` from the sections, and ``report.html`` from the markdown with
every figure embedded (one self-contained file)."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path
from typing import Any

from .cells import value_text
from .implementation import ImplementationPart, implementation_lines
from .results import Diagnostics, Figure, Section, Table
from .safety import code_span, fence, md_escape, sanitize_html
from .text import text


def render_markdown(meta: dict[str, Any], sections: list[Section],
                    diagnostics: Diagnostics | None, lang: str,
                    implementation: ImplementationPart | None = None) -> str:
    """report.md: headings, tables, figures, observations, in study order."""
    t = lambda key, **kw: text(lang, key, **kw)  # noqa: E731
    seeds_text = (t("seeds_one") if meta["seeds"] == 1 else t("seeds_many", seeds=meta["seeds"]))
    lines = [f"# {t('title')}", "",
             t("intro", command=code_span(meta["command"]), dataset=md_escape(meta["dataset"]),
               train=meta["sizes"]["train"], val=meta["sizes"]["val"],
               test=meta["sizes"]["test"], source=md_escape(meta["data_source"]),
               seeds_text=seeds_text, jobs=meta["jobs"], backend=meta["backend"],
               wall=meta["wall_seconds"]), ""]
    if meta["quick"]:
        lines += [t("quick"), ""]
    if implementation is not None:
        lines += [*implementation_lines(implementation, lang), ""]
    question = None
    for section in sections:
        if section.question and section.question != question:
            question = section.question
            heading = t(question) if question in ("Q1", "Q2", "Q3", "Q4") else md_escape(
                question)
            lines += [f"## {heading}", ""]
        title = t(section.name) if section.name in ("baseline", "momentum", "batch-lr",
                                                    "epochs", "preprocessing") else md_escape(
            section.name)
        lines += [f"### {title}", "", t("setting", setting=_setting_text(section)), ""]
        lines += _section_body(section, lang)
        if section.kind == "baseline" and diagnostics is not None:
            lines += [f"### {t('diagnostics')}", ""]
            lines += _section_body(diagnostics, lang)
    if implementation is not None:
        lines += [f"## {t('implementation')}", "", *_section_body(implementation, lang)]
    commands = [meta["command"], *(f"softmax-mnist experiment {s.name}" for s in sections)]
    lines += [f"## {t('reproduce')}", "", t("reproduce_text"), "", *fence(commands), ""]
    return "\n".join(lines)


def _setting_text(section: Section) -> str:
    base = ", ".join(f"{k} = {value_text(v)}" for k, v in section.base.items())
    return code_span(section.source) + (f" — {md_escape(base)}" if base else "")


def _section_body(section: Section | Diagnostics | ImplementationPart, lang: str) -> list[str]:
    lines = []
    for table in section.tables:
        lines += _markdown_table(table)
    for fig in section.figures:
        lines += [f"![{md_escape(fig.caption)}]({fig.file})", ""]
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
code, pre { background: #f6f6f6; }
pre { padding: 0.5rem; overflow-x: auto; }
"""


def render_html(markdown_text: str, folder: Path, figures: list[Figure], lang: str) -> str:
    """A self-contained HTML page: the markdown rendered and sanitised, each of ``figures``
    (files in ``folder``) embedded as base64 data."""
    import markdown

    body = markdown.markdown(markdown_text, extensions=["tables", "fenced_code"])
    embedded = {f.file: base64.b64encode((folder / f.file).read_bytes()).decode("ascii")
                for f in figures}

    def embed(match: re.Match[str]) -> str:
        data = embedded.get(html.unescape(match.group(1)))
        return f'src="data:image/png;base64,{data}"' if data else 'src=""'

    body = sanitize_html(re.sub(r'src="([^"]*)"', embed, body))
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n'
            f'<meta charset="utf-8">\n<title>{text(lang, "title")}</title>\n'
            f"<style>{HTML_STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")
