"""The Repeat node and the Sum node of a 2-D array, which are each other's adjoint.

Repeat copies each slice along ``axis`` n times (``np.repeat(x, n, axis)``); its
backward sums each run of n slices.  Sum adds all slices along ``axis``
(``x.sum(axis, keepdims=True)``), i.e. one run of x.shape[axis] slices; its
backward repeats dy that many times.  So two kernels serve both nodes.
"""

from numba import njit, prange

from ._config import BLOCK_ELEMENTS, KERNEL, PARALLEL


@njit(**KERNEL)
def repeat_2d(x, n, axis, out):
    """out = np.repeat(x, n, axis).  IN: x (R, C).  OUT: out (R*n, C) or (R, C*n)."""
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


@njit(**KERNEL)
def sum_runs_2d(x, n, axis, out):
    """out = sums of consecutive runs of n slices of x along axis (adjoint of repeat_2d).

    IN: x (R*n, C) or (R, C*n).  OUT: out (R, C).  With n = x.shape[axis] this is
    x.sum(axis, keepdims=True).
    """
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


# Parallel twins.  Along axis 0 the blocks are bands of columns, along axis 1
# bands of rows, so each output element is still made by one thread in the
# serial kernel's order: the result does not depend on the thread count.

BAND_COLUMNS = 256


@njit(**PARALLEL)
def repeat_2d_parallel(x, n, axis, out):
    rows, cols = x.shape
    if axis == 0:
        for band in prange((cols + BAND_COLUMNS - 1) // BAND_COLUMNS):
            lo = band * BAND_COLUMNS
            hi = min(lo + BAND_COLUMNS, cols)
            repeat_2d(x[:, lo:hi], n, 0, out[:, lo:hi])
    else:
        step = max(1, BLOCK_ELEMENTS // max(1, cols * n))
        for band in prange((rows + step - 1) // step):
            lo = band * step
            hi = min(lo + step, rows)
            repeat_2d(x[lo:hi], n, 1, out[lo:hi])


@njit(**PARALLEL)
def sum_runs_2d_parallel(x, n, axis, out):
    rows, cols = out.shape
    if axis == 0:
        for band in prange((cols + BAND_COLUMNS - 1) // BAND_COLUMNS):
            lo = band * BAND_COLUMNS
            hi = min(lo + BAND_COLUMNS, cols)
            sum_runs_2d(x[:, lo:hi], n, 0, out[:, lo:hi])
    else:
        step = max(1, BLOCK_ELEMENTS // max(1, cols * n))
        for band in prange((rows + step - 1) // step):
            lo = band * step
            hi = min(lo + step, rows)
            sum_runs_2d(x[lo:hi], n, 1, out[lo:hi])
