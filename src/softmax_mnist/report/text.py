"""Looking up the report's words (written in ``words/en.py`` and ``words/zh.py``) and
tidying the sentences they make. Numbers are filled in by ``observations``.

Each observation template takes already-formatted numbers (strings), so the text shows
exactly the digits stored in ``results.json``. The figures' words: ``figure_text``.
"""

from __future__ import annotations

import re

from .words import BY_LANG

TEXT: dict[str, dict[str, str]] = {lang: words.TEXT for lang, words in BY_LANG.items()}
AXIS_NAMES: dict[str, dict[str, str]] = {lang: words.AXIS_NAMES
                                         for lang, words in BY_LANG.items()}


def text(lang: str, key: str, **values: object) -> str:
    """The template ``key`` in ``lang``, filled with ``values`` and tidied (see :func:`tidy`)."""
    return tidy(TEXT[lang][key].format(**values), lang)


_ONE_EPOCHS = re.compile(r"(?<![\d.])1 epochs\b")
_CJK = "\u2018-\u201f\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"  # quotes, punctuation, Han
_SPACE_IN_CJK = re.compile(f"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")


def tidy(sentence: str, lang: str) -> str:
    """"1 epoch", not "1 epochs"; no space between two Chinese characters or between one
    and Chinese punctuation ("在 学习率 0.1 时" → "在学习率 0.1 时")."""
    if lang == "zh":
        return _SPACE_IN_CJK.sub("", sentence)
    return _ONE_EPOCHS.sub("1 epoch", sentence)


def axis_name(lang: str, axis: str) -> str:
    return AXIS_NAMES[lang].get(axis, axis)
