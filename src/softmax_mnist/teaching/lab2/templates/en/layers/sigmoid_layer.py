"""Sigmoid layer (lab 2, layers/sigmoid_layer.py)."""

import numpy as np


class SigmoidLayer():
    """σ(x) = 1 / (1 + e^(−x)), elementwise. No weights: trainable is False."""

    def __init__(self):
        self.trainable = False

    def forward(self, Input):
        """Input: any shape -> σ(Input), the same shape."""
        # TODO: compute and return the output; keep what backward() needs.
        raise NotImplementedError("SigmoidLayer.forward: fill in the TODO in "
                                  "layers/sigmoid_layer.py")

    def backward(self, delta):
        """delta: the gradient for the output -> the gradient for Input (the same shape).

        σ'(x) = σ(x) (1 − σ(x)): use the output of forward().
        """
        # TODO: compute and return the gradient for Input.
        raise NotImplementedError("SigmoidLayer.backward: fill in the TODO in "
                                  "layers/sigmoid_layer.py")
