"""Dropout's mask and product in one pass (the book's Dropout).

The book draws ``u = np.random.rand(*x.shape)``, keeps ``mask = u > ratio``
and returns ``x * mask``; the caller draws u the same way (same random
numbers), and this kernel does the compare and the product.  ``x * mask``
multiplies by 1 or 0 (not a select), so NaN and inf give what numpy gives.
"""

from numba import njit

from ._checks import check_no_overlap, check_same_dtype, check_shape
from ._config import HELPER, KERNEL

# u holds np.random.rand's float64 numbers whatever x's dtype: only x and the
# float outputs share one dtype.


@njit(**HELPER)
def _check_mask_operands(k, x, u, mask, out):
    """u, mask and out of x's shape; mask and out apart from the inputs and each other
    (the forward of Dropout and of TimeDropout; each checks its own dtypes)."""
    check_shape(k, "u", u, x.shape, "x's shape")
    check_shape(k, "mask", mask, x.shape, "x's shape")
    check_shape(k, "out", out, x.shape, "x's shape")
    check_no_overlap(k, "mask", mask, "x", x)
    check_no_overlap(k, "mask", mask, "u", u)
    check_no_overlap(k, "out", out, "x", x)
    check_no_overlap(k, "out", out, "u", u)
    check_no_overlap(k, "out", out, "mask", mask)


@njit(**KERNEL)
def dropout_forward(x, u, ratio, mask, out):
    """mask = u > ratio; out = x * mask.  IN: x, u (one shape, C-contiguous).  OUT: mask (bool), out (x's dtype)."""
    k = "dropout_forward"
    _check_mask_operands(k, x, u, mask, out)
    check_same_dtype(k, "out", out, "x", x)
    xf, uf, mf, of = x.reshape(-1), u.reshape(-1), mask.reshape(-1), out.reshape(-1)
    zero = of.dtype.type(0)
    one = of.dtype.type(1)
    for i in range(xf.size):
        keep = uf[i] > ratio
        mf[i] = keep
        of[i] = xf[i] * (one if keep else zero)


@njit(**KERNEL)
def dropout_backward(dout, mask, dx):
    """dx = dout * mask.  IN: dout, mask (one shape).  OUT: dx (dout's dtype)."""
    k = "dropout_backward"
    check_shape(k, "mask", mask, dout.shape, "dout's shape")
    check_shape(k, "dx", dx, dout.shape, "dout's shape")
    check_same_dtype(k, "dx", dx, "dout", dout)
    check_no_overlap(k, "dx", dx, "dout", dout)
    check_no_overlap(k, "dx", dx, "mask", mask)
    df, mf, xf = dout.reshape(-1), mask.reshape(-1), dx.reshape(-1)
    zero = xf.dtype.type(0)
    one = xf.dtype.type(1)
    for i in range(df.size):
        xf[i] = df[i] * (one if mf[i] else zero)
