"""The checks that run the student's code at full size: speed on a batch of 1,000, and a
few epochs of training on MNIST through our Solver, against the reference."""

from __future__ import annotations

import numpy as np

from .context import Context, Failed, Problem, random_problem
from .reference import NaiveSoftmaxCrossEntropyLoss, SoftmaxCrossEntropyLoss
from .speed import find_row_loop, seconds_per_pass

SPEED_ROWS = 1000
TOO_SLOW = 20.0  # × the reference's time per pass, with no loop over the rows
END_TO_END_EPOCHS = 3
END_TO_END_POINTS = 0.5  # test-accuracy points the student's run may be behind


def _mnist_sized() -> Problem:
    return random_problem(11, n=SPEED_ROWS, d=784, c=10)


def _reference_model(cls: type, p: Problem) -> SoftmaxCrossEntropyLoss:
    model = cls(784, 10)
    model.W, model.b = p.W.copy(), p.b.copy()
    return model


def check_vectorised(ctx: Context) -> str:
    """No Python loop over the rows (found by tracing), and not far slower than ours."""
    p = _mnist_sized()
    model = ctx.model_with(p)
    loop = ctx.call("forward or gradient_computing",
                    lambda: find_row_loop(model, p.X, p.y, ctx.folder))
    mine = ctx.call("forward or gradient_computing",
                    lambda: seconds_per_pass(model, p.X, p.y))
    ref = seconds_per_pass(_reference_model(SoftmaxCrossEntropyLoss, p), p.X, p.y)
    times = (f"{mine * 1e3:.1f} ms per forward + gradient on N = {SPEED_ROWS:,}, "
             f"{mine / ref:.0f}× the reference's {ref * 1e3:.2f} ms")
    if loop is not None:
        raise Failed(f"vectorise: no Python loop over the N rows — {loop.describe()}; "
                     f"{times}")
    if mine > TOO_SLOW * ref:
        raise Failed(f"{times}, with no loop over the rows: look for other Python loops "
                     f"(over features or classes) or work repeated for every call")
    naive = seconds_per_pass(_reference_model(NaiveSoftmaxCrossEntropyLoss, p), p.X, p.y,
                             repeats=2)
    return (f"{mine * 1e3:.2f} ms per forward + gradient on N = {SPEED_ROWS:,} (reference "
            f"{ref * 1e3:.2f} ms; a loop over the rows takes {naive * 1e3:.1f} ms)")


def check_end_to_end(ctx: Context) -> str:
    """A few epochs on MNIST (the full set if found, else the sample) with our Solver: the
    student's test accuracy within END_TO_END_POINTS of the reference's."""
    from ..data import load_dataset
    from ..model import ModelSpec
    from ..runner import fit_network, prepare
    from ..training import TrainConfig
    from .adapter import course_learner

    data = load_dataset("mnist", ctx.data_dir, allow_download=False, progress=False,
                        log=lambda message: None)
    spec = ModelSpec()
    prepared = prepare(spec.pipeline(), data.splits())
    config = TrainConfig(max_epoch=END_TO_END_EPOCHS, early_stop="none")
    X_test, y_test = prepared.splits["test"]
    ours = fit_network(prepared, spec, config, len(data.classes))
    theirs = ctx.call("training", lambda: fit_network(prepared, spec, config,
                                                      len(data.classes),
                                                      learner=course_learner(ctx.folder)))
    if theirs.divergence:
        raise Failed(f"training with your classes {theirs.divergence.split(';')[0]} (the "
                     f"reference trains fine with the same settings)")
    acc_ours = ours.network.evaluate(X_test, y_test, prepared.features_of("test"))[1]
    acc_theirs = theirs.network.evaluate(X_test, y_test, prepared.features_of("test"))[1]
    where = (f"after {END_TO_END_EPOCHS} epochs on {data.name} ({len(data.y_train):,} "
             f"training images; batch 100, lr 0.1, momentum 0.9)")
    if acc_theirs < acc_ours - END_TO_END_POINTS / 100 or not np.isfinite(acc_theirs):
        raise Failed(f"{acc_theirs:.2%} test accuracy {where}, the reference {acc_ours:.2%}: "
                     f"more than {END_TO_END_POINTS} points behind")
    return (f"{acc_theirs:.2%} test accuracy {where}, the reference {acc_ours:.2%}; "
            f"{theirs.train_seconds:.1f} s of training, the reference "
            f"{ours.train_seconds:.1f} s")
