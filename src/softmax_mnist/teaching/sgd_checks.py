"""The checks of ``SGD(model, learning_rate, momentum)``: plain and momentum updates over
three steps against the reference rule, and the learning rate read at every step.

The model is a plain object (``types.SimpleNamespace``) holding W (784, 10), b in the
student's shape and ``trainable = True``, so these checks need optimizer.py only. Each step
gets new gradients; W and b after every step are compared with the reference rule, then
with what each well-known mistake would give (:data:`MISTAKES`).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

from .context import C, Context, D, Failed
from .diagnose import Hint, agrees, first_match

STEPS = 3

Rule = Callable[[np.ndarray, np.ndarray, np.ndarray, float, float],
                tuple[np.ndarray, np.ndarray]]
"""(param, velocity, gradient, η, μ) -> (new param, new velocity)."""


def _right(p, v, g, lr, mu):
    v = mu * v + lr * g
    return p - v, v


MISTAKES: list[tuple[Rule, Hint]] = [
    (lambda p, v, g, lr, mu: (p, v),
     ("{p} is not updated: step() must update W from grad_W and b from grad_b",
      "{p} 没有更新：step() 必须用 grad_W 更新 W、用 grad_b 更新 b")),
    (lambda p, v, g, lr, mu: (p - lr * g, v),
     ("momentum has no effect: {p} moves like plain SGD. Keep the velocity between steps (in "
      "self, zeros once in __init__): v = μ v + η g; {p} −= v",
      "动量没有起作用：{p} 的变化和普通 SGD 一样。速度要在步与步之间保留（存在 self 里，只在 "
      "__init__ 中置零一次）：v = μ v + η g；{p} −= v")),
    (lambda p, v, g, lr, mu: (p + lr * g, v),
     ("{p} moves up the gradient: subtract η·grad, {p} −= η g",
      "{p} 沿梯度上升了：应减去 η·grad，{p} −= η g")),
    (lambda p, v, g, lr, mu: (p + (mu * v + lr * g), mu * v + lr * g),
     ("{p} moves up the gradient: with v = μ v + η g the step is {p} −= v (or v = μ v − η g "
      "and {p} += v)", "{p} 沿梯度上升了：v = μ v + η g 时应为 {p} −= v（或 v = μ v − η g 且 "
                       "{p} += v）")),
    (lambda p, v, g, lr, mu: (p - (lr * g - mu * v), lr * g - mu * v),
     ("the momentum sign is flipped: the update matches v = −μ v + η g; the rule is "
      "v = μ v + η g, then {p} −= v", "动量的符号反了：更新相当于 v = −μ v + η g；正确的是 "
                                      "v = μ v + η g，然后 {p} −= v")),
    (lambda p, v, g, lr, mu: (p - v, mu * v + lr * g),
     ("{p} moves by the previous velocity: update v = μ v + η g first, then {p} −= v",
      "{p} 用的是上一步的速度：先更新 v = μ v + η g，再 {p} −= v")),
    (lambda p, v, g, lr, mu: (p - mu * (mu * v + lr * g), mu * v + lr * g),
     ("the step is μ·v: it must be the whole velocity, {p} −= v",
      "步长成了 μ·v：应减去整个速度，{p} −= v")),
    (lambda p, v, g, lr, mu: (p - (mu * v + g), mu * v + g),
     ("the learning rate is missing: v = μ v + η g", "少了学习率：v = μ v + η g")),
    (lambda p, v, g, lr, mu: (p - lr * (mu * v + (1 - mu) * g), mu * v + (1 - mu) * g),
     ("that is a moving average, v = μ v + (1 − μ) g; the course's rule is v = μ v + η g, "
      "{p} −= v", "这是滑动平均 v = μ v + (1 − μ) g；课程的规则是 v = μ v + η g，{p} −= v")),
    (lambda p, v, g, lr, mu: (p - (mu * (mu * v + lr * g) + lr * g), mu * v + lr * g),
     ("that is Nesterov's look-ahead; the course's rule is classical momentum: v = μ v + η g; "
      "{p} −= v", "这是 Nesterov 前瞻；课程用的是经典动量：v = μ v + η g；{p} −= v")),
]
IGNORED_LR: Hint = (
    "step() uses the learning rate given to __init__, not self.learning_rate: read "
    "self.learning_rate in step() (the course's Solver never changes it; softmax-mnist's "
    "--lr-decay does)",
    "step() 用的是 __init__ 传入的学习率，而不是 self.learning_rate：请在 step() 中读取 "
    "self.learning_rate（课程的 Solver 从不修改它；softmax-mnist 的 --lr-decay 会）")


def _gradients(seed: int, b_shape: tuple[int, ...]) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(D, C)), rng.normal(size=C).reshape(b_shape)) for _ in range(STEPS)]


def _simulate(rule: Rule, p0: np.ndarray, grads: list[np.ndarray], lr: float, mu: float,
              ) -> np.ndarray:
    p, v, out = p0.copy(), np.zeros_like(p0), []
    for g in grads:
        p, v = rule(p, v, g, lr, mu)
        out.append(p)
    return np.array(out)


def _trajectory(ctx: Context, lr: float, mu: float, grads: list, W0: np.ndarray,
                b0: np.ndarray, set_lr: float | None) -> dict:
    arrays = {"W": W0, "b": b0}
    steps = [{"import": "types"}, {"new": "model", "cls": "types.SimpleNamespace"},
             {"set": "model.W", "value": {"copy": "W"}}, {"set": "model.b", "value": {"copy": "b"}},
             {"set": "model.trainable", "value": True}, {"import": "optimizer"},
             {"new": "sgd", "cls": "optimizer.SGD", "args": [{"obj": "model"}, lr, mu]}]
    if set_lr is not None:
        steps += [{"set": "sgd.learning_rate", "value": set_lr}]
    for i, (gW, gb) in enumerate(grads):
        arrays[f"gW{i}"], arrays[f"gb{i}"] = gW, gb
        steps += [{"set": "model.grad_W", "value": {"copy": f"gW{i}"}},
                  {"set": "model.grad_b", "value": {"copy": f"gb{i}"}},
                  {"call": "sgd.step"}, {"get": "model.W", "keep": f"W{i}"},
                  {"get": "model.b", "keep": f"b{i}"}]
    reply = ctx.run(steps, arrays)
    if reply.error is not None:
        ctx.raise_error(reply, f"SGD(model, {lr}, {mu})" if reply.error.step < 7 else
                        "SGD.step()")
    return reply.kept


def _compare(ctx: Context, lr: float, mu: float, seed: int,
             set_lr: float | None = None) -> None:
    b_shape = ctx.facts.b_shape
    grads = _gradients(seed, b_shape)
    rng = np.random.default_rng(seed + 100)
    W0, b0 = rng.normal(size=(D, C)), rng.normal(size=C).reshape(b_shape)
    kept = _trajectory(ctx, lr, mu, grads, W0, b0, set_lr)
    rate = lr if set_lr is None else set_lr
    hints: dict[str, Hint] = {}
    for name, p0, g in (("W", W0, [gW for gW, _ in grads]), ("b", b0, [gb for _, gb in grads])):
        mine = [kept.get(f"{name}{i}") for i in range(STEPS)]
        if any(not isinstance(m, np.ndarray) or m.size != p0.size for m in mine):
            hints[name] = (f"{{p}} is no longer an array of shape {p0.shape} after step()",
                           f"step() 之后 {{p}} 不再是形状为 {p0.shape} 的数组")
            continue
        mine_all = np.array([np.asarray(m, float).reshape(p0.shape) for m in mine])
        if agrees(mine_all, _simulate(_right, p0, g, rate, mu)):
            continue
        candidates = [(_simulate(rule, p0, g, rate, mu), hint) for rule, hint in MISTAKES]
        if set_lr is not None:
            candidates.insert(0, (_simulate(_right, p0, g, lr, mu), IGNORED_LR))
        hints[name] = first_match(mine_all, candidates) or (
            f"{{p}} after {STEPS} steps differs from the reference's v = μ v + η g; {{p}} −= v",
            f"{STEPS} 步之后 {{p}} 与参考规则 v = μ v + η g；{{p}} −= v 不同")
    if not hints:
        return
    texts = {name: ctx.tr(*hint) for name, hint in hints.items()}
    if len(hints) == 2 and hints["W"] == hints["b"]:
        both = texts["W"].format(p=ctx.tr("W and b", "W 和 b"))
        raise Failed(both.replace("W and b is", "W and b are").replace("W and b moves",
                                                                       "W and b move"))
    raise Failed("; ".join(text.format(p=name) for name, text in texts.items()))


def check_sgd(ctx: Context) -> str:
    """momentum 0: W −= η grad_W, b −= η grad_b, three steps."""
    _compare(ctx, 0.1, 0.0, seed=8)
    return ctx.tr(f"momentum 0: W and b as the reference over {STEPS} steps",
                  f"动量 0：{STEPS} 步内 W 和 b 与参考一致")


def check_momentum(ctx: Context) -> str:
    """momentum 0.9: v = μ v + η g; p −= v, three steps (the velocity kept between them)."""
    _compare(ctx, 0.1, 0.9, seed=9)
    return ctx.tr(f"momentum 0.9: W and b as the reference over {STEPS} steps (velocity kept)",
                  f"动量 0.9：{STEPS} 步内 W 和 b 与参考一致（速度得以保留）")


def check_learning_rate(ctx: Context) -> str:
    """step() reads self.learning_rate (robustness: the course's Solver never changes it)."""
    reply = ctx.run([{"import": "types"}, {"new": "model", "cls": "types.SimpleNamespace"},
                     {"set": "model.W", "value": {"copy": "W"}},
                     {"set": "model.b", "value": {"copy": "b"}},
                     {"set": "model.trainable", "value": True}, {"import": "optimizer"},
                     {"new": "sgd", "cls": "optimizer.SGD", "args": [{"obj": "model"}, 0.1, 0.9]},
                     {"get": "sgd.learning_rate", "keep": "lr"}],
                    {"W": np.zeros((D, C)), "b": np.zeros(ctx.facts.b_shape)})
    lr = reply.kept.get("lr")
    if reply.error is not None and reply.error.step < 7:
        ctx.raise_error(reply, "SGD(model, 0.1, 0.9)")
    if not isinstance(lr, numbers.Real | np.ndarray) or np.size(lr) != 1:
        raise Failed(ctx.tr("SGD has no number self.learning_rate: keep the learning rate "
                            "there (softmax-mnist's --lr-decay changes it between epochs)",
                            "SGD 没有数值属性 self.learning_rate：请把学习率存在那里"
                            "（softmax-mnist 的 --lr-decay 会在各轮之间修改它）"))
    _compare(ctx, 0.1, 0.9, seed=10, set_lr=0.02)
    return ctx.tr("step() reads self.learning_rate at every step",
                  "step() 每一步都读取 self.learning_rate")
