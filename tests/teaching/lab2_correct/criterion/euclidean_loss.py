""" Euclidean loss layer """

import numpy as np


class EuclideanLossLayer():
    def __init__(self):
        self.acc = 0.
        self.loss = 0.

    def forward(self, logit, gt):
        self.diff = logit - gt
        self.loss = 0.5 * np.sum(self.diff ** 2) / logit.shape[0]
        self.acc = np.mean(np.argmax(logit, axis=1) == np.argmax(gt, axis=1))
        return self.loss

    def backward(self):
        return self.diff / self.diff.shape[0]
