"""The checks of the two loss layers: value, accuracy and backward of
SoftmaxCrossEntropyLossLayer and EuclideanLossLayer, and large logits.

``gt`` is one-hot (N, C) as the course's data loader gives it; C = 10 as in the course.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import reference as ref
from .course import LOSSES
from .judge_layers import mismatch, require
from .probe import Probe, Reply, array, call, get, imports, new
from .verdict import Fail, Text, Verdict, agrees, as_array, as_number, factor, ok
from .verdict import zh as zh_label

N, C = 8, 10
RIGHT = 3  # rows the logits predict right
NAMES = {"cross-entropy": "SoftmaxCrossEntropyLossLayer", "mse": "EuclideanLossLayer"}

ONE_HOT_HINT = Text(" — gt is one-hot, shape (N, 10), not integer labels: use it as a mask "
                    "(gt * log ŷ) or take labels = np.argmax(gt, axis=1)",
                    "——gt 是 one-hot 编码，形状 (N, 10)，不是整数标签：把它当作掩码 "
                    "(gt * log ŷ)，或用 labels = np.argmax(gt, axis=1)")
"""Added to an IndexError or a ValueError of a loss's forward (see the checklist)."""


def batch(seed: int, scale: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Logits (N, C) and one-hot targets with exactly RIGHT rows predicted right."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0, scale, (N, C))
    labels = z.argmax(axis=1)
    labels[RIGHT:] = (labels[RIGHT:] + 1 + rng.integers(0, C - 1, N - RIGHT)) % C
    return z, np.eye(C)[labels]


def probe_loss(loss: str) -> Probe:
    z, Y = batch(31 if loss == "cross-entropy" else 32)
    z0, Y0 = batch(33)
    cls = LOSSES[loss]
    steps = [*imports(cls.rsplit(".", 1)[0]), new("loss", cls),
             call("loss.forward", array("z0"), array("Y0")),
             call("loss.forward", array("z"), array("Y"), keep="returned"),
             get("loss.loss", "loss"), get("loss.acc", "acc"),
             call("loss.backward", keep="delta")]
    return Probe(steps, {"z": z, "Y": Y, "z0": z0, "Y0": Y0}, {"loss": loss})


def _judge_value(probe: Probe, kept: dict[str, Any], expected: float,
                 candidates: list[tuple[float, Text]]) -> float:
    name = NAMES[probe.facts["loss"]]
    if kept["returned"] is None:
        raise Fail(f"{name}.forward returns nothing: return self.loss",
                   f"{name}.forward 没有返回值：应返回 self.loss")
    value = as_number(kept["loss"], "self.loss")
    returned = as_number(kept["returned"], "the value forward returns")
    if not agrees(returned, value):
        raise Fail(f"forward returns {returned:.6g} but self.loss is {value:.6g}: store the "
                   f"loss in self.loss and return it", f"forward 返回 {returned:.6g}，"
                   f"但 self.loss 是 {value:.6g}：应把损失存入 self.loss 并返回它")
    if agrees(value, expected):
        return value
    for v, hint in candidates:
        if agrees(value, v):
            raise Fail(f"the loss is {value:.6g}, expected {expected:.6g}: {hint.en}",
                       f"损失是 {value:.6g}，应为 {expected:.6g}：{hint.zh}")
    raise Fail(f"the loss is {value:.6g}, expected {expected:.6g}",
               f"损失是 {value:.6g}，应为 {expected:.6g}")


def _judge_acc(kept: dict[str, Any]) -> float:
    acc = as_number(kept["acc"], "self.acc")
    want = RIGHT / N
    if agrees(acc, want):
        return acc
    hints = [(RIGHT, Text("a count of correct predictions: store the fraction, count / N",
                          "这是预测正确的个数：应存比例，个数 / N")),
             (100 * want, Text("a percentage: store a fraction in [0, 1]",
                               "这是百分数：应存 [0, 1] 之间的比例")),
             (1 - want, Text("the error rate: store the fraction of correct predictions",
                             "这是错误率：应存预测正确的比例"))]
    for v, hint in hints:
        if agrees(acc, v):
            raise Fail(f"self.acc is {acc:g}, expected {want:g} ({RIGHT} right out of {N}): "
                       f"{hint.en}", f"self.acc 是 {acc:g}，应为 {want:g}（{N} 个中对 "
                       f"{RIGHT} 个）：{hint.zh}")
    raise Fail(f"self.acc is {acc:g}, expected {want:g} ({RIGHT} right out of {N}): the "
               f"fraction of rows whose largest logit is the label np.argmax(gt, axis=1)",
               f"self.acc 是 {acc:g}，应为 {want:g}（{N} 个中对 {RIGHT} 个）：最大 logit "
               f"的位置等于 np.argmax(gt, axis=1) 的行所占比例")


def loss_split(got: Any, e: np.ndarray, what: str, candidates: list[tuple[np.ndarray, Text]],
               ) -> float:
    """The factor s ∈ {1/N, 1} with ``got`` = s · e; Fail on anything else."""
    g = as_array(got, what)
    k = factor(g, e) if g.shape == e.shape else None
    if k is not None and (agrees(k, 1) or agrees(k, 1 / N)):
        return k
    sign = ("has the wrong sign: it is (prediction − gt), not (gt − prediction)",
            "符号反了：应为 (预测 − gt)，而不是 (gt − 预测)")
    known = [(-1 / N, *sign), (-1, *sign), (1 / N ** 2, "is divided by N twice",
                                           "被除以了两次 N")]
    for v, en, zh in known:
        if k is not None and agrees(k, v):
            raise Fail(f"{what} {en}", f"{zh_label(what)} {zh}")
    require(mismatch(g, e / N, what, candidates))
    raise AssertionError  # mismatch found nothing: unreachable


def judge_cross_entropy(probe: Probe, reply: Reply) -> Verdict:
    z, Y = probe.arrays["z"], probe.arrays["Y"]
    want = ref.cross_entropy(z, Y)
    logp = ref.log_softmax(z)
    by_column = z - z.max(axis=0) - np.log(np.exp(z - z.max(axis=0)).sum(axis=0))
    value = _judge_value(probe, reply.kept, want, [
        (want * N, Text("it is the sum over the batch: divide by the batch size N",
                        "这是整个 batch 的和：应除以 batch 大小 N")),
        (-want, Text("the minus sign is missing: the loss is −log ŷ of the true class",
                     "缺少负号：损失是真实类别的 −log ŷ")),
        (want / np.log(10), Text("that is log10: use the natural logarithm np.log",
                                 "这是 log10：应使用自然对数 np.log")),
        (want / C, Text("np.mean over all N × 10 entries also divides by 10: sum over the "
                        "classes, then divide by N", "对全部 N × 10 个元素取 np.mean 会多除"
                        "以 10：应先对类别求和，再除以 N")),
        (-logp.sum() / N, Text("the one-hot gt is not used: multiply log ŷ by gt to keep "
                               "the true class only", "没有使用 one-hot 的 gt：应把 log ŷ 乘以 "
                               "gt，只保留真实类别")),
        (float(-(Y * by_column).sum() / N), Text("softmax normalises each column (axis=0); "
                                                 "it must normalise each row (axis=1)",
                                                 "softmax 按列归一化了（axis=0）；应按行"
                                                 "（axis=1）"))])
    acc = _judge_acc(reply.kept)
    return ok(f"{value:.6f} on a batch of {N}, as the reference; acc {acc:g}",
              f"在 {N} 个样本上为 {value:.6f}，与参考一致；acc {acc:g}")


def judge_euclidean(probe: Probe, reply: Reply) -> Verdict:
    z, Y = probe.arrays["z"], probe.arrays["Y"]
    want = ref.euclidean(z, Y)
    value = _judge_value(probe, reply.kept, want, [
        (want * N, Text("it is the sum over the batch: divide by the batch size N",
                        "这是整个 batch 的和：应除以 batch 大小 N")),
        (want * 2, Text("the ½ is missing: L = 1/(2N) Σ ‖z − gt‖², whose gradient is "
                        "(z − gt)/N", "缺少 ½：L = 1/(2N) Σ ‖z − gt‖²，它的梯度是 "
                        "(z − gt)/N")),
        (want / C, Text("np.mean over all N × 10 entries also divides by 10: sum over the "
                        "classes, then divide by N", "对全部 N × 10 个元素取 np.mean 会多除"
                        "以 10：应先对类别求和，再除以 N")),
        (2 * want / C, Text("that is np.mean((z − gt)²) over all N × 10 entries: the "
                            "loss is 1/(2N) Σ ‖z − gt‖²", "这是对全部 N × 10 个元素的 "
                            "np.mean((z − gt)²)：损失应为 1/(2N) Σ ‖z − gt‖²")),
        (float(np.linalg.norm(z - Y, axis=1).mean()), Text(
            "that is the distance, not its square: L = 1/(2N) Σ ‖z − gt‖²",
            "这是距离本身，不是平方：L = 1/(2N) Σ ‖z − gt‖²"))])
    acc = _judge_acc(reply.kept)
    return ok(f"{value:.6f} on a batch of {N}, as the reference; acc {acc:g}",
              f"在 {N} 个样本上为 {value:.6f}，与参考一致；acc {acc:g}")


def _split_text(s: float) -> tuple[str, str]:
    return (("(ŷ − gt)/N: 1/N here", "(ŷ − gt)/N：1/N 在这里") if agrees(s, 1 / N) else
            ("ŷ − gt: 1/N left to FCLayer.backward", "ŷ − gt：1/N 留给 FCLayer.backward"))


def judge_cross_entropy_backward(probe: Probe, reply: Reply) -> Verdict:
    z, Y, z0 = probe.arrays["z"], probe.arrays["Y"], probe.arrays["z0"]
    probs = np.exp(ref.log_softmax(z))
    s = loss_split(reply.kept["delta"], probs - Y, "backward's gradient", [
        (probs / N, Text("gt is not subtracted: the gradient is (ŷ − gt)/N",
                         "没有减去 gt：梯度是 (ŷ − gt)/N")),
        (probs, Text("gt is not subtracted: the gradient is ŷ − gt (over N)",
                     "没有减去 gt：梯度是 ŷ − gt（再除以 N）")),
        ((z - Y) / N, Text("it uses the logits, not the probabilities ŷ = softmax(logit)",
                           "用了 logit，而不是概率 ŷ = softmax(logit)")),
        ((np.exp(ref.log_softmax(z0)) - probe.arrays["Y0"]) / N, Text(
            "it is the gradient of an earlier batch: keep what forward saves from the "
            "latest call", "这是更早一个 batch 的梯度：应保存最近一次 forward 的结果"))])
    en, zh = _split_text(s)
    return ok(f"the gradient for the logits is {en}", f"对 logit 的梯度为 {zh}")


def judge_euclidean_backward(probe: Probe, reply: Reply) -> Verdict:
    z, Y = probe.arrays["z"], probe.arrays["Y"]
    s = loss_split(reply.kept["delta"], z - Y, "backward's gradient", [
        (2 * (z - Y) / N, Text("the ½ of the loss cancels the 2 of the square: the "
                               "gradient is (z − gt)/N", "损失里的 ½ 与平方的 2 抵消：梯度是 "
                               "(z − gt)/N"))])
    en, zh = _split_text(s)
    return ok(f"the gradient for the logits is {en.replace('ŷ', 'z')}",
              f"对 logit 的梯度为 {zh.replace('ŷ', 'z')}")


def probe_large_logits() -> Probe:
    rng = np.random.default_rng(34)
    z = rng.normal(0, 3, (N, C)) + np.where(np.arange(N) % 2 == 0, 1e4, -1e4)[:, None]
    Y = np.eye(C)[rng.integers(0, C, N)]
    cls = LOSSES["cross-entropy"]
    steps = [*imports(cls.rsplit(".", 1)[0]), new("loss", cls),
             call("loss.forward", array("z"), array("Y"), keep="loss"),
             call("loss.backward", keep="delta")]
    return Probe(steps, {"z": z, "Y": Y})


def judge_large_logits(probe: Probe, reply: Reply) -> Verdict:
    loss = as_number(reply.kept["loss"], "the loss")
    delta = as_array(reply.kept["delta"], "backward's gradient")
    if np.isfinite(loss) and np.all(np.isfinite(delta)):
        return ok("logits of ±1e4 give a finite loss and gradient",
                  "±1e4 的 logit 得到有限的损失和梯度")
    raise Fail("logits of ±1e4 give NaN or inf: subtract each row's maximum before exp, "
               "logit − np.max(logit, axis=1, keepdims=True)", "±1e4 的 logit 得到 NaN "
               "或 inf：exp 之前先减去每行的最大值 logit − np.max(logit, axis=1, "
               "keepdims=True)")
