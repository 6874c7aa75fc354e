"""The rubric: points and a level (``required`` / ``robustness``) for every check, from
TOML (the default ``rubric.toml`` shipped here, or ``--rubric FILE``)::

    [checks.grad_W]
    points = 2
    level = "required"

Every check of the checklist must appear once; points are numbers ≥ 0. A wrong file is a
:class:`~softmax_mnist.errors.SoftmaxMnistError` of one line naming what is wrong.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..errors import SoftmaxMnistError

Level = Literal["required", "robustness"]
LEVELS = ("required", "robustness")
DEFAULT = Path(__file__).with_name("rubric.toml")


@dataclass(frozen=True)
class Grade:
    """A check's points and level."""

    points: float
    level: Level


def load_rubric(path: str | os.PathLike[str] | None, ids: list[str],
                default: Path = DEFAULT) -> dict[str, Grade]:
    """Check id -> Grade, for exactly the checks ``ids`` (``path`` None: ``default``, the
    rubric shipped with the checklist: lab 1's, or ``lab2/rubric.toml``)."""
    where = f"--rubric {path}" if path is not None else "the default rubric"
    try:
        data = tomllib.loads(Path(path or default).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SoftmaxMnistError(f"{where}: cannot read it ({exc.strerror}).") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SoftmaxMnistError(f"{where}: not valid TOML ({exc}).") from None
    checks = data.get("checks")
    if set(data) != {"checks"} or not isinstance(checks, dict):
        raise SoftmaxMnistError(f"{where}: it must hold only [checks.ID] tables (found "
                                f"{', '.join(sorted(data)) or 'nothing'}).")
    unknown = sorted(set(checks) - set(ids))
    if unknown:
        raise SoftmaxMnistError(f"{where}: unknown check {', '.join(unknown)} (the checks: "
                                f"{', '.join(ids)}).")
    missing = [i for i in ids if i not in checks]
    if missing:
        raise SoftmaxMnistError(f"{where}: no [checks.{missing[0]}] table (every check needs "
                                f"points and a level).")
    out = {}
    for check_id in ids:
        table = checks[check_id]
        if not isinstance(table, dict) or set(table) != {"points", "level"}:
            raise SoftmaxMnistError(f"{where}: [checks.{check_id}] must have exactly points "
                                    f"and level.")
        points, level = table["points"], table["level"]
        if isinstance(points, bool) or not isinstance(points, int | float) or not (
                0 <= points <= 1000):
            raise SoftmaxMnistError(f"{where}: [checks.{check_id}] points must be a number "
                                    f"in [0, 1000], got {points!r}.")
        if level not in LEVELS:
            raise SoftmaxMnistError(f"{where}: [checks.{check_id}] level must be required or "
                                    f"robustness, got {level!r}.")
        out[check_id] = Grade(float(points), level)
    return out
