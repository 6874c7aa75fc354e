"""The serial timing pass: one timing per setting that decides the cost of an epoch."""

from __future__ import annotations

import math

from softmax_mnist.data import load_dataset
from softmax_mnist.experiments import RunSpec, speed_key, time_epochs
from softmax_mnist.training import TrainConfig


def spec(**options) -> RunSpec:
    return RunSpec(TrainConfig(**{"max_epoch": 3, "early_stop": "none", **options}))


def test_speed_key_ignores_what_changes_numbers_but_not_work():
    base = spec(batch_size=100, momentum=0.9)
    assert speed_key(base) == speed_key(spec(batch_size=100, momentum=0.5, learning_rate=3,
                                             lr_decay=1.0, seed=4, max_epoch=30))
    assert speed_key(base) != speed_key(spec(batch_size=100, momentum=0.0))
    assert speed_key(base) != speed_key(spec(batch_size=100, momentum=0.9, nesterov=True))
    assert speed_key(base) != speed_key(spec(batch_size=10, momentum=0.9))


def test_each_setting_is_timed_once_on_at_most_max_steps_batches():
    data = load_dataset("mnist-sample")  # 9,000 training images
    specs = [spec(batch_size=b, learning_rate=lr) for b in (1, 100) for lr in (0.01, 1e6)]
    timings = time_epochs(specs, data, repeats=2, max_steps=300)
    assert set(timings) == {speed_key(specs[0]), speed_key(specs[2])}
    one = timings[speed_key(specs[0])]
    assert (one.steps, one.steps_timed, one.repeats) == (9000, 300, 2)
    hundred = timings[speed_key(specs[2])]
    assert (hundred.steps, hundred.steps_timed) == (90, 90)
    # lr 1e6 diverges at once; the setting is timed with lr 0.01 and a whole epoch's work
    assert all(math.isfinite(t.seconds) and t.seconds > 0 for t in timings.values())
