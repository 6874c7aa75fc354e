"""Fully connected layer (lab 2, layers/fc_layer.py).

Shapes: N samples in a batch, D = num_input, M = num_output. Fill in the TODOs, then run
``softmax-mnist check --lab 2 .`` in the lab's folder.
"""

import numpy as np


class FCLayer():
    """z = Input · W + b.

    Attributes:
        W: (num_input, num_output) weights; b: (1, num_output) biases.
        grad_W, grad_b: set by backward(), shaped like W and b.
        trainable: True — SGD updates this layer.
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
        """Input: (N, D) -> the output Input · W + b: (N, M).

        Keep in ``self`` what backward() will need.
        """
        # TODO: compute and return the output.
        raise NotImplementedError("FCLayer.forward: fill in the TODO in layers/fc_layer.py")

    def backward(self, delta):
        """delta: (N, M), the gradient of the loss for this layer's output.

        Set self.grad_W (D, M) and self.grad_b (1, M), the gradients for W and b, and
        return the gradient for this layer's Input, (N, D), which goes to the layer below.

        The loss is the batch's *mean*: 1/N goes in exactly one place — either in the
        loss's backward() or here (then divide both grad_W and grad_b) — never in both.
        """
        # TODO: compute self.grad_W and self.grad_b; return the gradient for Input.
        raise NotImplementedError("FCLayer.backward: fill in the TODO in layers/fc_layer.py")

    def XavierInit(self):
        """W and b drawn from N(0, σ²), σ = √(2 / (num_input + num_output)), × √2 for ReLU."""
        raw_std = (2 / (self.num_input + self.num_output)) ** 0.5
        if self.actFunction == 'relu':
            init_std = raw_std * (2 ** 0.5)
        else:
            init_std = raw_std
        self.W = np.random.normal(0, init_std, (self.num_input, self.num_output))
        self.b = np.random.normal(0, init_std, (1, self.num_output))
