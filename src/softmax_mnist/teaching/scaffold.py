"""``softmax-mnist scaffold DIR``: the student's starting files, from ``templates/<lang>/``.

``loss.py`` and ``optimizer.py`` have the course interface, docstrings with every shape
and what to compute, and bodies that raise NotImplementedError (no solution); README.md
says how to check, train and report on them. Existing files are never overwritten.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from ..errors import ConfigError, SoftmaxMnistError
from ..fileio import write_text

TEMPLATE_FILES = ("loss.py", "optimizer.py", "README.md")
SCAFFOLD_LANGS = ("en", "zh")


def template(lang: str, name: str) -> str:
    """The text of template ``name`` in ``lang``."""
    return resources.files("softmax_mnist.teaching").joinpath(
        "templates", lang, name).read_text(encoding="utf-8")


def scaffold(folder: str | os.PathLike[str], lang: str = "en") -> list[Path]:
    """Write the starting files into ``folder`` (created if needed); returns their paths.

    Raises:
        ConfigError: an unknown ``lang``.
        SoftmaxMnistError: one of the files exists already (nothing is written), or
            ``folder`` is a file.
    """
    check_lang(lang)
    return write_new_files(folder, {name: template(lang, name) for name in TEMPLATE_FILES})


def check_lang(lang: str) -> None:
    """ConfigError unless ``lang`` is one of SCAFFOLD_LANGS."""
    if lang not in SCAFFOLD_LANGS:
        raise ConfigError(f"{{lang}} must be one of {', '.join(SCAFFOLD_LANGS)}, got {lang!r}.",
                          params=("lang",))


def write_new_files(folder: str | os.PathLike[str], texts: dict[str, str]) -> list[Path]:
    """Write ``texts`` (relative path -> text) into ``folder`` (created if needed), all or
    nothing: any file that exists already stops it before anything is written."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise SoftmaxMnistError(f"{folder} is a file; scaffold writes into a folder.")
    targets = [folder / name for name in texts]
    existing = [str(p) for p in targets if p.exists()]
    if existing:
        raise SoftmaxMnistError(f"{', '.join(existing)} exist{'s' if len(existing) == 1 else ''}"
                                f" already; scaffold never overwrites: choose a new folder or "
                                f"move them away.")
    for path, text in zip(targets, texts.values(), strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, text)
    return targets
