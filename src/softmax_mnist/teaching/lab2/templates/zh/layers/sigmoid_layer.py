"""Sigmoid 层（实验二，layers/sigmoid_layer.py）。"""

import numpy as np


class SigmoidLayer():
    """逐元素 σ(x) = 1 / (1 + e^(−x))。没有权重：trainable 为 False。"""

    def __init__(self):
        self.trainable = False

    def forward(self, Input):
        """Input：任意形状 -> σ(Input)，形状不变。"""
        # TODO：计算并返回输出；保存 backward() 需要的量。
        raise NotImplementedError("SigmoidLayer.forward：请完成 layers/sigmoid_layer.py "
                                  "中的 TODO")

    def backward(self, delta):
        """delta：对输出的梯度 -> 对 Input 的梯度（形状相同）。

        σ'(x) = σ(x) (1 − σ(x))：用 forward() 的输出来算。
        """
        # TODO：计算并返回对 Input 的梯度。
        raise NotImplementedError("SigmoidLayer.backward：请完成 layers/sigmoid_layer.py "
                                  "中的 TODO")
