"""A judge's verdict in English and Chinese, and the usual ways a verdict is reached: an
error the probe reported, a number compared with the reference."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ...nn.gradcheck import relative_error

LANGS = ("en", "zh")
TOLERANCE = 1e-6
"""Relative error below which two results are the same (float64 code gives ~1e-12,
float32 ~1e-7)."""


LABELS_ZH = {
    "FCLayer.forward's output": "FCLayer.forward 的输出",
    "the gradient FCLayer.backward returns": "FCLayer.backward 返回的梯度",
    "ReLULayer.forward's output": "ReLULayer.forward 的输出",
    "SigmoidLayer.forward's output": "SigmoidLayer.forward 的输出",
    "backward's gradient": "backward 返回的梯度",
    "W after step()": "step() 之后的 W", "b after step()": "step() 之后的 b",
    "the last layer's grad_W": "最后一层的 grad_W", "the last layer's grad_b": "最后一层的 grad_b",
    "the first layer's grad_W": "第一层的 grad_W", "the first layer's grad_b": "第一层的 grad_b",
    "the loss's gradient": "损失的梯度", "the test logits": "测试集的 logit",
    "the value forward returns": "forward 的返回值", "the loss": "损失",
}
"""The English names of the values judged -> Chinese (code names stay as they are)."""


def zh(what: str) -> str:
    """The Chinese name of a judged value ``what``."""
    return LABELS_ZH.get(what, what)


@dataclass(frozen=True)
class Text:
    """One message in both languages."""

    en: str
    zh: str

    def __call__(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def __add__(self, other: Text) -> Text:
        return Text(self.en + other.en, self.zh + other.zh)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    text: Text


def ok(en: str, zh: str) -> Verdict:
    return Verdict(True, Text(en, zh))


class Fail(Exception):
    """Raised inside a judge: the check fails with this text."""

    def __init__(self, en: str, zh: str):
        super().__init__(en)
        self.text = Text(en, zh)


def error_text(error: dict[str, Any], what: str) -> Text:
    """``forward raised ValueError: … (layers/fc_layer.py:23: `return …`)``; the hint
    comes from the exception's type, never from its wording."""
    kind = str(error.get("type", "Exception"))
    message = str(error.get("message") or "").strip().splitlines()
    where = error.get("where")
    line = error.get("line")
    place = f" ({where}{': ' + repr(line) if line else ''})" if where else ""
    if kind == "Timeout":
        return Text(f"did not finish within {error.get('message')} (an endless loop, or far "
                    f"too slow?): the probe was stopped", f"没有在 {error.get('message')} 内完成"
                    f"（死循环，或者太慢？）：已被终止")
    if kind == "NoReply":
        return Text(f"the code under test ended the process without a reply "
                    f"({error.get('message')}: a crash, os._exit or sys.exit?)",
                    f"被测代码结束了进程，没有返回结果（{error.get('message')}：崩溃、os._exit "
                    f"或 sys.exit？）")
    if kind == "Sandbox":  # the sandbox's own line about a child that answered badly
        from ..context import _zh_failure

        return Text(str(error.get("message")), _zh_failure(str(error.get("message"))))
    if kind == "NotImplementedError":
        place = f" ({where})" if where else ""
        return Text(f"{what} is not written yet{place}: fill in the TODO",
                    f"{what} 还没有写{place}：请完成 TODO")
    detail = f"{kind}: {message[0][:160]}" if message else kind
    hints = {"ModuleNotFoundError": (" — the lab needs NumPy only (no torch, sklearn or "
                                     "tensorflow)", "——本实验只需要 NumPy（不要用 torch、"
                                     "sklearn 或 tensorflow）"),
             "SyntaxError": (" — the file does not parse", "——文件有语法错误"),
             "RecursionError": (" — a function calls itself without end",
                                "——函数无休止地调用自己"),
             "MemoryError": (" — it allocates far too much memory", "——分配的内存过多")}
    en, zh = hints.get(kind, ("", ""))
    return Text(f"{what} raised {detail}{place}{en}", f"{what} 抛出 {detail}{place}{zh}")


def as_array(value: Any, what: str) -> np.ndarray:
    """A float64 array from a kept value; Fail when it is not numbers."""
    if isinstance(value, dict) and "type" in value:
        raise Fail(f"{what} is a {value['type']}, not an array of numbers",
                   f"{zh(what)} 是 {value['type']}，不是数组")
    if value is None:
        raise Fail(f"{what} is None: it was never set", f"{zh(what)} 是 None：从未被赋值")
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Fail(f"{what} is not an array of numbers", f"{zh(what)} 不是数值数组") from None


def as_number(value: Any, what: str) -> float:
    a = as_array(value, what)
    if a.size != 1:
        raise Fail(f"{what} has shape {a.shape}; it must be one number (the batch's mean)",
                   f"{zh(what)} 的形状是 {a.shape}；应当是一个数（整个 batch 的平均值）")
    return float(a.reshape(()))


def agrees(got: Any, expected: Any, tolerance: float = TOLERANCE) -> bool:
    """Same size and a relative error below ``tolerance`` (NaN or inf never agrees)."""
    a = np.asarray(got, dtype=np.float64)
    b = np.asarray(expected, dtype=np.float64)
    if a.size != b.size or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return False
    return bool(relative_error(a.reshape(b.shape), b) < tolerance)


def factor(got: np.ndarray, expected: np.ndarray) -> float | None:
    """k when ``got`` = k × ``expected`` (same shape), else None."""
    norm = float(np.vdot(expected, expected))
    if got.shape != expected.shape or norm == 0 or not np.all(np.isfinite(got)):
        return None
    k = float(np.vdot(got, expected)) / norm
    return k if agrees(got, k * expected, 1e-5) else None
