""" Softmax and cross-entropy loss layer """

import numpy as np

# a small number that keeps log away from 0
EPS = 1e-11


class SoftmaxCrossEntropyLossLayer():
    def __init__(self):
        self.acc = 0.
        self.loss = 0.

    def forward(self, logit, gt):
        shifted = logit - np.max(logit, axis=1, keepdims=True)
        exp = np.exp(shifted)
        self.prob = exp / np.sum(exp, axis=1, keepdims=True)
        self.gt = gt
        self.loss = -np.sum(gt * np.log(self.prob + EPS)) / logit.shape[0]
        self.acc = np.mean(np.argmax(logit, axis=1) == np.argmax(gt, axis=1))
        return self.loss

    def backward(self):
        return (self.prob - self.gt) / self.gt.shape[0]
