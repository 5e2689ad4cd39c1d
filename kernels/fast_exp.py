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


def _exp_body(F, I, ln2_hi, ln2_lo, lo, hi, q):
    """exp_approx's scalar body for the float type F, I the int type of its width.

    Every operand is F or I, so a vector of float32 stays 8 (AVX2) or 16
    (AVX-512) lanes wide.  A factory, not a body taking its constants, because
    Numba compiles ``.view`` only on a value made by a NumPy type named as a
    global or free variable.  The result is an overload's implementation,
    compiled into the cached exp_approx, never a cached function of its own.
    """
    mant = np.finfo(F).nmant
    bias = I(np.finfo(F).maxexp - 1)
    shift = F(1.5 * 2.0 ** mant)  # round(x/ln2) lands in the low mantissa bits
    shift_bits = shift.view(I)
    log2e, one = F(1.4426950408889634), F(1.0)
    ln2_hi, ln2_lo, lo, hi, mant = F(ln2_hi), F(ln2_lo), F(lo), F(hi), I(mant)
    q = tuple(F(c) for c in q)

    def body(x):
        # Clamp with the comparison written so that NaN falls through unchanged.
        x = hi if x > hi else x
        x = lo if x < lo else x
        t = x * log2e + shift
        k = I(F(t).view(I) - shift_bits)
        kf = t - shift
        r = x - kf * ln2_hi
        r = r - kf * ln2_lo
        # Horner, innermost first: the multiply-adds of the steps written out, in
        # their order; the length is a constant, so LLVM unrolls the loop.
        p = q[-1]
        for j in range(len(q) - 2, -1, -1):
            p = p * r + q[j]
        p = one + (r + (r * r) * p)
        k1 = I(k >> I(1))
        k2 = I(k - k1)
        s1 = I((k1 + bias) << mant).view(F)
        s2 = I((k2 + bias) << mant).view(F)
        return (p * s1) * s2

    return body


# float32: LN2_HI has 15 significant bits, so k*LN2_HI is exact for |k| <= 255.
# Inputs are clamped to [-104, 89]: exp(-104) rounds to 0 and exp(89)
# overflows to inf, so the clamp never changes a finite result.
_exp_f32 = _exp_body(np.float32, np.int32, 0.693145751953125, 1.4286068203094173e-06, -104.0, 89.0, _F32_Q)

# float64: LN2_HI has 41 significant bits: k*LN2_HI is exact for |k| <= 2047.
# exp(-746) rounds to 0 and exp(710) overflows.
_exp_f64 = _exp_body(np.float64, np.int64, 0.693147180559662956511601805687, 2.8235290563031577122588448175e-13,
                     -746.0, 710.0, _F64_Q)


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
