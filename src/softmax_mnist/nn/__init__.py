"""The lab's math, in NumPy and nothing else: layers, the loss, the network, the optimizer.

Data flows ``Network.forward`` (``layers``, ``conv``) → ``SoftmaxCrossEntropyLoss``
(``loss``) → ``Network.backward`` → ``SGD.step`` or ``Adam.step`` (``optim``); the text
``conv:32:5,pool:2,fc:128`` names a network's layers (``architecture``); ``gradcheck``
checks the backward pass against finite differences. This package imports NumPy and
itself only (and threadpoolctl, in ``_threads``, to run a CNN's evaluation on worker
threads): no files, options or preprocessing. Speed tricks sit in ``_fast``,
``_im2col``, ``_fourier`` and ``_threads`` behind names.
"""

from .conv import Conv2D, Flatten, MaxPool2D, Unflatten
from .layers import ACTIVATIONS, DTYPE, Dropout, FCLayer, Layer, ReLU, Sigmoid
from .loss import (
    LOSSES,
    EuclideanLoss,
    SoftmaxCrossEntropyLoss,
    cross_entropy,
    log_softmax,
    softmax,
)
from .network import Network
from .optim import SGD, Adam

__all__ = ["ACTIVATIONS", "DTYPE", "LOSSES", "SGD", "Adam", "Conv2D", "Dropout",
           "EuclideanLoss", "FCLayer", "Flatten", "Layer", "MaxPool2D", "Network", "ReLU",
           "Sigmoid", "SoftmaxCrossEntropyLoss", "Unflatten", "cross_entropy", "log_softmax",
           "softmax"]
