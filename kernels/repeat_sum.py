"""The Repeat node and the Sum node of a 2-D array, which are each other's adjoint.

Repeat copies each slice along ``axis`` n times (``np.repeat(x, n, axis)``); its
backward sums each run of n slices.  Sum adds all slices along ``axis``
(``x.sum(axis, keepdims=True)``), i.e. one run of x.shape[axis] slices; its
backward repeats dy that many times.  So two kernels serve both nodes.
"""

from numba import njit

from ._config import KERNEL


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
