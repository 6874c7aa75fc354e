""" Network """


class Network():
    def __init__(self):
        self.layerList = []
        self.numLayer = 0

    def add(self, layer):
        self.numLayer += 1
        self.layerList.append(layer)

    def forward(self, x):
        for layer in self.layerList:
            x = layer.forward(x)
        return x

    def backward(self, delta):
        for layer in reversed(self.layerList):
            delta = layer.backward(delta)
