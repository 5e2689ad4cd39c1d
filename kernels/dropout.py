"""Dropout's mask and product in one pass (the book's Dropout).

The book draws ``u = np.random.rand(*x.shape)``, keeps ``mask = u > ratio``
and returns ``x * mask``; the caller draws u the same way (same random
numbers), and this kernel does the compare and the product.  ``x * mask``
multiplies by 1 or 0 (not a select), so NaN and inf give what numpy gives.
"""

from numba import njit

from ._config import KERNEL


@njit(**KERNEL)
def dropout_forward(x, u, ratio, mask, out):
    """mask = u > ratio; out = x * mask.  IN: x, u (same size, C-contiguous).  OUT: mask (bool), out."""
    xf, uf, mf, of = x.reshape(-1), u.reshape(-1), mask.reshape(-1), out.reshape(-1)
    if uf.size != xf.size or mf.size != xf.size or of.size != xf.size:
        raise ValueError("dropout_forward: x, u, mask and out must have the same size")
    zero = of.dtype.type(0)
    one = of.dtype.type(1)
    for i in range(xf.size):
        keep = uf[i] > ratio
        mf[i] = keep
        of[i] = xf[i] * (one if keep else zero)


@njit(**KERNEL)
def dropout_backward(dout, mask, dx):
    """dx = dout * mask.  IN: dout, mask (same size).  OUT: dx."""
    df, mf, xf = dout.reshape(-1), mask.reshape(-1), dx.reshape(-1)
    if mf.size != df.size or xf.size != df.size:
        raise ValueError("dropout_backward: dout, mask and dx must have the same size")
    zero = xf.dtype.type(0)
    one = xf.dtype.type(1)
    for i in range(df.size):
        xf[i] = df[i] * (one if mf[i] else zero)
