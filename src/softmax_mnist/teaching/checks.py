"""The checks that need no numbers: imports (static), the files, and the interface of
``SoftmaxCrossEntropyLoss`` on the course's shapes (784 inputs, 10 classes, uint8 labels).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..nn import softmax
from .context import C, Context, D, Failed, N, course_problem, kind
from .diagnose import agrees
from .probe_reply import Opaque
from .reference import softmax_loss_vectorized
from .static import FILES


def check_imports(ctx: Context) -> str:
    """No module but NumPy, the standard library and the student's own files (static)."""
    facts = ctx.facts
    if facts.forbidden:
        where = ", ".join(ctx.tr(f"{f.file} line {f.line} imports {f.what}",
                                 f"{f.file} 第 {f.line} 行导入了 {f.what}")
                          for f in facts.forbidden)
        raise Failed(ctx.tr(f"{where}: the lab allows NumPy and the standard library only (no "
                            f"deep-learning framework, not softmax_mnist); the other checks "
                            f"ran with it stubbed",
                            f"{where}：实验只允许 NumPy 和标准库（不能用深度学习框架，也不能用 "
                            f"softmax_mnist）；其余检查已在屏蔽它的情况下运行"))
    if facts.missing:
        where = ", ".join(f"{f.file}:{f.line} {f.what}" for f in facts.missing)
        raise Failed(ctx.tr(f"{where}: not NumPy, not the standard library, and not a file "
                            f"in the folder — hand in your helper files with loss.py and "
                            f"optimizer.py",
                            f"{where}：既不是 NumPy、也不是标准库，文件夹里也没有这个文件——请把"
                            f"辅助文件与 loss.py、optimizer.py 一起提交"))
    return ctx.tr("NumPy and the standard library only", "只用了 NumPy 和标准库")


def check_files(ctx: Context) -> str:
    """loss.py and optimizer.py exist, parse, import, and define their classes; records
    which file imports for the checks that need only one of them."""
    importable = ctx.shared.setdefault("importable", set())
    problems = []
    for file, cls in FILES.items():
        module = file.removesuffix(".py")
        if not (ctx.folder / file).is_file():
            problems.append(ctx.tr(f"{file} not found", f"找不到 {file}"))
            continue
        bad = ctx.facts.syntax.get(file)
        if bad:
            problems.append(ctx.tr(f"SyntaxError: {bad.what} ({file} line {bad.line})",
                                   f"语法错误：{bad.what}（{file} 第 {bad.line} 行）"))
            continue
        reply = ctx.run([{"import": module}, {"get": f"{module}.{cls}", "keep": "cls"}])
        if reply.error is not None and reply.error.step == 0:
            from .context import describe_error

            problems.append(describe_error(ctx, reply.error, ctx.tr(
                f"importing {file}", f"导入 {file} 时")))
        elif reply.error is not None or not isinstance(reply.kept.get("cls"), Opaque) or \
                reply.kept["cls"].name != "type":
            problems.append(ctx.tr(f"{file} defines no class {cls} (the course's name; check "
                                   f"its spelling)", f"{file} 没有定义类 {cls}（课程规定的名字，"
                                                     f"请检查拼写）"))
        else:
            importable.add(file)
    if problems:
        raise Failed("; ".join(problems))
    return ctx.tr("loss.py and optimizer.py import; SoftmaxCrossEntropyLoss and SGD are "
                  "defined", "loss.py 和 optimizer.py 可以导入；定义了 SoftmaxCrossEntropyLoss "
                             "和 SGD")


def check_interface(ctx: Context) -> str:
    """W (784, 10) and b (10,) or (1, 10) from __init__; forward(Input, labels) returns two
    values and changes neither Input nor W; gradient_computing stores the gradients."""
    p = course_problem(1)
    own = ctx.run([{"import": "loss"},
                   {"new": "fresh", "cls": "loss.SoftmaxCrossEntropyLoss", "args": [D, C]},
                   {"get": "fresh.W", "keep": "W"}, {"get": "fresh.b", "keep": "b"}])
    ctx.raise_error(own, f"SoftmaxCrossEntropyLoss({D}, {C})")
    W, b = own.kept.get("W"), own.kept.get("b")
    for name, value in (("W", W), ("b", b)):
        if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
            raise Failed(ctx.tr(f"SoftmaxCrossEntropyLoss({D}, {C}) has no float array "
                                f"self.{name} (it is {kind(value)}): __init__ must create W "
                                f"(num_input, num_output) and b (1, num_output)",
                                f"SoftmaxCrossEntropyLoss({D}, {C}) 没有浮点数组 self.{name}"
                                f"（它是{kind(value, 'zh')}）：__init__ 必须创建 W (num_input, "
                                f"num_output) 和 b (1, num_output)"))
    if W.shape != (D, C):
        raise Failed(ctx.tr(f"SoftmaxCrossEntropyLoss({D}, {C}).W has shape {W.shape}; it must "
                            f"be (num_input, num_output) = ({D}, {C}): the scores are Input @ W",
                            f"SoftmaxCrossEntropyLoss({D}, {C}).W 的形状是 {W.shape}；必须是 "
                            f"(num_input, num_output) = ({D}, {C})：分数是 Input @ W"))
    if b.shape not in ((C,), (1, C)):
        raise Failed(ctx.tr(f"b has shape {b.shape}; it must be (1, {C}) as in the course "
                            f"template (or ({C},))", f"b 的形状是 {b.shape}；必须是课程模板的 "
                                                     f"(1, {C})（或 ({C},)）"))
    ctx.facts.b_shape = b.shape
    reply = ctx.run([*ctx.model_steps(p),
                     {"call": "model.forward", "args": [{"array": "X"}, {"array": "y"}],
                      "keep": "out"},
                     {"get": "X", "keep": "X"}, {"get": "model.W", "keep": "W1"},
                     {"call": "model.gradient_computing", "keep": "returned"},
                     {"get": "model.W", "keep": "W2"}], ctx.arrays(p))
    if reply.error is not None:
        step = reply.error.step
        what = "forward" if step == 4 else "gradient_computing" if step == 7 else \
            f"SoftmaxCrossEntropyLoss({D}, {C})"
        if what == "forward":
            _one_hot_probe(ctx, p)
        ctx.raise_error(reply, what)
    out = reply.kept.get("out")
    if not isinstance(out, tuple) or len(out) != 2:
        raise Failed(ctx.tr(f"forward returned {kind(out)}; it must return two numbers, "
                            f"(loss, acc) — the Solver does loss, acc = model.forward(...)",
                            f"forward 返回了{kind(out, 'zh')}；它必须返回两个数 (loss, acc)——"
                            f"Solver 写的是 loss, acc = model.forward(...)"))
    if not agrees(reply.kept.get("X"), p.X, 1e-12):
        raise Failed(ctx.tr("forward changed its Input array in place: work on a copy (the "
                            "Solver reuses its batches)", "forward 原地修改了输入数组 Input："
                                                          "请在副本上计算（Solver 会复用批数据）"))
    if not agrees(reply.kept.get("W1"), p.W, 1e-12):
        raise Failed(ctx.tr("forward changed W: only SGD.step() may update the weights",
                            "forward 修改了 W：只有 SGD.step() 可以更新权重"))
    if reply.kept.get("returned") is not None:
        grads = ctx.run([*ctx.model_steps(p), {"call": "model.forward", "args": [
            {"array": "X"}, {"array": "y"}]}, {"call": "model.gradient_computing"},
            {"get": "model.grad_W", "keep": "gW"}], ctx.arrays(p))
        if grads.error is not None:
            raise Failed(ctx.tr("gradient_computing returned the gradients; it must store "
                                "them as self.grad_W and self.grad_b (SGD reads them from "
                                "the model)", "gradient_computing 返回了梯度；它必须把梯度存为 "
                                              "self.grad_W 和 self.grad_b（SGD 从模型读取）"))
    if not agrees(reply.kept.get("W2"), p.W, 1e-12):
        raise Failed(ctx.tr("gradient_computing changed W: leave the update to SGD.step()",
                            "gradient_computing 修改了 W：更新留给 SGD.step()"))
    return ctx.tr(f"W ({D}, {C}), b {b.shape}; forward(Input (N, {D}), labels (N,) uint8) "
                  f"returns (loss, acc); gradient_computing runs",
                  f"W ({D}, {C})，b {b.shape}；forward(Input (N, {D}), labels (N,) uint8) 返回 "
                  f"(loss, acc)；gradient_computing 可以运行")


def _one_hot_probe(ctx: Context, p: Any) -> None:
    """forward failed on uint8 labels: does it work on one-hot ones?"""
    try:
        loss, _ = ctx.forward(p, np.eye(C)[p.y])
    except Failed:
        return
    ref = softmax_loss_vectorized(p.W, p.b, p.X, p.y).loss
    if agrees(loss, ref) or agrees(loss, -np.log(softmax(p.scores))[np.arange(N), p.y].sum()):
        raise Failed(ctx.tr(f"forward expects one-hot labels (N, C), but labels are uint8 "
                            f"integers of shape (N,) = ({N},), as the course's data loader "
                            f"gives them: build the one-hot matrix inside forward if you need "
                            f"it (np.eye(C)[labels])",
                            f"forward 需要 one-hot 标签 (N, C)，但课程的数据加载器给的标签是形状 "
                            f"(N,) = ({N},) 的 uint8 整数：需要时在 forward 里构造 one-hot 矩阵"
                            f"（np.eye(C)[labels]）"))
