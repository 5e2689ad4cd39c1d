"""The book's loss layers: SoftmaxWithLoss and SigmoidWithLoss, each fused into one kernel per method."""

import numpy as np

from .._core import inputs as check
from .._core.buffers import output
from .._core.dispatch import Kernel
from ..kernels import sigmoid_loss, softmax_loss

# The loss is a sum over rows: chosen by size only (see _core/dispatch.py).
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
        self._dx = None  # last backward output, reused when nobody kept it (see _core/buffers.py)
        self._y_spare = None  # the y before last, reused likewise
        self._saved_y = self._saved_t = None  # what forward left in y and t: backward trusts these

    def forward(self, x, t):
        where = "SoftmaxWithLoss.forward"
        x = check.batch(x, where, "x")
        dtype = x.dtype
        n, c = x.shape
        t = check.labels(t, n, c, where)
        # y is written into the y before last (never into self.y: a bad label,
        # found while writing, must leave the saved state as it was).
        y = output(self._y_spare, x.shape, dtype)
        loss, bad = _SOFTMAX_LOSS_FORWARD.pick(x.size)(x, t, y)
        if bad >= 0:
            check.report_bad_label(bad, t, c, where)
        self._y_spare = self.y
        self.y, self.t = self._saved_y, self._saved_t = y, t
        return dtype.type(loss)

    def backward(self, dout=1):
        y, t = self.y, self.t
        if not (y is self._saved_y and t is self._saved_t and y is not None):
            y, t = self._replaced_state(y, t)
        dout = _scalar(dout, "SoftmaxWithLoss.backward")
        dx = output(self._dx, y.shape, y.dtype)
        _SOFTMAX_LOSS_BACKWARD.pick(y.size)(y, t, dout, dx, y.shape[0])
        self._dx = dx
        return dx

    def _replaced_state(self, y, t):
        """y and t checked again: the caller replaced them since forward (or forward never ran)."""
        where = "SoftmaxWithLoss.backward"
        y = check.float_operand(check.saved(y, where), where, "y")
        if y.ndim != 2:
            raise ValueError(f"{where}: y has shape {y.shape}; expected the (N, C) softmax output of forward")
        return y, check.labels(t, y.shape[0], y.shape[1], where)


def _scalar(dout, where):
    """The upstream gradient of a loss: a real number."""
    try:
        return float(dout)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: dout is {dout!r}; expected a real number (the loss's gradient, 1 by default)") from None


class SigmoidWithLoss:
    """Sigmoid followed by the binary cross-entropy loss, fused.

    forward(x, t) -> mean loss over the N elements of x (any shape), t holding a
    label 0 or 1 per element (of x's shape, or flat (N,); integers, bools or
    floats); backward(dout=1) -> dx = (sigmoid(x) - t) * dout / N, shaped like x.
    Attributes: y (the sigmoid output), t (the labels as given), loss.
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.loss = None
        self.y = None
        self.t = None
        self._saved_y = self._saved_t = None  # what forward left in y and t: backward trusts these
        self._flat_t = None  # t checked and converted, one label per element of y

    def forward(self, x, t):
        where = "SigmoidWithLoss.forward"
        x = check.float_operand(x, where, "x")
        flat_t = check.binary_labels(t, x, where)
        y = np.empty(x.shape, x.dtype)
        loss, bad = sigmoid_loss.sigmoid_cross_entropy_forward(x, flat_t, y)
        if bad >= 0:
            raise IndexError(f"{where}: label {flat_t[bad]} at index {bad} is out of range; expected 0 or 1")
        self.y, self.t = self._saved_y, self._saved_t = y, t
        self._flat_t = flat_t
        self.loss = x.dtype.type(loss)
        return self.loss

    def backward(self, dout=1):
        where = "SigmoidWithLoss.backward"
        y, flat_t = self.y, self._flat_t
        if not (y is self._saved_y and self.t is self._saved_t and y is not None):
            y = check.float_operand(check.saved(y, where), where, "y")
            flat_t = check.binary_labels(self.t, y, where)
        dx = np.empty(y.shape, y.dtype)
        sigmoid_loss.sigmoid_cross_entropy_backward(y, flat_t, _scalar(dout, where), dx)
        return dx
