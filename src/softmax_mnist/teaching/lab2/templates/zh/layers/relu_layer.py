"""ReLU 层（实验二，layers/relu_layer.py）。"""

import numpy as np


class ReLULayer():
    """逐元素 max(0, x)。没有权重：trainable 为 False。"""

    def __init__(self):
        self.trainable = False

    def forward(self, Input):
        """Input：任意形状 -> max(0, Input)，形状不变。"""
        # TODO：计算并返回输出；保存 backward() 需要的量。
        raise NotImplementedError("ReLULayer.forward：请完成 layers/relu_layer.py 中的 TODO")

    def backward(self, delta):
        """delta：对输出的梯度 -> 对 Input 的梯度（形状相同）：Input > 0 的位置梯度通过，
        其余位置为 0。"""
        # TODO：计算并返回对 Input 的梯度。
        raise NotImplementedError("ReLULayer.backward：请完成 layers/relu_layer.py 中的 TODO")
