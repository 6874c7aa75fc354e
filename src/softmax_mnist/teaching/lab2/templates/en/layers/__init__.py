from .fc_layer import FCLayer
from .relu_layer import ReLULayer
from .sigmoid_layer import SigmoidLayer
