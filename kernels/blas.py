"""Large matrix products through numpy's BLAS, and whether its threads still spin.

After each product OpenBLAS's worker threads busy-wait for a while (its
THREAD_TIMEOUT, by default 2**28 cycles, about 0.1 s) before they sleep.  A
parallel kernel started in that window shares the cores with them and waits
for a scheduler tick.  Measured on this project's 2-core machine: a 1M-element
float64 sigmoid started 1-100 ms after a 4096x1024 product took 5.5-6.2 ms on
two threads and 2.2-2.7 ms on one; started 300 ms after, 1.5 ms on two.  So
the layers run elementwise work on one thread while ``threads_are_spinning()``.
Elementwise kernels give the same bits on one thread or two, so the choice,
which depends on timing, never changes a result.
"""

import math
import time

import numpy as np

from ._checks import check_c_contiguous, check_float_array, check_operands

# How long after a product to expect OpenBLAS's threads to be spinning: its
# default spin with some margin (the stall was still there at 0.1 s, gone at 0.3 s).
SPIN_SECONDS = 0.25

_last_product_end = [-math.inf]


def dot(a, b, out):
    """out = a @ b by numpy's BLAS.  IN: a (M, K), b (K, N).  OUT: out (M, N).

    All three of one float dtype and out C-contiguous, apart from a and b:
    checked here, since np.dot would reject anything else, but np.matmul casts
    without a word.  matmul.py and affine.py check their own operands and
    call _dot.
    """
    kernel = "blas.dot"
    check_float_array(kernel, "a", a, 2)
    check_float_array(kernel, "b", b, 2)
    check_float_array(kernel, "out", out, 2)
    # Plain Python checks: the recurrent layers call this once per time step,
    # and a jitted helper called from Python with string arguments costs tens
    # of microseconds in Numba's argument typing (measured: 180 us a call).
    check_operands(kernel, {"a": (a, a.shape), "b": (b, (a.shape[1], b.shape[1]))},
                   {"out": (out, (a.shape[0], b.shape[1]))})
    check_c_contiguous(kernel, "out", out)
    _dot(a, b, out)


def _dot(a, b, out):
    """dot without the checks, for callers that made them.

    np.matmul and np.dot reach the same gemm and give the same bits, but not in
    the same time.  Timed in alternation on this project's 2-core Xeon
    (2026-11-27, numpy 2.4.6), np.dot / np.matmul: x @ W 1.20-1.24x at
    1000x100x100 and 1.02-1.04x at 4096x1024x1024; dout @ W.T 1.26-1.34x at
    1000x100x100 and 2.2-3.2x at 1000x10x100; but x.T @ dout 0.97-1.01x.  So
    matmul for a C-contiguous a, and a b that BLAS can read as it is (C- or
    F-contiguous: numpy before 2.3 gives other operands to its own slow loop in
    matmul, while dot copies them for BLAS); dot otherwise.
    """
    if a.flags.c_contiguous and (b.flags.c_contiguous or b.flags.f_contiguous):
        np.matmul(a, b, out=out)
    else:
        np.dot(a, b, out=out)
    _last_product_end[0] = time.perf_counter()


def threads_are_spinning():
    """Whether a product finished less than SPIN_SECONDS ago (or is marked as
    finishing in the future, which tests use to hold this true)."""
    return time.perf_counter() - _last_product_end[0] < SPIN_SECONDS
