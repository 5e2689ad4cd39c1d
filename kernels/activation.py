"""Sigmoid forward and backward, elementwise over arrays of any shape.

The arrays are C-contiguous (the layer makes sure), so each kernel runs one flat
loop.  ``1 / (1 + exp(-x))`` is already stable here: for x -> -inf, exp(-x)
becomes inf and the quotient 0, with no warning and no NaN.
"""

import numpy as np
from numba import njit

from ._config import KERNEL


@njit(**KERNEL)
def sigmoid_forward(x, out):
    """out = 1 / (1 + exp(-x)).  IN: x.  OUT: out, same shape as x."""
    xf = x.reshape(-1)
    of = out.reshape(-1)
    one = of.dtype.type(1)
    for i in range(xf.size):
        of[i] = one / (one + np.exp(-xf[i]))


@njit(**KERNEL)
def sigmoid_backward(dout, y, dx):
    """dx = dout * (1 - y) * y, y being the forward output.  OUT: dx."""
    df = dout.reshape(-1)
    yf = y.reshape(-1)
    dxf = dx.reshape(-1)
    one = dxf.dtype.type(1)
    for i in range(dxf.size):
        dxf[i] = df[i] * (one - yf[i]) * yf[i]
