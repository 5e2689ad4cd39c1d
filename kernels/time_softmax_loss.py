"""Softmax with cross-entropy over a sequence batch, with an ignored label.

Shapes: the (N, T, V) scores come in flattened to rows x (R, V), R = N*T, and the
labels to t (R,).  A row whose label is ``ignore`` (the book's -1) adds nothing
to the loss and gets a zero gradient; the loss is the book's
``-sum(log(y[r, t_r])) / count`` over the other rows (no 1e-7 inside the log:
the book's TimeSoftmaxWithLoss has none), count being the number of rows kept.

One pass per band of rows: softmax (softmax_loss.softmax_forward, the shared
vectorised exp), the log of each row's label entry and the gradient.  The
forward kernels return (log_sum, bad_row): bad_row >= 0 is the first row
whose label is outside [0, V) and not ``ignore``, and then nothing is
written; the backward kernels raise IndexError for such a label.  Every
public kernel checks its operands first (kernels/_checks.py).
"""

import numpy as np
from numba import njit, prange

from ._checks import BadLabel, check_no_overlap, check_same_dtype, check_shape
from ._config import BLOCK_ELEMENTS, HELPER, KERNEL, PARALLEL
from .softmax_loss import softmax_forward


@njit(**KERNEL)
def _label_logs(y, t, ignore):
    """(sum of log(y[r, t_r]) over kept rows, kept rows, first bad row or -1)."""
    n, v = y.shape
    total = 0.0
    count = 0
    for r in range(n):
        label = t[r]
        if label == ignore:
            continue
        if label < 0 or label >= v:
            return np.nan, count, r
        total += np.log(np.float64(y[r, label]))
        count += 1
    return total, count, -1


@njit(**KERNEL)
def _first_bad_label(t, v, ignore):
    """The first row whose label is outside [0, v) and not ``ignore``, or -1."""
    for r in range(t.shape[0]):
        label = t[r]
        if label != ignore and (label < 0 or label >= v):
            return r
    return -1


@njit(**HELPER)
def _check(kernel, x_name, x, t, y_name, y):
    """y (written) has x's shape (R, V) and dtype, t R labels, and y overlaps neither."""
    check_shape(kernel, y_name, y, x.shape, "the shape (R, V) of the scores")  # literals: no string built per call
    check_shape(kernel, "t", t, (x.shape[0],), "one label per row of the scores")
    check_same_dtype(kernel, y_name, y, x_name, x)
    check_no_overlap(kernel, y_name, y, x_name, x)
    check_no_overlap(kernel, y_name, y, "t", t)


@njit(**HELPER)
def _check_forward_grad(kernel, x, t, y, dx):
    _check(kernel, "x", x, t, "y", y)
    _check(kernel, "x", x, t, "dx", dx)
    check_no_overlap(kernel, "dx", dx, "y", y)


@njit(**HELPER)
def _check_backward(kernel, y, t, ignore, dx):
    _check(kernel, "y", y, t, "dx", dx)
    bad = _first_bad_label(t, y.shape[1], ignore)
    if bad >= 0:
        raise BadLabel(kernel, bad, t[bad], y.shape[1], ignore)


@njit(**KERNEL)
def time_softmax_loss_backward(y, t, ignore, dout, count, dx):
    """dx[r] = (y[r] - onehot(t_r)) * dout / count for kept rows, 0 for ignored ones.

    IN: y (R, V), t (R,), dout, count (rows kept).  OUT: dx (R, V).  Labels
    were checked by forward.  Multiply, then divide, in dx's dtype, as the book
    does, so float32 results are the book's bits.
    """
    _check_backward("time_softmax_loss_backward", y, t, ignore, dx)
    _backward_rows(y, t, ignore, dout, count, dx)


@njit(**KERNEL)
def _backward_rows(y, t, ignore, dout, count, dx):
    n, v = y.shape
    s = dx.dtype.type(dout)
    c = dx.dtype.type(count)
    zero = dx.dtype.type(0)
    for r in range(n):
        label = t[r]
        if label == ignore:
            for j in range(v):
                dx[r, j] = zero
            continue
        for j in range(v):
            dx[r, j] = y[r, j] * s / c
        dx[r, label] = (y[r, label] - dx.dtype.type(1)) * s / c


@njit(**KERNEL)
def _band_rows(v):
    return max(1, BLOCK_ELEMENTS // max(1, v))


@njit(**KERNEL)
def _forward_grad_rows(x, t, ignore, count, y, dx):
    """Softmax, loss terms and the gradient for dout = 1, a band of rows at a time
    so that each band's y is still in cache when its dx is written."""
    n, v = x.shape
    step = _band_rows(v)
    total = 0.0
    for lo in range(0, n, step):
        hi = min(lo + step, n)
        softmax_forward(x[lo:hi], y[lo:hi])
        _backward_rows(y[lo:hi], t[lo:hi], ignore, 1.0, count, dx[lo:hi])
        part, _, _ = _label_logs(y[lo:hi], t[lo:hi], ignore)
        total += part
    return total


@njit(**KERNEL)
def time_softmax_loss_forward_grad(x, t, ignore, count, y, dx):
    """Forward and, in the same pass, the gradient for dout = 1.

    IN: x (R, V), t (R,), count (the rows whose label is not ``ignore``).
    OUT: y = softmax(x), dx = (y - onehot(t)) / count (0 on ignored rows), both
    (R, V).  Returns (log_sum, bad_row): with a bad label nothing is written.
    dx has the bits time_softmax_loss_backward(y, t, ignore, 1, count) gives.
    """
    _check_forward_grad("time_softmax_loss_forward_grad", x, t, y, dx)
    bad = _first_bad_label(t, x.shape[1], ignore)
    if bad >= 0:
        return np.nan, bad
    n = x.shape[0]
    step = _loss_band_rows(n)
    bands = (n + step - 1) // step
    partial = np.zeros(bands)
    for band in range(bands):  # the parallel twin's bands, summed in the same order
        lo = band * step
        hi = min(lo + step, n)
        partial[band] = _forward_grad_rows(x[lo:hi], t[lo:hi], ignore, count, y[lo:hi], dx[lo:hi])
    return _sum_in_order(partial), -1


# The forward-with-gradient kernels add the loss of LOSS_BANDS bands of rows,
# in band order, serial or parallel alike: the same loss bits either way.
LOSS_BANDS = 16


@njit(cache=True)  # no fastmath: the order of the sum is the written one
def _sum_in_order(partial):
    total = 0.0
    for band in range(partial.shape[0]):
        total += partial[band]
    return total


@njit(**KERNEL)
def _loss_band_rows(n):
    return max(1, (n + LOSS_BANDS - 1) // LOSS_BANDS)


# Parallel twins on bands of rows: each band writes only its own rows and its
# own partial sum; the partials are added in band order, so the loss does not
# depend on the number of threads.

@njit(**PARALLEL)
def time_softmax_loss_forward_grad_parallel(x, t, ignore, count, y, dx):
    _check_forward_grad("time_softmax_loss_forward_grad_parallel", x, t, y, dx)
    bad = _first_bad_label(t, x.shape[1], ignore)
    if bad >= 0:
        return np.nan, bad
    n = x.shape[0]
    step = _loss_band_rows(n)
    bands = (n + step - 1) // step
    partial = np.zeros(bands)
    for band in prange(bands):
        lo = band * step
        hi = min(lo + step, n)
        partial[band] = _forward_grad_rows(x[lo:hi], t[lo:hi], ignore, count, y[lo:hi], dx[lo:hi])
    return _sum_in_order(partial), -1


@njit(**PARALLEL)
def time_softmax_loss_backward_parallel(y, t, ignore, dout, count, dx):
    _check_backward("time_softmax_loss_backward_parallel", y, t, ignore, dx)
    n, v = y.shape
    step = _band_rows(v)
    for band in prange((n + step - 1) // step):
        lo = band * step
        hi = min(lo + step, n)
        _backward_rows(y[lo:hi], t[lo:hi], ignore, dout, count, dx[lo:hi])
