"""Softmax over rows, and softmax fused with the cross-entropy loss.

Shapes: x, y, dout, dx (N, C); labels t either class indices (N,) or one-hot rows
(N, C) (the index of each row's first maximum is its class, as the book's
``argmax`` takes it).  The loss is the book's ``-sum(log(y[i, t_i] + 1e-7)) / N``,
so a confident wrong answer costs about 16.1, never inf.

The loss kernels return (loss, bad_row): bad_row >= 0 names the first row whose
label is outside [0, C), which was never used as an index; y's contents are
then unspecified (the layer discards it).  The softmax of a row holding +inf
gives its +inf entries equal shares and the rest 0 (the limit of the finite
case) instead of NaN; a row that is all -inf gives equal shares too.

The loops index rows, never slice them, and call no helper per row: at the
spiral net's 3-wide rows, a row view's reference count or a call per row cost
more than the arithmetic (measured: 1.6 us against 0.9 us for 30 rows).

Every public kernel checks shapes, dtypes and overlap first (_softmax_checks.py);
the parallel twins check once and run the unchecked bodies on their bands.
"""

import numpy as np
from numba import njit, prange

from ._config import BLOCK_ELEMENTS, FIXED_ORDER_FASTMATH, HELPER, KERNEL, PARALLEL
from ._softmax_checks import (
    check_labels,
    check_loss_backward,
    check_loss_backward_call,
    check_loss_forward,
    check_loss_forward_call,
    check_softmax,
    check_softmax_backward,
    class_of,
)
from .fast_exp import exp_approx

# The book adds this inside the log so that log(0) never happens.
LOG_EPS = 1e-7

# Probabilities multiplied together before one log is taken (cross_entropy_sum).
LOG_RUN = 32


@njit(**HELPER)
def _row_max(x, i):
    """max(x[i]) with four running maxima: LLVM does not vectorise a float max
    reduction without the no-NaN flag, and one chain of compares is 3x slower."""
    c = x.shape[1]
    m0 = m1 = m2 = m3 = x[i, 0]
    j = 0
    while j + 4 <= c:
        a0, a1, a2, a3 = x[i, j], x[i, j + 1], x[i, j + 2], x[i, j + 3]
        m0 = a0 if a0 > m0 else m0
        m1 = a1 if a1 > m1 else m1
        m2 = a2 if a2 > m2 else m2
        m3 = a3 if a3 > m3 else m3
        j += 4
    while j < c:
        m0 = x[i, j] if x[i, j] > m0 else m0
        j += 1
    m0 = m1 if m1 > m0 else m0
    m2 = m3 if m3 > m2 else m2
    return m2 if m2 > m0 else m0


# softmax_forward shifts each row by its first entry, not its max.  Softmax
# does not change under a shift, and this way the row is read once: a separate
# max pass read it from memory with no arithmetic to overlap (the 4096x1024
# float64 Softmax layer on 2 cores, benchmark reports: 49-58% of a copy's
# speed with the max pass, 75-88% without).  A shift below the max is only
# unsafe when the shifted exponentials grow large; a row whose sum passes
# this limit (or is inf or NaN) is redone with its max, as the book does.
# 2**64 fits float32 and keeps 1/sum a normal number.
SHIFTED_SUM_LIMIT = 2.0**64


@njit(**HELPER)
def _softmax(x, y):
    n, c = x.shape
    if c == 0:
        return
    limit = y.dtype.type(SHIFTED_SUM_LIMIT)
    for i in range(n):
        shift = x[i, 0]
        total = y.dtype.type(0)
        for j in range(c):
            e = exp_approx(x[i, j] - shift)
            y[i, j] = e
            total += e
        if not total <= limit:  # also true for inf and NaN
            m = _row_max(x, i)
            if m == np.inf or m == -np.inf:
                count = 0
                for j in range(c):
                    count += x[i, j] == m
                for j in range(c):
                    y[i, j] = (x[i, j] == m) / count
                continue
            total = y.dtype.type(0)
            for j in range(c):
                e = exp_approx(x[i, j] - m)
                y[i, j] = e
                total += e
        for j in range(c):
            y[i, j] /= total


@njit(**KERNEL)
def softmax_forward(x, y):
    """y = softmax(x) along each row.  IN: x (N, C).  OUT: y (N, C)."""
    check_softmax("softmax_forward", x, y)
    _softmax(x, y)


@njit(fastmath=FIXED_ORDER_FASTMATH, cache=True)
def _row_dot(a, b):
    """sum(a * b) of two rows in one fixed order: eight interleaved partial sums,
    added in a fixed tree, then the tail.  A function of its own, compiled with
    FIXED_ORDER_FASTMATH (inlined as Numba IR it would take the kernels' flags), so
    the serial and parallel kernels agree however they were compiled (_config.py;
    tests/test_cache_bits.py runs both from a cache).  The price (float32, serial,
    in alternation with the reassociated sum, 2026-11-28 22:49): 730 against 424 us
    at (100, 10000), 1053 against 429 us at (16384, 64), 10 against 6 us at (128, 59).
    """
    n = a.shape[0]
    zero = a.dtype.type(0)
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = zero
    j = 0
    while j + 8 <= n:
        s0 += a[j] * b[j]
        s1 += a[j + 1] * b[j + 1]
        s2 += a[j + 2] * b[j + 2]
        s3 += a[j + 3] * b[j + 3]
        s4 += a[j + 4] * b[j + 4]
        s5 += a[j + 5] * b[j + 5]
        s6 += a[j + 6] * b[j + 6]
        s7 += a[j + 7] * b[j + 7]
        j += 8
    tail = zero
    while j < n:
        tail += a[j] * b[j]
        j += 1
    return (((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))) + tail


@njit(**HELPER)
def _softmax_backward(y, dout, dx):
    n, c = y.shape
    for i in range(n):
        s = _row_dot(y[i], dout[i])
        for j in range(c):
            dx[i, j] = y[i, j] * dout[i, j] - y[i, j] * s


@njit(**KERNEL)
def softmax_backward(y, dout, dx):
    """dx = y * dout - y * sum(y * dout, axis=1).  IN: y, dout (N, C).  OUT: dx."""
    check_softmax_backward("softmax_backward", y, dout, dx)
    _softmax_backward(y, dout, dx)


@njit(**KERNEL)
def cross_entropy_sum(y, t):
    """(sum(log(y[i, t_i] + 1e-7)), bad_row) for probabilities y (N, C).

    t holds indices (N,) or one-hot rows (N, C); Numba compiles only the branch
    that matches t's ndim.  Stops at the first label outside [0, C).

    libm's log is a call per row, so terms that are probabilities (y from 0 to
    nearly 2, allowing for rounding) are multiplied LOG_RUN at a time and one
    log is taken of each product: each term is at least 1e-7, so a product of
    32 stays within float64's range, and its rounding (32 ulp at most) is far
    below the book's float32 rounding.  Any other term (a y that is not a
    probability, NaN) gets its own log, as in the book.  The spiral net's
    fused 30x3 loss call: 1.29 -> 1.19 us.
    """
    check_labels("cross_entropy_sum", t, y)
    return _cross_entropy_sum(y, t)


@njit(**HELPER)
def _cross_entropy_sum(y, t):
    n, c = y.shape
    total = 0.0
    product = 1.0
    count = 0
    for i in range(n):
        label = class_of(t, i, c)
        if label < 0 or label >= c:
            return np.nan, i
        term = np.float64(y[i, label]) + LOG_EPS
        if term >= LOG_EPS and term <= 2.0:  # y in [0, 2 - 1e-7]
            product *= term
            count += 1
            if count == LOG_RUN:
                total += np.log(product)
                product = 1.0
                count = 0
        else:
            total += np.log(term)
    return total + np.log(product), -1


@njit(**KERNEL)
def cross_entropy(y, t):
    """-sum(log(y[i, t_i] + 1e-7)) / N for probabilities y (N, C).  Returns (loss, bad_row)."""
    check_labels("cross_entropy", t, y)
    return _cross_entropy(y, t)


@njit(**HELPER)
def _cross_entropy(y, t):
    total, bad = _cross_entropy_sum(y, t)
    # An empty batch has no mean: NaN, as numpy's sum/0 gives (and without JIT, no ZeroDivisionError).
    n = y.shape[0]
    return (-total / n if n > 0 else np.nan), bad


@njit(**KERNEL)
def softmax_cross_entropy_forward(x, t, y):
    """Loss of softmax(x) against labels t; y = softmax(x) is kept for backward.

    IN: x (N, C), t (N,) or (N, C).  OUT: y (N, C).  Returns (loss, bad_row).
    """
    check_loss_forward("softmax_cross_entropy_forward", x, t, y)
    _softmax(x, y)
    return _cross_entropy(y, t)


@njit(**KERNEL)
def softmax_cross_entropy_backward(y, t, dout, dx, batch_size):
    """dx = (y - onehot(t)) * dout / batch_size.  IN: y (N, C), t, dout scalar.  OUT: dx.

    batch_size is N for a whole batch; the parallel twin passes it for its bands.
    """
    check_loss_backward("softmax_cross_entropy_backward", y, t, dx)
    _softmax_cross_entropy_backward(y, t, dout, dx, batch_size)


@njit(**HELPER)
def _softmax_cross_entropy_backward(y, t, dout, dx, batch_size):
    n, c = y.shape
    scale = dx.dtype.type(dout)
    size = dx.dtype.type(batch_size)
    for i in range(n):
        label = class_of(t, i, c)
        for j in range(c):
            dx[i, j] = (y[i, j] - (j == label)) * scale / size


# Parallel twins: the serial kernels on bands of rows.  A loss adds one partial
# sum per band, then the partials in band order, so it does not depend on the
# number of threads.

@njit(**KERNEL)
def _rows_per_band(c):
    return max(1, BLOCK_ELEMENTS // max(1, c))


# Never loaded from Numba's cache: on AVX-512 both came back from it summing some
# rows in another order than the serial kernel (tests/test_cache_bits.py); a
# fixed-order sum (as _row_dot) made every softmax 1.2-1.4x slower instead.
UNCACHED_PARALLEL = {**PARALLEL, "cache": False}


@njit(**UNCACHED_PARALLEL)
def softmax_forward_parallel(x, y):
    check_softmax("softmax_forward_parallel", x, y)
    n, c = x.shape
    step = _rows_per_band(c)
    for band in prange((n + step - 1) // step):
        lo = band * step
        hi = min(lo + step, n)
        _softmax(x[lo:hi], y[lo:hi])


@njit(**PARALLEL)
def softmax_backward_parallel(y, dout, dx):
    check_softmax_backward("softmax_backward_parallel", y, dout, dx)
    n, c = y.shape
    step = _rows_per_band(c)
    for band in prange((n + step - 1) // step):
        lo = band * step
        hi = min(lo + step, n)
        _softmax_backward(y[lo:hi], dout[lo:hi], dx[lo:hi])


@njit(**UNCACHED_PARALLEL)
def softmax_cross_entropy_forward_parallel(x, t, y):
    check_loss_forward_call("softmax_cross_entropy_forward_parallel", x, t, y)
    n, c = x.shape
    step = _rows_per_band(c)
    bands = (n + step - 1) // step
    partial = np.empty(bands)
    bad_rows = np.full(bands, -1)
    for band in prange(bands):
        lo = band * step
        hi = min(lo + step, n)
        _softmax(x[lo:hi], y[lo:hi])
        total, bad = _cross_entropy_sum(y[lo:hi], t[lo:hi])
        partial[band] = total
        bad_rows[band] = bad if bad < 0 else lo + bad
    total = 0.0
    for band in range(bands):
        if bad_rows[band] >= 0:
            return np.nan, bad_rows[band]
        total += partial[band]
    return (-total / n if n > 0 else np.nan), -1


@njit(**PARALLEL)
def softmax_cross_entropy_backward_parallel(y, t, dout, dx, batch_size):
    check_loss_backward_call("softmax_cross_entropy_backward_parallel", y, t, dx)
    n, c = y.shape
    step = _rows_per_band(c)
    for band in prange((n + step - 1) // step):
        lo = band * step
        hi = min(lo + step, n)
        _softmax_cross_entropy_backward(y[lo:hi], t[lo:hi], dout, dx[lo:hi], batch_size)
