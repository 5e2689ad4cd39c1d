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


# float32: below 0.4 the series to x^13 (next term 4e-9 relative, 0.06 ulp).
_F_CUT = np.float32(0.4)
_F_C = tuple(np.float32(c) for c in _series(6))
_F_C3, _F_C5, _F_C7, _F_C9, _F_C11, _F_C13 = _F_C
_F_ONE = np.float32(1.0)
_F_M2 = np.float32(-2.0)
_F_ZERO = np.float32(0.0)

# float64: below 0.25 the series to x^21 (next term 2e-18 relative, 0.02 ulp).
_D_CUT = np.float64(0.25)
_D_C = tuple(np.float64(c) for c in _series(10))
(_D_C3, _D_C5, _D_C7, _D_C9, _D_C11,
 _D_C13, _D_C15, _D_C17, _D_C19, _D_C21) = _D_C
_D_ONE = np.float64(1.0)
_D_M2 = np.float64(-2.0)
_D_ZERO = np.float64(0.0)


def _tanh_f32(x):
    a = -x if x < _F_ZERO else x  # NaN stays NaN
    u = a * a
    p = _F_C13 * u + _F_C11
    p = p * u + _F_C9
    p = p * u + _F_C7
    p = p * u + _F_C5
    p = p * u + _F_C3
    small = a + a * (u * p)
    e = exp_approx(_F_M2 * a)
    large = (_F_ONE - e) / (_F_ONE + e)
    r = small if a < _F_CUT else large
    return -r if x < _F_ZERO else r


def _tanh_f64(x):
    a = -x if x < _D_ZERO else x
    u = a * a
    p = _D_C21 * u + _D_C19
    p = p * u + _D_C17
    p = p * u + _D_C15
    p = p * u + _D_C13
    p = p * u + _D_C11
    p = p * u + _D_C9
    p = p * u + _D_C7
    p = p * u + _D_C5
    p = p * u + _D_C3
    small = a + a * (u * p)
    e = exp_approx(_D_M2 * a)
    large = (_D_ONE - e) / (_D_ONE + e)
    r = small if a < _D_CUT else large
    return -r if x < _D_ZERO else r


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
