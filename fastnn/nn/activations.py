"""The book's Sigmoid and Softmax layers."""

import numpy as np

from .._core import inputs as check
from .._core.buffers import output
from .._core.dispatch import Kernel
from ..kernels import activation, softmax_loss

_SIGMOID_FORWARD = Kernel(activation.sigmoid_forward, activation.sigmoid_forward_parallel)
_SIGMOID_BACKWARD = Kernel(activation.sigmoid_backward, activation.sigmoid_backward_parallel)
# Row by row: each output row depends on its own input row only, the same bits in any split.
_SOFTMAX_FORWARD = Kernel(softmax_loss.softmax_forward, softmax_loss.softmax_forward_parallel)
_SOFTMAX_BACKWARD = Kernel(softmax_loss.softmax_backward, softmax_loss.softmax_backward_parallel)


class Sigmoid:
    """y = 1 / (1 + exp(-x)), elementwise on any shape.

    forward(x) -> y; backward(dout) -> dx = dout * (1 - y) * y.  Attributes: out.
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.out = None
        self._dx = None  # last backward output, reused when nobody kept it (see _core/buffers.py)

    def forward(self, x):
        x = check.float_operand(x, "Sigmoid.forward", "x")
        out = output(self.out, x.shape, x.dtype)
        _SIGMOID_FORWARD.pick(x.size)(x, out)
        self.out = out
        return out

    def backward(self, dout):
        # out may have been replaced since forward: it is checked like an input.
        y = check.float_operand(check.saved(self.out, "Sigmoid.backward"), "Sigmoid.backward", "out")
        dout = check.same_shape(dout, y.shape, "Sigmoid.backward", "dout", y.dtype)
        dx = output(self._dx, y.shape, y.dtype)
        _SIGMOID_BACKWARD.pick(y.size)(dout, y, dx)
        self._dx = dx
        return dx


def _rows(x, where):
    """x as a 2-D float batch; a 1-D x is one row (the book's softmax takes both)."""
    x = check.float_operand(x, where, "x")
    if x.ndim == 1:
        return x.reshape(1, -1)
    if x.ndim != 2:
        raise ValueError(f"{where}: x has shape {x.shape}; expected (N, C) or (C,)")
    return x


class Softmax:
    """y = softmax(x) along the last axis of a 2-D (N, C) or 1-D (C,) x.

    forward(x) -> y; backward(dout) -> dx = y * dout - y * sum(y * dout).
    Attributes: out.
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.out = None
        self._dx = None  # last backward output, reused when nobody kept it (see _core/buffers.py)

    def forward(self, x):
        x2 = _rows(x, "Softmax.forward")
        one_row = x2.ndim != np.ndim(x)
        # A 1-D out is kept as a reshaped view, which output() could never reuse.
        out = np.empty(x2.shape, x2.dtype) if one_row else output(self.out, x2.shape, x2.dtype)
        _SOFTMAX_FORWARD.pick(x2.size)(x2, out)
        self.out = out.reshape(np.shape(x)) if one_row else out
        return self.out

    def backward(self, dout):
        where = "Softmax.backward"
        y = check.float_operand(check.saved(self.out, where), where, "out")
        if y.ndim > 2:  # out replaced since forward
            raise ValueError(f"{where}: out has shape {y.shape}; expected the (N, C) or (C,) output of forward")
        dout = check.same_shape(dout, y.shape, where, "dout", y.dtype)
        if y.ndim == 1:
            y2, dx = y.reshape(1, -1), np.empty((1, y.size), y.dtype)
        else:
            y2 = y
            dx = output(self._dx, y.shape, y.dtype)
            self._dx = dx
        _SOFTMAX_BACKWARD.pick(y2.size)(y2, dout.reshape(y2.shape), dx)
        return dx.reshape(y.shape) if y.ndim == 1 else dx
