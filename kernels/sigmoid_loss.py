"""Sigmoid fused with the binary cross-entropy loss (the book's SigmoidWithLoss).

Shapes: x, y, dx of any shape with N elements; t holds N labels, 0 or 1,
either flat (N,) or in x's shape.  The loss is the book's: with columns
(1 - y, y), ``-sum(log(col[t_i] + 1e-7)) / N``.  Both kernels check shapes,
dtypes and overlap before they touch memory.
"""

import numpy as np
from numba import njit

from ._checks import check_no_overlap, check_same_dtype, check_shape
from ._config import HELPER, KERNEL
from .activation import _forward as _sigmoid
from .softmax_loss import LOG_EPS, LOG_RUN


@njit(**HELPER)
def _check_labels(kernel, t, x):
    """t: one label per element of x, flat or in x's shape."""
    if t.ndim == 1:
        check_shape(kernel, "t", t, (x.size,), "one label per element of the scores")
    else:
        check_shape(kernel, "t", t, x.shape, "one label per element of the scores, in their shape")


@njit(**HELPER)
def _check(kernel, x, x_name, t, out_name, out):
    """out has x's shape and dtype and shares memory with neither x nor t."""
    check_shape(kernel, out_name, out, x.shape, "the scores' shape")
    check_same_dtype(kernel, out_name, out, x_name, x)
    _check_labels(kernel, t, x)
    check_no_overlap(kernel, out_name, out, x_name, x)
    check_no_overlap(kernel, out_name, out, "t", t)


@njit(**KERNEL)
def sigmoid_cross_entropy_forward(x, t, y):
    """Returns (loss, bad_row); y = sigmoid(x) kept for backward.

    IN: x (any shape, C-contiguous), t (N,) integer labels.  OUT: y (x's shape).
    bad_row >= 0 means that label is neither 0 nor 1, and nothing was written.
    """
    _check("sigmoid_cross_entropy_forward", x, "x", t, "y", y)
    xf = x.reshape(-1)
    yf = y.reshape(-1)
    tf = t.reshape(-1)
    n = xf.size
    for i in range(n):
        if tf[i] != 0 and tf[i] != 1:
            return np.nan, i
    # Two passes: the sigmoid alone vectorises (fused with the loss it did
    # not, and took 3x longer).  The sum of logs is then the log of products
    # of LOG_RUN terms: libm's log is not vectorised.  Each term is at least
    # 1e-7, so a product of 32 stays above 1e-224, far from float64's
    # underflow, and its rounding (32 ulp at most) is far below the book's own
    # float32 rounding.
    _sigmoid(x, y)
    one = yf.dtype.type(1)
    total = 0.0
    for start in range(0, n, LOG_RUN):
        product = 1.0
        for i in range(start, min(start + LOG_RUN, n)):
            p = yf[i]
            # float64 explicitly: as plain Python (NUMBA_DISABLE_JIT) a float32
            # term would make the product float32, which underflows.
            product *= np.float64(p if tf[i] == 1 else one - p) + LOG_EPS
        total += np.log(product)
    # An empty batch has no mean: NaN, as numpy's sum/0 gives (and without JIT, no ZeroDivisionError).
    return (-total / n if n > 0 else np.nan), -1


@njit(**KERNEL)
def sigmoid_cross_entropy_backward(y, t, dout, dx):
    """dx = (y - t) * dout / N.  IN: y, t, dout scalar.  OUT: dx (y's shape)."""
    _check("sigmoid_cross_entropy_backward", y, "y", t, "dx", dx)
    yf = y.reshape(-1)
    tf = t.reshape(-1)
    dxf = dx.reshape(-1)
    scale = dxf.dtype.type(dout)
    size = dxf.dtype.type(dxf.size)
    for i in range(dxf.size):
        dxf[i] = (yf[i] - tf[i]) * scale / size
