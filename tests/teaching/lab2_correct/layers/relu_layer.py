""" ReLU layer """

import numpy as np


class ReLULayer():
    def __init__(self):
        self.trainable = False

    def forward(self, Input):
        self.Input = Input
        return np.maximum(0, Input)

    def backward(self, delta):
        return delta * (self.Input > 0)
