"""Softmax 回归：模型与损失合在一个类里（实验 1，loss.py）。

形状约定：一个批次 N 个样本，D = num_input 个特征（MNIST 为 784），C = num_output 个
类别（10）。填好下面两处 TODO，然后在本文件夹运行 ``softmax-mnist check .``。
"""

import numpy as np


class SoftmaxCrossEntropyLoss:
    """线性层 + softmax + 交叉熵。

    属性：
        W: (num_input, num_output) 权重。
        b: (num_output,) 偏置。
        grad_W, grad_b: 由 gradient_computing() 设置，形状分别与 W、b 相同。
    """

    def __init__(self, num_input, num_output, trainable=True):
        self.num_input = num_input
        self.num_output = num_output
        self.trainable = trainable
        std = np.sqrt(2.0 / (num_input + num_output))
        self.W = np.random.normal(0, std, (num_input, num_output))
        self.b = np.zeros(num_output)

    def forward(self, Input, labels):
        """一个批次的得分、softmax、交叉熵和准确率。

        参数：
            Input: (N, D) 浮点特征，每行一个样本。
            labels: (N,) 整数标签，取值 0 … C−1（不是 one-hot）。

        返回：
            (loss, acc)：两个数。
            loss: N 个样本上 −log(真实类别的概率) 的平均值；一个样本的各类概率是它的
                得分 Input W + b 经过 softmax 的结果。
            acc: 得分最高的类别等于标签的样本所占的比例（0 … 1，不是个数）。

        得分大到 ±1e4 时结果也必须是有限数；整个批次一起计算：不要用 Python 循环逐个
        处理 N 个样本。把 gradient_computing() 需要的量保存在 ``self`` 里。
        """
        # TODO: 计算得分、概率、loss 和 acc。
        raise NotImplementedError("forward: 请完成 loss.py 中的 TODO")

    def gradient_computing(self):
        """设置 self.grad_W = ∂loss/∂W，形状 (D, C)；self.grad_b = ∂loss/∂b，形状与 b 相同。
        针对最近一次 forward() 的批次（loss 是该批次的*平均*损失）。

        先在纸上推导；``softmax-mnist check`` 会把你的结果与数值梯度比较，并指出常见错误。
        """
        # TODO: 计算 self.grad_W 和 self.grad_b。
        raise NotImplementedError("gradient_computing: 请完成 loss.py 中的 TODO")
