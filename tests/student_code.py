"""Students' lab files as test data for ``check``: a correct implementation (written unlike
ours, in teaching/correct/) and the common mistakes, each a one-line change of it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

CORRECT = Path(__file__).resolve().parent / "teaching" / "correct"


@dataclass(frozen=True)
class Bug:
    """A mistake: replace ``old`` by ``new`` in ``file``; ``check`` must fail ``check_id``
    with a hint containing ``hint`` (``hint_zh`` with --lang zh)."""

    name: str
    file: str
    old: str
    new: str
    check_id: str
    hint: str
    hint_zh: str
    also: tuple[tuple[str, str], ...] = ()  # more (old, new) changes in the same file


ROW_MAX = "top = np.max(scores, axis=1, keepdims=True)"
LOG_NORM = "log_norm = top + np.log(np.sum(np.exp(scores - top), axis=1, keepdims=True))"
LOSS = "loss = -np.sum(targets * log_probs) / Input.shape[0]"
ACC = "acc = np.mean(np.argmax(scores, axis=1) == labels)"
DELTA = "delta = (probs - targets) / Input.shape[0]"
GRAD_W = "self.grad_W = Input.T.dot(delta)"
GRAD_B = "self.grad_b = delta.sum(axis=0, keepdims=True)"
SAVED = "self.saved = (Input, np.exp(log_probs), targets)"
VELOCITY = "velocity = self.momentum * self.velocity[name] - self.learning_rate * grad"
UPDATE = "setattr(layer, name, getattr(layer, name) + self.velocity[name])"
IMPORT = "import numpy as np\n"


def _saved(probs: str) -> str:
    return f"self.saved = (Input, {probs}, targets)"


BUGS = [
    Bug("max over the whole array", "loss.py", ROW_MAX, "top = np.max(scores)", "stability",
        "subtract each row's maximum, not the array's", "要减去每行的最大值"),
    Bug("no max subtracted", "loss.py", ROW_MAX, "top = 0", "stability", "exp overflows",
        "exp 溢出了"),
    Bug("max over columns", "loss.py", ROW_MAX, "top = np.max(scores, axis=0, keepdims=True)",
        "stability", "subtract each row's maximum", "要减去每行的最大值"),
    Bug("row max without keepdims", "loss.py", ROW_MAX, "top = np.max(scores, axis=1)",
        "interface", "keepdims=True", "keepdims=True"),
    Bug("loss summed, not averaged", "loss.py", LOSS, "loss = -np.sum(targets * log_probs)",
        "loss", "divide by the batch size N", "要除以批大小 N"),
    Bug("minus sign missing", "loss.py", LOSS, LOSS.replace("-np.sum", "np.sum"), "loss",
        "the minus sign is missing", "少了负号"),
    Bug("log10", "loss.py", LOSS, "loss = -np.sum(targets * log_probs / np.log(10)) / len(Input)",
        "loss", "use the natural logarithm", "请用自然对数"),
    Bug("loss averaged over the classes too", "loss.py", LOSS,
        "loss = -np.mean(targets * log_probs)", "loss", "also divides by the 10 classes",
        "还多除了类别数 10"),
    Bug("binary cross-entropy", "loss.py", LOSS,
        "loss = -np.sum(targets * log_probs + (1 - targets) * np.log(1 - np.exp(log_probs)))"
        " / Input.shape[0]", "loss", "that is the binary cross-entropy", "二元交叉熵"),
    Bug("loss returned as a (1, 1) array", "loss.py", LOSS,
        LOSS.replace("loss = ", "loss = np.reshape(") + ", (1, 1))", "loss",
        "the course's Solver prints it with {:.4f}", "课程的 Solver 用 {:.4f} 打印它"),
    Bug("softmax over columns", "loss.py", LOG_NORM,
        "top = np.max(scores, axis=0, keepdims=True)\n        "
        "log_norm = top + np.log(np.sum(np.exp(scores - top), axis=0, keepdims=True))",
        "loss", "normalises each column (axis=0)", "按列 (axis=0) 归一化了"),
    Bug("(acc, loss) swapped", "loss.py", "return loss, acc", "return acc, loss", "loss",
        "forward returns (acc, loss)", "forward 返回的是 (acc, loss)"),
    Bug("per-sample losses returned", "loss.py", LOSS,
        "loss = -np.sum(targets * log_probs, axis=1)", "loss", "return their mean",
        "应返回它们的平均值"),
    Bug("accuracy as a count", "loss.py", ACC, ACC.replace("np.mean", "np.sum"), "accuracy",
        "a count of correct predictions", "这是正确预测的个数"),
    Bug("accuracy in percent", "loss.py", ACC, ACC.replace("acc = ", "acc = 100 * "),
        "accuracy", "a percentage", "这是百分数"),
    Bug("error rate for accuracy", "loss.py", ACC, ACC.replace("==", "!="), "accuracy",
        "the error rate", "这是错误率"),
    Bug("accuracy's argmax over the columns", "loss.py", ACC, ACC.replace("axis=1", "axis=0"),
        "accuracy", "use axis=1, one per row", "应用 axis=1"),
    Bug("one-hot labels expected", "loss.py", "targets = np.eye(self.num_output)[labels]",
        "targets = labels", "interface", "expects one-hot labels", "需要 one-hot 标签",
        also=((ACC, ACC.replace("== labels", "== np.argmax(labels, axis=1)")),)),
    Bug("gradient not divided by N", "loss.py", DELTA, "delta = probs - targets", "grad_W",
        "N× too large: divide by the batch size N", "大了 N 倍：要除以批大小 N"),
    Bug("gradient divided by N twice", "loss.py", DELTA, DELTA + " ** 2", "grad_W",
        "divided by N twice", "除了两次 N"),
    Bug("gradient divided by the classes", "loss.py", DELTA,
        "delta = (probs - targets) / self.num_output", "grad_W",
        "divided by the number of classes instead of the batch size N", "除以的是类别数"),
    Bug("gradient sign flipped", "loss.py", DELTA, DELTA.replace("probs - targets",
                                                                 "targets - probs"),
        "grad_W", "grad_W has the wrong sign", "符号反了"),
    Bug("grad_W transposed", "loss.py", GRAD_W, "self.grad_W = delta.T.dot(Input)", "grad_W",
        "grad_W is transposed", "grad_W 转置了"),
    Bug("labels not subtracted", "loss.py", DELTA, "delta = probs / Input.shape[0]", "grad_W",
        "the one-hot labels are not subtracted", "没有减去 one-hot 标签"),
    Bug("raw scores in place of the probabilities", "loss.py", SAVED, _saved("scores"),
        "grad_W", "the raw scores are used in place of the probabilities", "用原始分数代替了概率"),
    Bug("log-probabilities in place of the probabilities", "loss.py", SAVED,
        _saved("log_probs"), "grad_W", "the log-probabilities are used", "用对数概率代替了概率"),
    Bug("per-sample losses in place of the probabilities", "loss.py", SAVED,
        _saved("-np.sum(targets * log_probs, axis=1, keepdims=True)"), "grad_W",
        "the per-sample losses are used in place of the probabilities",
        "用每个样本的损失代替了概率"),
    Bug("exponentials not normalised", "loss.py", SAVED, _saved("np.exp(scores - top)"),
        "grad_W", "the exponentials are not normalised", "exp 没有归一化"),
    Bug("integer labels subtracted", "loss.py", DELTA,
        "delta = (probs - targets.argmax(axis=1)[:, None]) / Input.shape[0]", "grad_W",
        "the integer labels are subtracted from every column", "把整数标签从每一列减去了"),
    Bug("gradient of the first batch only", "loss.py", SAVED,
        "self.saved = getattr(self, 'saved', None) or " + SAVED.split(" = ")[1], "grad_W",
        "the gradient of an earlier batch", "之前某一批的梯度"),
    Bug("bias gradient missing", "loss.py", GRAD_B, "pass", "grad_b",
        "grad_b is not set", "grad_b 没有设置"),
    Bug("bias gradient not summed over rows", "loss.py", GRAD_B, "self.grad_b = delta",
        "grad_b", "one row per sample: sum over the rows", "每个样本一行：要对行求和"),
    Bug("bias gradient summed over everything", "loss.py", GRAD_B,
        "self.grad_b = delta.sum()", "grad_b", "grad_b is a single number", "grad_b 是一个数"),
    Bug("bias gradient summed over the classes", "loss.py", GRAD_B,
        "self.grad_b = delta.sum(axis=1)", "grad_b", "summed over the classes (axis=1)",
        "对类别求和了 (axis=1)"),
    Bug("gradients returned, not stored", "loss.py", f"{GRAD_W}\n        {GRAD_B}",
        "return Input.T.dot(delta), delta.sum(axis=0)", "interface",
        "it must store them as self.grad_W and self.grad_b", "必须把梯度存为 self.grad_W"),
    Bug("Input changed in place", "loss.py", "scores = Input.dot(self.W) + self.b",
        "Input -= Input.mean(axis=0)\n        scores = Input.dot(self.W) + self.b", "interface",
        "forward changed its Input array in place", "forward 原地修改了输入数组"),
    Bug("Python loop over the rows", "loss.py", GRAD_W,
        "self.grad_W = sum(np.outer(Input[i], delta[i]) for i in range(len(Input)))",
        "vectorised", "vectorise: loss.py line {line} has a Python loop",
        "请向量化：loss.py 第 {line} 行"),
    Bug("Python loop over the classes", "loss.py", ACC,
        "acc = np.mean(np.argmax(scores, axis=1) == labels)\n        for k in range(10):\n"
        "            pass", "vectorised", "vectorise: loss.py line {line} has a Python loop (For)",
        "请向量化：loss.py 第 {line} 行", also=()),
    Bug("unused import torch", "loss.py", IMPORT, IMPORT + "import torch\n", "imports",
        "loss.py line 8 imports torch: the lab allows NumPy and the standard library only",
        "loss.py 第 8 行导入了 torch"),
    Bug("scipy's softmax", "loss.py", IMPORT, IMPORT + "from scipy.special import softmax\n",
        "imports", "loss.py line 8 imports scipy.special", "loss.py 第 8 行导入了 scipy.special",
        also=(("np.exp(log_probs), targets)", "softmax(scores, axis=1), targets)"),)),
    Bug("the reference imported", "optimizer.py", IMPORT,
        IMPORT + "from softmax_mnist.teaching import reference\n", "imports",
        "optimizer.py line 4 imports softmax_mnist.teaching", "optimizer.py 第 4 行导入了"),
    Bug("own helper module not handed in", "loss.py", IMPORT, IMPORT + "import my_helpers\n",
        "imports", "loss.py:8 my_helpers: not NumPy, not the standard library, and not a file",
        "既不是 NumPy、也不是标准库"),
    Bug("b not updated", "optimizer.py", 'for name in ("W", "b"):', 'for name in ("W",):', "sgd",
        "b is not updated", "b 没有更新"),
    Bug("moves up the gradient", "optimizer.py", UPDATE, UPDATE.replace("+ self", "- self"),
        "sgd", "W and b move up the gradient", "沿梯度上升了"),
    Bug("learning rate missing", "optimizer.py", VELOCITY,
        VELOCITY.replace("self.learning_rate * grad", "grad"), "sgd",
        "the learning rate is missing", "少了学习率"),
    Bug("momentum sign flipped", "optimizer.py", VELOCITY,
        VELOCITY.replace("= self.momentum", "= -self.momentum"), "momentum",
        "the momentum sign is flipped", "动量的符号反了"),
    Bug("velocity not kept between steps", "optimizer.py", "self.velocity[name] = velocity",
        "pass", "momentum", "momentum has no effect: W and b move like plain SGD",
        "动量没有起作用",
        also=((UPDATE, UPDATE.replace("self.velocity[name]", "velocity")),)),
    Bug("step by the previous velocity", "optimizer.py",
        "velocity = self.momentum", "setattr(layer, name, self.velocity[name] + "
        "getattr(layer, name))\n                velocity = self.momentum", "momentum",
        "by the previous velocity", "用的是上一步的速度",
        also=((UPDATE, "pass"),)),
    Bug("step scaled by the momentum", "optimizer.py", UPDATE,
        UPDATE.replace("+ self.velocity", "+ self.momentum * self.velocity"), "momentum",
        "the step is μ·v", "步长成了 μ·v"),
    Bug("moving average instead of momentum", "optimizer.py", VELOCITY,
        "velocity = self.momentum * self.velocity[name] - (1 - self.momentum) * grad",
        "momentum", "that is a moving average", "这是滑动平均",
        also=((UPDATE, UPDATE.replace("+ self.velocity[name]",
                                      "+ self.learning_rate * self.velocity[name]")),)),
    Bug("Nesterov instead of classical", "optimizer.py", UPDATE,
        UPDATE.replace("+ self.velocity[name]",
                       "+ self.momentum * velocity - self.learning_rate * grad"),
        "momentum", "Nesterov's look-ahead", "Nesterov 前瞻"),
    Bug("learning rate copied in __init__", "optimizer.py",
        "self.learning_rate * grad", "self.lr * grad", "learning_rate",
        "uses the learning rate given to __init__", "用的是 __init__ 传入的学习率",
        also=(("self.momentum = momentum",
               "self.momentum = momentum\n        self.lr = learning_rate"),)),
]

CORRECT_VARIANTS = [  # (name, file, old, new): still right; every required check passes
    ("K = 10 written in", "loss.py", "targets = np.eye(self.num_output)[labels]",
     "targets = np.eye(10)[labels]"),
    ("the template's EPS in the log", "loss.py", LOSS,
     "loss = -np.sum(targets * np.log(np.exp(log_probs) + 1e-11)) / Input.shape[0]"),
    ("b of shape (10,)", "loss.py", "self.b = np.random.normal(0, scale, (1, num_output))",
     "self.b = np.zeros(num_output)"),
    ("a helper module of the student's", "loss.py", IMPORT, IMPORT + "import helper_ok\n"),
]


def write_impl(folder: Path, bug: Bug | None = None) -> Path:
    """The correct implementation in ``folder``, with ``bug`` applied."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("loss.py", "optimizer.py"):
        shutil.copy(CORRECT / name, folder / name)
    if bug is not None:
        change(folder / bug.file, bug.name, ((bug.old, bug.new), *bug.also))
    return folder


def write_variant(folder: Path, variant: tuple[str, str, str, str]) -> Path:
    """The correct implementation in ``folder``, written another right way."""
    name, file, old, new = variant
    write_impl(folder)
    change(folder / file, name, ((old, new),))
    if "helper_ok" in new:
        (folder / "helper_ok.py").write_text("SCALE = 1.0\n", encoding="utf-8")
    return folder


def change(path: Path, name: str, edits) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, (name, old)
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def expected_hint(folder: Path, bug: Bug, lang: str = "en") -> str:
    """The bug's hint, with ``{line}`` the line its change is on."""
    lines = (folder / bug.file).read_text(encoding="utf-8").splitlines()
    new = bug.new.splitlines()
    marker = new[-2] if "for k in" in bug.new else new[0]
    line = next(i for i, text in enumerate(lines, 1) if marker.strip() in text)
    hint = bug.hint_zh if lang == "zh" else bug.hint
    return hint.replace("{line}", str(line)) if "{line}" in hint else hint
