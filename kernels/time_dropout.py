"""The book's TimeDropout (inverted dropout): mask and product in one pass.

The caller draws ``u = np.random.rand(*x.shape)`` exactly as the book does (so
a seeded run keeps the book's random numbers); the kernel forms the book's
float mask, ``scale`` where u > ratio and 0 elsewhere (scale = 1 / (1 - ratio)
in x's dtype, as the book's float32 mask holds it), and multiplies.
"""

from numba import njit

from ._checks import check_same_dtype
from ._config import KERNEL
from .dropout import _check_mask_operands


@njit(**KERNEL)
def time_dropout_forward(x, u, ratio, scale, mask, out):
    """mask = (u > ratio) * scale; out = x * mask.  IN: x, u (one shape).  OUT: mask, out (x's dtype)."""
    k = "time_dropout_forward"
    _check_mask_operands(k, x, u, mask, out)
    check_same_dtype(k, "mask", mask, "x", x)  # u may be float64 (np.random.rand) whatever x is
    check_same_dtype(k, "out", out, "x", x)
    xf, uf, mf, of = x.reshape(-1), u.reshape(-1), mask.reshape(-1), out.reshape(-1)
    s = of.dtype.type(scale)
    zero = of.dtype.type(0)
    for i in range(xf.size):
        m = s if uf[i] > ratio else zero
        mf[i] = m
        of[i] = xf[i] * m
