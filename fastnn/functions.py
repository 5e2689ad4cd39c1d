"""The book's common/functions.py: sigmoid, relu, softmax, cross_entropy_error."""

import numpy as np

from ._core import inputs as check
from .kernels import activation, softmax_loss
from .np import GPU  # noqa: F401 (the book's star import gives it too)


def sigmoid(x):
    """1 / (1 + exp(-x)) elementwise, for any shape; stable for any input."""
    dtype = check.compute_dtype("sigmoid", x=x)
    x = check.operand(x, dtype, "sigmoid", "x")
    out = np.empty(x.shape, dtype)
    activation.sigmoid_forward(x, out)
    return out


def relu(x):
    """max(0, x) elementwise, for any shape: the book's ``np.maximum(0, x)``, dtype and all.

    Unlike the other functions, integers stay integers and float16 stays
    float16, as numpy keeps them (nothing is divided).  A new array (a numpy
    scalar for a scalar); NaN stays NaN.
    """
    if x is None:
        raise TypeError("relu: x is None; expected an array")
    dtype = x.dtype if isinstance(x, (np.ndarray, np.generic)) else np.asarray(x).dtype
    if dtype.kind not in "biuf":
        raise TypeError(f"relu: x has dtype {dtype}; expected real numbers (bools, integers or floats)")
    return np.maximum(0, x)


def softmax(x):
    """Softmax along the last axis of a 1-D (C,) or 2-D (N, C) array."""
    dtype = check.compute_dtype("softmax", x=x)
    x = check.operand(x, dtype, "softmax", "x")
    if x.ndim not in (1, 2):
        raise ValueError(f"softmax: x has shape {x.shape}; expected (N, C) or (C,)")
    out = np.empty(x.shape, dtype)
    softmax_loss.softmax_forward(x.reshape(-1, x.shape[-1]) if x.ndim == 1 else x, out.reshape(-1, x.shape[-1]))
    return out


def cross_entropy_error(y, t):
    """Mean of -log(y[i, t_i] + 1e-7); t class indices or one-hot rows like y."""
    where = "cross_entropy_error"
    dtype = check.compute_dtype(where, y=y)
    y = check.operand(y, dtype, where, "y")
    if y.ndim == 1:
        y = y.reshape(1, y.size)
        t = np.asarray(t).reshape(1, -1) if np.size(t) == y.size else np.asarray(t).reshape(-1)
    if y.ndim != 2:
        raise ValueError(f"{where}: y has shape {y.shape}; expected (N, C) or (C,)")
    t = check.labels(t, y.shape[0], y.shape[1], where)
    loss, bad = softmax_loss.cross_entropy(y, t)
    if bad >= 0:
        check.report_bad_label(bad, t, y.shape[1], where)
    return dtype.type(loss)
