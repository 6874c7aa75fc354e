"""The figures' words — titles, axis labels, legends, captions — looked up in ``words``."""

from __future__ import annotations

from .text import tidy
from .words import BY_LANG

FIGURE_TEXT: dict[str, dict[str, str]] = {lang: words.FIGURE_TEXT
                                          for lang, words in BY_LANG.items()}


def figure_text(lang: str, key: str, **values: object) -> str:
    """The figure word ``key`` in ``lang``, filled with ``values``."""
    return tidy(FIGURE_TEXT[lang][key].format(**values), lang)
