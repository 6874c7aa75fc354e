"""全连接层（实验二，layers/fc_layer.py）。

形状：一个 batch 有 N 个样本，D = num_input，M = num_output。完成各个 TODO 后，在实验文件夹
中运行 ``softmax-mnist check --lab 2 .``。
"""

import numpy as np


class FCLayer():
    """z = Input · W + b。

    属性：
        W：(num_input, num_output) 权重；b：(1, num_output) 偏置。
        grad_W、grad_b：由 backward() 设置，形状与 W、b 相同。
        trainable：True——SGD 会更新这一层。
    """

    def __init__(self, num_input, num_output, actFunction='relu', trainable=True):
        self.num_input = num_input
        self.num_output = num_output
        self.trainable = trainable
        self.actFunction = actFunction
        assert actFunction in ['relu', 'sigmoid']

        self.XavierInit()

        self.grad_W = np.zeros((num_input, num_output))
        self.grad_b = np.zeros((1, num_output))

    def forward(self, Input):
        """Input：(N, D) -> 输出 Input · W + b：(N, M)。

        把 backward() 需要的量保存在 ``self`` 里。
        """
        # TODO：计算并返回输出。
        raise NotImplementedError("FCLayer.forward：请完成 layers/fc_layer.py 中的 TODO")

    def backward(self, delta):
        """delta：(N, M)，损失对本层输出的梯度。

        设置 self.grad_W (D, M) 和 self.grad_b (1, M)，即 W 和 b 的梯度，并返回对本层
        Input 的梯度 (N, D)，它传给下一层。

        损失是 batch 的*平均*：1/N 只放在一个地方——要么在损失的 backward() 里，要么在
        这里（那么 grad_W 和 grad_b 都要除）——不能两处都放。
        """
        # TODO：计算 self.grad_W 和 self.grad_b；返回对 Input 的梯度。
        raise NotImplementedError("FCLayer.backward：请完成 layers/fc_layer.py 中的 TODO")

    def XavierInit(self):
        """W 和 b 取自 N(0, σ²)，σ = √(2 / (num_input + num_output))，ReLU 再乘 √2。"""
        raw_std = (2 / (self.num_input + self.num_output)) ** 0.5
        if self.actFunction == 'relu':
            init_std = raw_std * (2 ** 0.5)
        else:
            init_std = raw_std
        self.W = np.random.normal(0, init_std, (self.num_input, self.num_output))
        self.b = np.random.normal(0, init_std, (1, self.num_output))
