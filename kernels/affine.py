"""Affine (fully connected) layer: x @ W + b, and its three gradients.

Shapes: x (N, D), W (D, H), b (H,), out/dout (N, H), dx (N, D), dW (D, H), db (H,).
Small products run as one Numba kernel each way, the bias and its gradient in
the same call; large ones call numpy's BLAS (see matmul.py), then add the bias,
or sum the bias gradient, in a serial kernel.  Serial on purpose: it always
runs right after a product, while OpenBLAS's threads spin (see blas.py):
column sums of 4096x1024 float64 took 12-20 ms on two threads there, 3.1-4.7 ms
on one.
"""

import numpy as np
from numba import njit

from . import blas
from ._config import HELPER, KERNEL
from .matmul import gemm_loop, is_small
from .repeat_sum import sum_runs_2d


@njit(**HELPER)
def _add_row(out, b):
    n, h = out.shape
    for i in range(n):
        for j in range(h):
            out[i, j] += b[j]


@njit(**KERNEL)
def add_row(out, b):
    """out[i, :] += b for every row i.  IN: b (H,).  IN/OUT: out (N, H)."""
    _add_row(out, b)


@njit(**KERNEL)
def affine_forward_small(x, W, b, out):
    """out = x @ W + b in loops (see matmul.is_small).  OUT: out (N, H)."""
    gemm_loop(x, W, out)
    _add_row(out, b)


@njit(**KERNEL)
def affine_backward_small(dout, x, W, dx, dW, db):
    """dx = dout @ W.T, dW = x.T @ dout, db = dout.sum(axis=0), in loops.  OUT: dx, dW, db."""
    gemm_loop(dout, W.T, dx)
    gemm_loop(x.T, dout, dW)
    n, h = dout.shape
    for j in range(h):
        db[j] = 0
    for i in range(n):
        for j in range(h):
            db[j] += dout[i, j]


def affine_forward(x, W, b, out):
    """out = x @ W + b, any size.  OUT: out (N, H).

    All operands of one dtype; out C-contiguous and not overlapping an input
    (the BLAS path and the loop path both assume it; the layers make sure).
    """
    if is_small(x.shape[0], x.shape[1], W.shape[1]):
        affine_forward_small(x, W, b, out)
        return
    blas.dot(x, W, out)
    add_row(out, b)


def affine_backward(dout, x, W, dx, dW, db):
    """dx = dout @ W.T, dW = x.T @ dout, db = dout.sum(axis=0), any size.

    OUT: dx (N, D), dW (D, H), db (H,).  All of one dtype; dx and dW
    C-contiguous; no output overlapping an input.
    """
    if is_small(x.shape[0], x.shape[1], W.shape[1]):
        affine_backward_small(dout, x, W, dx, dW, db)
        return
    blas.dot(dout, W.T, dx)
    blas.dot(x.T, dout, dW)
    sum_runs_2d(dout, dout.shape[0], 0, db[np.newaxis])
