"""Matrix products: the MatMul node's forward and backward.

Shapes: x (N, D), W (D, H), out/dout (N, H), dx (N, D), dW (D, H).
Small products run in a plain loop, because a BLAS call costs more than the
arithmetic of the spiral net's 30x2x10 product; large ones go to BLAS (through
SciPy's bindings, which Numba's ``np.dot`` uses), writing straight into the
caller's output array, with transposes passed as views, never copied.
"""

import numpy as np
from numba import njit

from ._config import HELPER, KERNEL

# Below this many multiply-adds a loop beats the fixed cost of a BLAS call.
SMALL_GEMM_MACS = 8192


@njit(**HELPER)
def _gemm_loop(a, b, out):
    """out = a @ b without BLAS, in the loop order that suits the shape.

    Few output columns (the spiral net's 3 classes): one dot product per output
    element, accumulated in a register.  Otherwise: out += a[:, p] outer b[p],
    one pass per p, the inner loop running along out's contiguous rows, which
    LLVM vectorises.  Measured on the spiral net's six products: 0.25-0.6 us
    each, against 0.25-1.6 us for one fixed order.
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


@njit(**HELPER)
def gemm(a, b, out):
    """out (M, N) = a (M, K) @ b (K, N); a and b may be transposed views."""
    m, k = a.shape
    n = b.shape[1]
    if m == 0 or n == 0:
        return
    if k == 0:
        out[:, :] = 0
    elif m * n * k <= SMALL_GEMM_MACS:
        _gemm_loop(a, b, out)
    else:
        np.dot(a, b, out)


@njit(**KERNEL)
def matmul_forward(x, W, out):
    """out = x @ W.  IN: x (N, D), W (D, H).  OUT: out (N, H)."""
    gemm(x, W, out)


@njit(**KERNEL)
def matmul_backward(dout, x, W, dx, dW):
    """dx = dout @ W.T, dW = x.T @ dout.  IN: dout (N, H), x, W.  OUT: dx (N, D), dW (D, H)."""
    gemm(dout, W.T, dx)
    gemm(x.T, dout, dW)
