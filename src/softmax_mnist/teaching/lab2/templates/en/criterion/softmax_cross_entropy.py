"""Softmax and cross-entropy loss (lab 2, criterion/softmax_cross_entropy.py)."""

import numpy as np

# a small number that keeps log away from 0, maybe useful for you
EPS = 1e-11


class SoftmaxCrossEntropyLossLayer():
    """ŷ = softmax(logit) row by row; loss = the batch's mean of −Σ gt · log ŷ."""

    def __init__(self):
        self.acc = 0.
        self.loss = 0.

    def forward(self, logit, gt):
        """
        Args:
            logit: (N, 10), the output of the last FCLayer.
            gt: (N, 10), the true labels one-hot (a 1 in each row's label column).

        Store the batch's mean loss in self.loss and the accuracy — the fraction (0 … 1)
        of rows whose largest logit is at their label — in self.acc; return self.loss.
        It must stay finite for logits as large as ±1e4.
        """
        # TODO: compute self.loss and self.acc; keep what backward() needs.
        raise NotImplementedError("SoftmaxCrossEntropyLossLayer.forward: fill in the TODO "
                                  "in criterion/softmax_cross_entropy.py")

    def backward(self):
        """The gradient of the loss for the logits, (N, 10), of the last forward().

        The loss is the batch's mean, so the gradient carries 1/N — here, or in
        FCLayer.backward (then not here): in exactly one of them.
        """
        # TODO: compute and return the gradient for the logits.
        raise NotImplementedError("SoftmaxCrossEntropyLossLayer.backward: fill in the TODO "
                                  "in criterion/softmax_cross_entropy.py")
