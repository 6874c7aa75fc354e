"""A font for Chinese text, shared by the figures (matplotlib) and the PDF (WeasyPrint).

Neither DejaVu Sans (matplotlib's default) nor most Latin fonts have Chinese glyphs: the
Chinese report needs a CJK font installed on the system. The project depends on one the
registries provide — Debian's ``fonts-noto-cjk`` (Noto Sans CJK SC), which ``.ci/run``
installs — and takes any of the common ones below if present. Without one, Chinese text
is drawn as empty boxes: :func:`missing_font_note` says so in one line.
"""

from __future__ import annotations

import functools
import os
import re

CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "Source Han Sans CN",
                "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC",
                "SimHei", "Noto Sans CJK JP")
"""Families with simplified-Chinese glyphs, in order of preference."""

CJK_FILES = re.compile(r"NotoSansCJK|SourceHanSans|NotoSansSC|wqy-microhei|wqy-zenhei|msyh"
                       r"|PingFang|simhei", re.IGNORECASE)
"""File names of those fonts, for fonts installed after matplotlib built its font list."""

INSTALL_HINT = "Debian/Ubuntu: apt-get install fonts-noto-cjk"


@functools.cache
def cjk_font() -> str | None:
    """The family name of an installed CJK font (registered with matplotlib), or None."""
    from matplotlib import font_manager

    def known() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((family for family in CJK_FAMILIES if family in names), None)

    family = known()
    if family is None:  # matplotlib's cached font list predates the font: look for files
        for path in font_manager.findSystemFonts():
            if CJK_FILES.search(os.path.basename(path)):
                font_manager.fontManager.addfont(path)
        family = known()
    return family


def missing_font_note(lang: str) -> str | None:
    """One line for the user when ``lang`` needs a CJK font and none is installed."""
    if lang != "zh" or cjk_font() is not None:
        return None
    return (f"no Chinese font found, so Chinese text in the figures and report.pdf shows as "
            f"boxes; install one ({INSTALL_HINT}) and run the report again.")
