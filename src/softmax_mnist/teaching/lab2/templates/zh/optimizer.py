"""带权重衰减的 SGD（实验二，optimizer.py）。"""

import numpy as np


class SGD():
    """对每个可训练层：W ← W − η (grad_W + λ W)，b ← b − η grad_b。"""

    def __init__(self, learningRate, weightDecay):
        self.learningRate = learningRate
        self.weightDecay = weightDecay

    def step(self, model):
        """对 model.layerList 中 trainable 为 True 的每一层更新一次。"""
        for layer in model.layerList:
            if layer.trainable:
                # TODO：用 layer.grad_W 和 layer.grad_b 计算 layer.diff_W 和 layer.diff_b
                # （注意权重衰减项：只作用于 W）。
                raise NotImplementedError("SGD.step：请完成 optimizer.py 中的 TODO")

                layer.W += layer.diff_W
                layer.b += layer.diff_b
