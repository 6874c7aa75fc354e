"""The lab's math, in NumPy and nothing else: layers, the loss, the network, the optimizer.

Data flows ``Network.forward`` (``layers``) → ``SoftmaxCrossEntropyLoss`` (``loss``) →
``Network.backward`` → ``SGD.step`` (``optim``); ``gradcheck`` checks the backward pass
against finite differences. This package imports NumPy and itself only: no files,
options or preprocessing. Speed tricks sit in ``_fast`` behind names.
"""

from .layers import ACTIVATIONS, DTYPE, FCLayer, Layer, ReLU, Sigmoid
from .loss import SoftmaxCrossEntropyLoss, cross_entropy, log_softmax, softmax
from .network import Network
from .optim import SGD

__all__ = ["ACTIVATIONS", "DTYPE", "SGD", "FCLayer", "Layer", "Network", "ReLU", "Sigmoid",
           "SoftmaxCrossEntropyLoss", "cross_entropy", "log_softmax", "softmax"]
