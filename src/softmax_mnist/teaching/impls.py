"""A student's folder given as ``--impl``, whichever lab it holds: lab 1's ``loss.py`` and
``optimizer.py`` (:mod:`.adapter`) or lab 2's layers, losses and SGD (:mod:`.lab2`). The
folder's files say which (:func:`lab_of`); everything that trains, times or records a
student's run asks here, so that ``train``, ``experiment`` and ``report`` agree.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..model import ModelSpec
from ..training import LearnerFactory, TrainConfig
from .adapter import course_learner, unsupported
from .lab2.course import FILES, is_lab2_impl
from .lab2.learner import lab2_learner, lab2_unsupported
from .student import file_digests, implementation_record

PathLike = str | os.PathLike[str]


def lab_of(impl: PathLike) -> int:
    """2 for a folder holding lab 2's files and no lab-1 ``loss.py``, else 1."""
    return 2 if is_lab2_impl(impl) else 1


def impl_learner(impl: PathLike, model: ModelSpec) -> LearnerFactory:
    """What trains ``model`` with the classes in ``impl`` (``fit_network(…, learner=)``)."""
    return lab2_learner(impl, model) if lab_of(impl) == 2 else course_learner(impl)


def impl_unsupported(impl: PathLike, model: ModelSpec, config: TrainConfig) -> str:
    """What the classes in ``impl`` cannot train in this setting ('' if nothing)."""
    if lab_of(impl) == 2:
        return lab2_unsupported(model, config)
    return unsupported(model.architecture, config)


def impl_record(impl: PathLike | None) -> dict[str, object]:
    """Which implementation trained a run, for metrics.json, model.npz and the report:
    ours (``impl`` None), a lab-1 folder, or a lab-2 folder (``lab`` 2, a digest of
    each of its files)."""
    if impl is None or lab_of(impl) == 1:
        return implementation_record(impl)
    return {"by": "student", "lab": 2, "folder": str(Path(impl).resolve()),
            "files": file_digests(impl, FILES)}
