"""The checks that put the pieces together: SGD with weight decay, the gradient of a whole
network (the student's FC layers, activation, loss and Network composed), and a few
epochs of training on MNIST against the reference.

The course leaves open where 1/N goes (the loss's backward or FCLayer.backward): the
composed gradient must be the gradient of the mean loss, whichever split gives it.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from . import reference as ref
from .course import ACTIVATIONS, FC, LOSSES, NETWORK, SGD
from .judge_layers import mismatch, require
from .probe import Probe, Reply, array, batches, call, get, imports, kept, new, obj, put
from .verdict import Fail, Text, Verdict, agrees, as_array, factor, ok

N, D, H, C = 8, 6, 9, 10
LR, WD = 0.05, 0.3


def _mlp(sizes: tuple[int, ...], activation: str, rng: np.random.Generator,
         scale: float = 1.0) -> list[ref.Dense]:
    return [ref.Dense(rng.normal(0, scale / np.sqrt(a), (a, b)), rng.normal(0, 0.1, (1, b)))
            for a, b in itertools.pairwise(sizes)]


def _build(sizes: tuple[int, ...], activation: str, loss: str | None = None) -> list[dict]:
    """Steps that build the student's Network fc1, act1, fc2, … (and ``loss``) and load the
    arrays W1, b1, W2, b2 … into the FC layers."""
    modules = {"layers.fc_layer", "network", ACTIVATIONS[activation].rsplit(".", 1)[0]}
    if loss:
        modules.add(LOSSES[loss].rsplit(".", 1)[0])
    steps = [*imports(*sorted(modules)), new("net", NETWORK)]
    for i in range(1, len(sizes)):
        steps += [new(f"fc{i}", FC, sizes[i - 1], sizes[i], activation),
                  put(f"fc{i}.W", array(f"W{i}")), put(f"fc{i}.b", array(f"b{i}")),
                  call("net.add", obj(f"fc{i}"))]
        if i < len(sizes) - 1:
            steps += [new(f"act{i}", ACTIVATIONS[activation]), call("net.add", obj(f"act{i}"))]
    if loss:
        steps.append(new("loss", LOSSES[loss]))
    return steps


def _weights(layers: list[ref.Dense]) -> dict[str, np.ndarray]:
    out = {}
    for i, layer in enumerate(layers, 1):
        out[f"W{i}"], out[f"b{i}"] = layer.W, layer.b
    return out


# ---------------------------------------------------------------- SGD

def probe_sgd() -> Probe:
    rng = np.random.default_rng(41)
    layers = _mlp((D, H, C), "relu", rng)
    grads = _mlp((D, H, C), "relu", rng)
    arrays = {**_weights(layers), **{f"g{k}": v for k, v in _weights(grads).items()}}
    steps = [*_build((D, H, C), "relu"), *imports("optimizer")]
    for i in (1, 2):
        steps += [put(f"fc{i}.grad_W", array(f"gW{i}")), put(f"fc{i}.grad_b", array(f"gb{i}"))]
    steps += [new("sgd", SGD, LR, WD), call("sgd.step", obj("net"))]
    for i in (1, 2):
        steps += [get(f"fc{i}.W", f"W{i}"), get(f"fc{i}.b", f"b{i}")]
    return Probe(steps, arrays)


def judge_sgd(probe: Probe, reply: Reply) -> Verdict:
    a = probe.arrays
    for i in (1, 2):
        W, b, gW, gb = a[f"W{i}"], a[f"b{i}"], a[f"gW{i}"], a[f"gb{i}"]
        require(mismatch(reply.kept[f"W{i}"], W - LR * (gW + WD * W), "W after step()", [
            (W - LR * (gW - WD * W), Text(
                "weight decay has the wrong sign: W ← W − η (grad_W + λ W)",
                "权重衰减的符号反了：W ← W − η (grad_W + λ W)")),
            (W - LR * gW, Text("weight decay is missing: W ← W − η (grad_W + λ W)",
                               "缺少权重衰减：W ← W − η (grad_W + λ W)")),
            (W - LR * gW - WD * W, Text("weight decay is not multiplied by the learning "
                                        "rate: W ← W − η (grad_W + λ W)", "权重衰减没有乘以"
                                        "学习率：W ← W − η (grad_W + λ W)")),
            (W + LR * (gW + WD * W), Text("the step goes uphill: subtract η (grad_W + λ W)",
                                          "更新方向反了：应减去 η (grad_W + λ W)")),
            (W, Text("W is not updated", "W 没有被更新"))]))
        require(mismatch(reply.kept[f"b{i}"], b - LR * gb, "b after step()", [
            (b - LR * (gb + WD * b), Text("weight decay is applied to b too: the course "
                                          "decays W only, b ← b − η grad_b",
                                          "对 b 也做了权重衰减：课程只衰减 W，b ← b − η grad_b")),
            (b + LR * gb, Text("the step goes uphill: b ← b − η grad_b",
                               "更新方向反了：b ← b − η grad_b")),
            (b, Text("b is not updated: b ← b − η grad_b", "b 没有被更新：b ← b − η grad_b"))]))
    return ok(f"W ← W − η (grad_W + λ W), b ← b − η grad_b for each trainable layer "
              f"(η = {LR}, λ = {WD})", f"每个可训练层 W ← W − η (grad_W + λ W)，"
              f"b ← b − η grad_b（η = {LR}，λ = {WD}）")


# ---------------------------------------------------------------- the composed gradient

def probe_composed(loss: str, activation: str) -> Probe:
    rng = np.random.default_rng(42 if loss == "cross-entropy" else 43)
    layers = _mlp((D, H, C), activation, rng, scale=2.0)
    X = rng.normal(size=(N, D))
    Y = np.eye(C)[rng.integers(0, C, N)]
    steps = [
        *_build((D, H, C), activation, loss),
        call("net.forward", array("X"), keep="logits"),
        call("loss.forward", kept("logits"), array("Y")),
        call("loss.backward", keep="delta"),
        call("net.backward", kept("delta"))]
    for i in (1, 2):
        steps += [get(f"fc{i}.grad_W", f"gW{i}"), get(f"fc{i}.grad_b", f"gb{i}")]
    return Probe(steps, {**_weights(layers), "X": X, "Y": Y},
                 {"loss": loss, "activation": activation, "layers": layers})


def judge_composed(probe: Probe, reply: Reply) -> Verdict:
    f = probe.facts
    X, Y = probe.arrays["X"], probe.arrays["Y"]
    true = ref.mlp_gradients(f["layers"], f["activation"], f["loss"], X, Y)
    name = {"cross-entropy": "the cross-entropy", "mse": "the Euclidean loss"}[f["loss"]]
    name_zh = {"cross-entropy": "交叉熵", "mse": "欧氏损失"}[f["loss"]]
    top = as_array(reply.kept["gW2"], "the last layer's grad_W")
    k = factor(top, true[1].W) if top.shape == true[1].W.shape else None
    logits = ref.mlp_forward(f["layers"], f["activation"], X)[-1]
    e = ref.loss_gradient(f["loss"], logits, Y)
    delta = as_array(reply.kept["delta"], "the loss's gradient")
    in_loss = delta.shape == e.shape and agrees(delta, e)
    if k is not None and agrees(k, N):
        error = "(ŷ − gt)" if f["loss"] == "cross-entropy" else "(z − gt)"
        raise Fail(f"the network's gradient of {name} is N× too large: 1/N is applied "
                   f"nowhere (the loss's backward returns {error} and FCLayer.backward "
                   f"does not divide): divide by N once, in one of them",
                   f"整个网络对{name_zh}的梯度大了 N 倍：哪里都没有除以 N（损失的 backward "
                   f"和 FCLayer.backward 都没除）：在其中一处除以 N 一次")
    if k is not None and agrees(k, 1 / N):
        raise Fail(f"the network's gradient of {name} is divided by N twice: "
                   f"{'the loss' + chr(39) + 's backward' if in_loss else 'the loss'} and "
                   f"FCLayer.backward both divide; keep one of them",
                   f"整个网络对{name_zh}的梯度被除了两次 N：损失的 backward 和 "
                   f"FCLayer.backward 都除了；只保留一处")
    for i, (W, b) in enumerate(((g.W, g.b) for g in true), 1):
        which = ("the last layer's" if i == 2 else "the first layer's",
                 "最后一层的" if i == 2 else "第一层的")
        problem = mismatch(reply.kept[f"gW{i}"], W, f"{which[0]} grad_W")
        gb = as_array(reply.kept[f"gb{i}"], f"{which[0]} grad_b")
        problem = problem or mismatch(gb.reshape(b.shape) if gb.size == b.size else gb, b,
                                      f"{which[0]} grad_b")
        if problem is not None:
            hint = (Text(": the gradient reaching the first layer is wrong — what "
                         "FCLayer.backward returns, or the activation's backward",
                         "：传到第一层的梯度不对——检查 FCLayer.backward 的返回值或激活层的 "
                         "backward") if i == 1 else Text("", ""))
            raise Fail(f"with {name}: {problem.en}{hint.en}",
                       f"使用{name_zh}时：{problem.zh}{hint.zh}")
    return ok(f"the gradients of both layers are those of the mean loss ({f['activation']}, "
              f"{name})", f"两层的梯度都等于平均损失的梯度（{f['activation']}，{name_zh}）")


# ---------------------------------------------------------------- end to end

@dataclass(frozen=True)
class EndToEnd:
    """A small training run: the course's network (784-128-10, ReLU, cross-entropy)."""

    train_rows: int = 6000
    test_rows: int = 2000
    epochs: int = 2
    batch_size: int = 100
    lr: float = 0.1
    weight_decay: float = 1e-3
    points_behind: float = 1.0  # test-accuracy points the student's run may be behind


E2E = EndToEnd()


@functools.lru_cache(maxsize=2)
def probe_end_to_end(data_dir: str | None) -> Probe:
    """The training probe (built once per MNIST folder: a class's folders share it)."""
    from ...data import load_dataset

    data = load_dataset("mnist", data_dir, allow_download=False, progress=False,
                        log=lambda message: None)
    (X, y), (X_test, y_test) = data.splits()["train"], data.splits()["test"]
    X = X[:E2E.train_rows].astype(np.float64) / 255
    mean = X.mean(axis=0)
    X_test = X_test[:E2E.test_rows].astype(np.float64) / 255 - mean
    rng = np.random.default_rng(44)
    layers = [ref.Dense(rng.normal(0, ref.xavier_std(a, b, "relu"), (a, b)),
                        np.zeros((1, b))) for a, b in ((784, 128), (128, 10))]
    arrays = {**_weights(layers), "X": X - mean, "Y": np.eye(10)[y[:E2E.train_rows]],
              "X_test": X_test}
    steps = [
        *_build((784, 128, 10), "relu", "cross-entropy"), *imports("optimizer"),
        new("sgd", SGD, E2E.lr, E2E.weight_decay),
        batches("X", "Y", E2E.batch_size, E2E.epochs, 0, [
            call("net.forward", array("batch.X"), keep="logits"),
            call("loss.forward", kept("logits"), array("batch.y"), keep="loss"),
            call("loss.backward", keep="delta"),
            call("net.backward", kept("delta")),
            call("sgd.step", obj("net"))]),
        call("net.forward", array("X_test"), keep="test_logits")]
    y_test = y_test[:E2E.test_rows]
    with threadpool_limits(limits=1, user_api="blas"):  # small products: one thread
        trained = ref.train_mlp(layers, "relu", "cross-entropy", arrays["X"], arrays["Y"],
                                batch_size=E2E.batch_size, epochs=E2E.epochs, lr=E2E.lr,
                                weight_decay=E2E.weight_decay, seed=1)
    ours = float(np.mean(ref.mlp_forward(trained, "relu", X_test)[-1].argmax(axis=1)
                         == y_test))
    return Probe(steps, arrays, {"y_test": y_test, "dataset": data.name,
                                 "reference_accuracy": ours})


def judge_end_to_end(probe: Probe, reply: Reply) -> Verdict:
    f = probe.facts
    ours = f["reference_accuracy"]  # the reference trained on the same data and weights
    logits = as_array(reply.kept["test_logits"], "the test logits")
    shape = (len(f["y_test"]), 10)
    if logits.shape != shape or not np.all(np.isfinite(logits)):
        got = "NaN or inf" if logits.shape == shape else f"logits of shape {logits.shape}"
        raise Fail(f"after training the network gives {got} on the test images (the "
                   f"reference trains fine)", "训练后网络在测试图像上输出 NaN、inf 或形状不对"
                   "（参考实现训练正常）")
    theirs = float(np.mean(logits.argmax(axis=1) == f["y_test"]))
    where = (f"after {E2E.epochs} epochs on {E2E.train_rows:,} {f['dataset']} images (784-128-10"
             f" ReLU, cross-entropy, batch {E2E.batch_size}, lr {E2E.lr}, weight decay "
             f"{E2E.weight_decay})")
    where_zh = (f"在 {E2E.train_rows:,} 张 {f['dataset']} 图像上训练 {E2E.epochs} 轮后（784-128-10 "
                f"ReLU，交叉熵，batch {E2E.batch_size}，学习率 {E2E.lr}，权重衰减 "
                f"{E2E.weight_decay}）")
    if theirs < ours - E2E.points_behind / 100:
        raise Fail(f"{theirs:.2%} test accuracy {where}, the reference {ours:.2%}: more than "
                   f"{E2E.points_behind:g} point behind", f"{where_zh}测试准确率 "
                   f"{theirs:.2%}，参考实现 {ours:.2%}：落后超过 {E2E.points_behind:g} 个百分点")
    return ok(f"{theirs:.2%} test accuracy {where}, the reference {ours:.2%}",
              f"{where_zh}测试准确率 {theirs:.2%}，参考实现 {ours:.2%}")
