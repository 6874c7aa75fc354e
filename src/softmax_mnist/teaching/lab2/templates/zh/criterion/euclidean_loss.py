"""欧氏距离损失（实验二，criterion/euclidean_loss.py）。"""

import numpy as np


class EuclideanLossLayer():
    """损失 = 1/(2N) Σ_n ‖logit_n − gt_n‖²，直接作用于 logit（没有 softmax）。"""

    def __init__(self):
        self.acc = 0.
        self.loss = 0.

    def forward(self, logit, gt):
        """
        参数：
            logit：(N, 10)，最后一个 FCLayer 的输出。
            gt：(N, 10)，one-hot 编码的真实标签。

        把损失存入 self.loss，把准确率——最大 logit 位于标签处的行所占的比例（0 … 1）——
        存入 self.acc；返回 self.loss。
        """
        # TODO：计算 self.loss 和 self.acc；保存 backward() 需要的量。
        raise NotImplementedError("EuclideanLossLayer.forward：请完成 "
                                  "criterion/euclidean_loss.py 中的 TODO")

    def backward(self):
        """上一次 forward() 的损失对 logit 的梯度，(N, 10)（1/N 放在这里或 FCLayer.backward
        里，与交叉熵相同）。"""
        # TODO：计算并返回对 logit 的梯度。
        raise NotImplementedError("EuclideanLossLayer.backward：请完成 "
                                  "criterion/euclidean_loss.py 中的 TODO")
