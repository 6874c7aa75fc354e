"""A correct SGD with momentum in the other sign convention: v = μ v − η g; W += v."""

import numpy as np


class SGD:
    def __init__(self, model, learning_rate, momentum=0.0):
        self.model = model
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.velocity = {"W": np.zeros_like(model.W), "b": np.zeros_like(model.b)}

    def step(self):
        layer = self.model
        if layer.trainable:
            for name in ("W", "b"):
                grad = getattr(layer, "grad_" + name)
                velocity = self.momentum * self.velocity[name] - self.learning_rate * grad
                self.velocity[name] = velocity
                setattr(layer, name, getattr(layer, name) + self.velocity[name])
