"""Accuracy (in ulps), special values, dtype and vectorisation of exp_approx.

float32 reference: exp computed in float64 and rounded once to float32, i.e.
the correctly rounded result (NumPy's own SIMD float32 exp is itself up to
~3 ulp away from it, so it is not used as the oracle).  float64 reference:
``np.exp``.  Distances are counted in representable values between the two
results, subnormals included, so gradual underflow is checked too.
"""

import math
import re

import numba
import numpy as np
import pytest
from fastnn.kernels._config import FASTMATH
from fastnn.kernels.fast_exp import exp_approx, exp_into
from numba import njit, prange

JIT = not numba.config.DISABLE_JIT
MAX_ULP_F32 = 1
MAX_ULP_F64 = 1


@njit
def _ordered(bits):
    """Map float bits (as int64) to integers in the order of the floats."""
    return bits if bits >= 0 else -(bits & 0x7FFFFFFFFFFFFFFF)


@njit
def _ordered32(bits):
    b = np.int64(bits)
    return b if b >= 0 else -(b & 0x7FFFFFFF)


@njit(parallel=True)
def _sweep_f32(first, last, stride, sign, nchunks):
    """Max ulp error of exp_approx over float32 bit patterns first..last
    (every ``stride``-th), negated when ``sign`` < 0.  # OUT: (max ulp, x)."""
    worst = np.zeros(nchunks, np.int64)
    where = np.zeros(nchunks, np.float32)
    count = (last - first) // stride + 1
    per = (count + nchunks - 1) // nchunks
    for c in prange(nchunks):
        for j in range(c * per, min(count, (c + 1) * per)):
            x = np.int32(first + j * stride).view(np.float32)
            if sign < 0:
                x = -x
            ours = exp_approx(x)
            ref = np.float32(math.exp(np.float64(x)))
            d = abs(_ordered32(np.float32(ours).view(np.int32))
                    - _ordered32(np.float32(ref).view(np.int32)))
            if d > worst[c]:
                worst[c] = d
                where[c] = x
    c = np.argmax(worst)
    return worst[c], where[c]


@njit
def _max_ulp_f64(a, b):
    worst = 0
    at = 0
    for i in range(a.shape[0]):
        d = abs(_ordered(np.float64(a[i]).view(np.int64))
                - _ordered(np.float64(b[i]).view(np.int64)))
        if d > worst:
            worst = d
            at = i
    return worst, at


def _f32_bits(v):
    return int(np.float32(v).view(np.int32))


@pytest.mark.skipif(not JIT, reason="a sweep of ~10^8 points needs the JIT")
@pytest.mark.parametrize("sign, top", [(1, 89.0), (-1, 104.0)])
def test_float32_ulp_sweep(sign, top):
    # Every 11th float32 from +0 to +-top (the whole domain where the result
    # is neither inf nor 0), ~1e8 points, subnormal results included.
    worst, x = _sweep_f32(0, _f32_bits(top), 11, sign, 64)
    assert worst <= MAX_ULP_F32, f"{worst} ulp at x={x!r}"


@pytest.mark.skipif(not JIT, reason="the sweep needs the JIT")
def test_float32_ulp_near_results_of_interest():
    # Every float32 where the reduction switches k (|r| near ln2/2), where the
    # result turns subnormal, and near the overflow threshold.
    for lo, hi in [(0.34, 0.35), (-0.35, -0.34), (1.03, 1.05),
                   (-88.0, -87.0), (-104.0, -103.0), (88.0, 89.0)]:
        sign = 1 if lo >= 0 else -1
        a, b = sorted((_f32_bits(abs(lo)), _f32_bits(abs(hi))))
        worst, x = _sweep_f32(a, b, 1, sign, 8)
        assert worst <= MAX_ULP_F32, f"{worst} ulp at x={x!r}"


def _f64_points():
    rng = np.random.default_rng(20240611)
    yield np.linspace(-746.0, 710.0, 8_000_001)
    yield rng.uniform(-746.0, 710.0, 4_000_000)
    yield rng.uniform(-1.0, 1.0, 2_000_000)
    yield rng.uniform(-745.2, -708.0, 2_000_000)  # subnormal results
    yield rng.uniform(700.0, 709.8, 1_000_000)  # near overflow
    # tiny |x| and values a few ulps either side of the k switch points
    yield np.concatenate([
        np.ldexp(rng.uniform(-1, 1, 500_000), rng.integers(-1074, -1, 500_000)),
        np.nextafter(np.log(2) / 2 * np.arange(-2150, 2050), np.inf),
        np.nextafter(np.log(2) / 2 * np.arange(-2150, 2050), -np.inf),
    ])


@pytest.mark.skipif(not JIT, reason="~1.8e7 points need the JIT")
def test_float64_ulp():
    for x in _f64_points():
        ours = np.empty_like(x)
        exp_into(x, ours)
        with np.errstate(over="ignore", under="ignore"):
            ref = np.exp(x)
        worst, at = _max_ulp_f64(ours, ref)
        assert worst <= MAX_ULP_F64, f"{worst} ulp at x={x[at]!r}"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_small_sample_matches_np_exp(dtype):
    # Runs under NUMBA_DISABLE_JIT=1 too, so coverage sees the Python path.
    x = np.linspace(-20, 20, 2001).astype(dtype)
    ours = np.array([exp_approx(v) for v in x], dtype=dtype)
    ref = np.exp(x.astype(np.float64)).astype(dtype)
    np.testing.assert_array_max_ulp(ours, ref, maxulp=1, dtype=dtype)


# Inputs where exp is 0, inf, exactly 1, or turns subnormal.  The expected
# value is exp in float64 (or in long double for float64 inputs), rounded once.
SPECIALS = [-np.inf, np.inf, 0.0, -0.0, 1e30, -1e30, 89.0, 88.73, 88.72,
            -103.28, -103.97, -104.0, -87.34, 709.78, 710.0, -708.4,
            -745.1, -745.2, -746.0, 3.4028235e38, -3.4028235e38]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x", SPECIALS)
def test_special_values(dtype, x):
    x = dtype(x)
    # errstate: under NUMBA_DISABLE_JIT NumPy warns on the overflow to inf.
    with np.errstate(over="ignore", under="ignore"):
        got = exp_approx(x)
        want = dtype(np.exp(np.longdouble(x)))
    if want == 0.0 or np.isinf(want):
        assert got == want
    else:
        np.testing.assert_array_max_ulp(dtype(got), want, maxulp=1, dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nan(dtype):
    assert np.isnan(exp_approx(dtype(np.nan)))
    x = np.array([np.nan, 1.0, -np.nan], dtype)
    out = np.zeros_like(x)
    exp_into(x, out)
    assert np.isnan(out[0]) and np.isnan(out[2])
    np.testing.assert_array_max_ulp(out[1], dtype(np.e), maxulp=1, dtype=dtype)


@njit
def _exp_typeof(x):
    y = exp_approx(x)
    return y, y * y  # y * y stays float32 only if y is float32


@pytest.mark.skipif(not JIT, reason="types are Numba's")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_preserved(dtype):
    exp_approx(dtype(0.5))
    ret = [s.return_type for s in exp_approx.nopython_signatures
           if s.args == (numba.from_dtype(dtype),)]
    assert ret == [numba.from_dtype(dtype)], exp_approx.nopython_signatures
    _exp_typeof(dtype(0.5))
    (s,) = [s for s in _exp_typeof.nopython_signatures
            if s.args == (numba.from_dtype(dtype),)]
    assert s.return_type == numba.types.UniTuple(numba.from_dtype(dtype), 2)
    x = np.linspace(-3, 3, 64).astype(dtype)
    out = np.empty_like(x)
    exp_into(x, out)
    assert out.dtype == dtype
    assert np.all(out > 0)


@pytest.mark.skipif(not JIT, reason="the type check is Numba's")
def test_rejects_integer_input():
    with pytest.raises(numba.core.errors.TypingError, match="float32 or float64"):
        exp_approx(3)


# ---------------------------------------------------------------- vectorising

def _has_avx2():
    try:
        import llvmlite.binding as llvm

        return bool(llvm.get_host_cpu_features().get("avx2", False))
    except Exception:  # pragma: no cover - old llvmlite
        try:
            with open("/proc/cpuinfo") as f:
                return " avx2" in f.read()
        except OSError:
            return False


needs_simd = pytest.mark.skipif(
    not JIT or not _has_avx2(), reason="needs the JIT and an AVX2 CPU")

# A packed FMA/mul/add on a 256- or 512-bit register, AT&T or Intel syntax:
# e.g. "vfmadd213ps %ymm1, %ymm2, %ymm3" or "vmulpd zmm0, zmm1, zmm2".
_PACKED = r"\bv(?:fn?m(?:add|sub)\d*|mul|add)p{s}\s+[^\n]*\b%?[yz]mm\d"

_FM = set(FASTMATH)


@njit(fastmath=_FM, parallel=True)
def _sigmoid_prange(x, out):
    one = x.dtype.type(1)
    for i in prange(x.shape[0]):
        out[i] = one / (one + exp_approx(-x[i]))


@njit(fastmath=_FM, error_model="numpy")
def _sigmoid_serial(x, out):
    one = x.dtype.type(1)
    for i in range(x.shape[0]):
        out[i] = one / (one + exp_approx(-x[i]))


# exp_into itself is cached, and Numba does not show the code of cached
# functions, so its body is compiled once more here, uncached.
_exp_into_uncached = njit(fastmath=_FM, error_model="numpy")(
    getattr(exp_into, "py_func", exp_into))


@needs_simd
@pytest.mark.parametrize("kernel", [_sigmoid_prange, _sigmoid_serial,
                                    _exp_into_uncached])
@pytest.mark.parametrize("dtype, suffix, lanes", [(np.float32, "s", 8),
                                                  (np.float64, "d", 4)])
def test_loop_vectorises(kernel, dtype, suffix, lanes):
    x = np.linspace(-5, 5, 1000).astype(dtype)
    out = np.empty_like(x)
    kernel(x, out)
    np.testing.assert_allclose(
        out, np.exp(x) if kernel is _exp_into_uncached else 1 / (1 + np.exp(-x)),
        rtol=4 * np.finfo(dtype).eps)
    (sig,) = [s for s in kernel.signatures if s[0].dtype == numba.from_dtype(dtype)]
    asm = kernel.inspect_asm(sig)
    packed = re.findall(_PACKED.format(s=suffix), asm)
    # The polynomial alone is 5 (float32) or 10 (float64) FMAs per element.
    assert len(packed) >= 5, f"no packed SIMD arithmetic in {kernel.__name__}"
    ctype = "float" if dtype == np.float32 else "double"
    widths = {int(n) for n in re.findall(r"<(\d+) x %s>" % ctype,
                                         kernel.inspect_llvm(sig))}
    assert widths and max(widths) >= lanes, widths
