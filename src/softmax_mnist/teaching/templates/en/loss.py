"""Softmax regression: the model and its loss in one class (lab 1, loss.py).

Shapes: N samples in a batch, D = num_input features (784 for MNIST), C = num_output
classes (10). Fill in the two TODOs, then run ``softmax-mnist check .`` in this folder.
"""

import numpy as np


class SoftmaxCrossEntropyLoss:
    """A linear layer followed by softmax and cross-entropy.

    Attributes:
        W: (num_input, num_output) weights.
        b: (num_output,) biases.
        grad_W, grad_b: set by gradient_computing(), shaped like W and b.
    """

    def __init__(self, num_input, num_output, trainable=True):
        self.num_input = num_input
        self.num_output = num_output
        self.trainable = trainable
        std = np.sqrt(2.0 / (num_input + num_output))
        self.W = np.random.normal(0, std, (num_input, num_output))
        self.b = np.zeros(num_output)

    def forward(self, Input, labels):
        """Scores, softmax, cross-entropy and accuracy of one batch.

        Args:
            Input: (N, D) float features, one sample per row.
            labels: (N,) integer labels in 0 … C−1 (not one-hot).

        Returns:
            (loss, acc): two numbers.
            loss: the mean over the N samples of −log(probability of the true class),
                where the probabilities of a sample are softmax(its scores Input W + b).
            acc: the fraction (0 … 1, not a count) of samples whose highest score is
                their label.

        It must stay finite for scores as large as ±1e4, and treat the whole batch at
        once: no Python loop over the N samples. Keep in ``self`` what
        gradient_computing() will need.
        """
        # TODO: compute the scores, the probabilities, loss and acc.
        raise NotImplementedError("forward: fill in the TODO in loss.py")

    def gradient_computing(self):
        """Set self.grad_W = ∂loss/∂W, (D, C), and self.grad_b = ∂loss/∂b, shaped like b,
        for the batch of the last forward() call (loss is that batch's *mean* loss).

        Derive them on paper first; ``softmax-mnist check`` compares yours with a
        numerical gradient and names the usual mistakes.
        """
        # TODO: compute self.grad_W and self.grad_b.
        raise NotImplementedError("gradient_computing: fill in the TODO in loss.py")
