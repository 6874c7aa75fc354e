"""Softmax 与交叉熵损失（实验二，criterion/softmax_cross_entropy.py）。"""

import numpy as np

# 一个很小的数，防止对 0 取 log，也许用得上
EPS = 1e-11


class SoftmaxCrossEntropyLossLayer():
    """逐行 ŷ = softmax(logit)；损失 = batch 上 −Σ gt · log ŷ 的平均值。"""

    def __init__(self):
        self.acc = 0.
        self.loss = 0.

    def forward(self, logit, gt):
        """
        参数：
            logit：(N, 10)，最后一个 FCLayer 的输出。
            gt：(N, 10)，one-hot 编码的真实标签（每行在标签所在列为 1）。

        把 batch 的平均损失存入 self.loss，把准确率——最大 logit 位于标签处的行所占的比例
        （0 … 1）——存入 self.acc；返回 self.loss。logit 大到 ±1e4 时也必须保持有限。
        """
        # TODO：计算 self.loss 和 self.acc；保存 backward() 需要的量。
        raise NotImplementedError("SoftmaxCrossEntropyLossLayer.forward：请完成 "
                                  "criterion/softmax_cross_entropy.py 中的 TODO")

    def backward(self):
        """上一次 forward() 的损失对 logit 的梯度，(N, 10)。

        损失是 batch 的平均，所以梯度带有 1/N——放在这里，或者放在 FCLayer.backward 里
        （那么这里就不放）：只能放在其中一处。
        """
        # TODO：计算并返回对 logit 的梯度。
        raise NotImplementedError("SoftmaxCrossEntropyLossLayer.backward：请完成 "
                                  "criterion/softmax_cross_entropy.py 中的 TODO")
