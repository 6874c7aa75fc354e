"""Euclidean loss (lab 2, criterion/euclidean_loss.py)."""

import numpy as np


class EuclideanLossLayer():
    """loss = 1/(2N) Σ_n ‖logit_n − gt_n‖², on the raw logits (no softmax)."""

    def __init__(self):
        self.acc = 0.
        self.loss = 0.

    def forward(self, logit, gt):
        """
        Args:
            logit: (N, 10), the output of the last FCLayer.
            gt: (N, 10), the true labels one-hot.

        Store the loss in self.loss and the accuracy — the fraction (0 … 1) of rows whose
        largest logit is at their label — in self.acc; return self.loss.
        """
        # TODO: compute self.loss and self.acc; keep what backward() needs.
        raise NotImplementedError("EuclideanLossLayer.forward: fill in the TODO in "
                                  "criterion/euclidean_loss.py")

    def backward(self):
        """The gradient of the loss for the logits, (N, 10), of the last forward() (1/N
        here or in FCLayer.backward, as for the cross-entropy)."""
        # TODO: compute and return the gradient for the logits.
        raise NotImplementedError("EuclideanLossLayer.backward: fill in the TODO in "
                                  "criterion/euclidean_loss.py")
