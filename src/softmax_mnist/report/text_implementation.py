"""The words of the report's implementation part: whose code trained the runs (ours or
a student's, ``--impl``) and the timed naive / vectorised / student passes. Merged into
:data:`text.TEXT`."""

from __future__ import annotations

IMPLEMENTATION: dict[str, dict[str, str]] = {
    "en": {
        "implementation": "Implementation",
        "impl_ours": ("Every run was trained by softmax-mnist's own implementation "
                      "(`softmax_mnist.nn`)."),
        "impl_student": ("The runs were trained by the student's `SoftmaxCrossEntropyLoss` "
                         "and `SGD` from {folder} ({files}; `softmax-mnist check` passed "
                         "all its checks first), driven by softmax-mnist's Solver: the data, "
                         "batches, decay, early stopping and figures are softmax-mnist's."),
        "impl_reference_runs": ("The course interface has no hidden layers, Nesterov momentum, "
                                "weight decay, Adam or other losses: softmax-mnist's own "
                                "implementation trained {runs}."),
        "impl_naive": "loop over the samples (naive)", "impl_vectorised": "vectorised",
        "impl_yours": "the student's",
        "impl_table": ("One forward + gradient pass on the first {n} training images, from "
                       "the same weights"),
        "impl_column": "implementation", "impl_digits": "grad_W: same digits",
        "impl_ms": "ms per pass", "impl_ratio": "× vectorised",
        "impl_speed": ("The implementations give the same loss and gradients (grad_W agrees "
                       "to {digits} significant digits). The vectorised pass takes "
                       "{vectorised} ms; {parts}."),
        "impl_speed_part": "{label}: {ms} ms ({ratio}×)",
    },
    "zh": {
        "implementation": "实现",
        "impl_ours": "所有训练都由 softmax-mnist 自己的实现（`softmax_mnist.nn`）完成。",
        "impl_student": ("训练使用学生的 `SoftmaxCrossEntropyLoss` 和 `SGD`，来自 {folder}"
                         "（{files}；事先通过了 `softmax-mnist check` 的全部检查），由 "
                         "softmax-mnist 的 Solver 驱动：数据、批次、学习率衰减、早停和图表"
                         "由 softmax-mnist 提供。"),
        "impl_reference_runs": ("课程接口没有隐藏层、Nesterov 动量、权重衰减、Adam 和其他损失"
                                "函数：以下设置由 softmax-mnist 自己的实现训练：{runs}。"),
        "impl_naive": "逐样本循环（朴素实现）", "impl_vectorised": "向量化实现",
        "impl_yours": "学生的实现",
        "impl_table": "在前 {n} 张训练图像上做一次前向 + 梯度计算（相同的初始权重）",
        "impl_column": "实现", "impl_digits": "grad_W 相同的有效数字位数",
        "impl_ms": "每次耗时 (ms)", "impl_ratio": "相对向量化的倍数",
        "impl_speed": ("各实现的损失和梯度相同（grad_W 前 {digits} 位有效数字一致）。"
                       "向量化实现每次 {vectorised} ms；{parts}。"),
        "impl_speed_part": "{label}：{ms} ms（{ratio} 倍）",
    },
}
