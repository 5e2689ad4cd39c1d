"""The book's ch01 two-layer net (ch01/two_layer_net.py)."""

import numpy as np

from .._core.flat import views_of_one_buffer
from ..layers import Affine, Sigmoid, SoftmaxWithLoss


class TwoLayerNet:
    """The book's ch01 net: Affine -> Sigmoid -> Affine -> SoftmaxWithLoss.

    Weights are drawn as the book draws them (``0.01 * np.random.randn``, W1 then
    W2, from numpy's global generator), then stored as ``dtype``.  ``params`` and
    ``grads`` list the layers' own arrays, so an optimizer updating ``params``
    updates the layers.
    """

    def __init__(self, input_size, hidden_size, output_size, dtype=np.float64):
        I, H, O = input_size, hidden_size, output_size
        shapes = [(I, H), (H,), (H, O), (O,)]
        # The params, and the grads, each tile one buffer, so that an optimizer
        # updates all four in one kernel call.
        _, (W1, b1, W2, b2) = views_of_one_buffer(shapes, dtype)
        W1[...] = 0.01 * np.random.randn(I, H)
        W2[...] = 0.01 * np.random.randn(H, O)

        self.layers = [Affine(W1, b1), Sigmoid(), Affine(W2, b2)]
        self.loss_layer = SoftmaxWithLoss()
        _, (dW1, db1, dW2, db2) = views_of_one_buffer(shapes, dtype)
        self.layers[0].grads[:] = [dW1, db1]
        self.layers[2].grads[:] = [dW2, db2]

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
