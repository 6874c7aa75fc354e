"""SGD with weight decay (lab 2, optimizer.py)."""

import numpy as np


class SGD():
    """W ← W − η (grad_W + λ W) and b ← b − η grad_b for every trainable layer."""

    def __init__(self, learningRate, weightDecay):
        self.learningRate = learningRate
        self.weightDecay = weightDecay

    def step(self, model):
        """One update of every layer in model.layerList whose trainable is True."""
        for layer in model.layerList:
            if layer.trainable:
                # TODO: compute layer.diff_W and layer.diff_b from layer.grad_W and
                # layer.grad_b (mind the weight decay term: on W only).
                raise NotImplementedError("SGD.step: fill in the TODO in optimizer.py")

                layer.W += layer.diff_W
                layer.b += layer.diff_b
