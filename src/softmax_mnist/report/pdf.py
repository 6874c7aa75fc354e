"""``report.pdf``: the report as a document to hand in, rendered by WeasyPrint.

Why WeasyPrint: it lays out the same HTML and CSS the report already is (the markdown
rendered once, for both files), with what print needs — CSS paged media for page
numbers (``counter(page)``), a table of contents whose page numbers it fills in
(``target-counter``), PDF bookmarks from the headings, embedded fonts, and CJK line
breaking through Pango. It is BSD-licensed, released several times a year, installs
from PyPI (Pango comes from the system: ``apt-get install libpango-1.0-0
libpangoft2-1.0-0``). A LaTeX toolchain would be a far heavier system dependency;
matplotlib's PDF backend lays out no text; a browser engine cannot be installed from the
registries here.

Layout: a title, the introduction and the table of contents on the first page, each of
the lab's questions (Q1, Q2, Q3, then the extra Q4 and the commands to reproduce) from a
new page, figures at 200 dpi with their numbered captions, page numbers at the foot.
Chinese text uses the CJK font of :mod:`softmax_mnist.fonts`.
"""

from __future__ import annotations

import html
import re
import time
from pathlib import Path
from typing import Any

from ..fileio import atomic_path
from ..fonts import INSTALL_HINT, cjk_font
from ..plots import PRINT_DPI
from .text import text

INSTALL = ("pip install 'softmax-mnist[pdf]' (WeasyPrint; on Debian/Ubuntu it also needs "
           "apt-get install libpango-1.0-0 libpangoft2-1.0-0)")

PDF_STYLE = """
@page { size: A4; margin: 18mm 16mm 20mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt;
                   color: #666; }
  @top-right { content: string(title); font-size: 8pt; color: #666; } }
@page :first { @top-right { content: none; } }
html { font-family: FONTS; font-size: 9.5pt; line-height: 1.45; color: #222; }
h1 { string-set: title content(); font-size: 17pt; margin: 0 0 0.6em; }
h2 { break-before: page; font-size: 13.5pt; border-bottom: 1px solid #999;
     padding-bottom: 2pt; }
h3 { font-size: 11pt; margin-top: 1.2em; break-after: avoid; }
h2, h3 { bookmark-level: auto; }
nav.toc { break-after: page; }
nav.toc h2 { break-before: avoid; border: none; }
nav.toc ul { list-style: none; padding-left: 0; }
nav.toc li.h3 { padding-left: 1.5em; }
nav.toc a { color: inherit; text-decoration: none; }
nav.toc a::after { content: leader('.') target-counter(attr(href), page); }
table { border-collapse: collapse; margin: 0.4em 0 0.9em; font-size: 7.5pt;
        break-inside: avoid; }
th, td { border: 0.5pt solid #bbb; padding: 1.5pt 3pt; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f0f0f0; }
p > em:only-child { color: #444; }
figure { margin: 0.6em 0 1em; break-inside: avoid; text-align: center; }
figure img { image-resolution: DPIdpi; max-width: 100%; max-height: 11.5cm; }
figcaption { font-size: 8.5pt; color: #444; text-align: left; margin-top: 0.3em; }
blockquote { margin: 0.4em 0 0.8em; padding-left: 0.8em; border-left: 2pt solid #bbb;
             color: #444; }
pre { background: #f6f6f6; padding: 5pt; font-size: 7.5pt; white-space: pre-wrap;
      overflow-wrap: anywhere; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 0.9em; }
ul { padding-left: 1.2em; }
"""


def write_pdf(body: str, folder: Path, lang: str) -> dict[str, Any]:
    """Render the report's HTML ``body`` (:func:`render.html_body`: sanitised, figures
    embedded) to ``folder/report.pdf``.

    Returns what results.json records: ``written``, ``pages``, ``seconds``, ``font`` and,
    when no PDF was written or Chinese glyphs are missing, a one-line ``note`` for the user.
    """
    from PIL import ImageFile

    truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        return _write_pdf(body, folder, lang)
    finally:  # WeasyPrint's image module sets it for the whole process when first
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated  # imported: predict and serve must
        # keep refusing truncated images after a report


def _write_pdf(body: str, folder: Path, lang: str) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        from weasyprint import HTML
    except (ImportError, OSError):  # not installed, or Pango missing
        return {"written": False, "note": f"no report.pdf: {INSTALL}."}
    font = cjk_font()
    note = None
    if lang == "zh" and font is None:
        note = (f"report.pdf: no Chinese font found, Chinese text shows as boxes; "
                f"{INSTALL_HINT}.")
    document = HTML(string=pdf_html(body, lang, font), base_url=str(folder)).render()
    with atomic_path(folder / "report.pdf") as tmp:
        document.write_pdf(tmp)
    return {"written": True, "pages": len(document.pages), "font": font, "note": note,
            "seconds": round(time.perf_counter() - started, 2)}


def pdf_html(body: str, lang: str, font: str | None) -> str:
    """The HTML WeasyPrint renders: the report, its contents after the introduction."""
    headings = re.findall(r'<h([23]) id="(sec-\d+)">(.*?)</h\1>', body)
    items = "".join(f'<li class="h{level}"><a href="#{anchor}">{title}</a></li>'
                    for level, anchor, title in headings)
    toc = f'<nav class="toc"><h2>{html.escape(text(lang, "contents"))}</h2><ul>{items}</ul></nav>'
    first = body.find("<h2")
    body = body + toc if first < 0 else body[:first] + toc + body[first:]
    latin = '"DejaVu Sans"'
    fonts = [f'"{font}"', latin] if lang == "zh" and font else [latin, *(
        [f'"{font}"'] if font else [])]
    style = PDF_STYLE.replace("FONTS", ", ".join([*fonts, "sans-serif"])).replace(
        "DPI", str(PRINT_DPI))
    return (f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head>'
            f'<meta charset="utf-8"><title>{html.escape(text(lang, "title"))}</title>'
            f"<style>{style}</style></head><body>{body}</body></html>")
