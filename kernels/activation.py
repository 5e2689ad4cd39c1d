"""Sigmoid forward and backward, elementwise over arrays of any shape.

The arrays are C-contiguous (the layer makes sure), so each kernel runs one flat
loop, which LLVM vectorises: ``exp_approx`` is plain arithmetic, unlike libm's
exp.  ``1 / (1 + exp(-x))`` is already stable here: for x -> -inf, exp(-x)
becomes inf and the quotient 0, with no warning and no NaN.
"""

from numba import njit, prange

from ._config import BLOCK_ELEMENTS, KERNEL, PARALLEL
from .fast_exp import exp_approx


@njit(**KERNEL)
def sigmoid_forward(x, out):
    """out = 1 / (1 + exp(-x)).  IN: x.  OUT: out, same shape as x."""
    xf = x.reshape(-1)
    of = out.reshape(-1)
    one = of.dtype.type(1)
    for i in range(xf.size):
        of[i] = one / (one + exp_approx(-xf[i]))


@njit(**KERNEL)
def sigmoid_backward(dout, y, dx):
    """dx = dout * (1 - y) * y, y being the forward output.  OUT: dx."""
    df = dout.reshape(-1)
    yf = y.reshape(-1)
    dxf = dx.reshape(-1)
    one = dxf.dtype.type(1)
    for i in range(dxf.size):
        dxf[i] = df[i] * (one - yf[i]) * yf[i]


@njit(**PARALLEL)
def sigmoid_forward_parallel(x, out):
    """sigmoid_forward over blocks of the flat arrays, the blocks in parallel."""
    xf = x.reshape(-1)
    of = out.reshape(-1)
    for block in prange((xf.size + BLOCK_ELEMENTS - 1) // BLOCK_ELEMENTS):
        lo = block * BLOCK_ELEMENTS
        hi = min(lo + BLOCK_ELEMENTS, xf.size)
        sigmoid_forward(xf[lo:hi], of[lo:hi])


@njit(**PARALLEL)
def sigmoid_backward_parallel(dout, y, dx):
    """sigmoid_backward over blocks of the flat arrays, the blocks in parallel."""
    df = dout.reshape(-1)
    yf = y.reshape(-1)
    dxf = dx.reshape(-1)
    for block in prange((dxf.size + BLOCK_ELEMENTS - 1) // BLOCK_ELEMENTS):
        lo = block * BLOCK_ELEMENTS
        hi = min(lo + BLOCK_ELEMENTS, dxf.size)
        sigmoid_backward(df[lo:hi], yf[lo:hi], dxf[lo:hi])
