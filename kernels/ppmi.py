"""Positive pointwise mutual information of a co-occurrence matrix (the book's ppmi).

For a count matrix C (V, V), its total N and its column sums S (the book takes
column sums for both words, C being symmetric):

    out[i, j] = max(0, log2(C[i, j] * N / (S[j] * S[i]) + eps))     (float32)

computed in float64 and rounded to float32 once, as the book's loop stores a
float64 into its float32 matrix.  The products are exact integers in the
book's int64 arithmetic and correctly rounded doubles here: the same values
below 2**53, so the results are the book's bit for bit (libm's log2 on both
sides).  A NaN (an all-zero row or column makes 0 / 0) gives 0, as the book's
``max(0, nan)`` does.

The book's matrices are mostly zeros (98% for PTB's with window 2): a zero
count whose denominator is a nonzero number takes log2(eps) clipped at 0,
worked out once, with no log2 per element.  A row then costs about what
converting it to float32 costs (1 ns a cell, measured on a loaded machine).

Compiled without fast-math on purpose: ``arcp`` lets LLVM turn the division
into a multiplication by a reciprocal and ``contract`` fuses a multiply and an
add, either of which changes the last bit and so, now and then, the float32.
"""

import math

import numpy as np
from numba import njit, prange

from ._checks import BadArgument, check_c_contiguous, check_operands

EXACT = {"cache": True, "error_model": "numpy"}
EXACT_PARALLEL = {**EXACT, "parallel": True}

# Rows below this many elements (rows * V) run on one thread.
PARALLEL_MIN_ELEMENTS = 1 << 18

COUNT_DTYPES = (np.dtype(np.int32), np.dtype(np.int64), np.dtype(np.float32), np.dtype(np.float64))


@njit(**EXACT)
def _column_sums(counts, sums):
    """sums[j] = sum of counts[:, j], in int64 for integer counts, float64 for floats."""
    sums[:] = 0
    n, m = counts.shape
    for i in range(n):
        for j in range(m):
            sums[j] += counts[i, j]


# Column sums (and a row's sum) at least this large in magnitude multiply to a
# nonzero denominator: 1e-160 squared is 1e-320, above the smallest double.
SAFE_SUM = 1e-160


@njit(**EXACT)
def _pmi(c, total, den, eps):
    v = np.log2(np.float64(c) * total / den + eps)
    return v if v > 0.0 else 0.0


@njit(**EXACT)
def _ppmi_row(counts, col, total, eps, zero_value, shortcut, odd_cols, i, out):
    """Row i of the PPMI matrix; col holds the column sums as float64.

    With `shortcut` (a finite total) and a row sum that keeps every denominator
    nonzero, each cell first gets zero_value and only nonzero counts take the
    formula; the columns in odd_cols (sum 0, tiny or NaN) take it too.  This
    loop's body holds no log2 of its own for LLVM to speculate: a branch around
    the formula was 8x slower when LLVM computed log2 for every cell anyway.
    """
    si = col[i]
    crow = counts[i]
    orow = out[i]
    if shortcut and abs(si) >= SAFE_SUM:
        for j in range(crow.size):
            orow[j] = zero_value
            if crow[j] != 0:
                orow[j] = _pmi(crow[j], total, col[j] * si, eps)
        for k in range(odd_cols.size):
            j = odd_cols[k]
            orow[j] = _pmi(crow[j], total, col[j] * si, eps)
    else:
        for j in range(crow.size):
            orow[j] = _pmi(crow[j], total, col[j] * si, eps)


@njit(**EXACT)
def _ppmi_rows_serial(counts, col, total, eps, zero_value, shortcut, odd_cols, start, stop, out):
    for i in range(start, stop):
        _ppmi_row(counts, col, total, eps, zero_value, shortcut, odd_cols, i, out)


@njit(**EXACT_PARALLEL)
def _ppmi_rows_parallel(counts, col, total, eps, zero_value, shortcut, odd_cols, start, stop, out):
    # One thread per row: no element is written twice, the result is the serial one.
    for i in prange(start, stop):
        _ppmi_row(counts, col, total, eps, zero_value, shortcut, odd_cols, i, out)


def _check_counts(counts, where):
    if not isinstance(counts, np.ndarray) or counts.dtype not in COUNT_DTYPES:
        raise ValueError(
            f"{where}: counts must be an ndarray of int32, int64, float32 or float64; found "
            f"{type(counts).__name__} of dtype {getattr(counts, 'dtype', None)}"
        )
    if counts.ndim != 2:
        raise BadArgument(where, "counts", f"{counts.ndim}-D with shape {counts.shape}", "a square (V, V) matrix")
    return counts.shape[0]


def sum_dtype(counts_dtype):
    """int64 for integer counts (exact, as numpy sums them), float64 for float counts."""
    return np.dtype(np.int64) if np.dtype(counts_dtype).kind in "iu" else np.dtype(np.float64)


def column_sums(counts, sums):
    """sums[j] = counts[:, j].sum().  IN: counts (V, V).  OUT: sums (V,) of sum_dtype(counts.dtype)."""
    where = "column_sums"
    v = _check_counts(counts, where)
    check_operands(where, {"counts": (counts, (v, v), counts.dtype)}, {"sums": (sums, (v,), sum_dtype(counts.dtype))})
    _column_sums(counts, sums)


def ppmi_rows(counts, sums, eps, out, start=0, stop=None, parallel=None):
    """Rows [start, stop) of the PPMI matrix of `counts` into out[start:stop].

    IN: counts (V, V) int32, int64, float32 or float64, any layout; sums (V,),
    its column sums (column_sums); eps a float.  OUT: out (V, V) float32,
    C-contiguous, writeable, not overlapping counts or sums; only rows
    [start, stop) are written.  Raises ValueError or TypeError (nothing
    written) for an operand that does not fit.
    """
    where = "ppmi_rows"
    v = _check_counts(counts, where)
    check_operands(where, {"counts": (counts, (v, v), counts.dtype), "sums": (sums, (v,), "iuf")},
                   {"out": (out, (v, v), np.float32)})
    check_c_contiguous(where, "out", out)
    stop = v if stop is None else stop
    for name, value in (("start", start), ("stop", stop)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"{where}: {name} is {value!r}; expected an integer row index")
    if not 0 <= start <= stop <= v:
        raise ValueError(f"{where}: rows [{start}, {stop}) are not within [0, {v}]")
    eps = float(eps)
    col = sums.astype(np.float64)  # exact for integer sums below 2**53
    total = float(np.sum(sums, dtype=sums.dtype))
    # A zero count over a nonzero denominator gives 0 * N / den + eps = eps
    # (when N is finite), whose log2 the kernel takes once.
    with np.errstate(divide="ignore", invalid="ignore"):
        zero_log = float(np.log2(np.float64(0.0) + eps))
    zero_value = zero_log if zero_log > 0.0 else 0.0
    shortcut = math.isfinite(total)
    if parallel is None:
        parallel = (stop - start) * v >= PARALLEL_MIN_ELEMENTS
    kernel = _ppmi_rows_parallel if parallel else _ppmi_rows_serial
    # NaN fails the >= test too
    odd_cols = np.flatnonzero(~(np.abs(col) >= SAFE_SUM)).astype(np.int64)
    kernel(counts, col, total, eps, zero_value, shortcut, odd_cols, int(start), int(stop), out)
