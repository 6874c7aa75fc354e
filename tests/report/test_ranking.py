"""Fair comparisons: ties below one validation image, one basis for runs that end
differently (restored best epoch vs last epoch), the sentences that follow from them."""

from __future__ import annotations

import pytest

from softmax_mnist.experiments import ModelInfo, RunRecord, parse_study
from softmax_mnist.report.cells import summarise
from softmax_mnist.report.observations import compare_observations, epoch_time_observations
from softmax_mnist.report.ranking import BEST, LAST, RESTORED, comparison_basis, rank
from softmax_mnist.report.results import VariantResult

IMAGE = 100 / 5000  # points one of 5,000 validation images is worth


def record(val: list[float], *, restored: bool = False, stop: str = "max_epoch",
           seconds: float = 0.1) -> RunRecord:
    """A run whose validation accuracy per epoch is ``val`` (fractions); its final weights
    are the best epoch's when ``restored``, else the last epoch's. Test = val − 1 point."""
    best = max(range(len(val)), key=lambda i: (val[i], -i))
    final = val[best] if restored else val[-1]
    n = len(val)
    history = {"train_loss": [0.3] * n, "train_accuracy": [0.9] * n, "val_loss": [0.3] * n,
               "val_accuracy": val, "lr": [0.1] * n, "seconds": [seconds] * n,
               "test_loss": [0.3] * n, "test_accuracy": [v - 0.01 for v in val]}
    return RunRecord({}, "pixel", n, False, stop, best + 1, seconds * n, history, [], 1,
                     {"train_loss": 0.3, "train_accuracy": 0.9, "val_loss": 0.3,
                      "val_accuracy": final, "test_loss": 0.3, "test_accuracy": final - 0.01},
                     ModelInfo("scale,center-pixel", [], 784, 7850, 0.0, []))


def study_of(runs: dict[str, dict]):
    return parse_study({"name": "s", "kind": "compare", "thresholds": [],
                        "base": {"max_epoch": 3},
                        "runs": [{"label": k, **v} for k, v in runs.items()]})


def results(study, records: dict[str, RunRecord], lang: str = "en") -> list[VariantResult]:
    return [VariantResult(v.label, v.options, [], summarise(study, v, [records[v.label]], lang),
                          [records[v.label]]) for v in study.variants]


def test_less_than_one_validation_image_apart_is_a_tie():
    study = study_of({"a": {"early_stop": "none"}, "b": {"early_stop": "none"},
                      "c": {"early_stop": "none"}})
    variants = results(study, {"a": record([0.90, 0.9328]), "b": record([0.90, 0.9328]),
                               "c": record([0.90, 0.9326])})
    r = rank(variants, "final_val_accuracy", IMAGE)
    assert [v.label for v in r.leaders] == ["a", "b"]
    assert r.runner_up.label == "c" and r.margin == pytest.approx(0.02)
    [sentence] = [o for o in compare_observations(study, variants, "en", IMAGE)
                  if o.id.startswith("obs_tie")]
    assert "**a** and **b** tie at 93.28 %" in sentence.text
    assert "0.02 points (1 validation image) lower" in sentence.text
    assert "ahead" not in sentence.text


def test_one_image_or_more_is_a_lead_with_its_margin_in_images():
    study = study_of({"a": {"early_stop": "none"}, "b": {"early_stop": "none"}})
    variants = results(study, {"a": record([0.9, 0.9434]), "b": record([0.9, 0.9424])})
    [best] = [o for o in compare_observations(study, variants, "en", IMAGE)
              if o.id == "obs_best"]
    assert "**a** at 94.34 %, 0.10 points (5 validation images) ahead of b at 94.24 %" in (
        best.text)
    assert best.numbers["images"] == 5.0


def test_chinese_tie_says_tie_not_ahead():
    study = study_of({"a": {"early_stop": "none"}, "b": {"early_stop": "none"}})
    variants = results(study, {"a": record([0.93]), "b": record([0.93])}, "zh")
    [tie] = [o for o in compare_observations(study, variants, "zh", IMAGE)
             if o.id.startswith("obs_tie")]
    assert "持平" in tie.text and "高 0.00" not in tie.text


def test_restored_best_epoch_is_compared_with_the_other_runs_best_epoch():
    # The same trajectory: the plateau run stopped at epoch 3 and restored epoch 2
    # (94.24 %); the run without early stopping went on and ended at 94.14 %, but its own
    # best epoch is just as good. Final numbers would make the first look 0.10 ahead.
    trajectory = [0.93, 0.9424, 0.9420, 0.9414]
    study = study_of({"plateau": {"early_stop": "plateau"}, "none": {"early_stop": "none"}})
    assert comparison_basis(study, []) is LAST  # no runs: nothing to mix
    variants = results(study, {"plateau": record(trajectory[:3], restored=True,
                                                 stop="early_stop"),
                               "none": record(trajectory)})
    assert comparison_basis(study, variants) is BEST
    sentences = compare_observations(study, variants, "en", IMAGE)
    [tie] = [o for o in sentences if o.id.startswith("obs_tie")]
    assert tie.numbers["basis"] == "best"
    assert "best validation epoch" in tie.text and "tie at 94.24 %" in tie.text
    assert not any("ahead" in o.text for o in sentences)


def test_runs_that_end_alike_are_compared_on_their_final_weights():
    both_restored = study_of({"p": {"early_stop": "plateau"}, "q": {"early_stop": "patience"}})
    variants = results(both_restored, {"p": record([0.9, 0.95, 0.94], restored=True),
                                       "q": record([0.9, 0.93, 0.93], restored=True)})
    assert comparison_basis(both_restored, variants) is RESTORED
    no_restore = study_of({"p": {"early_stop": "plateau", "restore_best_weights": False},
                           "n": {"early_stop": "none"}})
    assert comparison_basis(no_restore, results(no_restore, {
        "p": record([0.9, 0.95]), "n": record([0.9, 0.95])})) is LAST


@pytest.mark.parametrize(("seconds", "expected"), [
    ({"sgd": 0.060, "mom": 0.062}, "obs_epoch_time_same"),
    ({"sgd": 0.060, "mom": 0.090}, "obs_epoch_time"),
])
def test_epoch_time_sentence_follows_from_the_measured_times(seconds, expected):
    study = study_of({"sgd": {"momentum": 0.0}, "mom": {"momentum": 0.9}})
    variants = results(study, {k: record([0.9, 0.91], seconds=s) for k, s in seconds.items()})
    [sentence] = epoch_time_observations(study, variants, "en")
    assert sentence.id == expected
    if expected == "obs_epoch_time_same":
        assert "costs little" in sentence.text
    else:
        assert "50 % more" in sentence.text and "measurable" in sentence.text


def test_patience_stop_explains_min_delta_when_the_best_epoch_is_the_last():
    # patience 3, min_delta 0.02 points: epoch 3 set the reference; epochs 4–6 crept up —
    # epoch 6 is the best, but never more than min_delta over epoch 3.
    study = study_of({"p3": {"early_stop": "patience", "patience": 3,
                             "min_delta": 0.0002, "max_epoch": 6}})
    val = [0.90, 0.92, 0.9400, 0.9401, 0.9401, 0.9402]
    variants = results(study, {"p3": record(val, restored=True, stop="early_stop")})
    [stopped] = [o for o in compare_observations(study, variants, "en", IMAGE)
                 if o.id == "obs_stopped"]
    assert "stopped after 6 epochs" in stopped.text
    assert "no gain of more than 0.02 points (min_delta)" in stopped.text
    assert "epoch 6 was the best, but by no more than 0.02 points over epoch 3" in stopped.text


def test_every_sentence_and_figure_word_exists_in_both_languages():
    from softmax_mnist.report.figure_text import FIGURE_TEXT
    from softmax_mnist.report.text import TEXT

    assert set(TEXT["en"]) == set(TEXT["zh"])
    assert set(FIGURE_TEXT["en"]) == set(FIGURE_TEXT["zh"])
