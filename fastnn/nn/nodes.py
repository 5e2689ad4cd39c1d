"""The Repeat and Sum nodes of the book's section 1.3.4, for 2-D arrays."""

import numpy as np

from .._core import inputs as check
from .._core.buffers import output
from .._core.dispatch import Kernel
from ..kernels import repeat_sum

_REPEAT = Kernel(repeat_sum.repeat_2d, repeat_sum.repeat_2d_parallel)
# Sums: chosen by size only (see _core/dispatch.py).
_SUM_RUNS = Kernel(repeat_sum.sum_runs_2d, repeat_sum.sum_runs_2d_parallel, elementwise=False)


def _axis(axis, where):
    if axis not in (0, 1, -1, -2) or isinstance(axis, bool):
        raise ValueError(f"{where}: axis is {axis!r}; expected 0 or 1 (a 2-D array's axes)")
    return axis % 2


def _saved_shape(x_shape, where):
    """The x_shape forward saved, checked again: a caller may have replaced it."""
    x_shape = check.saved(x_shape, where)
    if type(x_shape) is not tuple or len(x_shape) != 2:
        raise ValueError(f"{where}: x_shape is {x_shape!r}; expected the 2-D shape of forward's x")
    return x_shape


def _array_2d(x, where):
    x = check.float_operand(x, where, "x")
    if x.ndim != 2:
        raise ValueError(f"{where}: x has shape {x.shape}; expected a 2-D array")
    return x


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
        self._out = None  # last output, reused when nobody kept it (see _core/buffers.py)

    def forward(self, x):
        x = _array_2d(x, "Repeat.forward")
        rows, cols = x.shape
        shape = (rows * self.N, cols) if self.axis == 0 else (rows, cols * self.N)
        out = output(self._out, shape, x.dtype)
        _REPEAT.pick(out.size)(x, self.N, self.axis, out)
        self.x_shape, self._out = x.shape, out
        return out

    def backward(self, dy):
        x_shape = _saved_shape(self.x_shape, "Repeat.backward")
        shape = list(x_shape)
        shape[self.axis] *= self.N
        dy = check.float_operand(dy, "Repeat.backward", "dy")
        if dy.shape != tuple(shape):
            raise ValueError(f"Repeat.backward: dy has shape {dy.shape}; expected {tuple(shape)}")
        dx = np.empty(x_shape, dy.dtype)
        _SUM_RUNS.pick(dy.size)(dy, self.N, self.axis, dx)
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
        self._dx = None  # last backward output, reused when nobody kept it (see _core/buffers.py)

    def forward(self, x):
        x = _array_2d(x, "Sum.forward")
        shape = list(x.shape)
        shape[self.axis] = 1
        out = np.empty(shape, x.dtype)
        _SUM_RUNS.pick(x.size)(x, x.shape[self.axis], self.axis, out)
        self.x_shape = x.shape
        return out

    def backward(self, dy):
        x_shape = _saved_shape(self.x_shape, "Sum.backward")
        shape = (1, x_shape[1]) if self.axis == 0 else (x_shape[0], 1)
        dy = check.float_operand(dy, "Sum.backward", "dy")
        if dy.shape != shape:
            raise ValueError(f"Sum.backward: dy has shape {dy.shape}; expected {shape}")
        dx = output(self._dx, x_shape, dy.dtype)
        _REPEAT.pick(dx.size)(dy, x_shape[self.axis], self.axis, dx)
        self._dx = dx
        return dx
