"""The Repeat node and the Sum node of a 2-D array, which are each other's adjoint.

Repeat copies each slice along ``axis`` n times (``np.repeat(x, n, axis)``); its
backward sums each run of n slices.  Sum adds all slices along ``axis``
(``x.sum(axis, keepdims=True)``), i.e. one run of x.shape[axis] slices; its
backward repeats dy that many times.  So two kernels serve both nodes.

n and axis decide every index, so they are checked with the shapes before
anything is read or written: n >= 0, axis 0 or 1, and the long side equal to
n times the short one (compared by division, which cannot overflow).
"""

import numpy as np
from numba import njit, prange

from ._checks import BadArgument, ShapeMismatch, check_no_overlap, check_same_dtype
from ._config import BLOCK_ELEMENTS, HELPER, KERNEL, PARALLEL


@njit(**HELPER)
def _is_n_times(long, short, n):
    """long == n * short, without computing n * short."""
    if n == 0:
        return long == 0
    return long % n == 0 and long // n == short


@njit(**HELPER)
def _check_runs(kernel, short_name, short, n, axis, long_name, long):
    """long (the repeated array) is short with every slice along axis n times."""
    if axis != 0 and axis != 1:
        raise BadArgument(kernel, "axis", axis, "0 or 1")
    if n < 0:
        raise BadArgument(kernel, "n", n, "n >= 0")
    other = 1 - axis
    if not (_is_n_times(long.shape[axis], short.shape[axis], n) and long.shape[other] == short.shape[other]):
        if axis == 0:
            expected = (short.shape[0] * n, short.shape[1])
        else:
            expected = (short.shape[0], short.shape[1] * n)
        raise ShapeMismatch(kernel, long_name, long.shape, expected,
                            "the other array's shape, n times as long along axis")
    check_same_dtype(kernel, long_name, long, short_name, short)


@njit(**HELPER)
def _repeat(x, n, axis, out):
    rows, cols = x.shape
    if axis == 0:
        for i in range(rows):
            for r in range(n):
                for j in range(cols):
                    out[i * n + r, j] = x[i, j]
    else:
        for i in range(rows):
            for j in range(cols):
                v = x[i, j]
                for r in range(n):
                    out[i, j * n + r] = v


@njit(**HELPER)
def _sum_runs(x, n, axis, out):
    rows, cols = out.shape
    if axis == 0:
        for i in range(rows):
            for j in range(cols):
                out[i, j] = 0
            for r in range(n):
                for j in range(cols):
                    out[i, j] += x[i * n + r, j]
    else:
        for i in range(rows):
            for j in range(cols):
                acc = out.dtype.type(0)
                for r in range(n):
                    acc += x[i, j * n + r]
                out[i, j] = acc


@njit(**KERNEL)
def repeat_2d(x, n, axis, out):
    """out = np.repeat(x, n, axis).  IN: x (R, C).  OUT: out (R*n, C) or (R, C*n)."""
    _check_runs("repeat_2d", "x", x, n, axis, "out", out)
    check_no_overlap("repeat_2d", "out", out, "x", x)
    _repeat(x, n, axis, out)


@njit(**KERNEL)
def sum_runs_2d(x, n, axis, out):
    """out = sums of consecutive runs of n slices of x along axis (adjoint of repeat_2d).

    IN: x (R*n, C) or (R, C*n).  OUT: out (R, C).  With n = x.shape[axis] this is
    x.sum(axis, keepdims=True).
    """
    _check_runs("sum_runs_2d", "out", out, n, axis, "x", x)
    check_no_overlap("sum_runs_2d", "out", out, "x", x)
    _sum_runs(x, n, axis, out)


# Parallel twins.  Each thread writes its own rows (or, for sums, its own
# partial sums, added up afterwards in a fixed order), so every result is the
# same whatever the number of threads.  Bands of whole rows keep each thread
# streaming through contiguous memory.

BAND_COLUMNS = 256


@njit(**PARALLEL)
def repeat_2d_parallel(x, n, axis, out):
    _check_runs("repeat_2d_parallel", "x", x, n, axis, "out", out)
    check_no_overlap("repeat_2d_parallel", "out", out, "x", x)
    out_rows, out_cols = out.shape
    if axis == 0:
        step = max(1, BLOCK_ELEMENTS // max(1, out_cols))
        for band in prange((out_rows + step - 1) // step):
            lo = band * step
            hi = min(lo + step, out_rows)
            for k in range(lo, hi):
                source = k // n
                for j in range(out_cols):
                    out[k, j] = x[source, j]
    else:
        rows, cols = x.shape
        step = max(1, BLOCK_ELEMENTS // max(1, cols * n))
        for band in prange((rows + step - 1) // step):
            lo = band * step
            hi = min(lo + step, rows)
            _repeat(x[lo:hi], n, 1, out[lo:hi])


@njit(**PARALLEL)
def sum_runs_2d_parallel(x, n, axis, out):
    _check_runs("sum_runs_2d_parallel", "out", out, n, axis, "x", x)
    check_no_overlap("sum_runs_2d_parallel", "out", out, "x", x)
    rows, cols = out.shape
    if axis == 0 and rows == 1:
        # One run of all rows (the Sum node, or Repeat's backward for one row):
        # partial sums over bands of rows, then the partials in band order.
        step = max(1, BLOCK_ELEMENTS // max(1, cols))
        bands = (n + step - 1) // step
        partial = np.zeros((bands, cols), out.dtype)
        for band in prange(bands):
            lo = band * step
            hi = min(lo + step, n)
            for r in range(lo, hi):
                for j in range(cols):
                    partial[band, j] += x[r, j]
        for j in range(cols):
            out[0, j] = 0
        for band in range(bands):
            for j in range(cols):
                out[0, j] += partial[band, j]
    elif axis == 0:
        for band in prange((cols + BAND_COLUMNS - 1) // BAND_COLUMNS):
            lo = band * BAND_COLUMNS
            hi = min(lo + BAND_COLUMNS, cols)
            _sum_runs(x[:, lo:hi], n, 0, out[:, lo:hi])
    else:
        step = max(1, BLOCK_ELEMENTS // max(1, cols * n))
        for band in prange((rows + step - 1) // step):
            lo = band * step
            hi = min(lo + step, rows)
            _sum_runs(x[lo:hi], n, 1, out[lo:hi])
