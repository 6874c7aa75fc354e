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
    with a hint containing ``hint``."""

    name: str
    file: str
    old: str
    new: str
    check_id: str
    hint: str
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

BUGS = [
    Bug("max over the whole array", "loss.py", ROW_MAX, "top = np.max(scores)", "stability",
        "subtract each row's maximum, not the array's"),
    Bug("no max subtracted", "loss.py", ROW_MAX, "top = 0", "stability", "exp overflows"),
    Bug("max over columns", "loss.py", ROW_MAX, "top = np.max(scores, axis=0, keepdims=True)",
        "stability", "subtract each row's maximum"),
    Bug("row max without keepdims", "loss.py", ROW_MAX, "top = np.max(scores, axis=1)",
        "interface", "keepdims=True"),
    Bug("loss summed, not averaged", "loss.py", LOSS, "loss = -np.sum(targets * log_probs)",
        "loss", "divide by the batch size N"),
    Bug("minus sign missing", "loss.py", LOSS, LOSS.replace("-np.sum", "np.sum"), "loss",
        "the minus sign is missing"),
    Bug("log10", "loss.py", LOSS, "loss = -np.sum(targets * log_probs / np.log(10)) / len(Input)",
        "loss", "use the natural logarithm"),
    Bug("softmax over columns", "loss.py", LOG_NORM,
        "top = np.max(scores, axis=0, keepdims=True)\n        "
        "log_norm = top + np.log(np.sum(np.exp(scores - top), axis=0, keepdims=True))",
        "loss", "normalises each column (axis=0)"),
    Bug("(acc, loss) swapped", "loss.py", "return loss, acc", "return acc, loss", "loss",
        "forward returns (acc, loss)"),
    Bug("per-sample losses returned", "loss.py", LOSS,
        "loss = -np.sum(targets * log_probs, axis=1)", "interface", "return their mean"),
    Bug("accuracy as a count", "loss.py", ACC, ACC.replace("np.mean", "np.sum"), "accuracy",
        "a count of correct predictions"),
    Bug("accuracy in percent", "loss.py", ACC, ACC.replace("acc = ", "acc = 100 * "),
        "accuracy", "a percentage"),
    Bug("one-hot labels expected", "loss.py", "targets = np.eye(self.num_output)[labels]",
        "targets = labels", "interface", "expects one-hot labels",
        also=((ACC, ACC.replace("== labels", "== np.argmax(labels, axis=1)")),)),
    Bug("gradient not divided by N", "loss.py", DELTA, "delta = probs - targets", "grad_W",
        "N× too large: divide by the batch size N"),
    Bug("gradient divided by N twice", "loss.py", DELTA, DELTA + " ** 2", "grad_W",
        "divided by N twice"),
    Bug("gradient sign flipped", "loss.py", DELTA, DELTA.replace("probs - targets",
                                                                 "targets - probs"),
        "grad_W", "grad_W has the wrong sign"),
    Bug("grad_W transposed", "loss.py", GRAD_W, "self.grad_W = delta.T.dot(Input)", "grad_W",
        "grad_W is transposed"),
    Bug("labels not subtracted", "loss.py", DELTA, "delta = probs / Input.shape[0]", "grad_W",
        "the one-hot labels are not subtracted"),
    Bug("gradient of the first batch only", "loss.py", SAVED,
        "self.saved = getattr(self, 'saved', None) or " + SAVED.split(" = ")[1], "grad_W",
        "the gradient of an earlier batch"),
    Bug("bias gradient missing", "loss.py", GRAD_B, "pass", "grad_b",
        "grad_b is not set"),
    Bug("bias gradient not summed over rows", "loss.py", GRAD_B, "self.grad_b = delta",
        "grad_b", "one row per sample: sum over the rows"),
    Bug("bias gradient summed over everything", "loss.py", GRAD_B,
        "self.grad_b = delta.sum()", "grad_b", "grad_b is a single number"),
    Bug("gradients returned, not stored", "loss.py", f"{GRAD_W}\n        {GRAD_B}",
        "return Input.T.dot(delta), delta.sum(axis=0)", "interface",
        "it must store them as self.grad_W and self.grad_b"),
    Bug("Input changed in place", "loss.py", "scores = Input.dot(self.W) + self.b",
        "Input -= Input.mean(axis=0)\n        scores = Input.dot(self.W) + self.b", "interface",
        "forward changed its Input array in place"),
    Bug("Python loop over the rows", "loss.py", GRAD_W,
        "self.grad_W = sum(np.outer(Input[i], delta[i]) for i in range(len(Input)))",
        "vectorised", "vectorise: no Python loop over the N rows — loss.py line {line} runs "
                      "once per row"),
    Bug("b not updated", "optimizer.py", 'for name in ("W", "b"):', 'for name in ("W",):', "sgd",
        "b is not updated"),
    Bug("moves up the gradient", "optimizer.py", UPDATE, UPDATE.replace("+ self", "- self"),
        "sgd", "W and b move up the gradient"),
    Bug("learning rate missing", "optimizer.py", VELOCITY,
        VELOCITY.replace("self.learning_rate * grad", "grad"), "sgd",
        "the learning rate is missing"),
    Bug("momentum sign flipped", "optimizer.py", VELOCITY,
        VELOCITY.replace("= self.momentum", "= -self.momentum"), "momentum",
        "the momentum sign is flipped"),
    Bug("velocity not kept between steps", "optimizer.py", "self.velocity[name] = velocity",
        "pass", "momentum", "momentum has no effect: W and b move like plain SGD",
        also=((UPDATE, UPDATE.replace("self.velocity[name]", "velocity")),)),
    Bug("step scaled by the momentum", "optimizer.py", UPDATE,
        UPDATE.replace("+ self.velocity", "+ self.momentum * self.velocity"), "momentum",
        "the step is μ·v"),
    Bug("Nesterov instead of classical", "optimizer.py", UPDATE,
        UPDATE.replace("+ self.velocity[name]",
                       "+ self.momentum * velocity - self.learning_rate * grad"),
        "momentum", "Nesterov's look-ahead"),
    Bug("learning rate copied in __init__", "optimizer.py",
        "self.learning_rate * grad", "self.lr * grad", "learning_rate",
        "uses the learning rate given to __init__",
        also=(("self.momentum = momentum",
               "self.momentum = momentum\n        self.lr = learning_rate"),)),
]


def write_impl(folder: Path, bug: Bug | None = None) -> Path:
    """The correct implementation in ``folder``, with ``bug`` applied."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("loss.py", "optimizer.py"):
        shutil.copy(CORRECT / name, folder / name)
    if bug is not None:
        path = folder / bug.file
        text = path.read_text(encoding="utf-8")
        for old, new in ((bug.old, bug.new), *bug.also):
            assert text.count(old) == 1, (bug.name, old)
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    return folder


def expected_hint(folder: Path, bug: Bug) -> str:
    """The bug's hint, with ``{line}`` the line its change is on."""
    lines = (folder / bug.file).read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if bug.new.splitlines()[0] in text)
    return bug.hint.format(line=line)
