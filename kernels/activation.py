"""Sigmoid forward and backward, elementwise over arrays of any shape.

The arrays are C-contiguous (the layer makes sure), so each kernel runs one flat
loop, which LLVM vectorises: ``exp_approx`` is plain arithmetic, unlike libm's
exp.  ``1 / (1 + exp(-x))`` is already stable here: for x -> -inf, exp(-x)
becomes inf and the quotient 0, with no warning and no NaN.

Each public kernel checks its operands first (kernels/_checks.py); the
parallel twins check once, then run the unchecked bodies on their blocks.
Both twins are compiled with PAIRED flags (no reassoc, no contract: _config.py),
so that they give the same bits whether compiled in the process or loaded
from Numba's cache; that cost nothing measurable here (0.97-1.04x, 2026-11-29).
"""

from numba import njit, prange

from ._checks import check_no_overlap, check_same_dtype, check_shape
from ._config import BLOCK_ELEMENTS, HELPER, PAIRED, PAIRED_PARALLEL
from .fast_exp import exp_approx


@njit(**HELPER)
def _check_forward(kernel, x, out):
    check_shape(kernel, "out", out, x.shape, "x's shape")
    check_same_dtype(kernel, "out", out, "x", x)
    check_no_overlap(kernel, "out", out, "x", x)


@njit(**HELPER)
def _check_backward(kernel, dout, y, dx):
    check_shape(kernel, "dout", dout, y.shape, "y's shape")
    check_shape(kernel, "dx", dx, y.shape, "y's shape")
    check_same_dtype(kernel, "dout", dout, "y", y)
    check_same_dtype(kernel, "dx", dx, "y", y)
    check_no_overlap(kernel, "dx", dx, "dout", dout)
    check_no_overlap(kernel, "dx", dx, "y", y)


@njit(**HELPER)
def _forward(x, out):
    xf = x.reshape(-1)
    of = out.reshape(-1)
    one = of.dtype.type(1)
    for i in range(xf.size):
        of[i] = one / (one + exp_approx(-xf[i]))


@njit(**HELPER)
def _backward(dout, y, dx):
    df = dout.reshape(-1)
    yf = y.reshape(-1)
    dxf = dx.reshape(-1)
    one = dxf.dtype.type(1)
    for i in range(dxf.size):
        dxf[i] = df[i] * (one - yf[i]) * yf[i]


@njit(**PAIRED)
def sigmoid_forward(x, out):
    """out = 1 / (1 + exp(-x)).  IN: x.  OUT: out, same shape as x."""
    _check_forward("sigmoid_forward", x, out)
    _forward(x, out)


@njit(**PAIRED)
def sigmoid_backward(dout, y, dx):
    """dx = dout * (1 - y) * y, y being the forward output.  OUT: dx."""
    _check_backward("sigmoid_backward", dout, y, dx)
    _backward(dout, y, dx)


@njit(**PAIRED_PARALLEL)
def sigmoid_forward_parallel(x, out):
    """sigmoid_forward over blocks of the flat arrays, the blocks in parallel."""
    _check_forward("sigmoid_forward_parallel", x, out)
    xf = x.reshape(-1)
    of = out.reshape(-1)
    for block in prange((xf.size + BLOCK_ELEMENTS - 1) // BLOCK_ELEMENTS):
        lo = block * BLOCK_ELEMENTS
        hi = min(lo + BLOCK_ELEMENTS, xf.size)
        _forward(xf[lo:hi], of[lo:hi])


@njit(**PAIRED_PARALLEL)
def sigmoid_backward_parallel(dout, y, dx):
    """sigmoid_backward over blocks of the flat arrays, the blocks in parallel."""
    _check_backward("sigmoid_backward_parallel", dout, y, dx)
    df = dout.reshape(-1)
    yf = y.reshape(-1)
    dxf = dx.reshape(-1)
    for block in prange((dxf.size + BLOCK_ELEMENTS - 1) // BLOCK_ELEMENTS):
        lo = block * BLOCK_ELEMENTS
        hi = min(lo + BLOCK_ELEMENTS, dxf.size)
        _backward(df[lo:hi], yf[lo:hi], dxf[lo:hi])
