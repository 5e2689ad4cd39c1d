"""A ``tanh`` that LLVM can vectorise, for float32 and float64.

Numba's ``np.tanh`` is one libm call per element, which keeps a loop scalar.
``tanh_approx`` is arithmetic, ``exp_approx`` and selects only:

    |x| <  CUT:  tanh(x) = x + x*u*P(u),  u = x*x   (Taylor series, truncated
                 where the next term is below a tenth of an ulp)
    |x| >= CUT:  tanh(|x|) = (1 - e) / (1 + e),  e = exp(-2|x|)

The series avoids the cancellation of ``1 - e`` near 0, where the quotient
would lose all relative accuracy; from CUT on, ``1 - e`` keeps its digits.
Both branches are computed and one is selected, so the loop has no jump.
Accuracy (tests/test_fast_tanh.py, against tanh in float64 rounded once):
a few ulp at most in both dtypes; tanh(+-inf) = +-1, tanh(nan) = nan.
The coefficients are the series' exact ones (from Bernoulli numbers).
"""

from fractions import Fraction
from math import comb, factorial

import numpy as np
from numba import njit

from ._by_dtype import by_dtype
from ._checks import check_no_overlap, check_same_dtype, check_shape
from ._config import KERNEL
from .fast_exp import EXP_FASTMATH, exp_approx


def _series(n_terms):
    """tanh's Taylor coefficients of x^3, x^5, ... (the x^1 term is 1), exact."""
    bern = [Fraction(1)]
    for m in range(1, 2 * n_terms + 3):
        bern.append(-sum(comb(m + 1, k) * bern[k] for k in range(m)) / (m + 1))
    return [float(Fraction(4 ** n * (4 ** n - 1)) * bern[2 * n] / factorial(2 * n))
            for n in range(2, n_terms + 2)]


def _tanh_body(F, cut, n_terms):
    """tanh_approx's scalar body for the float type F: the series' first n_terms
    coefficients below ``cut``.  A factory like fast_exp._exp_body; its result
    is an overload's implementation, compiled into the cached tanh_approx."""
    cut, one, m2, zero = F(cut), F(1.0), F(-2.0), F(0.0)
    c = tuple(F(c) for c in _series(n_terms))

    def body(x):
        a = -x if x < zero else x  # NaN stays NaN
        u = a * a
        p = c[-1]  # Horner, as in fast_exp
        for j in range(len(c) - 2, -1, -1):
            p = p * u + c[j]
        small = a + a * (u * p)
        e = exp_approx(m2 * a)
        large = (one - e) / (one + e)
        r = small if a < cut else large
        return -r if x < zero else r

    return body


# float32: below 0.4 the series to x^13 (next term 4e-9 relative, 0.06 ulp).
_tanh_f32 = _tanh_body(np.float32, 0.4, 6)
# float64: below 0.25 the series to x^21 (next term 2e-18 relative, 0.02 ulp).
_tanh_f64 = _tanh_body(np.float64, 0.25, 10)

_tanh_typed = by_dtype("tanh_approx", _tanh_f32, _tanh_f64, EXP_FASTMATH)


@njit(fastmath=EXP_FASTMATH, cache=True)
def tanh_approx(x):
    """tanh(x) for a float32 or float64 scalar, in the same dtype, without libm."""
    return _tanh_typed(x)


@njit(**KERNEL)
def tanh_into(x, out):
    """out[i] = tanh_approx(x[i]) for 1-D arrays of one dtype.  IN: x.  OUT: out."""
    check_shape("tanh_into", "out", out, x.shape, "x's shape")
    check_same_dtype("tanh_into", "out", out, "x", x)
    check_no_overlap("tanh_into", "out", out, "x", x)
    for i in range(x.shape[0]):
        out[i] = tanh_approx(x[i])
