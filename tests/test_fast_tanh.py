"""Accuracy (in ulps) and special values of tanh_approx, against tanh in float64
(rounded once to float32 for the float32 case)."""

import numba
import numpy as np
import pytest
from fastnn.kernels.fast_tanh import tanh_approx, tanh_into

# Without the JIT (the coverage run) every element is a Python call: a sample of the points.
STRIDE = 1 if not numba.config.DISABLE_JIT else 50
MAX_ULP = {np.dtype(np.float32): 2, np.dtype(np.float64): 3}  # measured: 2 and 3


def _ulps(a, b):
    """Distance in representable values between same-dtype arrays of finite floats."""
    it = np.int32 if a.dtype == np.float32 else np.int64
    def ordered(x):
        i = x.view(it).astype(np.int64)
        return np.where(i < 0, -(i & np.iinfo(it).max), i)
    return np.abs(ordered(a) - ordered(b))


def test_tanh_within_a_few_ulp(dtype):
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-1, 1, 200_000), rng.uniform(-12, 12, 100_000),
                        np.geomspace(1e-30, 30, 100_000), np.linspace(0.2, 0.6, 100_000)])
    x = np.concatenate([x, -x]).astype(dtype)[::STRIDE]
    out = np.empty_like(x)
    tanh_into(x, out)
    expected = np.tanh(x.astype(np.float64)).astype(dtype)
    assert _ulps(out, expected).max() <= MAX_ULP[np.dtype(dtype)]


@pytest.mark.parametrize("x, expected", [(np.inf, 1.0), (-np.inf, -1.0), (0.0, 0.0), (30.0, 1.0), (-1e-30, -1e-30)])
def test_tanh_special_values(x, expected, dtype):
    scalar = np.dtype(dtype).type
    assert tanh_approx(scalar(x)) == scalar(expected)
    assert np.isnan(tanh_approx(scalar(np.nan)))
    out = np.empty(1, dtype)
    tanh_into(np.array([x], dtype), out)
    assert out[0] == scalar(expected)


def test_tanh_into_rejects_an_output_of_another_length():
    with pytest.raises(ValueError, match=r"tanh_into: out has shape \(3,\); expected \(4,\)"):
        tanh_into(np.zeros(4), np.zeros(3))
