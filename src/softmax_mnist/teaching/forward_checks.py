"""The checks of ``SoftmaxCrossEntropyLoss``'s numbers on the course's shapes: the loss, the
accuracy, large logits and both gradients, each against the reference, and a catalogue of
what each well-known mistake would give (:data:`DELTA_MISTAKES`, the loss candidates)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..nn import log_softmax, softmax
from .context import C, Context, D, Failed, N, Problem, course_problem, number
from .diagnose import Hint, agrees, first_match, gradient_problem
from .reference import softmax_loss_vectorized


def _loss_candidates(p: Problem) -> list[tuple[float, Hint]]:
    z = p.scores
    rows = np.arange(len(p.y))
    log_p = log_softmax(z)
    loss = -log_p[rows, p.y].mean()
    by_column = z - z.max(axis=0) - np.log(np.exp(z - z.max(axis=0)).sum(axis=0))
    probs = np.exp(log_p)
    Y = np.eye(C)[p.y]
    return [
        (loss * len(p.y), ("it is the sum over the batch: divide by the batch size N (forward "
                           "returns the mean loss)", "这是整批的总和：要除以批大小 N（forward "
                                                    "返回平均损失）")),
        (-loss, ("the minus sign is missing: the loss is −log ŷ of the true class",
                 "少了负号：损失是真实类别的 −log ŷ")),
        (loss / np.log(10), ("that is log10: use the natural logarithm np.log",
                             "这是 log10：请用自然对数 np.log")),
        (loss / np.log(2), ("that is log2: use the natural logarithm np.log",
                            "这是 log2：请用自然对数 np.log")),
        (loss / C, ("np.mean over the (N, C) matrix also divides by the 10 classes: sum over "
                    "the classes, average over the rows", "对 (N, C) 矩阵取 np.mean 还多除了类别"
                                                          "数 10：应对类别求和、对行取平均")),
        (-by_column[rows, p.y].mean(), ("softmax normalises each column (axis=0); it must "
                                        "normalise each row (axis=1)",
                                        "softmax 按列 (axis=0) 归一化了；应按行 (axis=1)")),
        (-log_p.sum(axis=1).mean(), ("the log of every class is summed: multiply by the "
                                     "one-hot labels (only the true class counts)",
                                     "把所有类别的 log 都加上了：要乘以 one-hot 标签"
                                     "（只算真实类别）")),
        (-(Y * log_p + (1 - Y) * np.log1p(-probs)).sum(axis=1).mean(),
         ("that is the binary cross-entropy, with log(1 − ŷ) terms: softmax cross-entropy "
          "is −Σ y log ŷ only",
          "这是带 log(1 − ŷ) 项的二元交叉熵：softmax 交叉熵只有 −Σ y log ŷ")),
        (-z[rows, p.y].mean(), ("the scores are used as log-probabilities: take log softmax "
                                "of the scores first", "把分数直接当成了对数概率：先对分数做 "
                                                       "log softmax")),
    ]


def check_loss(ctx: Context) -> str:
    """The mean cross-entropy on a course batch, against the reference."""
    p = course_problem(2)
    loss_out, acc_out = ctx.forward(p)
    ref = softmax_loss_vectorized(p.W, p.b, p.X, p.y)
    try:
        loss = number(ctx, ("the loss forward returned", "forward 返回的损失"), loss_out)
    except Failed:
        if agrees(acc_out, ref.loss) and not agrees(loss_out, ref.loss):
            raise Failed(ctx.tr("forward returns (acc, loss); the Solver expects (loss, acc)",
                                "forward 返回的是 (acc, loss)；Solver 需要 (loss, acc)")) from None
        raise
    if agrees(loss, ref.loss):
        return ctx.tr(f"{loss:.6f} on a batch of {N} course images, as the reference",
                      f"在 {N} 张课程图像上为 {loss:.6f}，与参考实现一致")
    candidates = [*_loss_candidates(p), (ref.accuracy, (
        "forward returns (acc, loss); the Solver expects (loss, acc)",
        "forward 返回的是 (acc, loss)；Solver 需要 (loss, acc)"))]
    hint = first_match(loss, candidates)
    text = ctx.tr(*hint) if hint else ctx.tr(
        "the mean over the rows of −log softmax(Input W + b) at the true label",
        "应为各行在真实标签处 −log softmax(Input W + b) 的平均值")
    raise Failed(ctx.tr(f"loss is {loss:.6g}, expected {ref.loss:.6g}: {text}",
                        f"损失为 {loss:.6g}，应为 {ref.loss:.6g}：{text}"))


def check_accuracy(ctx: Context) -> str:
    """The accuracy as a fraction, on a batch where 5 of 16 predictions are right."""
    p = course_problem(3)
    y = p.scores.argmax(axis=1).astype(np.uint8)
    y[5:] = (y[5:] + 1) % C
    _, acc_out = ctx.forward(Problem(p.X, y, p.W, p.b))
    acc = number(ctx, ("the accuracy forward returned", "forward 返回的准确率"), acc_out)
    right = 5 / N
    if agrees(acc, right):
        return ctx.tr(f"a fraction ({acc:g} for 5 right out of {N})",
                      f"是比例（{N} 个中 5 个正确：{acc:g}）")
    hint = first_match(acc, [
        (5, ("a count of correct predictions: return the fraction, count / N",
             "这是正确预测的个数：应返回比例，个数 / N")),
        (100 * right, ("a percentage: return a fraction in [0, 1]",
                       "这是百分数：应返回 [0, 1] 内的比例")),
        (1 - right, ("the error rate: return the fraction of correct predictions",
                     "这是错误率：应返回预测正确的比例")),
    ])
    text = ctx.tr(*hint) if hint else ctx.tr(
        "the fraction of rows whose highest score is the label",
        "应为最高分类别等于标签的行所占比例")
    raise Failed(ctx.tr(f"accuracy is {acc:g}, expected {right:g} (5 right out of {N}): {text}",
                        f"准确率为 {acc:g}，应为 {right:g}（{N} 个中 5 个正确）：{text}"))


def _logit_problem(logits: np.ndarray, y: np.ndarray) -> Problem:
    """X and W with X W + b = logits exactly (X = [logits, 0 …], W = [I; 0], b = 0)."""
    n, c = logits.shape
    X = np.zeros((n, D))
    X[:, :c] = logits
    W = np.zeros((D, c))
    W[:c] = np.eye(c)
    return Problem(X, y, W, np.zeros(c))


def _stable(ctx: Context, p: Problem) -> bool:
    reply = ctx.run([*ctx.model_steps(p), {"call": "model.forward", "args": [
        {"array": "X"}, {"array": "y"}], "keep": "out"}, {"call": "model.gradient_computing"},
        {"get": "model.grad_W", "keep": "grad_W", "optional": True},
        {"get": "model.grad_b", "keep": "grad_b", "optional": True}],
        ctx.arrays(p))
    if reply.error is not None:
        return False
    out = reply.kept.get("out")
    values = [*(out if isinstance(out, tuple) else ()), reply.kept.get("grad_W"),
              reply.kept.get("grad_b")]
    arrays = [v for v in values if isinstance(v, np.ndarray | float | int)]
    return all(np.all(np.isfinite(np.asarray(v, float))) for v in arrays)


def check_stability(ctx: Context) -> str:
    """Logits of ±1e4: a finite loss and finite gradients (robustness)."""
    rng = np.random.default_rng(4)
    y = rng.integers(0, C, N).astype(np.uint8)
    noise = rng.normal(0, 3, (N, C))
    offsets = np.where(np.arange(N) % 2 == 0, 1e4, -1e4)[:, None]
    if _stable(ctx, _logit_problem(offsets + noise, y)):
        return ctx.tr("logits of ±1e4 give a finite loss and gradients",
                      "±1e4 的 logits 下损失和梯度都有限")
    if not _stable(ctx, _logit_problem(1000 + noise, y)):
        raise Failed(ctx.tr("logits of 1000 give NaN or inf: exp overflows. Subtract each "
                            "row's maximum before exp: z − z.max(axis=1, keepdims=True)",
                            "logits 为 1000 时出现 NaN 或 inf：exp 溢出了。exp 之前先减去每行的"
                            "最大值：z − z.max(axis=1, keepdims=True)"))
    raise Failed(ctx.tr("logits of ±1e4 give NaN or inf: subtract each row's maximum, not the "
                        "array's (or each column's): z − z.max(axis=1, keepdims=True) — rows "
                        "far below the array's maximum underflow to 0, and log 0 = −inf",
                        "±1e4 的 logits 下出现 NaN 或 inf：要减去每行的最大值，而不是整个数组"
                        "（或每列）的：z − z.max(axis=1, keepdims=True)——远低于全局最大值的行会"
                        "下溢为 0，而 log 0 = −inf"))


Delta = Callable[[Problem], np.ndarray]
DELTA_MISTAKES: list[tuple[Delta, Hint]] = [
    (lambda p: softmax(p.scores) / N,
     ("the one-hot labels are not subtracted: the error is ŷ − Y",
      "没有减去 one-hot 标签：误差是 ŷ − Y")),
    (lambda p: (p.scores - np.eye(C)[p.y]) / N,
     ("the raw scores are used in place of the probabilities: the error is softmax(scores) − Y",
      "用原始分数代替了概率：误差是 softmax(scores) − Y")),
    (lambda p: (p.scores - p.scores.max(axis=1, keepdims=True) - np.eye(C)[p.y]) / N,
     ("the shifted scores are used in place of the probabilities: exponentiate and "
      "normalise them first (softmax) — the error is ŷ − Y",
      "用减去最大值后的分数代替了概率：要先取 exp 再归一化（softmax）——误差是 ŷ − Y")),
    (lambda p: (np.exp(p.scores - p.scores.max(axis=1, keepdims=True)) - np.eye(C)[p.y]) / N,
     ("the exponentials are not normalised: divide exp(z) by each row's sum to get ŷ",
      "exp 没有归一化：exp(z) 要除以每行的和才是 ŷ")),
    (lambda p: (log_softmax(p.scores) - np.eye(C)[p.y]) / N,
     ("the log-probabilities are used in place of the probabilities: the error is ŷ − Y, "
      "not log ŷ − Y", "用对数概率代替了概率：误差是 ŷ − Y，不是 log ŷ − Y")),
    (lambda p: (-log_softmax(p.scores)[np.arange(N), p.y][:, None] - np.eye(C)[p.y]) / N,
     ("the per-sample losses are used in place of the probabilities: the error is ŷ − Y",
      "用每个样本的损失代替了概率：误差是 ŷ − Y")),
    (lambda p: (softmax(p.scores) - p.y[:, None]) / N,
     ("the integer labels are subtracted from every column: subtract the one-hot Y "
      "(np.eye(C)[labels])", "把整数标签从每一列减去了：应减去 one-hot 的 Y（np.eye(C)[labels]）")),
    (lambda p: (np.exp(p.scores - p.scores.max(axis=0)) / np.exp(p.scores - p.scores.max(
        axis=0)).sum(axis=0) - np.eye(C)[p.y]) / N,
     ("the softmax normalises each column (axis=0); it must normalise each row (axis=1)",
      "softmax 按列 (axis=0) 归一化了；应按行 (axis=1)")),
]


def _student_gradient(ctx: Context, name: str) -> tuple[object, Problem, Problem]:
    """The student's gradient after forward on batch 5 then on batch 6."""
    first, second = course_problem(5), course_problem(6)
    arrays = {**ctx.arrays(first), **{f"{k}2": v for k, v in ctx.arrays(second).items()}}
    reply = ctx.run([*ctx.model_steps(first),
                     {"call": "model.forward", "args": [{"array": "X"}, {"array": "y"}]},
                     {"call": "model.gradient_computing"},
                     {"set": "model.W", "value": {"copy": "W2"}},
                     {"set": "model.b", "value": {"copy": "b2"}},
                     {"call": "model.forward", "args": [{"array": "X2"}, {"array": "y2"}]},
                     {"call": "model.gradient_computing"},
                     {"get": f"model.{name}", "keep": "grad", "optional": True}], arrays)
    if reply.error is not None:
        steps = {4: "forward", 5: "gradient_computing", 8: "forward", 9: "gradient_computing"}
        ctx.raise_error(reply, steps.get(reply.error.step, f"SoftmaxCrossEntropyLoss({D}, {C})"))
    if "grad" not in reply.kept:
        raise Failed(ctx.tr(f"{name} is not set: gradient_computing must set self.{name}",
                            f"{name} 没有设置：gradient_computing 必须设置 self.{name}"))
    return reply.kept["grad"], second, first


def _check_gradient(ctx: Context, name: str) -> str:
    got, p, earlier = _student_gradient(ctx, name)
    ref = softmax_loss_vectorized(p.W, p.b, p.X, p.y)
    true = ref.grad_W if name == "grad_W" else ref.grad_b
    old = softmax_loss_vectorized(earlier.W, earlier.b, earlier.X, earlier.y)

    def grad(delta: np.ndarray) -> np.ndarray:
        return p.X.T @ delta if name == "grad_W" else delta.sum(axis=0)

    candidates = [(grad(delta(p)), hint) for delta, hint in DELTA_MISTAKES]
    candidates.append((old.grad_W if name == "grad_W" else old.grad_b, (
        "it is the gradient of an earlier batch: keep what forward saves for "
        "gradient_computing from the latest call",
        "这是之前某一批的梯度：forward 为 gradient_computing 保存的数据要来自最近一次调用")))
    problem = gradient_problem(ctx, name, got, true, N, candidates)
    if problem:
        raise Failed(problem)
    error = np.linalg.norm(np.asarray(got, float).reshape(true.shape) - true)
    relative = error / np.linalg.norm(true)
    return ctx.tr(f"matches the true gradient (error {relative:.1e}), shape {np.shape(got)}",
                  f"与正确梯度一致（误差 {relative:.1e}），形状 {np.shape(got)}")


def check_grad_W(ctx: Context) -> str:
    """grad_W against the reference's (itself tested against centred differences)."""
    return _check_gradient(ctx, "grad_W")


def check_grad_b(ctx: Context) -> str:
    """grad_b against the reference's."""
    return _check_gradient(ctx, "grad_b")
