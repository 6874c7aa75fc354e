"""带动量的随机梯度下降（实验 1，optimizer.py）。"""

import numpy as np


class SGD:
    """根据 model.grad_W、model.grad_b 更新 model.W 和 model.b。

    参数：
        model: 一个已调用过 gradient_computing() 的 SoftmaxCrossEntropyLoss。
        learning_rate: 学习率 η。课程的 Solver 从不修改它，但 softmax-mnist 的 --lr-decay
            会修改 self.learning_rate：在 step() 里请从 self.learning_rate 读取。
        momentum: 动量 μ，取值 0 … 1；0 即普通 SGD。
    """

    def __init__(self, model, learning_rate, momentum=0.0):
        self.model = model
        self.learning_rate = learning_rate
        self.momentum = momentum
        # 需要在两次 step 之间保留的量放在 self 里，在这里按所跟随的参数的形状创建
        # （np.zeros_like(model.W) 等）。

    def step(self):
        """对 W: (D, C) 和 b: (C,) 各做一次更新——两个都要更新。

        动量为 0：每个参数沿梯度的反方向移动，步长为 η 乘梯度。
        动量为 μ：每个参数有一个速度 v，它保留自己上一次值的 μ 倍，再加上 η 乘当前梯度；
        参数移动 −v。速度在两次调用之间保持。
        """
        # TODO: 更新 self.model.W 和 self.model.b。
        raise NotImplementedError("step: 请完成 optimizer.py 中的 TODO")
