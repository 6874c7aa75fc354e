"""The checks of ``SGD``: plain and momentum updates against the reference over three
steps, and the learning rate read from ``self.learning_rate`` at every step.

Each step gets new gradients; the student's W and b after every step are compared with
the reference's, then with what each well-known mistake would give (:data:`MISTAKES`).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from .context import C, Context, D, Failed
from .diagnose import agrees, first_match
from .reference import SGD, SoftmaxCrossEntropyLoss

STEPS = 3

Rule = Callable[[np.ndarray, np.ndarray, np.ndarray, float, float],
                tuple[np.ndarray, np.ndarray]]
"""(param, velocity, gradient, η, μ) -> (new param, new velocity)."""

MISTAKES: dict[str, tuple[Rule, str]] = {
    "frozen": (lambda p, v, g, lr, mu: (p, v), "{p} is not updated: step() must update W "
               "from grad_W and b from grad_b"),
    "plain": (lambda p, v, g, lr, mu: (p - lr * g, v),
              "momentum has no effect: {p} moves like plain SGD. Keep the velocity between "
              "steps (in self, zeros once in __init__): v = μ v + η g; {p} −= v"),
    "uphill": (lambda p, v, g, lr, mu: (p + lr * g, v),
               "{p} moves up the gradient: subtract η·grad, {p} −= η g"),
    "uphill momentum": (lambda p, v, g, lr, mu: (p + (mu * v + lr * g), mu * v + lr * g),
                        "{p} moves up the gradient: with v = μ v + η g the step is {p} −= v "
                        "(or v = μ v − η g and {p} += v)"),
    "momentum sign": (lambda p, v, g, lr, mu: (p - (lr * g - mu * v), lr * g - mu * v),
                      "the momentum sign is flipped: the update matches v = −μ v + η g; the "
                      "rule is v = μ v + η g, then {p} −= v"),
    "scaled by mu": (lambda p, v, g, lr, mu: (p - mu * (mu * v + lr * g), mu * v + lr * g),
                     "the step is μ·v: it must be the whole velocity, {p} −= v"),
    "no lr": (lambda p, v, g, lr, mu: (p - (mu * v + g), mu * v + g),
              "the learning rate is missing: v = μ v + η g"),
    "nesterov": (lambda p, v, g, lr, mu: (p - (mu * (mu * v + lr * g) + lr * g),
                                          mu * v + lr * g),
                 "that is Nesterov's look-ahead; the course's rule is classical momentum: "
                 "v = μ v + η g; {p} −= v"),
}


def _gradients(seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(D, C)), rng.normal(size=C)) for _ in range(STEPS)]


def _model(ctx: Context) -> Any:
    """The student's own model when it can be built (their SGD may use its attributes),
    else the reference's, with seeded W and b."""
    try:
        model = ctx.new_model(D, C)
    except Failed:
        model = SoftmaxCrossEntropyLoss(D, C)
    rng = np.random.default_rng(7)
    own = np.shape(getattr(model, "b", None))
    model.W = rng.normal(size=(D, C))
    model.b = rng.normal(size=C).reshape(own if own in ((C,), (1, C)) else (C,))
    return model


def _trajectory(ctx: Context, model: Any, sgd: Any, grads: list, lr: float | None,
                ) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W, b) after each step; ``lr``: set sgd.learning_rate to it before stepping."""
    if lr is not None:
        sgd.learning_rate = lr
    out = []
    for gW, gb in grads:
        model.grad_W = gW.copy()
        model.grad_b = gb.reshape(np.shape(model.b)).copy()
        ctx.call("SGD.step()", sgd.step)
        out.append((np.array(model.W, dtype=np.float64, copy=True),
                    np.array(model.b, dtype=np.float64, copy=True).reshape(-1)))
    return out


def _simulate(rule: Rule, p0: np.ndarray, grads: list[np.ndarray], lr: float,
              mu: float) -> np.ndarray:
    """The parameter after every step under ``rule``: (STEPS, *p0.shape)."""
    p, v, out = p0.copy(), np.zeros_like(p0), []
    for g in grads:
        p, v = rule(p, v, g, lr, mu)
        out.append(p)
    return np.array(out)


def _reference(W0: np.ndarray, b0: np.ndarray, grads: list, lr: float, mu: float,
               set_lr: float | None, ctx: Context) -> list[tuple[np.ndarray, np.ndarray]]:
    model = SoftmaxCrossEntropyLoss(D, C)
    model.W, model.b = W0.copy(), b0.copy()
    return _trajectory(ctx, model, SGD(model, lr, mu), grads, set_lr)


def _compare(ctx: Context, lr: float, mu: float, seed: int,
             set_lr: float | None = None) -> None:
    """Run the student's and the reference's SGD from the same W, b on the same gradients;
    Failed naming the mistake when they differ."""
    grads = _gradients(seed)
    model = _model(ctx)
    W0, b0 = np.array(model.W, copy=True), np.array(model.b, dtype=np.float64).reshape(-1)
    sgd = ctx.call(f"SGD(model, {lr}, {mu})", ctx.classes.sgd, model, lr, mu)
    got = _trajectory(ctx, model, sgd, grads, set_lr)
    want = _reference(W0, b0, grads, lr, mu, set_lr, ctx)
    rate = lr if set_lr is None else set_lr
    hints: dict[str, str] = {}  # W/b -> the mistake's template
    for i, name in enumerate("Wb"):
        mine, right = np.array([w[i] for w in got]), np.array([w[i] for w in want])
        if agrees(mine, right):
            continue
        p0, g = (W0, [gW for gW, _ in grads]) if name == "W" else (b0, [gb for _, gb in grads])
        candidates = [(_simulate(rule, p0, g, rate, mu), hint) for rule, hint in
                      MISTAKES.values()]
        if set_lr is not None:
            ignored = _reference(W0, b0, grads, lr, mu, None, ctx)
            candidates.insert(0, (np.array([w[i] for w in ignored]), IGNORED_LR))
        hints[name] = first_match(mine, candidates) or (
            f"{{p}} after {STEPS} steps differs from the reference's v = μ v + η g; {{p}} −= v")
    if len(set(hints.values())) == 1 and len(hints) == 2:
        raise Failed(hints["W"].format(p="W and b").replace("W and b is", "W and b are")
                     .replace("W and b moves", "W and b move"))
    if hints:
        raise Failed("; ".join(hint.format(p=name) for name, hint in hints.items()))


IGNORED_LR = ("step() uses the learning rate given to __init__, not self.learning_rate: read "
              "self.learning_rate in step() (the Solver lowers it after every epoch)")


def check_sgd(ctx: Context) -> str:
    """momentum 0: W −= η grad_W, b −= η grad_b, three steps."""
    _compare(ctx, 0.1, 0.0, seed=8)
    return f"momentum 0: W and b as the reference over {STEPS} steps"


def check_momentum(ctx: Context) -> str:
    """momentum 0.9: v = μ v + η g; p −= v, three steps (the velocity kept between them)."""
    _compare(ctx, 0.1, 0.9, seed=9)
    return f"momentum 0.9: W and b as the reference over {STEPS} steps (velocity kept)"


def check_learning_rate(ctx: Context) -> str:
    """step() reads self.learning_rate, which the Solver decays after every epoch."""
    model = _model(ctx)
    sgd = ctx.call("SGD(model, 0.1, 0.9)", ctx.classes.sgd, model, 0.1, 0.9)
    if not isinstance(getattr(sgd, "learning_rate", None), numbers.Real):
        raise Failed("SGD has no number self.learning_rate: keep the learning rate there "
                     "(the Solver lowers it after every epoch)")
    _compare(ctx, 0.1, 0.9, seed=10, set_lr=0.02)
    return "step() reads self.learning_rate (the Solver lowers it after every epoch)"
