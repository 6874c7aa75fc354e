"""Lab 2 as students write it, for testing ``check --lab 2``: a correct solution in the
course's files (``lab2_correct/``, written the course's way, unlike our reference), the
common mistakes (each a one-line change of it, ``BUGS``) and other correct ways of writing
it (``VARIANTS``: every split of 1/N that composes to the gradient of the mean loss)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

CORRECT = Path(__file__).resolve().parent / "lab2_correct"

FC = "layers/fc_layer.py"
RELU = "layers/relu_layer.py"
SIGMOID = "layers/sigmoid_layer.py"
CE = "criterion/softmax_cross_entropy.py"
MSE = "criterion/euclidean_loss.py"
SGD = "optimizer.py"


@dataclass(frozen=True)
class Change:
    """Replace ``old`` by ``new`` in ``file`` (``old`` occurs exactly once)."""

    file: str
    old: str
    new: str


@dataclass(frozen=True)
class Bug:
    """A mistake: ``check --lab 2`` must fail ``check_id`` with a message containing
    ``hint`` (English) and ``hint_zh`` (Chinese)."""

    name: str
    change: Change
    check_id: str
    hint: str
    hint_zh: str
    also: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Variant:
    """A correct solution written another way: every check must pass."""

    name: str
    changes: tuple[Change, ...]


GRAD_W = "self.grad_W = np.dot(self.Input.T, delta)"
GRAD_B = "self.grad_b = np.sum(delta, axis=0, keepdims=True)"
DOWN = "return np.dot(delta, self.W.T)"
CE_BACK = "return (self.prob - self.gt) / self.gt.shape[0]"
MSE_BACK = "return self.diff / self.diff.shape[0]"
CE_LOSS = "self.loss = -np.sum(gt * np.log(self.prob + EPS)) / logit.shape[0]"
CE_ACC = "self.acc = np.mean(np.argmax(logit, axis=1) == np.argmax(gt, axis=1))"
MSE_LOSS = "self.loss = 0.5 * np.sum(self.diff ** 2) / logit.shape[0]"
DIFF_W = "layer.diff_W = -self.learningRate * (layer.grad_W + self.weightDecay * layer.W)"
DIFF_B = "layer.diff_b = -self.learningRate * layer.grad_b"
SHIFT = "shifted = logit - np.max(logit, axis=1, keepdims=True)"

FC_DIVIDES = (Change(FC, GRAD_W, GRAD_W + " / delta.shape[0]"),
              Change(FC, GRAD_B, GRAD_B + " / delta.shape[0]"))
LOSSES_DO_NOT = (Change(CE, CE_BACK, "return self.prob - self.gt"),
                 Change(MSE, MSE_BACK, "return self.diff"))

VARIANTS = [
    Variant("1/N in FCLayer.backward, not in the losses", FC_DIVIDES + LOSSES_DO_NOT),
    Variant("grad_b of shape (num_output,)", (Change(FC, GRAD_B,
                                                     "self.grad_b = delta.sum(axis=0)"),)),
    Variant("sigmoid's derivative from np.exp", (Change(
        SIGMOID, "return delta * self.Output * (1 - self.Output)",
        "return delta * np.exp(-self.Input) / (1 + np.exp(-self.Input)) ** 2"), Change(
        SIGMOID, "self.Output = 1 / (1 + np.exp(-Input))",
        "self.Input = Input\n        self.Output = 1 / (1 + np.exp(-Input))"))),
    Variant("loss by indexing the true class", (Change(
        CE, CE_LOSS, "self.loss = -np.mean(np.log(self.prob[np.arange(len(gt)), "
                     "np.argmax(gt, axis=1)] + EPS))"),)),
]

BUGS = [
    Bug("ReLU gradient at the wrong side", Change(RELU, "(self.Input > 0)", "(self.Input < 0)"),
        "relu", "the wrong side", "方向反了"),
    Bug("ReLU mask without delta", Change(RELU, "return delta * (self.Input > 0)",
                                          "return (self.Input > 0) * 1.0"),
        "relu", "multiply it by delta", "还要乘以 delta"),
    Bug("sigmoid derivative from the input", Change(
        SIGMOID, "return delta * self.Output * (1 - self.Output)",
        "return delta * self.Input * (1 - self.Input)"), "sigmoid",
        "computed from the input", "用输入算了",
        also=(Change(SIGMOID, "self.Output = 1 / (1 + np.exp(-Input))",
                     "self.Input = Input\n        self.Output = 1 / (1 + np.exp(-Input))"),)),
    Bug("sigmoid derivative missing (1 − σ)", Change(
        SIGMOID, "return delta * self.Output * (1 - self.Output)",
        "return delta * self.Output"), "sigmoid", "(1 − σ(x)) is missing", "缺少因子 (1 − σ(x))"),
    Bug("bias gradient not summed", Change(FC, GRAD_B, "self.grad_b = delta"), "fc_backward",
        "sum over the rows", "应对行求和"),
    Bug("bias gradient summed over everything", Change(FC, GRAD_B,
                                                       "self.grad_b = np.sum(delta)"),
        "fc_backward", "grad_b is one number", "grad_b 只是一个数"),
    Bug("grad_W transposed", Change(FC, GRAD_W, "self.grad_W = np.dot(delta.T, self.Input)"),
        "fc_backward", "grad_W is transposed", "grad_W 转置了"),
    Bug("gradient passed down without Wᵀ", Change(FC, DOWN, "return delta"), "fc_backward",
        "has shape (8, 5), expected (8, 7)", "形状是 (8, 5)，应为 (8, 7)"),
    Bug("gradient passed down divided by N", Change(FC, DOWN, DOWN + " / delta.shape[0]"),
        "fc_backward", "it is divided by N", "它被除以了 N"),
    Bug("only grad_W divided by N", Change(FC, GRAD_W, GRAD_W + " / delta.shape[0]"),
        "fc_backward", "grad_W is divided by N, grad_b is not", "grad_W 除以了 N，grad_b 没有"),
    Bug("Input of the first forward kept", Change(FC, "self.Input = Input",
                                                  "self.Input = getattr(self, 'Input', Input)"),
        "fc_backward", "an earlier forward", "更早一次 forward"),
    Bug("bias not added", Change(FC, "return np.dot(Input, self.W) + self.b",
                                 "return np.dot(Input, self.W)"), "fc_forward",
        "the bias b is not added", "没有加上偏置 b"),
    Bug("no √2 gain for ReLU", Change(FC, "init_std = raw_std * (2 ** 0.5)",
                                      "init_std = raw_std"), "fc_init", "× √2", "× √2"),
    Bug("1/N twice (loss and layer)", FC_DIVIDES[0], "network_ce",
        "divided by N twice", "除了两次 N", also=FC_DIVIDES[1:]),
    Bug("1/N never", LOSSES_DO_NOT[0], "network_ce", "1/N is applied nowhere",
        "哪里都没有除以 N", also=LOSSES_DO_NOT[1:]),
    Bug("1/N missing in the Euclidean loss only", LOSSES_DO_NOT[1], "network_mse",
        "1/N is applied nowhere", "哪里都没有除以 N"),
    Bug("weight decay with the wrong sign", Change(SGD, DIFF_W, DIFF_W.replace(
        "+ self.weightDecay", "- self.weightDecay")), "sgd", "weight decay has the wrong sign",
        "权重衰减的符号反了"),
    Bug("weight decay applied to b", Change(SGD, DIFF_B, DIFF_B.replace(
        "layer.grad_b", "(layer.grad_b + self.weightDecay * layer.b)")), "sgd",
        "weight decay is applied to b too", "对 b 也做了权重衰减"),
    Bug("weight decay without the learning rate", Change(SGD, DIFF_W, DIFF_W.replace(
        "-self.learningRate * (layer.grad_W + self.weightDecay * layer.W)",
        "-self.learningRate * layer.grad_W - self.weightDecay * layer.W")), "sgd",
        "not multiplied by the learning rate", "没有乘以学习率"),
    Bug("step uphill", Change(SGD, DIFF_B, DIFF_B.replace("-self", "self")), "sgd",
        "the step goes uphill", "更新方向反了"),
    Bug("one-hot ignored in the loss", Change(CE, CE_LOSS, CE_LOSS.replace("gt * ", "")),
        "cross_entropy", "the one-hot gt is not used", "没有使用 one-hot 的 gt"),
    Bug("one-hot labels used as indices", Change(
        CE, CE_LOSS, "self.loss = -np.mean(np.log(self.prob[np.arange(len(gt)), gt] + EPS))"),
        "cross_entropy", "gt is one-hot, shape (N, 10)", "gt 是 one-hot 编码"),
    Bug("accuracy against one-hot labels", Change(CE, CE_ACC, CE_ACC.replace(
        "np.argmax(gt, axis=1)", "gt")), "cross_entropy", "gt is one-hot, shape (N, 10)",
        "gt 是 one-hot 编码"),
    Bug("loss summed over the batch", Change(CE, CE_LOSS, CE_LOSS.replace(
        " / logit.shape[0]", "")), "cross_entropy", "divide by the batch size N",
        "应除以 batch 大小 N"),
    Bug("accuracy as a count", Change(CE, CE_ACC, CE_ACC.replace("np.mean", "np.sum")),
        "cross_entropy", "a count of correct predictions", "预测正确的个数"),
    Bug("cross-entropy gradient sign flipped", Change(CE, CE_BACK, CE_BACK.replace(
        "self.prob - self.gt", "self.gt - self.prob")), "cross_entropy_grad",
        "has the wrong sign", "符号反了"),
    Bug("cross-entropy gradient without gt", Change(CE, CE_BACK, CE_BACK.replace(
        "self.prob - self.gt", "self.prob")), "cross_entropy_grad", "gt is not subtracted",
        "没有减去 gt"),
    Bug("no max subtracted", Change(CE, SHIFT, "shifted = logit"), "large_logits",
        "subtract each row's maximum", "减去每行的最大值"),
    Bug("max over the whole array", Change(CE, SHIFT, "shifted = logit - np.max(logit)"),
        "large_logits", "subtract each row's maximum", "减去每行的最大值"),
    Bug("Euclidean loss without ½", Change(MSE, MSE_LOSS, MSE_LOSS.replace("0.5 * ", "")),
        "euclidean", "the ½ is missing", "缺少 ½"),
    Bug("Euclidean loss as np.mean", Change(MSE, MSE_LOSS,
                                            "self.loss = np.mean(self.diff ** 2)"),
        "euclidean", "np.mean((z − gt)²) over all N × 10 entries", "np.mean((z − gt)²)"),
    Bug("Euclidean gradient doubled", Change(MSE, MSE_BACK, "return 2 * self.diff / "
                                                            "self.diff.shape[0]"),
        "euclidean_grad", "cancels the 2 of the square", "抵消"),
]


def write_lab2(folder: Path, changes: tuple[Change, ...] = ()) -> Path:
    """The correct solution in ``folder`` with ``changes`` applied."""
    shutil.copytree(CORRECT, folder, ignore=shutil.ignore_patterns("__pycache__"))
    for change in changes:
        path = folder / change.file
        text = path.read_text(encoding="utf-8")
        assert text.count(change.old) == 1, (change.file, change.old)
        path.write_text(text.replace(change.old, change.new), encoding="utf-8")
    return folder


def write_bug(folder: Path, bug: Bug) -> Path:
    return write_lab2(folder, (bug.change, *bug.also))
