"""The checks of the layers: FCLayer (init, forward, backward), ReLULayer, SigmoidLayer.

Each check is a probe (built here from seeded arrays) and a judge (a pure function of
the values the probe kept). The sizes N, D, M = 8, 7, 5 all differ, so that a transposed
or unsummed gradient shows in its shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import reference as ref
from .course import ACTIVATIONS, FC
from .probe import Probe, Reply, array, call, get, imports, new, put
from .verdict import Fail, Text, Verdict, agrees, as_array, factor, ok, zh

N, D, M = 8, 7, 5


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def mismatch(got: Any, expected: np.ndarray, what: str,
             candidates: Sequence[tuple[np.ndarray, Text]] = ()) -> Text | None:
    """None when ``got`` is ``expected``; else what is wrong (shape, a candidate mistake,
    a factor)."""
    g = as_array(got, what)
    if g.shape != expected.shape:
        if g.size == expected.size and g.ndim == 2 and g.T.shape == expected.shape:
            why = ("grad_W" in what) * 1
            return Text(f"{what} is transposed: shape {g.shape}, expected {expected.shape}"
                        + " (Inputᵀ · delta is (num_input, num_output))" * why,
                        f"{zh(what)} 转置了：形状是 {g.shape}，应为 {expected.shape}"
                        + "（Inputᵀ · delta 的形状是 (num_input, num_output)）" * why)
        return Text(f"{what} has shape {g.shape}, expected {expected.shape}",
                    f"{zh(what)} 的形状是 {g.shape}，应为 {expected.shape}")
    if not np.all(np.isfinite(g)):
        return Text(f"{what} contains NaN or inf", f"{zh(what)} 含有 NaN 或 inf")
    if agrees(g, expected):
        return None
    for value, hint in candidates:
        if agrees(g, value):
            return Text(f"{what}: ", f"{zh(what)}：") + hint
    k = factor(g, expected)
    if k is not None:
        return Text(f"{what} is {k:.4g}× the expected values",
                    f"{zh(what)} 是正确值的 {k:.4g} 倍")
    return Text(f"{what} differs from the expected values (relative error "
                f"{ref_error(g, expected):.2g})", f"{zh(what)} 与正确值不符（相对误差 "
                f"{ref_error(g, expected):.2g}）")


def ref_error(a: np.ndarray, b: np.ndarray) -> float:
    from ...nn.gradcheck import relative_error

    return relative_error(a, b)


def require(problem: Text | None) -> None:
    if problem is not None:
        raise Fail(problem.en, problem.zh)


# ---------------------------------------------------------------- FCLayer: init, forward

def probe_fc_forward() -> Probe:
    rng = _rng(21)
    X, W, b = rng.normal(size=(N, D)), rng.normal(size=(D, M)), rng.normal(size=(1, M))
    steps = [*imports("layers.fc_layer"), new("fc", FC, D, M),
             get("fc.W", "W0"), get("fc.b", "b0"), get("fc.trainable", "trainable"),
             put("fc.W", array("W")), put("fc.b", array("b")),
             call("fc.forward", array("X"), keep="out"), get("fc.W", "W1")]
    return Probe(steps, {"X": X, "W": W, "b": b})


def judge_fc_forward(probe: Probe, reply: Reply) -> Verdict:
    k = reply.kept
    W0, b0 = as_array(k["W0"], "FCLayer.W"), as_array(k["b0"], "FCLayer.b")
    if W0.shape != (D, M):
        raise Fail(f"FCLayer({D}, {M}).W has shape {W0.shape}; it must be (num_input, "
                   f"num_output) = ({D}, {M}): the output is Input · W",
                   f"FCLayer({D}, {M}).W 的形状是 {W0.shape}；应为 (num_input, num_output) "
                   f"= ({D}, {M})：输出是 Input · W")
    if b0.shape not in ((1, M), (M,)):
        raise Fail(f"FCLayer({D}, {M}).b has shape {b0.shape}; it must be (1, num_output) "
                   f"= (1, {M})", f"FCLayer({D}, {M}).b 的形状是 {b0.shape}；应为 "
                   f"(1, num_output) = (1, {M})")
    if k["trainable"] is not True:
        raise Fail("FCLayer().trainable must be True (SGD updates the layers whose "
                   "trainable is True)", "FCLayer().trainable 应为 True（SGD 只更新 "
                   "trainable 为 True 的层）")
    a = probe.arrays
    require(mismatch(k["out"], a["X"] @ a["W"] + a["b"], "FCLayer.forward's output",
                     [(a["X"] @ a["W"], Text("the bias b is not added",
                                             "没有加上偏置 b"))]))
    if not agrees(k["W1"], a["W"]):
        raise Fail("forward changed W: only SGD.step() updates the weights",
                   "forward 修改了 W：只有 SGD.step() 才能更新权重")
    return ok(f"W ({D}, {M}), b {b0.shape}; forward gives Input · W + b",
              f"W ({D}, {M})，b {b0.shape}；forward 输出 Input · W + b")


def probe_fc_init() -> Probe:
    steps = [*imports("layers.fc_layer"),
             new("relu_fc", FC, 784, 128, "relu"), get("relu_fc.W", "relu"),
             new("sigmoid_fc", FC, 784, 128, "sigmoid"), get("sigmoid_fc.W", "sigmoid")]
    return Probe(steps)


def judge_fc_init(probe: Probe, reply: Reply) -> Verdict:
    stds = {}
    for act in ("relu", "sigmoid"):
        W = as_array(reply.kept[act], f"FCLayer(784, 128, '{act}').W")
        want = ref.xavier_std(784, 128, act)
        std = float(W.std())
        if W.shape != (784, 128) or not np.isfinite(std) or abs(std / want - 1) > 0.1:
            gain = ("× √2 (ReLU's gain)", "× √2（ReLU 的增益）") if act == "relu" else (
                "(no gain for the sigmoid)", "（sigmoid 不乘增益）")
            raise Fail(f"FCLayer(784, 128, '{act}').W has std {std:.4g}; Xavier's rule "
                       f"gives √(2 / (784 + 128)) {gain[0]} = {want:.4g}",
                       f"FCLayer(784, 128, '{act}').W 的标准差是 {std:.4g}；Xavier 初始化"
                       f"应为 √(2 / (784 + 128)) {gain[1]} = {want:.4g}")
        stds[act] = std
    return ok(f"W's std {stds['relu']:.4f} (ReLU), {stds['sigmoid']:.4f} (sigmoid), as "
              f"Xavier's rule", f"W 的标准差 {stds['relu']:.4f}（ReLU）、"
              f"{stds['sigmoid']:.4f}（sigmoid），符合 Xavier 初始化")


# ---------------------------------------------------------------- FCLayer: backward

def probe_fc_backward() -> Probe:
    rng = _rng(22)
    arrays = {"X0": rng.normal(size=(N, D)), "X": rng.normal(size=(N, D)),
              "W": rng.normal(size=(D, M)), "b": rng.normal(size=(1, M)),
              "delta": rng.normal(size=(N, M))}
    steps = [*imports("layers.fc_layer"), new("fc", FC, D, M),
             put("fc.W", array("W")), put("fc.b", array("b")),
             call("fc.forward", array("X0")), call("fc.forward", array("X")),
             call("fc.backward", array("delta"), keep="down"),
             get("fc.grad_W", "grad_W"), get("fc.grad_b", "grad_b")]
    return Probe(steps, arrays)


def fc_split(kept: dict[str, Any], arrays: dict[str, np.ndarray]) -> float:
    """The factor (1 or 1/N) FCLayer.backward puts on its parameter gradients; Fail on
    any other mistake of backward."""
    X, W, delta = arrays["X"], arrays["W"], arrays["delta"]
    if kept["down"] is None:
        raise Fail("FCLayer.backward returns nothing: return delta · Wᵀ, the gradient for "
                   "the layer below", "FCLayer.backward 没有返回值：应返回 delta · Wᵀ，"
                   "即传给下一层的梯度")
    require(mismatch(kept["down"], delta @ W.T, "the gradient FCLayer.backward returns", [
        (delta @ W.T / N, Text("it is divided by N: return delta · Wᵀ and put 1/N at one "
                               "place only (the loss's backward or grad_W, grad_b)",
                               "它被除以了 N：应返回 delta · Wᵀ，1/N 只放在一个地方（损失的 "
                               "backward，或 grad_W、grad_b）"))]))
    grad_W = as_array(kept["grad_W"], "grad_W")
    if grad_W.shape == (N, M) or grad_W.shape == (M, N):
        raise Fail(f"grad_W has shape {grad_W.shape}: it is Inputᵀ · delta, shape "
                   f"(num_input, num_output) = ({D}, {M})", f"grad_W 的形状是 "
                   f"{grad_W.shape}：应为 Inputᵀ · delta，形状 (num_input, num_output) = "
                   f"({D}, {M})")
    true_W = X.T @ delta
    k = factor(grad_W, true_W) if grad_W.shape == true_W.shape else None
    if k is None or not (agrees(k, 1) or agrees(k, 1 / N)):
        require(mismatch(grad_W, true_W, "grad_W", [
            (arrays["X0"].T @ delta, Text("it uses the Input of an earlier forward: keep "
                                          "the latest one (self.Input = Input)",
                                          "用了更早一次 forward 的输入：应保存最近一次的 "
                                          "Input"))]))
    assert k is not None
    grad_b = as_array(kept["grad_b"], "grad_b")
    if grad_b.shape == (N, M):
        raise Fail(f"grad_b has shape {grad_b.shape}, one row per sample: sum over the "
                   f"rows, np.sum(delta, axis=0, keepdims=True) — b is shared by all N rows",
                   f"grad_b 的形状是 {grad_b.shape}，每个样本一行：应对行求和 "
                   f"np.sum(delta, axis=0, keepdims=True)——b 被所有 N 行共享")
    if grad_b.size == 1:
        raise Fail("grad_b is one number: sum over the rows only (axis=0), shape (1, "
                   f"{M})", f"grad_b 只是一个数：只对行求和（axis=0），形状 (1, {M})")
    true_b = delta.sum(axis=0, keepdims=True)
    kb = factor(grad_b.reshape(true_b.shape), true_b) if grad_b.size == M else None
    if kb is not None and not agrees(kb, k) and (agrees(kb, 1) or agrees(kb, 1 / N)):
        which = ("grad_W is divided by N, grad_b is not", "grad_W 除以了 N，grad_b 没有") \
            if agrees(k, 1 / N) else ("grad_b is divided by N, grad_W is not",
                                      "grad_b 除以了 N，grad_W 没有")
        raise Fail(f"{which[0]}: scale both the same way", f"{which[1]}：两者应同样缩放")
    require(mismatch(grad_b.reshape(true_b.shape) if grad_b.size == M else grad_b,
                     k * true_b, "grad_b"))
    return k


def judge_fc_backward(probe: Probe, reply: Reply) -> Verdict:
    k = fc_split(reply.kept, probe.arrays)
    where = ((" (1/N in the layer: the losses' backward must not divide)",
              "（1/N 在层里：损失的 backward 就不能再除）") if agrees(k, 1 / N) else
             (" (1/N left to the loss's backward)", "（1/N 留给损失的 backward）"))
    return ok("grad_W = Inputᵀ · delta, grad_b = Σ rows of delta, returns delta · Wᵀ"
              + where[0], "grad_W = Inputᵀ · delta，grad_b = delta 按行求和，返回 "
              "delta · Wᵀ" + where[1])


# ---------------------------------------------------------------- activations

def probe_activation(name: str) -> Probe:
    rng = _rng(23 if name == "relu" else 24)
    X = rng.normal(0, 2, size=(N, M))
    X[np.abs(X) < 1e-3] = 0.5  # no input at the kink
    cls = ACTIVATIONS[name]
    steps = [*imports(cls.rsplit(".", 1)[0]), new("act", cls),
             get("act.trainable", "trainable"),
             call("act.forward", array("X"), keep="out"),
             call("act.backward", array("delta"), keep="down")]
    return Probe(steps, {"X": X, "delta": rng.normal(size=(N, M))})


def _judge_trainable(kept: dict[str, Any], cls: str) -> None:
    if kept["trainable"] is not False:
        raise Fail(f"{cls}().trainable must be False: it has no weights for SGD",
                   f"{cls}().trainable 应为 False：它没有需要 SGD 更新的权重")


def judge_relu(probe: Probe, reply: Reply) -> Verdict:
    k, X, delta = reply.kept, probe.arrays["X"], probe.arrays["delta"]
    _judge_trainable(k, "ReLULayer")
    require(mismatch(k["out"], np.maximum(X, 0), "ReLULayer.forward's output", [
        (np.minimum(X, 0), Text("it keeps the negative inputs: max(0, x)",
                                "保留了负的输入：应为 max(0, x)"))]))
    require(mismatch(k["down"], delta * (X > 0), "ReLULayer.backward", [
        (delta * (X < 0), Text("the gradient passes where the input is < 0 — the wrong "
                               "side: delta · (Input > 0)", "梯度从输入 < 0 的位置通过了"
                               "——方向反了：应为 delta · (Input > 0)")),
        ((X > 0).astype(float), Text("it returns the mask alone: multiply it by delta",
                                     "只返回了掩码：还要乘以 delta")),
        (np.maximum(X, 0) * delta, Text("it multiplies delta by the output max(0, x); the "
                                        "derivative is 1 where x > 0, else 0",
                                        "用 delta 乘以了输出 max(0, x)；导数在 x > 0 时为 1，"
                                        "否则为 0")),
        (delta, Text("it returns delta unchanged: zero it where the input is ≤ 0",
                     "原样返回了 delta：输入 ≤ 0 的位置应为 0"))]))
    return ok("max(0, x); the gradient passes where x > 0", "max(0, x)；梯度在 x > 0 处通过")


def judge_sigmoid(probe: Probe, reply: Reply) -> Verdict:
    k, X, delta = reply.kept, probe.arrays["X"], probe.arrays["delta"]
    _judge_trainable(k, "SigmoidLayer")
    s = ref.sigmoid(X)
    require(mismatch(k["out"], s, "SigmoidLayer.forward's output", [
        (1 / (1 + np.exp(X)), Text("that is σ(−x): σ(x) = 1 / (1 + e^(−x))",
                                   "这是 σ(−x)：σ(x) = 1 / (1 + e^(−x))"))]))
    require(mismatch(k["down"], delta * s * (1 - s), "SigmoidLayer.backward", [
        (delta * X * (1 - X), Text("σ'(x) is computed from the input: it is σ(x)(1 − σ(x)),"
                                   " from the output forward saved", "σ'(x) 用输入算了：应为 "
                                   "σ(x)(1 − σ(x))，用 forward 保存的输出")),
        (delta * s, Text("the factor (1 − σ(x)) is missing: σ'(x) = σ(x)(1 − σ(x))",
                         "缺少因子 (1 − σ(x))：σ'(x) = σ(x)(1 − σ(x))")),
        (s * (1 - s), Text("it returns σ'(x) alone: multiply it by delta",
                           "只返回了 σ'(x)：还要乘以 delta")),
        (delta * s * (1 + s), Text("the sign inside is wrong: σ'(x) = σ(x)(1 − σ(x))",
                                   "括号里的符号错了：σ'(x) = σ(x)(1 − σ(x))"))]))
    return ok("σ(x); the gradient is delta · σ(x)(1 − σ(x))",
              "σ(x)；梯度为 delta · σ(x)(1 − σ(x))")
