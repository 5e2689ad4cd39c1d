"""Shared fixtures: dtypes, memory layouts, seeded generators and tolerances.

Every comparison with tests/reference.py goes through ``assert_close``, whose
tolerances are relative to the scale of the expected values: about 1e-5 for
float32 and 1e-12 for float64, tight enough that a wrong formula, a dropped
term or a silently widened or narrowed dtype fails.
"""

import numpy as np
import pytest

DTYPES = [np.float32, np.float64]
LAYOUTS = ["C", "F", "strided", "readonly"]

# Relative tolerance per dtype, applied against max(|expected|) as well.
RTOL = {np.dtype(np.float32): 2e-5, np.dtype(np.float64): 1e-12}


def make_layout(a, layout):
    """An array equal to ``a`` (same dtype and shape) in the given memory layout.

    "C": a C-contiguous copy; "F": a Fortran-ordered copy (for 2-D arrays, not
    C-contiguous); "strided": a view taking every second element of a larger
    buffer along every axis (neither C- nor F-contiguous); "readonly": a
    C-contiguous copy whose writeable flag is off.
    """
    a = np.asarray(a)
    if layout == "C":
        out = np.array(a, order="C", copy=True)
    elif layout == "F":
        out = np.array(a, order="F", copy=True)
    elif layout == "strided":
        big = np.full(tuple(2 * n for n in a.shape), np.nan if a.dtype.kind == "f" else 0, a.dtype)
        out = big[tuple(slice(None, None, 2) for _ in a.shape)]
        out[...] = a
        if a.size > 1:
            assert not out.flags.c_contiguous and not out.flags.f_contiguous
    elif layout == "readonly":
        out = np.array(a, order="C", copy=True)
        out.setflags(write=False)
    else:
        raise ValueError(f"unknown layout {layout!r}")
    assert out.dtype == a.dtype and out.shape == a.shape
    assert np.array_equal(out, a)
    return out


def assert_close(actual, expected, dtype=None, scale=None, rtol=None):
    """``actual`` equals ``expected`` to the rounding of ``dtype``, dtype and shape included.

    dtype defaults to expected's.  Errors are measured against
    max(|expected|) (or ``scale``), so entries near zero that come out of
    cancellation are judged by the size of the terms, not by themselves.
    """
    expected = np.asarray(expected)
    dtype = np.dtype(expected.dtype if dtype is None else dtype)
    actual_dtype = getattr(actual, "dtype", None)
    assert actual_dtype == dtype, f"dtype {actual_dtype}, expected {dtype}"
    assert np.shape(actual) == expected.shape, f"shape {np.shape(actual)}, expected {expected.shape}"
    rtol = RTOL[dtype] if rtol is None else rtol
    if scale is None:
        scale = float(np.max(np.abs(expected))) if expected.size else 1.0
    np.testing.assert_allclose(
        np.asarray(actual, np.float64), np.asarray(expected, np.float64), rtol=rtol, atol=rtol * max(scale, 1e-30)
    )


@pytest.fixture(params=DTYPES, ids=["float32", "float64"])
def dtype(request):
    return np.dtype(request.param)


@pytest.fixture(params=LAYOUTS)
def layout(request):
    return request.param


@pytest.fixture
def rng():
    return np.random.default_rng(0)


# The helpers as fixtures, so test modules need not import conftest by name
# (another folder's conftest.py, e.g. benchmarks/, may own that module name).

@pytest.fixture(name="make_layout")
def _make_layout_fixture():
    return make_layout


@pytest.fixture(name="assert_close")
def _assert_close_fixture():
    return assert_close
