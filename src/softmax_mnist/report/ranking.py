"""Fair comparisons: on which basis runs are compared, and when a difference is a tie.

- **Resolution.** A validation accuracy is a count of images: with 5,000 validation images
  one image is 100 / 5,000 = 0.02 points, so two runs less than one image apart are tied,
  whatever the digits say ("0.00 points ahead" is a tie). With several seeds the means
  are compared the same way.
- **Basis.** A run stopped early by a rule with ``restore_best_weights`` ends on the
  weights of its best validation epoch; a run without early stopping ends on its last
  epoch. Comparing one's restored best epoch with the other's last epoch favours the
  first (it is the same trajectory, picked at its peak). When the runs of a study do not
  all end the same way, they are compared at each run's best validation epoch instead —
  a number every run has — and the sentence says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..experiments import Study, Variant
from .results import VariantResult

EPS = 1e-9


@dataclass(frozen=True)
class Basis:
    """Which cells a comparison reads, and its name ("last", "restored" or "best")."""

    name: str
    val: str  # cell of the validation accuracy compared
    test: str  # cell of the test accuracy of the same weights
    epoch: str | None  # cell of the epoch those weights come from (basis "best")


LAST = Basis("last", "final_val_accuracy", "final_test_accuracy", None)
RESTORED = Basis("restored", "final_val_accuracy", "final_test_accuracy", None)
BEST = Basis("best", "best_val_accuracy", "test_at_best", "best_val_epoch")


def ends_on_best_weights(study: Study, variant: VariantResult) -> bool:
    """Whether the run ends with its best validation epoch's weights restored."""
    config = study.config(Variant("", variant.options), 0)
    return config.early_stop != "none" and config.restore_best_weights


def comparison_basis(study: Study, variants: list[VariantResult]) -> Basis:
    """LAST or RESTORED when every run ends the same way, else BEST (see the module doc)."""
    ends = {ends_on_best_weights(study, v) for v in variants}
    if ends == {True}:
        return RESTORED
    return BEST if len(ends) == 2 else LAST


@dataclass(frozen=True)
class Ranking:
    """The runs at the top (tied: less than one validation image apart) and the best
    run below them, with the margin in points."""

    leaders: list[VariantResult]
    runner_up: VariantResult | None
    margin: float | None


def rank(variants: list[VariantResult], cell: str, resolution: float) -> Ranking:
    """Rank ``variants`` by ``cell`` (higher is better), settings without a value left out.

    ``resolution``: points one validation image is worth (100 / N_val).
    """
    scored = sorted((v for v in variants if v.cells[cell].value is not None),
                    key=lambda v: -v.cells[cell].value)
    if not scored:
        return Ranking([], None, None)
    top = scored[0].cells[cell].value
    leaders = [v for v in scored if top - v.cells[cell].value < resolution - EPS]
    rest = scored[len(leaders):]
    if not rest:
        return Ranking(leaders, None, None)
    return Ranking(leaders, rest[0], top - rest[0].cells[cell].value)


def is_tie(difference: float, resolution: float) -> bool:
    """Whether a difference in points is below one validation image."""
    return abs(difference) < resolution - EPS


def images(points: float, resolution: float) -> float:
    """A difference in points as validation images."""
    return points / resolution
