"""The book's layers (common/layers.py) on Numba kernels, with the same interface.

Every layer has ``params`` (the very arrays passed in) and ``grads`` (allocated
once; every backward writes into them in place), ``forward`` and ``backward``.
Outputs are new arrays, as in the book, so a caller may keep them.

Work of at least _PAR elements runs on all cores (the ``_parallel`` kernels),
except, for elementwise work, while BLAS's threads still spin after a large
product (kernels/blas.py); that choice never changes a result's bits.  The
reductions (losses, column sums) choose by size alone: splitting a sum
changes its rounding.
"""

import numpy as np

from . import _inputs as check
from ._buffers import REUSE_MIN_ELEMENTS as _REUSE
from ._buffers import output
from .kernels import activation, affine, matmul, repeat_sum, sigmoid_loss, softmax_loss
from .kernels._config import PARALLEL_MIN_ELEMENTS as _PAR
from .kernels.blas import threads_are_spinning as _spinning

_F32, _F64 = check.FLOAT32, check.FLOAT64


class MatMul:
    """y = x @ W.

    Args: W (D, H).  forward(x (N, D)) -> (N, H); backward(dout (N, H)) -> dx (N, D),
    writing dW into ``grads[0]``.  Attributes: params [W], grads [dW], x.
    """

    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.x = None
        self._checked_W = None  # the W last found valid: forward's fast path trusts it
        self._loop_rows = -1  # batches up to this size multiply in the loop kernel (matmul.is_small)
        self._out = self._dx = None  # last outputs, reused when nobody kept them (see _buffers)

    def forward(self, x):
        W, = self.params
        loop_rows = self._loop_rows
        if not (W is self._checked_W and type(x) is np.ndarray and x.dtype is W.dtype
                and x.ndim == 2 and x.flags.c_contiguous and x.shape[1] == W.shape[0]):
            x, W = self._prepare(x)
            loop_rows = -1  # W may be a converted copy: let the wrapper choose by size
        shape = (x.shape[0], W.shape[1])
        out = np.empty(shape, x.dtype) if x.shape[0] * shape[1] < _REUSE else output(self._out, shape, x.dtype)
        (matmul.matmul_forward_small if x.shape[0] <= loop_rows else matmul.matmul_forward)(x, W, out)
        self.x, self._out = x, out
        return out

    def _prepare(self, x):
        """The checked, converted operands of forward (the slow path: any input)."""
        W, = self.params
        _check_weight(W, "MatMul", "W")
        dtype = check.compute_dtype("MatMul.forward", x=x, W=W)
        x = check.batch(x, "MatMul.forward", "x", W.shape[0], dtype)
        if W.dtype is dtype:
            self._checked_W, self._loop_rows = W, _loop_rows(W)
        return x, check.operand(W, dtype, "MatMul.forward", "W")

    def backward(self, dout):
        W, = self.params
        x = self.x
        if (x is not None and type(dout) is np.ndarray and dout.dtype is x.dtype is W.dtype
                and dout.flags.c_contiguous and dout.shape == (x.shape[0], W.shape[1])
                and W is self._checked_W and self.grads[0].flags.c_contiguous):
            dx = np.empty(x.shape, x.dtype) if x.size < _REUSE else output(self._dx, x.shape, x.dtype)
            (matmul.matmul_backward_small if x.shape[0] <= self._loop_rows else matmul.matmul_backward)(
                dout, x, W, dx, self.grads[0])
            self._dx = dx
            return dx
        x = check.saved(x, "MatMul.backward")
        dtype = x.dtype
        dout = check.same_shape(dout, (x.shape[0], W.shape[1]), "MatMul.backward", "dout", dtype)
        W = check.operand(W, dtype, "MatMul.backward", "W")
        dx = np.empty(x.shape, dtype)
        dW = _grad_target(self.grads[0], dtype)
        matmul.matmul_backward(dout, x, W, dx, dW)
        _store_grad(self.grads[0], dW)
        return dx


class Affine:
    """y = x @ W + b.

    Args: W (D, H), b (H,).  forward(x (N, D)) -> (N, H); backward(dout (N, H)) ->
    dx (N, D), writing dW and db into ``grads``.  Attributes: params [W, b],
    grads [dW, db], x.
    """

    def __init__(self, W, b):
        self.params = [W, b]
        self.grads = [np.zeros_like(W), np.zeros_like(b)]
        self.x = None
        self._checked = (None, None)  # the (W, b) last found valid: forward's fast path trusts them
        self._loop_rows = -1  # batches up to this size multiply in the loop kernels (matmul.is_small)
        self._out = self._dx = None  # last outputs, reused when nobody kept them (see _buffers)

    def forward(self, x):
        W, b = self.params
        loop_rows = self._loop_rows
        if not (W is self._checked[0] and b is self._checked[1] and type(x) is np.ndarray
                and x.dtype is W.dtype and x.ndim == 2 and x.flags.c_contiguous
                and x.shape[1] == W.shape[0]):
            x, W, b = self._prepare(x)
            loop_rows = -1  # W may be a converted copy: let the wrapper choose by size
        shape = (x.shape[0], W.shape[1])
        out = np.empty(shape, x.dtype) if x.shape[0] * shape[1] < _REUSE else output(self._out, shape, x.dtype)
        (affine.affine_forward_small if x.shape[0] <= loop_rows else affine.affine_forward)(x, W, b, out)
        self.x, self._out = x, out
        return out

    def _prepare(self, x):
        """The checked, converted operands of forward (the slow path: any input)."""
        W, b = self.params
        _check_weight(W, "Affine", "W")
        if np.ndim(b) != 1 or np.shape(b)[0] != W.shape[1]:
            raise ValueError(f"Affine.forward: b has shape {np.shape(b)}; expected ({W.shape[1]},) to match W {W.shape}")
        dtype = check.compute_dtype("Affine.forward", x=x, W=W, b=b)
        x = check.batch(x, "Affine.forward", "x", W.shape[0], dtype)
        if W.dtype is dtype and b.dtype is dtype and b.flags.c_contiguous:
            self._checked, self._loop_rows = (W, b), _loop_rows(W)
        return x, check.operand(W, dtype, "Affine.forward", "W"), check.operand(b, dtype, "Affine.forward", "b")

    def backward(self, dout):
        W = self.params[0]
        x = self.x
        dW, db = self.grads
        if (x is not None and type(dout) is np.ndarray and dout.dtype is x.dtype is W.dtype
                and dout.flags.c_contiguous and dout.shape == (x.shape[0], W.shape[1])
                and W is self._checked[0] and dW.flags.c_contiguous and db.flags.c_contiguous):
            dx = np.empty(x.shape, x.dtype) if x.size < _REUSE else output(self._dx, x.shape, x.dtype)
            (affine.affine_backward_small if x.shape[0] <= self._loop_rows else affine.affine_backward)(
                dout, x, W, dx, dW, db)
            self._dx = dx
            return dx
        x = check.saved(x, "Affine.backward")
        dtype = x.dtype
        dout = check.same_shape(dout, (x.shape[0], W.shape[1]), "Affine.backward", "dout", dtype)
        W = check.operand(W, dtype, "Affine.backward", "W")
        dx = np.empty(x.shape, dtype)
        dW = _grad_target(self.grads[0], dtype)
        db = _grad_target(self.grads[1], dtype)
        affine.affine_backward(dout, x, W, dx, dW, db)
        _store_grad(self.grads[0], dW)
        _store_grad(self.grads[1], db)
        return dx


def _check_weight(W, layer, name):
    """A layer's weight matrix must be a 2-D real array (it is updated in place)."""
    if type(W) is not np.ndarray or W.ndim != 2:
        raise ValueError(f"{layer}: {name} has shape {np.shape(W)}; expected a 2-D numpy array (D, H)")
    check.compute_dtype(layer, **{name: W})


def _loop_rows(W):
    """The largest batch whose product with W runs in the loop kernels (matmul.is_small)."""
    return matmul.SMALL_GEMM_MACS // max(1, W.shape[0] * W.shape[1])


def _grad_target(grad, dtype):
    """The array a kernel should write a gradient into: grad itself when it can."""
    if grad.dtype is dtype and grad.flags.c_contiguous:
        return grad
    return np.empty(grad.shape, dtype)


def _store_grad(grad, computed):
    """Copy a gradient computed elsewhere into the layer's own grad array."""
    if computed is not grad:
        grad[...] = computed


class Sigmoid:
    """y = 1 / (1 + exp(-x)), elementwise on any shape.

    forward(x) -> y; backward(dout) -> dx = dout * (1 - y) * y.  Attributes: out.
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.out = None
        self._dx = None  # last backward output, reused when nobody kept it (see _buffers)

    def forward(self, x):
        if not (type(x) is np.ndarray and (x.dtype is _F64 or x.dtype is _F32) and x.flags.c_contiguous):
            x = check.float_operand(x, "Sigmoid.forward", "x")
        out = np.empty(x.shape, x.dtype) if x.size < _REUSE else output(self.out, x.shape, x.dtype)
        (activation.sigmoid_forward_parallel if x.size >= _PAR and not _spinning() else activation.sigmoid_forward)(x, out)
        self.out = out
        return out

    def backward(self, dout):
        y = self.out
        if not (y is not None and type(dout) is np.ndarray and dout.dtype is y.dtype
                and dout.flags.c_contiguous and dout.shape == y.shape):
            y = check.saved(y, "Sigmoid.backward")
            dout = check.same_shape(dout, y.shape, "Sigmoid.backward", "dout", y.dtype)
        dx = np.empty(y.shape, y.dtype) if y.size < _REUSE else output(self._dx, y.shape, y.dtype)
        (activation.sigmoid_backward_parallel if y.size >= _PAR and not _spinning() else activation.sigmoid_backward)(
            dout, y, dx)
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
        self._dx = None  # last backward output, reused when nobody kept it (see _buffers)

    def forward(self, x):
        x2 = _rows(x, "Softmax.forward")
        if x2.ndim == np.ndim(x) and x2.size >= _REUSE:
            out = output(self.out, x2.shape, x2.dtype)
        else:
            out = np.empty(x2.shape, x2.dtype)
        (softmax_loss.softmax_forward_parallel if x2.size >= _PAR and not _spinning()
         else softmax_loss.softmax_forward)(x2, out)
        self.out = out if x2.ndim == np.ndim(x) else out.reshape(np.shape(x))
        return self.out

    def backward(self, dout):
        y = check.saved(self.out, "Softmax.backward")
        dout = check.same_shape(dout, y.shape, "Softmax.backward", "dout", y.dtype)
        if y.ndim == 1:
            y2, dx = y.reshape(1, -1), np.empty((1, y.size), y.dtype)
        else:
            y2 = y
            dx = np.empty(y.shape, y.dtype) if y.size < _REUSE else output(self._dx, y.shape, y.dtype)
            self._dx = dx
        (softmax_loss.softmax_backward_parallel if y2.size >= _PAR and not _spinning() else softmax_loss.softmax_backward)(
            y2, dout.reshape(y2.shape), dx)
        return dx.reshape(y.shape) if y.ndim == 1 else dx


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
        # A large y is written into the y before last (never into self.y: a bad
        # label, found while writing, must leave the saved state as it was).
        y = np.empty(x.shape, dtype) if x.size < _REUSE else output(self._y_spare, x.shape, dtype)
        loss, bad = (softmax_loss.softmax_cross_entropy_forward_parallel if x.size >= _PAR
                     else softmax_loss.softmax_cross_entropy_forward)(x, t, y)
        if bad >= 0:
            check.report_bad_label(bad, t, c, where)
        self._y_spare = self.y if x.size >= _REUSE else None
        self.y, self.t = y, t
        return dtype.type(loss)

    def backward(self, dout=1):
        y = check.saved(self.y, "SoftmaxWithLoss.backward")
        dout = _scalar(dout, "SoftmaxWithLoss.backward")
        dx = np.empty(y.shape, y.dtype) if y.size < _REUSE else output(self._dx, y.shape, y.dtype)
        (softmax_loss.softmax_cross_entropy_backward_parallel if y.size >= _PAR and not _spinning()
         else softmax_loss.softmax_cross_entropy_backward)(y, self.t, dout, dx, y.shape[0])
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


def _axis(axis, where):
    if axis not in (0, 1, -1, -2) or isinstance(axis, bool):
        raise ValueError(f"{where}: axis is {axis!r}; expected 0 or 1 (a 2-D array's axes)")
    return axis % 2


class Repeat:
    """The Repeat node: y = np.repeat(x, N, axis) for a 2-D x.

    With x of shape (1, D) and axis 0 this copies the row N times, giving (N, D).
    backward(dy) sums each run of N slices back: for (1, D), dy.sum(axis=0,
    keepdims=True).  Attributes: N, axis, x_shape.
    """

    def __init__(self, N, axis=0):
        if isinstance(N, bool) or not isinstance(N, (int, np.integer)) or N < 0:
            raise ValueError(f"Repeat: N is {N!r}; expected a non-negative integer")
        self.params, self.grads = [], []
        self.N = int(N)
        self.axis = _axis(axis, "Repeat")
        self.x_shape = None
        self._out = None  # last output, reused when nobody kept it (see _buffers)

    def forward(self, x):
        if not (type(x) is np.ndarray and (x.dtype is _F64 or x.dtype is _F32)
                and x.ndim == 2 and x.flags.c_contiguous):
            x = _array_2d(x, "Repeat.forward")
        rows, cols = x.shape
        shape = (rows * self.N, cols) if self.axis == 0 else (rows, cols * self.N)
        out = np.empty(shape, x.dtype) if x.size * self.N < _REUSE else output(self._out, shape, x.dtype)
        (repeat_sum.repeat_2d_parallel if out.size >= _PAR and not _spinning() else repeat_sum.repeat_2d)(
            x, self.N, self.axis, out)
        self.x_shape, self._out = x.shape, out
        return out

    def backward(self, dy):
        x_shape = check.saved(self.x_shape, "Repeat.backward")
        shape = list(x_shape)
        shape[self.axis] *= self.N
        dy = check.float_operand(dy, "Repeat.backward", "dy")
        if dy.shape != tuple(shape):
            raise ValueError(f"Repeat.backward: dy has shape {dy.shape}; expected {tuple(shape)}")
        dx = np.empty(x_shape, dy.dtype)
        (repeat_sum.sum_runs_2d_parallel if dy.size >= _PAR else repeat_sum.sum_runs_2d)(dy, self.N, self.axis, dx)
        return dx


class Sum:
    """The Sum node: y = x.sum(axis, keepdims=True) for a 2-D x.

    backward(dy) repeats dy x.shape[axis] times along axis, the shape of x.
    Attributes: axis, x_shape.
    """

    def __init__(self, axis=0):
        self.params, self.grads = [], []
        self.axis = _axis(axis, "Sum")
        self.x_shape = None
        self._dx = None  # last backward output, reused when nobody kept it (see _buffers)

    def forward(self, x):
        x = _array_2d(x, "Sum.forward")
        shape = list(x.shape)
        shape[self.axis] = 1
        out = np.empty(shape, x.dtype)
        (repeat_sum.sum_runs_2d_parallel if x.size >= _PAR else repeat_sum.sum_runs_2d)(x, x.shape[self.axis], self.axis, out)
        self.x_shape = x.shape
        return out

    def backward(self, dy):
        x_shape = check.saved(self.x_shape, "Sum.backward")
        shape = (1, x_shape[1]) if self.axis == 0 else (x_shape[0], 1)
        if not (type(dy) is np.ndarray and (dy.dtype is _F64 or dy.dtype is _F32)
                and dy.flags.c_contiguous and dy.shape == shape):
            dy = check.float_operand(dy, "Sum.backward", "dy")
            if dy.shape != shape:
                raise ValueError(f"Sum.backward: dy has shape {dy.shape}; expected {shape}")
        dtype = dy.dtype
        dx = np.empty(x_shape, dtype) if x_shape[0] * x_shape[1] < _REUSE else output(self._dx, x_shape, dtype)
        (repeat_sum.repeat_2d_parallel if dx.size >= _PAR and not _spinning() else repeat_sum.repeat_2d)(
            dy, x_shape[self.axis], self.axis, dx)
        self._dx = dx
        return dx


def _array_2d(x, where):
    x = check.float_operand(x, where, "x")
    if x.ndim != 2:
        raise ValueError(f"{where}: x has shape {x.shape}; expected a 2-D array")
    return x
