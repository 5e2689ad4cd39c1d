"""An ``exp`` that LLVM can vectorise, for float32 and float64.

Numba has no SVML, so ``np.exp`` inside an ``@njit`` loop is one libm call per
element and the loop stays scalar, while NumPy's own ``exp`` is SIMD.
``exp_approx`` is built from plain arithmetic, integer ops and selects only,
so a loop that calls it vectorises like any other arithmetic loop:

    x = k*ln2 + r,  |r| <= ln2/2        (Cody-Waite: ln2 = LN2_HI + LN2_LO)
    exp(x) = 2**k * (1 + r + r*r*Q(r))  (Q: minimax, derived for this range)

``k`` is rounded with the 1.5*2**p "shifter" trick, and is read back from the
shifter's bits, so there is no float->int conversion that NaN would poison.
``2**k`` is two factors ``2**(k//2) * 2**(k - k//2)``, each built by writing
an exponent field and bit-casting (``int.view(float)``), so results down in
the subnormal range come out with a single rounding (gradual underflow, not
flush to zero) and ``k = 128`` / ``1024`` still overflow cleanly to inf.

The flags leave out ``reassoc`` (and, like FASTMATH, ``nnan``/``ninf``):
with ``reassoc`` LLVM may fold ``(t + S) - S`` to ``t`` and merge the two
Cody-Waite products into one, which breaks the rounding and the accuracy.
The functions are compiled with their own flags and then inlined by LLVM,
so a caller compiled with FASTMATH does not change them.
"""

import numpy as np
from numba import njit

from ._by_dtype import by_dtype
from ._checks import check_no_overlap, check_same_dtype, check_shape
from ._config import FASTMATH, KERNEL

# A copy of FASTMATH without reassoc (see above); a set, as Numba wants.
EXP_FASTMATH = set(FASTMATH) - {"reassoc"}

# Coefficients of Q(r) in exp(r) ~ 1 + r + r^2 Q(r) on [-ln2/2, ln2/2],
# minimising the relative error (Remez exchange in 60-digit arithmetic).
# float32: degree 6 overall, max relative error 3.1e-9 (0.05 ulp).
# float64: degree 11 overall, max relative error 3.6e-18 (0.03 ulp).
_F32_Q = (
    0.4999999345170843,
    0.16666520689833019,
    0.041668387361261146,
    0.008368709824171194,
    0.0013814613260779771,
)
_F64_Q = (
    0.5000000000000010616749371,
    0.1666666666666641277589341,
    0.04166666666653026599915008,
    0.008333333333494332990401668,
    0.001388888894359768963329134,
    0.0001984126950677966302353006,
    0.00002480149313619725306882728,
    0.000002755758626640848759143054,
    0.0000002763023391495863527749029,
    2.500007229215124366584336e-8,
)

# float32 constants.  LN2_HI has 15 significant bits, so k*LN2_HI is exact
# for |k| <= 255.  Inputs are clamped to [LO, HI]: exp(-104) rounds to 0 and
# exp(89) overflows to inf, so the clamp never changes a finite result.
_F_LOG2E = np.float32(1.4426950408889634)
_F_LN2_HI = np.float32(0.693145751953125)
_F_LN2_LO = np.float32(1.4286068203094173e-06)
_F_SHIFT = np.float32(12582912.0)  # 1.5 * 2**23
_F_SHIFT_BITS = np.int32(0x4B400000)
_F_LO = np.float32(-104.0)
_F_HI = np.float32(89.0)
_F_BIAS = np.int32(127)
_F_MANT = np.int32(23)
_F_ONE = np.float32(1.0)
_F_Q2, _F_Q3, _F_Q4, _F_Q5, _F_Q6 = (np.float32(c) for c in _F32_Q)

# float64 constants.  LN2_HI has 41 significant bits: k*LN2_HI is exact for
# |k| <= 2047.  exp(-746) rounds to 0 and exp(710) overflows.
_D_LOG2E = np.float64(1.4426950408889634)
_D_LN2_HI = np.float64(0.693147180559662956511601805687)
_D_LN2_LO = np.float64(2.8235290563031577122588448175e-13)
_D_SHIFT = np.float64(6755399441055744.0)  # 1.5 * 2**52
_D_SHIFT_BITS = np.int64(0x4338000000000000)
_D_LO = np.float64(-746.0)
_D_HI = np.float64(710.0)
_D_BIAS = np.int64(1023)
_D_MANT = np.int64(52)
_D_ONE = np.float64(1.0)
(_D_Q2, _D_Q3, _D_Q4, _D_Q5, _D_Q6,
 _D_Q7, _D_Q8, _D_Q9, _D_Q10, _D_Q11) = (np.float64(c) for c in _F64_Q)


def _exp_f32(x):
    """float32 body: every operand is float32 or int32, so a vector of
    float32 stays 8 (AVX2) or 16 (AVX-512) lanes wide."""
    # Clamp with the comparison written so that NaN falls through unchanged.
    x = _F_HI if x > _F_HI else x
    x = _F_LO if x < _F_LO else x
    t = x * _F_LOG2E + _F_SHIFT  # round(x/ln2) lands in the low mantissa bits
    k = np.int32(np.float32(t).view(np.int32) - _F_SHIFT_BITS)
    kf = t - _F_SHIFT
    r = x - kf * _F_LN2_HI
    r = r - kf * _F_LN2_LO
    q = _F_Q6 * r + _F_Q5
    q = q * r + _F_Q4
    q = q * r + _F_Q3
    q = q * r + _F_Q2
    p = _F_ONE + (r + (r * r) * q)
    k1 = np.int32(k >> np.int32(1))
    k2 = np.int32(k - k1)
    s1 = np.int32((k1 + _F_BIAS) << _F_MANT).view(np.float32)
    s2 = np.int32((k2 + _F_BIAS) << _F_MANT).view(np.float32)
    return (p * s1) * s2


def _exp_f64(x):
    """float64 body, same steps as ``_exp_f32`` with a degree-11 polynomial."""
    x = _D_HI if x > _D_HI else x
    x = _D_LO if x < _D_LO else x
    t = x * _D_LOG2E + _D_SHIFT
    k = np.int64(np.float64(t).view(np.int64) - _D_SHIFT_BITS)
    kf = t - _D_SHIFT
    r = x - kf * _D_LN2_HI
    r = r - kf * _D_LN2_LO
    q = _D_Q11 * r + _D_Q10
    q = q * r + _D_Q9
    q = q * r + _D_Q8
    q = q * r + _D_Q7
    q = q * r + _D_Q6
    q = q * r + _D_Q5
    q = q * r + _D_Q4
    q = q * r + _D_Q3
    q = q * r + _D_Q2
    p = _D_ONE + (r + (r * r) * q)
    k1 = k >> np.int64(1)
    k2 = k - k1
    s1 = np.int64((k1 + _D_BIAS) << _D_MANT).view(np.float64)
    s2 = np.int64((k2 + _D_BIAS) << _D_MANT).view(np.float64)
    return (p * s1) * s2


_exp_typed = by_dtype("exp_approx", _exp_f32, _exp_f64, EXP_FASTMATH)


@njit(fastmath=EXP_FASTMATH, cache=True)
def exp_approx(x):
    """exp(x) for a float32 or float64 scalar, in the same dtype, without
    libm, so loops that call it vectorise.

    Max error 1 ulp in both dtypes, measured by tests/test_fast_exp.py:
    float32 against the correctly rounded exp over every float32 in
    [-104, 89] (NumPy's own float32 exp is up to 3 ulp from ours there),
    float64 against ``np.exp``.  Results below the smallest normal underflow
    gradually to the correct subnormal; exp(-inf) = 0, exp(+inf) = inf,
    exp(nan) = nan, and x above log(max float) gives inf.
    """
    return _exp_typed(x)


@njit(**KERNEL)  # cache, FASTMATH, error_model="numpy"
def exp_into(x, out):
    """out[i] = exp_approx(x[i]) for 1-D arrays of one dtype.  # IN x, # OUT out

    Also the pattern for any serial loop that has to vectorise: a plain
    ``range`` over a 1-D array and ``error_model="numpy"``.  The default
    Python error model puts a ZeroDivisionError test (a branch out of the
    loop) on every ``/``, ``//`` and ``%``, and a loop with an exit in its body
    is never vectorised; ``prange`` loops always use the numpy model, which is
    why they vectorised when the serial ones did not.  Constants must have the
    array's dtype (``one = x.dtype.type(1)``): a bare ``1`` or ``1.0`` beside
    float32 widens the arithmetic to float64 and halves the SIMD width.
    """
    check_shape("exp_into", "out", out, x.shape, "x's shape")
    check_same_dtype("exp_into", "out", out, "x", x)
    check_no_overlap("exp_into", "out", out, "x", x)
    for i in range(x.shape[0]):
        out[i] = exp_approx(x[i])
