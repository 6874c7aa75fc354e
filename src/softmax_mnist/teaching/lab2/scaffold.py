"""``softmax-mnist scaffold --lab 2 DIR``: lab 2's starting files, from ``templates/<lang>/``.

The course's tree (see :mod:`.course`): the layers, the two losses and the SGD with the
course's interface, docstrings giving every shape and what to compute, and bodies that
raise NotImplementedError (no solution); ``network.py`` and the packages' ``__init__.py``
complete; README.md saying how to check and train. Existing files are never overwritten.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from ..scaffold import check_lang, write_new_files
from .course import FILES

TEMPLATE_FILES = (*FILES, "README.md")


def template(lang: str, name: str) -> str:
    """The text of lab 2's template ``name`` (a path such as ``layers/fc_layer.py``)."""
    return resources.files("softmax_mnist.teaching.lab2").joinpath(
        "templates", lang, *name.split("/")).read_text(encoding="utf-8")


def scaffold(folder: str | os.PathLike[str], lang: str = "en") -> list[Path]:
    """Write lab 2's starting files into ``folder``; returns their paths.

    Raises:
        ConfigError: an unknown ``lang``.
        SoftmaxMnistError: one of the files exists already (nothing is written), or
            ``folder`` is a file.
    """
    check_lang(lang)
    return write_new_files(folder, {name: template(lang, name) for name in TEMPLATE_FILES})
