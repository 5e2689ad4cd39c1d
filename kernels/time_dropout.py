"""The book's TimeDropout (inverted dropout): mask and product in one pass.

The caller draws ``u = np.random.rand(*x.shape)`` exactly as the book does (so
a seeded run keeps the book's random numbers); the kernel forms the book's
float mask, ``scale`` where u > ratio and 0 elsewhere (scale = 1 / (1 - ratio)
in x's dtype, as the book's float32 mask holds it), and multiplies.
"""

from numba import njit

from ._checks import check_no_overlap, check_same_dtype, check_shape
from ._config import KERNEL


@njit(**KERNEL)
def time_dropout_forward(x, u, ratio, scale, mask, out):
    """mask = (u > ratio) * scale; out = x * mask.  IN: x, u (one shape).  OUT: mask, out (x's dtype)."""
    k = "time_dropout_forward"
    check_shape(k, "u", u, x.shape, "x's shape")
    check_shape(k, "mask", mask, x.shape, "x's shape")
    check_shape(k, "out", out, x.shape, "x's shape")
    check_same_dtype(k, "mask", mask, "x", x)  # u may be float64 (np.random.rand) whatever x is
    check_same_dtype(k, "out", out, "x", x)
    check_no_overlap(k, "mask", mask, "x", x)
    check_no_overlap(k, "mask", mask, "u", u)
    check_no_overlap(k, "out", out, "x", x)
    check_no_overlap(k, "out", out, "u", u)
    check_no_overlap(k, "out", out, "mask", mask)
    xf, uf, mf, of = x.reshape(-1), u.reshape(-1), mask.reshape(-1), out.reshape(-1)
    s = of.dtype.type(scale)
    zero = of.dtype.type(0)
    for i in range(xf.size):
        m = s if uf[i] > ratio else zero
        mf[i] = m
        of[i] = xf[i] * m
