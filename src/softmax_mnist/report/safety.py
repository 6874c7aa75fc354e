"""What keeps text from study files harmless in the report.

Study files are shared between students and instructors, so every word they supply — a
study's name, question, run labels, option values, file paths — is untrusted. In the
markdown it is escaped (:func:`md_escape`: no HTML, no link or image syntax); the HTML
made from the markdown is then sanitised with an allow-list (:func:`sanitize_html`, the
ammonia library through ``nh3``) as a second line of defence; and no name from a study
ever becomes a path outside the report's folder (:func:`file_stem`).
"""

from __future__ import annotations

import re

import nh3

ALLOWED_TAGS = {"h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "em", "strong", "code", "pre",
                "table", "thead", "tbody", "tr", "th", "td", "img", "br", "hr", "blockquote"}
ALLOWED_ATTRIBUTES = {"img": {"src", "alt"}, "th": {"align"}, "td": {"align"}}

_MD_SPECIAL = re.compile(r"([\\`\[\]])")


def md_escape(text: object) -> str:
    """``text`` safe inside markdown prose or a table cell: HTML characters as entities,
    backslashes, backticks and brackets escaped (so no tag, link or image can form)."""
    s = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", s)


def code_span(text: object) -> str:
    """``text`` as inline code, whatever backticks it holds."""
    s = str(text)
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", s)), default=0) + 1)
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{ticks}{pad}{s}{pad}{ticks}"


def fence(lines: list[str]) -> list[str]:
    """A fenced code block around ``lines``, its fence longer than any backtick run in them."""
    longest = max((len(m) for line in lines for m in re.findall(r"`+", line)), default=0)
    ticks = "`" * max(3, longest + 1)
    return [ticks, *lines, ticks]


def sanitize_html(html: str) -> str:
    """Keep only the tags and attributes a report uses; images only as embedded data."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"data"}, link_rel=None)


def file_stem(name: str, taken: set[str] | None = None) -> str:
    """A study's name as a file-name stem: letters, digits, ``_`` and ``-`` only (never a
    path), unique among ``taken`` (which it joins)."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:60] or "study"
    if taken is not None:
        base, k = stem, 2
        while stem in taken:
            stem, k = f"{base}-{k}", k + 1
        taken.add(stem)
    return stem
