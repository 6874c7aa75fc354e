"""The checks of ``SoftmaxCrossEntropyLoss``: interface, loss, accuracy, large logits and
both gradients, each against the reference on small seeded problems.

The gradients are compared with the numerical gradient of the true loss (centred
differences of the reference's forward, in float64); a mismatch is matched to the
mistake that gives it (:mod:`.diagnose`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..nn import softmax
from ..nn.gradcheck import numerical_gradient
from .context import C, Context, D, Failed, N, Problem, load_weights, random_problem
from .diagnose import agrees, first_match, gradient_problem
from .reference import softmax_loss_vectorized


def check_files(ctx: Context) -> str:
    """loss.py and optimizer.py import and define their classes."""
    classes = ctx.classes  # imports them; Failed says why not
    return (f"loss.py and optimizer.py import; {classes.loss.__name__} and "
            f"{classes.sgd.__name__} are defined")


def check_interface(ctx: Context) -> str:
    """W and b shapes, forward's return value, gradient_computing runs, no side effects."""
    model = ctx.new_model(D, C)
    for name in ("W", "b"):
        if not isinstance(getattr(model, name, None), np.ndarray):
            raise Failed(f"SoftmaxCrossEntropyLoss({D}, {C}) has no array self.{name}: "
                         f"__init__ must create W (num_input, num_output) and b (num_output,)")
    if model.W.shape != (D, C):
        raise Failed(f"SoftmaxCrossEntropyLoss({D}, {C}).W has shape {model.W.shape}; it must "
                     f"be (num_input, num_output) = ({D}, {C}): the scores are Input @ W")
    if model.b.shape not in ((C,), (1, C)):
        raise Failed(f"b has shape {model.b.shape}; it must be (num_output,) = ({C},) "
                     f"(or (1, {C}) as the course template has it)")
    for method in ("forward", "gradient_computing"):
        if not callable(getattr(model, method, None)):
            raise Failed(f"SoftmaxCrossEntropyLoss has no method {method}()")
    p = random_problem(1)
    model = ctx.model_with(p)
    X, W = p.X.copy(), model.W.copy()
    try:
        ctx.forward(model, X, p.y)
    except Failed as exc:
        _one_hot_probe(ctx, p)
        raise exc from None
    if not np.array_equal(X, p.X):
        raise Failed("forward changed its Input array in place: work on a copy (the Solver "
                     "reuses its batches)")
    if not np.array_equal(model.W, W):
        raise Failed("forward changed W: only SGD.step() may update the weights")
    returned = ctx.call("gradient_computing", model.gradient_computing)
    if returned is not None and getattr(model, "grad_W", None) is None:
        raise Failed("gradient_computing returned the gradients; it must store them as "
                     "self.grad_W and self.grad_b (SGD reads them from the model)")
    if not np.array_equal(model.W, W):
        raise Failed("gradient_computing changed W: leave the update to SGD.step()")
    return (f"W ({D}, {C}), b {model.b.shape}; forward returns (loss, acc); "
            f"gradient_computing runs")


def _one_hot_probe(ctx: Context, p: Problem) -> None:
    """forward failed on integer labels: does it work on one-hot ones?"""
    model = ctx.model_with(p)
    try:
        loss, _ = ctx.forward(model, p.X, np.eye(C)[p.y])
    except Failed:
        return
    if agrees(loss, softmax_loss_vectorized(p.W, p.b, p.X, p.y).loss):
        raise Failed(f"forward expects one-hot labels (N, C), but labels are integers of "
                     f"shape (N,) = ({N},), as the course's data loader gives them: build the "
                     f"one-hot matrix inside forward if you need it (np.eye(C)[labels])")


def check_loss(ctx: Context) -> str:
    """The mean cross-entropy on a random batch, against the reference."""
    p = random_problem(2)
    loss, _ = ctx.forward(ctx.model_with(p), p.X, p.y)
    ref = softmax_loss_vectorized(p.W, p.b, p.X, p.y)
    if agrees(loss, ref.loss):
        return f"{loss:.6f} on a random batch of {N}, as the reference"
    z = p.X @ p.W + p.b
    by_column = z - z.max(axis=0)
    by_column = by_column - np.log(np.exp(by_column).sum(axis=0))
    hint = first_match(loss, [
        (ref.loss * N, "it is the sum over the batch: divide by the batch size N (forward "
                       "returns the mean loss)"),
        (-ref.loss, "the minus sign is missing: the loss is −log ŷ of the true class"),
        (ref.loss / np.log(10), "that is log10: use the natural logarithm np.log"),
        (ref.loss / np.log(2), "that is log2: use the natural logarithm np.log"),
        (-by_column[np.arange(N), p.y].mean(), "softmax normalises each column (axis=0); it "
                                               "must normalise each row (axis=1)"),
        (ref.accuracy, "forward returns (acc, loss); the Solver expects (loss, acc)"),
    ])
    raise Failed(f"loss is {loss:.6g}, expected {ref.loss:.6g}" + (
        f": {hint}" if hint else ": the mean over the rows of −log softmax(Input W + b) "
                                 "at the true label"))


def check_accuracy(ctx: Context) -> str:
    """The accuracy as a fraction, on a batch where 3 of 8 predictions are right."""
    p = random_problem(3)
    z = p.X @ p.W + p.b
    y = z.argmax(axis=1)
    y[3:] = (y[3:] + 1) % C  # rows 3 … N−1 predicted wrong
    _, acc = ctx.forward(ctx.model_with(p), p.X, y)
    if agrees(acc, 3 / N):
        return f"a fraction ({acc:g} for 3 right out of {N})"
    hint = first_match(acc, [
        (3, "a count of correct predictions: return the fraction, count / N"),
        (100 * 3 / N, "a percentage: return a fraction in [0, 1]"),
        (1 - 3 / N, "the error rate: return the fraction of correct predictions"),
    ])
    raise Failed(f"accuracy is {acc:g}, expected {3 / N:g} (3 right out of {N})" + (
        f": {hint}" if hint else ": the fraction of rows whose highest score is the label"))


def _logit_problem(logits: np.ndarray, y: np.ndarray) -> Problem:
    """X and W with X W + b = logits exactly (X = [logits, 0 …], W = [I; 0], b = 0)."""
    n, c = logits.shape
    X = np.zeros((n, D))
    X[:, :c] = logits
    W = np.zeros((D, c))
    W[:c] = np.eye(c)
    return Problem(X, y, W, np.zeros(c))


def check_stability(ctx: Context) -> str:
    """Logits of ±1e4: a finite loss and finite gradients."""
    rng = np.random.default_rng(4)
    y = rng.integers(0, C, N)
    noise = rng.normal(0, 3, (N, C))
    offsets = np.where(np.arange(N) % 2 == 0, 1e4, -1e4)[:, None]
    spread = _logit_problem(offsets + noise, y)
    if _stable(ctx, spread):
        return "logits of ±1e4 give a finite loss and gradients"
    if not _stable(ctx, _logit_problem(1000 + noise, y)):
        raise Failed("logits of 1000 give NaN or inf: exp overflows. Subtract each row's "
                     "maximum before exp: z − z.max(axis=1, keepdims=True)")
    raise Failed("logits of ±1e4 give NaN or inf: subtract each row's maximum, not the "
                 "array's (or each column's): z − z.max(axis=1, keepdims=True) — rows far "
                 "below the array's maximum underflow to 0, and log 0 = −inf")


def _stable(ctx: Context, p: Problem) -> bool:
    """Loss and gradients (those that are set) finite on ``p``."""
    model = ctx.model_with(p)
    loss, _ = ctx.forward(model, p.X, p.y)
    ctx.call("gradient_computing", model.gradient_computing)
    grads = [getattr(model, name, None) for name in ("grad_W", "grad_b")]
    try:
        finite = [np.all(np.isfinite(np.asarray(g, dtype=np.float64))) for g in grads
                  if g is not None]
    except (TypeError, ValueError):
        finite = [True]  # not arrays of numbers: the gradient checks say so
    return bool(np.isfinite(loss) and all(finite))


def _numerical(p: Problem, name: str) -> np.ndarray:
    """∂L/∂W or ∂L/∂b of the reference loss by centred differences (float64)."""
    W, b = p.W.copy(), p.b.copy()
    return numerical_gradient(lambda: softmax_loss_vectorized(W, b, p.X, p.y).loss,
                              W if name == "grad_W" else b)


def _student_gradient(ctx: Context, name: str) -> tuple[Any, Problem, Any]:
    """The student's gradient after forward on batch 5 then on batch 6 -> (gradient,
    batch 6, the reference gradient of batch 5)."""
    first, second = random_problem(5), random_problem(6)
    model = ctx.model_with(first)
    ctx.forward(model, first.X, first.y)
    ctx.call("gradient_computing", model.gradient_computing)
    load_weights(model, second)
    ctx.forward(model, second.X, second.y)
    ctx.call("gradient_computing", model.gradient_computing)
    return getattr(model, name, None), second, _numerical(first, name)


def _check_gradient(ctx: Context, name: str) -> str:
    got, p, earlier = _student_gradient(ctx, name)
    true = _numerical(p, name)
    z = p.X @ p.W + p.b
    probs = softmax(z)
    no_labels = p.X.T @ probs / N if name == "grad_W" else probs.mean(axis=0)
    problem = gradient_problem(name, got, true, N, [
        (no_labels, "the one-hot labels are not subtracted: the error is ŷ − Y"),
        (earlier, "it is the gradient of an earlier batch: keep what forward saves for "
                  "gradient_computing from the latest call"),
    ])
    if problem:
        raise Failed(problem)
    error = np.linalg.norm(np.asarray(got, dtype=np.float64).reshape(true.shape) - true)
    return (f"matches the numerical gradient (error {error / np.linalg.norm(true):.1e}), "
            f"shape {np.shape(got)}")


def check_grad_W(ctx: Context) -> str:
    """grad_W against the numerical gradient."""
    return _check_gradient(ctx, "grad_W")


def check_grad_b(ctx: Context) -> str:
    """grad_b against the numerical gradient."""
    return _check_gradient(ctx, "grad_b")
