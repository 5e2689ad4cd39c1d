"""What the kernel tests share: the layouts inputs are given in, and the check
that a kernel wrote every element of the very output array it was passed
(outputs are filled with NaN first: a kernel returns nothing, so the result
can only be in the array that was passed)."""

import numpy as np

# (N, D, H): products for the loop path with few output columns (four rows
# at a time, and a remainder row) and with many (outer products), and one
# large enough for BLAS.
GEMM_SHAPES = [(5, 4, 3), (7, 3, 9), (64, 48, 40)]
GEMM_IDS = ["loop-narrow", "loop-wide", "blas"]
ANY_LAYOUT = ["C", "F", "strided", "readonly"]
FLAT_LAYOUT = ["C", "readonly"]

def nan_out(shape, dtype):
    return np.full(shape, np.nan, dtype)


def check_written(out, before_id, expected, dtype, assert_close):
    """`out` is the very array passed (same object) and holds the expected values."""
    assert id(out) == before_id
    assert not np.isnan(out).any(), "the kernel left elements of its output unwritten"
    assert_close(out, np.asarray(expected, dtype), dtype)
