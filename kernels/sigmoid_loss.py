"""Sigmoid fused with the binary cross-entropy loss (the book's SigmoidWithLoss).

Shapes: x, y, dx of any shape with N elements; t holds N labels, 0 or 1.  The
loss is the book's: with columns (1 - y, y), ``-sum(log(col[t_i] + 1e-7)) / N``.
"""

import numpy as np
from numba import njit

from ._config import KERNEL
from .fast_exp import exp_approx
from .softmax_loss import LOG_EPS


@njit(**KERNEL)
def sigmoid_cross_entropy_forward(x, t, y):
    """Returns (loss, bad_row); y = sigmoid(x) kept for backward.

    IN: x (any shape, C-contiguous), t (N,) integer labels.  OUT: y (x's shape).
    bad_row >= 0 means that label is neither 0 nor 1, and nothing was written.
    """
    xf = x.reshape(-1)
    yf = y.reshape(-1)
    tf = t.reshape(-1)
    n = xf.size
    for i in range(n):
        if tf[i] != 0 and tf[i] != 1:
            return np.nan, i
    one = yf.dtype.type(1)
    total = 0.0
    for i in range(n):
        p = one / (one + exp_approx(-xf[i]))
        yf[i] = p
        total += np.log((p if tf[i] == 1 else one - p) + LOG_EPS)
    # An empty batch has no mean: NaN, as numpy's sum/0 gives (and without JIT, no ZeroDivisionError).
    return (-total / n if n > 0 else np.nan), -1


@njit(**KERNEL)
def sigmoid_cross_entropy_backward(y, t, dout, dx):
    """dx = (y - t) * dout / N.  IN: y, t, dout scalar.  OUT: dx (y's shape)."""
    yf = y.reshape(-1)
    tf = t.reshape(-1)
    dxf = dx.reshape(-1)
    scale = dxf.dtype.type(dout)
    size = dxf.dtype.type(tf.shape[0])
    for i in range(dxf.size):
        dxf[i] = (yf[i] - tf[i]) * scale / size
