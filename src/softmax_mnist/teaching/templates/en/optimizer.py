"""Stochastic gradient descent with momentum (lab 1, optimizer.py)."""

import numpy as np


class SGD:
    """Updates model.W and model.b from model.grad_W and model.grad_b.

    Args:
        model: a SoftmaxCrossEntropyLoss, after gradient_computing().
        learning_rate: η, the step size. The course's Solver never changes it, but
            softmax-mnist's --lr-decay sets self.learning_rate: read it there in step().
        momentum: μ in 0 … 1; 0 is plain SGD.
    """

    def __init__(self, model, learning_rate, momentum=0.0):
        self.model = model
        self.learning_rate = learning_rate
        self.momentum = momentum
        # Anything that must last from one step to the next belongs in self, created here
        # with the shape of what it follows (np.zeros_like(model.W), …).

    def step(self):
        """One update of W: (D, C) and b: (C,) — both of them.

        With momentum 0: each parameter moves against its gradient, scaled by η.
        With momentum μ: each parameter has a velocity v, which keeps a fraction μ of
        its previous value and adds η times the current gradient; the parameter moves
        by −v. The velocities persist from one call to the next.
        """
        # TODO: update self.model.W and self.model.b.
        raise NotImplementedError("step: fill in the TODO in optimizer.py")
