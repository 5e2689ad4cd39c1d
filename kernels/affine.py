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
from ._checks import (
    check_apart,
    check_c_contiguous,
    check_float_array,
    check_no_overlap,
    check_same_dtype,
    check_shape,
    in_python,
)
from ._config import HELPER, KERNEL
from .matmul import _check_backward, _check_forward, _gemm_loop, is_small
from .repeat_sum import _sum_runs


@njit(**HELPER)
def _check_bias(kernel, name, b, W):
    """b (or db) (H,), W's columns, of W's dtype."""
    check_shape(kernel, name, b, (W.shape[1],), "one entry per column of W")
    check_same_dtype(kernel, name, b, "W", W)


@njit(**HELPER)
def _add_row(out, b):
    n, h = out.shape
    for i in range(n):
        for j in range(h):
            out[i, j] += b[j]


@njit(**KERNEL)
def add_row(out, b):
    """out[i, :] += b for every row i.  IN: b (H,).  IN/OUT: out (N, H)."""
    kernel = "add_row"
    check_shape(kernel, "b", b, (out.shape[1],), "one entry per column of out")
    check_same_dtype(kernel, "b", b, "out", out)
    check_no_overlap(kernel, "out", out, "b", b)
    _add_row(out, b)


@njit(**KERNEL)
def affine_forward_small(x, W, b, out):
    """out = x @ W + b in loops (see matmul.is_small).  OUT: out (N, H)."""
    kernel = "affine_forward_small"
    _check_forward(kernel, x, W, out)
    _check_bias(kernel, "b", b, W)
    check_no_overlap(kernel, "out", out, "b", b)
    _gemm_loop(x, W, out)
    _add_row(out, b)


@njit(**KERNEL)
def affine_backward_small(dout, x, W, dx, dW, db):
    """dx = dout @ W.T, dW = x.T @ dout, db = dout.sum(axis=0), in loops.  OUT: dx, dW, db."""
    kernel = "affine_backward_small"
    _check_backward(kernel, dout, x, W, dx, dW)
    _check_bias(kernel, "db", db, W)
    check_apart(kernel, ("dout", "x", "W", "dx", "dW", "db"), (dout, x, W, dx, dW, db), 3)
    _gemm_loop(dout, W.T, dx)
    _gemm_loop(x.T, dout, dW)
    n, h = dout.shape
    for j in range(h):
        db[j] = 0
    for i in range(n):
        for j in range(h):
            db[j] += dout[i, j]


def affine_forward(x, W, b, out):
    """out = x @ W + b, any size.  OUT: out (N, H).

    All operands of one dtype; out C-contiguous and not overlapping an input
    (the BLAS path and the loop path both assume it; checked first).
    """
    kernel = "affine_forward"
    for name, a, ndim in (("x", x, 2), ("W", W, 2), ("b", b, 1), ("out", out, 2)):
        check_float_array(kernel, name, a, ndim)
    in_python(_check_forward)(kernel, x, W, out)
    in_python(_check_bias)(kernel, "b", b, W)
    in_python(check_no_overlap)(kernel, "out", out, "b", b)
    if is_small(x.shape[0], x.shape[1], W.shape[1]):
        affine_forward_small(x, W, b, out)
        return
    check_c_contiguous(kernel, "out", out)
    blas._dot(x, W, out)
    _add_row(out, b)


def affine_backward(dout, x, W, dx, dW, db):
    """dx = dout @ W.T, dW = x.T @ dout, db = dout.sum(axis=0), any size.

    OUT: dx (N, D), dW (D, H), db (H,).  All of one dtype; dx and dW
    C-contiguous; no output overlapping an input (checked first).
    """
    kernel = "affine_backward"
    for name, a, ndim in (("dout", dout, 2), ("x", x, 2), ("W", W, 2), ("dx", dx, 2), ("dW", dW, 2), ("db", db, 1)):
        check_float_array(kernel, name, a, ndim)
    in_python(_check_backward)(kernel, dout, x, W, dx, dW)
    in_python(_check_bias)(kernel, "db", db, W)
    in_python(check_apart)(kernel, ("dout", "x", "W", "dx", "dW", "db"), (dout, x, W, dx, dW, db), 3)
    if is_small(x.shape[0], x.shape[1], W.shape[1]):
        affine_backward_small(dout, x, W, dx, dW, db)
        return
    check_c_contiguous(kernel, "dx", dx)
    check_c_contiguous(kernel, "dW", dW)
    blas._dot(dout, W.T, dx)
    blas._dot(x.T, dout, dW)
    _sum_runs(dout, dout.shape[0], 0, db[np.newaxis])
