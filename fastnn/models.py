"""Models built from fastnn layers."""

import numpy as np

from .layers import Affine, Sigmoid, SoftmaxWithLoss


class TwoLayerNet:
    """The book's ch01 net: Affine -> Sigmoid -> Affine -> SoftmaxWithLoss.

    Weights are drawn as the book draws them (``0.01 * np.random.randn``, W1 then
    W2, from numpy's global generator), then cast to ``dtype``.  ``params`` and
    ``grads`` list the layers' own arrays, so an optimizer updating ``params``
    updates the layers.
    """

    def __init__(self, input_size, hidden_size, output_size, dtype=np.float64):
        I, H, O = input_size, hidden_size, output_size
        W1 = (0.01 * np.random.randn(I, H)).astype(dtype, copy=False)
        b1 = np.zeros(H, dtype)
        W2 = (0.01 * np.random.randn(H, O)).astype(dtype, copy=False)
        b2 = np.zeros(O, dtype)

        self.layers = [Affine(W1, b1), Sigmoid(), Affine(W2, b2)]
        self.loss_layer = SoftmaxWithLoss()

        self.params, self.grads = [], []
        for layer in self.layers:
            self.params += layer.params
            self.grads += layer.grads

    def predict(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def forward(self, x, t):
        score = self.predict(x)
        return self.loss_layer.forward(score, t)

    def backward(self, dout=1):
        dout = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout
