"""The book's sequence losses (common/time_layers.py): TimeSoftmaxWithLoss,
Simple_TimeSoftmaxWithLoss and TimeSigmoidWithLoss.

TimeSoftmaxWithLoss runs softmax and the cross-entropy over all N*T rows in
one kernel (kernels/time_softmax_loss.py), on both cores for large inputs.
A large probability array or gradient is written into the one this layer
made two calls ago when nobody else holds it any more (fastnn/_core/buffers.py):
at the book's (700, 10000) float32, a fresh array costs its page faults.
"""

import numpy as np

from .._core import inputs as check
from .._core.buffers import output
from .._core.dispatch import Kernel
from ..kernels import time_softmax_loss as kernels
from .losses import SigmoidWithLoss, SoftmaxWithLoss

# Both twins add the loss band by band in the same order (kernels/time_softmax_loss.py),
# so the loss has the same bits either way: the choice may follow BLAS's spinning threads.
_FORWARD_GRAD = Kernel(kernels.time_softmax_loss_forward_grad, kernels.time_softmax_loss_forward_grad_parallel)
_BACKWARD = Kernel(kernels.time_softmax_loss_backward, kernels.time_softmax_loss_backward_parallel)


def _dout(dout, where):
    try:
        return float(dout)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: dout is {dout!r}; expected a real number (1 by default)") from None


def _scores_and_labels(xs, ts, where):
    """Scores xs (N, T, V) as a float array and their labels as _labels gives them."""
    xs = check.float_operand(xs, where, "xs")
    if xs.ndim != 3:
        raise ValueError(f"{where}: xs has shape {xs.shape}; expected scores (N, T, V)")
    return xs, _labels(ts, xs.shape, where)


def _labels(ts, shape, where):
    """ts (N, T) integer labels, or one-hot (N, T, V) turned into indices as the book does."""
    N, T, V = shape
    if type(ts) is not np.ndarray:
        if ts is None:
            raise TypeError(f"{where}: ts is None; expected labels (N, T)")
        ts = np.asarray(ts)
    if ts.ndim == 3 and ts.shape == shape:
        if ts.dtype.kind not in "biuf":
            raise TypeError(f"{where}: one-hot ts has dtype {ts.dtype}; expected numbers")
        ts = ts.argmax(axis=2)
    if ts.shape != (N, T):
        raise ValueError(f"{where}: ts has shape {ts.shape}; expected labels {(N, T)} or one-hot {shape}")
    if ts.dtype.kind not in "iu":
        raise TypeError(f"{where}: ts has dtype {ts.dtype}; expected integer word ids")
    return _native_ids(ts, V, where, "ts").reshape(N * T)


def _native_ids(ids, n_ids, where, name):
    """Integer ids as C-contiguous native int32/int64: byte-swapped, narrow and
    unsigned ids would each reach Numba as another type (a typing error or one
    more compilation).  An unsigned id too large for int64 is refused first."""
    if ids.dtype.isnative and ids.dtype.kind == "i" and ids.dtype.itemsize >= 4:
        return np.ascontiguousarray(ids)
    if ids.dtype.kind == "u" and ids.size and int(ids.max()) >= n_ids:
        raise IndexError(f"{where}: {name} holds {int(ids.max())}; expected ids in [0, {n_ids})")
    return ids.astype(np.int64)


class TimeSoftmaxWithLoss:
    """Mean cross-entropy of softmax(xs) over every step whose label is not ignore_label.

    forward(xs (N, T, V), ts (N, T) ids or (N, T, V) one-hot) -> loss (float64,
    as the book's); backward(dout=1) -> dxs (N, T, V) = (softmax(xs) - onehot(ts))
    * dout / count, 0 on ignored steps.  A label outside [0, V) other than
    ignore_label (-1) raises IndexError.  Attributes: params [], grads [],
    ignore_label, cache (ts, ys, mask, (N, T, V)).
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.ignore_label = -1
        self._ts = self._ys = None
        self._shape = None
        self._count = 0
        self._ys_spare = self._dx = None  # the y before last, and the gradient (see forward)
        self._dx_ready = False

    @property
    def cache(self):
        if self._ys is None:
            return None
        return self._ts, self._ys, self._ts != self.ignore_label, self._shape

    def forward(self, xs, ts):
        where = "TimeSoftmaxWithLoss.forward"
        xs, ts = _scores_and_labels(xs, ts, where)
        N, T, V = xs.shape
        x2 = xs.reshape(N * T, V)
        count = int(np.count_nonzero(ts != self.ignore_label))
        ys = output(self._ys_spare, x2.shape, x2.dtype)
        dx = output(self._dx, x2.shape, x2.dtype)
        # The gradient for dout = 1 (what a model's backward() asks for) is written
        # in the same pass as y, while each row is in cache; backward hands it over.
        log_sum, bad = _FORWARD_GRAD.pick(x2.size)(x2, ts, self.ignore_label, count, ys, dx)
        if bad >= 0:
            raise IndexError(
                f"{where}: label {ts[bad]} at step {bad % T} of sequence {bad // T} is out of range; "
                f"expected word ids in [0, {V}) or the ignore_label {self.ignore_label}"
            )
        self._ys_spare = self._ys
        self._ts, self._ys, self._shape, self._count = ts, ys, (N, T, V), count
        self._dx, self._dx_ready = dx, True
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.float64(-log_sum) / np.float64(count)

    def backward(self, dout=1):
        where = "TimeSoftmaxWithLoss.backward"
        ys = check.saved(self._ys, where)
        dout = _dout(dout, where)
        if dout == 1.0 and self._dx_ready:  # computed by forward; handed over once
            self._dx_ready = False
            return self._dx.reshape(self._shape)
        dx = output(self._dx, ys.shape, ys.dtype)
        _BACKWARD.pick(ys.size)(ys, self._ts, self.ignore_label, dout, self._count, dx)
        self._dx, self._dx_ready = dx, False
        return dx.reshape(self._shape)


class Simple_TimeSoftmaxWithLoss:
    """The book's step-by-step version: the mean over steps of SoftmaxWithLoss
    (which puts 1e-7 inside the log).  forward(xs (N, T, V), ts (N, T)) -> loss;
    backward(dout=1) -> dxs.  No ignore_label.
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, xs, ts):
        where = "Simple_TimeSoftmaxWithLoss.forward"
        xs, ts = _scores_and_labels(xs, ts, where)
        N, T, V = xs.shape
        ts = ts.reshape(N, T)
        layers, loss = [], 0
        for t in range(T):
            layer = SoftmaxWithLoss()
            loss += layer.forward(xs[:, t, :], ts[:, t])
            layers.append(layer)
        self.cache = (layers, xs)
        return loss / T

    def backward(self, dout=1):
        layers, xs = check.saved(self.cache, "Simple_TimeSoftmaxWithLoss.backward")
        dout = _dout(dout, "Simple_TimeSoftmaxWithLoss.backward") / xs.shape[1]
        dxs = np.empty(xs.shape, xs.dtype)
        for t, layer in enumerate(layers):
            dxs[:, t, :] = layer.backward(dout)
        return dxs


class TimeSigmoidWithLoss:
    """The mean over steps of the book's SigmoidWithLoss: forward(xs (N, T), ts (N, T)
    labels 0 or 1) -> loss; backward(dout=1) -> dxs (N, T) = (sigmoid(xs) - ts) * dout / (N*T).
    Attributes: params [], grads [], xs_shape.
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.xs_shape = None
        self._layer = SigmoidWithLoss()

    def forward(self, xs, ts):
        where = "TimeSigmoidWithLoss.forward"
        xs = check.float_operand(xs, where, "xs")
        if xs.ndim != 2:
            raise ValueError(f"{where}: xs has shape {xs.shape}; expected scores (N, T)")
        ts = np.asarray(ts) if ts is not None else ts
        if ts is None or ts.shape != xs.shape:
            raise ValueError(f"{where}: ts has shape {np.shape(ts)}; expected {xs.shape} like xs")
        layer = SigmoidWithLoss()
        loss = layer.forward(xs.reshape(-1), ts.reshape(-1))  # mean over all N*T = mean of the T step means
        self._layer, self.xs_shape = layer, xs.shape
        return loss

    def backward(self, dout=1):
        shape = check.saved(self.xs_shape, "TimeSigmoidWithLoss.backward")
        return self._layer.backward(dout).reshape(shape)
