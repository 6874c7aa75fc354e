""" Sigmoid layer """

import numpy as np


class SigmoidLayer():
    def __init__(self):
        self.trainable = False

    def forward(self, Input):
        self.Output = 1 / (1 + np.exp(-Input))
        return self.Output

    def backward(self, delta):
        return delta * self.Output * (1 - self.Output)
