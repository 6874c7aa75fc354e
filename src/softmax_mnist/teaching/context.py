"""What every check works with: the student's folder and classes, calls into the student's
code that turn any exception into a failed check, and small seeded problems.

A check is a function ``check(ctx) -> str``: it returns the text of its ✓ line or raises
:class:`Failed` with the hint of its ✗ line.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .student import CourseClasses, StudentCodeError, describe_exception, load_course

N, D, C = 8, 6, 4
"""The small problem's batch, input and class sizes: all different, so that a transposed or
un-summed gradient shows in its shape."""


class Failed(Exception):
    """A check failed; the message is the hint printed after ✗."""


@dataclass(frozen=True)
class Problem:
    """A batch and weights: X (N, D), y (N,), W (D, C), b (C,)."""

    X: np.ndarray
    y: np.ndarray
    W: np.ndarray
    b: np.ndarray


def random_problem(seed: int, n: int = N, d: int = D, c: int = C,
                   scale: float = 1.0) -> Problem:
    """Seeded float64 data and weights, logits of order ``scale``."""
    rng = np.random.default_rng(seed)
    return Problem(rng.normal(size=(n, d)), rng.integers(0, c, n),
                   rng.normal(0, scale / np.sqrt(d), (d, c)), rng.normal(0, 0.1 * scale, c))


@dataclass
class Context:
    """The folder under check and where its end-to-end run finds MNIST."""

    folder: Path
    data_dir: str | None = None
    _classes: CourseClasses | None = field(default=None, repr=False)

    @property
    def classes(self) -> CourseClasses:
        if self._classes is None:
            try:
                self._classes = load_course(self.folder)
            except StudentCodeError as exc:
                raise Failed(str(exc)) from None
        return self._classes

    def call(self, what: str, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` with the student's exceptions (and exits) as a Failed naming ``what``;
        floating-point warnings are silenced (the results are checked instead)."""
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return fn(*args)
        except (Exception, SystemExit) as exc:
            raise Failed(f"{what} raised {describe_exception(exc, self.folder)}") from None

    def new_model(self, d: int = D, c: int = C) -> Any:
        """``SoftmaxCrossEntropyLoss(d, c)`` of the student's."""
        return self.call(f"SoftmaxCrossEntropyLoss({d}, {c})", self.classes.loss, d, c)

    def model_with(self, problem: Problem) -> Any:
        """A new model of the student's holding ``problem``'s W and b (b in the student's
        own shape, (C,) or (1, C))."""
        model = self.new_model(*problem.W.shape)
        load_weights(model, problem)
        return model

    def forward(self, model: Any, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """The student's ``forward`` -> (loss, acc) as floats, or Failed saying what it gave."""
        out = self.call("forward", model.forward, X, y)
        if not isinstance(out, tuple | list) or len(out) != 2:
            raise Failed(f"forward returned {_kind(out)}; it must return two numbers, "
                         f"(loss, acc)")
        return as_number("the loss forward returned", out[0], len(y)), as_number(
            "the accuracy forward returned", out[1], len(y))


def load_weights(model: Any, problem: Problem) -> None:
    """Give a student's model ``problem``'s W and b (b in the student's own shape)."""
    c = problem.b.shape[0]
    own = np.shape(getattr(model, "b", None))
    _put(model, "W", problem.W)
    _put(model, "b", problem.b.reshape(own if own in ((c,), (1, c)) else (c,)))


def _put(model: Any, name: str, value: np.ndarray) -> None:
    """Set model.<name> to ``value``: into the student's own float array when it has that
    shape (other references to it see the change, as in training), else a new array."""
    current = getattr(model, name, None)
    if (isinstance(current, np.ndarray) and current.shape == value.shape
            and np.issubdtype(current.dtype, np.floating)):
        current[...] = value
    else:
        setattr(model, name, value.astype(np.float64))


def as_number(what: str, value: Any, n: int) -> float:
    """A float from a number or a one-element array; Failed otherwise."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Failed(f"{what} is {_kind(value)}, not a number") from None
    if array.size == 1:
        return float(array.reshape(()))
    if array.shape == (n,) or array.shape == (n, 1):
        raise Failed(f"{what} is an array of shape {array.shape}, one value per sample: "
                     f"return their mean, one number")
    raise Failed(f"{what} is an array of shape {array.shape}, not one number")


def _kind(value: Any) -> str:
    shape = getattr(value, "shape", None)
    if shape is not None:
        return f"an array of shape {shape}"
    if isinstance(value, tuple | list):
        return f"a {type(value).__name__} of {len(value)} items"
    return "None" if value is None else f"a {type(value).__name__}"
