"""Softmax over rows, and softmax fused with the cross-entropy loss.

Shapes: x, y, dout, dx (N, C); labels t either class indices (N,) or one-hot rows
(N, C) (the index of each row's first maximum is its class, as the book's
``argmax`` takes it).  The loss is the book's ``-sum(log(y[i, t_i] + 1e-7)) / N``,
so a confident wrong answer costs about 16.1, never inf.

The loss kernels check the labels before writing anything: they return the first
row whose label is outside [0, C), or -1, so that a bad label can never index
outside y.  The softmax of a row holding +inf gives its +inf entries equal shares
and the rest 0 (the limit of the finite case) instead of NaN; a row that is all
-inf gives equal shares too.
"""

import numpy as np
from numba import njit, prange
from numba.extending import overload

from ._config import BLOCK_ELEMENTS, KERNEL, PARALLEL
from .fast_exp import exp_approx

# The book adds this inside the log so that log(0) never happens.
LOG_EPS = 1e-7


def label_at(t, i):
    """Class index of row i of t (indices or one-hot rows); the jitted forms follow."""
    return int(np.argmax(t[i])) if t.ndim == 2 else int(t[i])


@overload(label_at)
def _label_at_jit(t, i):
    if t.ndim == 2:
        return _first_max_column
    return lambda t, i: t[i]


def _first_max_column(t, i):
    """Index of the first maximum of row i (a plain loop: np.argmax on a row view is slow)."""
    best = 0
    for j in range(1, t.shape[1]):
        if t[i, j] > t[i, best]:
            best = j
    return best


@njit(**KERNEL)
def first_bad_label(t, n_classes):
    """Index of the first row whose label is outside [0, n_classes), or -1."""
    for i in range(t.shape[0]):
        label = label_at(t, i)
        if label < 0 or label >= n_classes:
            return i
    return -1


@njit(**KERNEL)
def _softmax_row(x, y):
    """y = exp(x - max x) / sum, for one row; +inf and all--inf rows share equally."""
    c = x.shape[0]
    m = x[0]
    for j in range(1, c):
        if x[j] > m:
            m = x[j]
    if m == np.inf or m == -np.inf:
        count = 0
        for j in range(c):
            count += x[j] == m
        for j in range(c):
            y[j] = (x[j] == m) / count
        return
    total = y.dtype.type(0)
    for j in range(c):
        e = exp_approx(x[j] - m)
        y[j] = e
        total += e
    for j in range(c):
        y[j] /= total


@njit(**KERNEL)
def softmax_forward(x, y):
    """y = softmax(x) along each row.  IN: x (N, C).  OUT: y (N, C)."""
    if x.shape[1] == 0:
        return
    for i in range(x.shape[0]):
        _softmax_row(x[i], y[i])


@njit(**KERNEL)
def softmax_backward(y, dout, dx):
    """dx = y * dout - y * sum(y * dout, axis=1).  IN: y, dout (N, C).  OUT: dx."""
    n, c = y.shape
    for i in range(n):
        s = dx.dtype.type(0)
        for j in range(c):
            v = y[i, j] * dout[i, j]
            dx[i, j] = v
            s += v
        for j in range(c):
            dx[i, j] -= y[i, j] * s


@njit(**KERNEL)
def _softmax_log_likelihood(x, t, y):
    """Softmax of the rows of x into y; returns sum(log(y[i, t_i] + 1e-7)) (labels checked)."""
    total = 0.0
    for i in range(x.shape[0]):
        _softmax_row(x[i], y[i])
        total += np.log(y[i, label_at(t, i)] + LOG_EPS)
    return total


@njit(**KERNEL)
def softmax_cross_entropy_forward(x, t, y):
    """Loss of softmax(x) against labels t; y = softmax(x) is kept for backward.

    IN: x (N, C), t (N,) or (N, C).  OUT: y (N, C).  Returns (loss, bad_row):
    bad_row >= 0 means that row's label is out of range, and nothing was written.
    """
    n, c = x.shape
    bad = first_bad_label(t, c)
    if bad >= 0:
        return np.nan, bad
    return -_softmax_log_likelihood(x, t, y) / n, -1


@njit(**KERNEL)
def _scaled_residual(y, t, dout, n, dx):
    """dx = (y - onehot(t)) * dout / n, for rows of a batch of n."""
    scale = dx.dtype.type(dout)
    size = dx.dtype.type(n)
    for i in range(y.shape[0]):
        label = label_at(t, i)
        for j in range(y.shape[1]):
            dx[i, j] = (y[i, j] - (j == label)) * scale / size


@njit(**KERNEL)
def softmax_cross_entropy_backward(y, t, dout, dx):
    """dx = (y - onehot(t)) * dout / N.  IN: y (N, C), t, dout scalar.  OUT: dx (N, C)."""
    _scaled_residual(y, t, dout, y.shape[0], dx)


@njit(**KERNEL)
def cross_entropy(y, t):
    """-sum(log(y[i, t_i] + 1e-7)) / N for probabilities y (N, C).  Returns (loss, bad_row)."""
    n, c = y.shape
    bad = first_bad_label(t, c)
    if bad >= 0:
        return np.nan, bad
    total = 0.0
    for i in range(n):
        total += np.log(y[i, label_at(t, i)] + LOG_EPS)
    return -total / n, -1


# Parallel twins: the serial kernels on bands of rows.  A loss adds one partial
# sum per band, then the partials in band order, so it does not depend on the
# number of threads.

@njit(**KERNEL)
def _rows_per_band(c):
    return max(1, BLOCK_ELEMENTS // max(1, c))


@njit(**PARALLEL)
def softmax_forward_parallel(x, y):
    n, c = x.shape
    step = _rows_per_band(c)
    for band in prange((n + step - 1) // step):
        lo = band * step
        hi = min(lo + step, n)
        softmax_forward(x[lo:hi], y[lo:hi])


@njit(**PARALLEL)
def softmax_backward_parallel(y, dout, dx):
    n, c = y.shape
    step = _rows_per_band(c)
    for band in prange((n + step - 1) // step):
        lo = band * step
        hi = min(lo + step, n)
        softmax_backward(y[lo:hi], dout[lo:hi], dx[lo:hi])


@njit(**PARALLEL)
def softmax_cross_entropy_forward_parallel(x, t, y):
    n, c = x.shape
    bad = first_bad_label(t, c)
    if bad >= 0:
        return np.nan, bad
    step = _rows_per_band(c)
    bands = (n + step - 1) // step
    partial = np.empty(bands)
    for band in prange(bands):
        lo = band * step
        hi = min(lo + step, n)
        partial[band] = _softmax_log_likelihood(x[lo:hi], t[lo:hi], y[lo:hi])
    total = 0.0
    for band in range(bands):
        total += partial[band]
    return -total / n, -1


@njit(**PARALLEL)
def softmax_cross_entropy_backward_parallel(y, t, dout, dx):
    n, c = y.shape
    step = _rows_per_band(c)
    for band in prange((n + step - 1) // step):
        lo = band * step
        hi = min(lo + step, n)
        _scaled_residual(y[lo:hi], t[lo:hi], dout, n, dx[lo:hi])
