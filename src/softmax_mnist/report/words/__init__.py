"""The report's words, one module per language (``en``, ``zh``): the only place a
sentence of the report is written."""

from . import en, zh

LANGS = ("en", "zh")
BY_LANG = {"en": en, "zh": zh}

__all__ = ["BY_LANG", "LANGS", "en", "zh"]
