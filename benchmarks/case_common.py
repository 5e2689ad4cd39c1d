"""What every benchmark case shares (benchmarks/cases.py lists the cases): the
sizes and dtypes each group runs at, the tolerance the two members' first
outputs are compared to, the ``Pair`` record a builder returns, and the seeded
draws of its inputs.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Size:
    batch: int
    d_in: int
    hidden: int
    d_out: int  # the net's output width (training step only)


SIZES = {
    "tiny": Size(batch=30, d_in=2, hidden=10, d_out=3),
    "medium": Size(batch=1000, d_in=100, hidden=100, d_out=10),
    "large": Size(batch=4096, d_in=1024, hidden=1024, d_out=10),
}
SIZE_NAMES = tuple(SIZES)
DTYPES = ("float32", "float64")

# Tolerance relative to the scale (largest magnitude) of the expected array:
# float64 results differ from numpy's by summation order and fused
# multiply-adds only; float32 has 2**-24 ~ 6e-8 of precision to start with.
RTOL = {"float32": 1e-5, "float64": 1e-12}


def assert_close(actual, expected, dtype, what):
    """actual equals expected to the dtype's tolerance, relative to expected's scale."""
    dtype = np.dtype(dtype)
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.dtype == dtype, f"{what}: fastnn gave dtype {actual.dtype}, expected {dtype}"
    assert actual.shape == expected.shape, f"{what}: fastnn gave shape {actual.shape}, expected {expected.shape}"
    rtol = RTOL[dtype.name]
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale, err_msg=what)


def assert_outputs_close(actual, expected, dtype, names):
    assert len(actual) == len(expected) == len(names)
    for a, e, name in zip(actual, expected, names):
        assert_close(a, e, dtype, name)


@dataclass
class Pair:
    """The two members of one group over the same inputs.

    ``numpy()`` and ``fastnn()`` each return a tuple of arrays named by
    ``names``; their first calls are compared before anything is timed.
    """

    shape: str
    numpy: object
    fastnn: object
    names: tuple


def _rng():
    return np.random.default_rng(0)


def _normal(rng, shape, dtype, scale=1.0):
    return (scale * rng.standard_normal(shape)).astype(dtype)


def _labels(rng, n, classes):
    return rng.integers(0, classes, size=n)
