"""ReLU layer (lab 2, layers/relu_layer.py)."""

import numpy as np


class ReLULayer():
    """max(0, x), elementwise. No weights: trainable is False."""

    def __init__(self):
        self.trainable = False

    def forward(self, Input):
        """Input: any shape -> max(0, Input), the same shape."""
        # TODO: compute and return the output; keep what backward() needs.
        raise NotImplementedError("ReLULayer.forward: fill in the TODO in layers/relu_layer.py")

    def backward(self, delta):
        """delta: the gradient for the output -> the gradient for Input (the same shape):
        it passes where the Input was > 0 and is 0 elsewhere."""
        # TODO: compute and return the gradient for Input.
        raise NotImplementedError("ReLULayer.backward: fill in the TODO in "
                                  "layers/relu_layer.py")
