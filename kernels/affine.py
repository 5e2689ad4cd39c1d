"""Affine (fully connected) layer: x @ W + b, and its three gradients in one call.

Shapes: x (N, D), W (D, H), b (H,), out/dout (N, H), dx (N, D), dW (D, H), db (H,).
"""

from numba import njit

from ._config import KERNEL
from .matmul import gemm


@njit(**KERNEL)
def affine_forward(x, W, b, out):
    """out = x @ W + b, the bias added in the same pass over out.  OUT: out (N, H)."""
    gemm(x, W, out)
    n, h = out.shape
    for i in range(n):
        for j in range(h):
            out[i, j] += b[j]


@njit(**KERNEL)
def affine_backward(dout, x, W, dx, dW, db):
    """dx = dout @ W.T, dW = x.T @ dout, db = dout.sum(axis=0).  OUT: dx, dW, db."""
    gemm(dout, W.T, dx)
    gemm(x.T, dout, dW)
    n, h = dout.shape
    for j in range(h):
        db[j] = 0
    for i in range(n):
        for j in range(h):
            db[j] += dout[i, j]
