"""Matrix products: the MatMul node's forward and backward.

Shapes: x (N, D), W (D, H), out/dout (N, H), dx (N, D), dW (D, H).

Small products run in Numba loops, because a BLAS call costs more than the
arithmetic of the spiral net's 30x2x10 product.  Large ones go to numpy's own
BLAS (``np.dot`` with ``out=``), the library the book's code uses.  Numba's
``np.dot`` would call SciPy's OpenBLAS instead: a second BLAS build with its own
worker threads, which on this 2-core machine spun against numpy's and left the
large products at 0.70-1.06x numpy.  Either way the result goes straight into
the caller's array and transposes are passed as views, never copied.
"""

import numpy as np
from numba import njit

from ._config import HELPER, KERNEL

# Up to this many multiply-adds a loop beats the fixed cost of a BLAS call.
SMALL_GEMM_MACS = 8192


def is_small(n, d, h):
    """Whether an (n, d) @ (d, h) product runs in the loop kernels."""
    return n * d * h <= SMALL_GEMM_MACS


@njit(**HELPER)
def gemm_loop(a, b, out):
    """out = a @ b without BLAS, in the loop order that suits the shape.

    a and b may be transposed views.  Few output columns (the spiral net's 3
    classes): one dot product per output element, accumulated in a register.
    Otherwise: out += a[:, p] outer b[p], one pass per p, the inner loop running
    along out's contiguous rows, which LLVM vectorises.  Measured on the spiral
    net's six products: 0.25-0.6 us each, against 0.25-1.6 us for one fixed order.
    """
    m, k = a.shape
    n = b.shape[1]
    if n < 8:
        for i in range(m):
            for j in range(n):
                acc = out.dtype.type(0)
                for p in range(k):
                    acc += a[i, p] * b[p, j]
                out[i, j] = acc
    else:
        for i in range(m):
            for j in range(n):
                out[i, j] = 0
        for p in range(k):
            for i in range(m):
                aip = a[i, p]
                for j in range(n):
                    out[i, j] += aip * b[p, j]


@njit(**KERNEL)
def matmul_forward_small(x, W, out):
    """out = x @ W in a loop (see is_small).  IN: x (N, D), W (D, H).  OUT: out (N, H)."""
    gemm_loop(x, W, out)


@njit(**KERNEL)
def matmul_backward_small(dout, x, W, dx, dW):
    """dx = dout @ W.T, dW = x.T @ dout in loops.  OUT: dx (N, D), dW (D, H)."""
    gemm_loop(dout, W.T, dx)
    gemm_loop(x.T, dout, dW)


def matmul_forward(x, W, out):
    """out = x @ W, any size.  IN: x (N, D), W (D, H).  OUT: out (N, H), C-contiguous."""
    if is_small(x.shape[0], x.shape[1], W.shape[1]):
        matmul_forward_small(x, W, out)
    else:
        np.dot(x, W, out=out)


def matmul_backward(dout, x, W, dx, dW):
    """dx = dout @ W.T, dW = x.T @ dout, any size.  OUT: dx (N, D), dW (D, H), C-contiguous."""
    if is_small(x.shape[0], x.shape[1], W.shape[1]):
        matmul_backward_small(dout, x, W, dx, dW)
    else:
        np.dot(dout, W.T, out=dx)
        np.dot(x.T, dout, out=dW)
