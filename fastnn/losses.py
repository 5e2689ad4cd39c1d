"""The book's loss layers: SoftmaxWithLoss and SigmoidWithLoss, each fused into one kernel per method."""

import numpy as np

from . import _inputs as check
from ._buffers import output
from ._dispatch import Kernel
from .kernels import sigmoid_loss, softmax_loss

_F32, _F64 = check.FLOAT32, check.FLOAT64

# The loss is a sum over rows: chosen by size only (see _dispatch).
_SOFTMAX_LOSS_FORWARD = Kernel(softmax_loss.softmax_cross_entropy_forward,
                               softmax_loss.softmax_cross_entropy_forward_parallel, elementwise=False)
_SOFTMAX_LOSS_BACKWARD = Kernel(softmax_loss.softmax_cross_entropy_backward,
                                softmax_loss.softmax_cross_entropy_backward_parallel)


class SoftmaxWithLoss:
    """Softmax followed by the cross-entropy loss, fused.

    forward(x (N, C), t) -> mean loss, t being class indices (N,) or one-hot rows
    (N, C); backward(dout=1) -> dx = (softmax(x) - onehot(t)) * dout / N.
    Attributes: y (the softmax output), t (the labels as given).
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.y = None
        self.t = None
        self._dx = None  # last backward output, reused when nobody kept it (see _buffers)
        self._y_spare = None  # the y before last, reused likewise

    def forward(self, x, t):
        where = "SoftmaxWithLoss.forward"
        if not (type(x) is np.ndarray and (x.dtype is _F64 or x.dtype is _F32)
                and x.ndim == 2 and x.flags.c_contiguous):
            x = check.batch(x, where, "x", None, check.compute_dtype(where, x=x))
        dtype = x.dtype
        n, c = x.shape
        if not (type(t) is np.ndarray and t.flags.c_contiguous and (
                (t.ndim == 1 and t.dtype.kind in "iu" and t.shape[0] == n)
                or (t.ndim == 2 and t.shape == x.shape and t.dtype.kind in "biuf"))):
            t = check.labels(t, n, c, where)
        # y is written into the y before last (never into self.y: a bad label,
        # found while writing, must leave the saved state as it was).
        y = output(self._y_spare, x.shape, dtype)
        loss, bad = _SOFTMAX_LOSS_FORWARD.pick(x.size)(x, t, y)
        if bad >= 0:
            check.report_bad_label(bad, t, c, where)
        self._y_spare = self.y
        self.y, self.t = y, t
        return dtype.type(loss)

    def backward(self, dout=1):
        y = check.saved(self.y, "SoftmaxWithLoss.backward")
        dout = _scalar(dout, "SoftmaxWithLoss.backward")
        dx = output(self._dx, y.shape, y.dtype)
        _SOFTMAX_LOSS_BACKWARD.pick(y.size)(y, self.t, dout, dx, y.shape[0])
        self._dx = dx
        return dx


def _scalar(dout, where):
    """The upstream gradient of a loss: a real number."""
    try:
        return float(dout)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: dout is {dout!r}; expected a real number (the loss's gradient, 1 by default)") from None


class SigmoidWithLoss:
    """Sigmoid followed by the binary cross-entropy loss, fused.

    forward(x, t) -> mean loss, x of any shape with N elements and t N labels,
    each 0 or 1; backward(dout=1) -> dx = (sigmoid(x) - t) * dout / N, shaped like x.
    Attributes: y (the sigmoid output), t, loss.
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        where = "SigmoidWithLoss.forward"
        x = check.float_operand(x, where, "x")
        dtype = x.dtype
        if t is None:
            raise TypeError(f"{where}: t is None; expected labels")
        if type(t) is not np.ndarray:
            t = np.asarray(t)
        if t.ndim != 1 or t.shape[0] != x.size:
            raise ValueError(f"{where}: t has shape {t.shape}; expected ({x.size},), one label per element of x {x.shape}")
        if t.dtype.kind not in "iub":
            raise TypeError(f"{where}: t has dtype {t.dtype}; expected integer labels 0 or 1")
        t = np.ascontiguousarray(t)
        y = np.empty(x.shape, dtype)
        loss, bad = sigmoid_loss.sigmoid_cross_entropy_forward(x, t, y)
        if bad >= 0:
            raise IndexError(f"{where}: label {t[bad]} at index {bad} is out of range; expected 0 or 1")
        self.y, self.t = y, t
        self.loss = dtype.type(loss)
        return self.loss

    def backward(self, dout=1):
        y = check.saved(self.y, "SigmoidWithLoss.backward")
        dx = np.empty(y.shape, y.dtype)
        sigmoid_loss.sigmoid_cross_entropy_backward(y, self.t, _scalar(dout, "SigmoidWithLoss.backward"), dx)
        return dx
