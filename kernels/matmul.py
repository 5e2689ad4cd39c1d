"""Matrix products: the MatMul node's forward and backward.

Shapes: x (N, D), W (D, H), out/dout (N, H), dx (N, D), dW (D, H).

Small products run in Numba loops, because a BLAS call costs more than the
arithmetic of the spiral net's 30x2x10 product.  Large ones go to numpy's own
BLAS (``np.matmul``, or ``np.dot`` for a transposed left operand, with
``out=``, in blas.py), the library the book's code uses.  Numba's ``np.dot``
would call SciPy's OpenBLAS instead: a second BLAS build with its own worker
threads, which on this 2-core machine spun against numpy's: the large
products ran at 0.67-1.61x numpy over five report runs.  Either way the
result goes straight into the caller's array and transposes are passed as
views, never copied.  The wrappers below take operands of one dtype and
outputs of that dtype that are C-contiguous and do not overlap an input, and
check shapes, dtypes and overlap before anything is written (np.dot's
``out=`` would reject other outputs, np.matmul's would cast them).
"""

from numba import njit

from . import blas
from ._checks import (
    check_apart,
    check_c_contiguous,
    check_float_array,
    check_no_overlap,
    check_same_dtype,
    check_shape,
    in_python,
)
from ._config import HELPER, KERNEL

# Up to this many multiply-adds a loop beats the fixed cost of a BLAS call.
SMALL_GEMM_MACS = 8192


def is_small(n, d, h):
    """Whether an (n, d) @ (d, h) product runs in the loop kernels."""
    return n * d * h <= SMALL_GEMM_MACS


@njit(**HELPER)
def _gemm_loop(a, b, out):
    """out = a @ b without BLAS, in the loop order that suits the shape.

    a and b may be transposed views.  Few output columns (the spiral net's 3
    classes, or the 2 inputs' gradient): dot products, four rows at a time, so
    that four independent sums hide the latency of each multiply-add.
    Otherwise: out += a[:, p] outer b[p], one pass per p, the inner loop running
    along out's contiguous rows, which LLVM vectorises.  Measured on the spiral
    net's six products inside one kernel, float64: 2.0 us for all six, against
    2.6 us with one dot product at a time for the narrow ones.
    """
    m, k = a.shape
    n = b.shape[1]
    zero = out.dtype.type(0)
    if n < 8:
        i = 0
        while i + 4 <= m:
            for j in range(n):
                c0 = c1 = c2 = c3 = zero
                for p in range(k):
                    bpj = b[p, j]
                    c0 += a[i, p] * bpj
                    c1 += a[i + 1, p] * bpj
                    c2 += a[i + 2, p] * bpj
                    c3 += a[i + 3, p] * bpj
                out[i, j] = c0
                out[i + 1, j] = c1
                out[i + 2, j] = c2
                out[i + 3, j] = c3
            i += 4
        for r in range(i, m):
            for j in range(n):
                acc = zero
                for p in range(k):
                    acc += a[r, p] * b[p, j]
                out[r, j] = acc
    else:
        for i in range(m):
            for j in range(n):
                out[i, j] = zero
        for p in range(k):
            for i in range(m):
                aip = a[i, p]
                for j in range(n):
                    out[i, j] += aip * b[p, j]


# The checks, shared with affine.py.  x is the reference: W must have x's
# columns as rows, and every other operand follows from x and W.

@njit(**HELPER)
def _check_forward(kernel, x, W, out):
    """x (N, D), W (D, H), out (N, H), one dtype, out apart from x and W."""
    check_shape(kernel, "W", W, (x.shape[1], W.shape[1]), "W's rows must match x's columns")
    check_shape(kernel, "out", out, (x.shape[0], W.shape[1]), "x's rows, W's columns")
    check_same_dtype(kernel, "W", W, "x", x)
    check_same_dtype(kernel, "out", out, "x", x)
    check_no_overlap(kernel, "out", out, "x", x)
    check_no_overlap(kernel, "out", out, "W", W)


@njit(**HELPER)
def _check_backward(kernel, dout, x, W, dx, dW):
    """dout (N, H), x (N, D), W (D, H), dx (N, D), dW (D, H), one dtype.  The overlap checks are the
    caller's: one check_apart over all operands compiles in less time than the seven pairs inlined."""
    check_shape(kernel, "W", W, (x.shape[1], W.shape[1]), "W's rows must match x's columns")
    check_shape(kernel, "dout", dout, (x.shape[0], W.shape[1]), "x's rows, W's columns")
    check_shape(kernel, "dx", dx, x.shape, "x's shape")
    check_shape(kernel, "dW", dW, W.shape, "W's shape")
    check_same_dtype(kernel, "W", W, "x", x)
    check_same_dtype(kernel, "dout", dout, "x", x)
    check_same_dtype(kernel, "dx", dx, "x", x)
    check_same_dtype(kernel, "dW", dW, "x", x)


@njit(**KERNEL)
def matmul_forward_small(x, W, out):
    """out = x @ W in a loop (see is_small).  IN: x (N, D), W (D, H).  OUT: out (N, H)."""
    _check_forward("matmul_forward_small", x, W, out)
    _gemm_loop(x, W, out)


@njit(**KERNEL)
def matmul_backward_small(dout, x, W, dx, dW):
    """dx = dout @ W.T, dW = x.T @ dout in loops.  OUT: dx (N, D), dW (D, H)."""
    _check_backward("matmul_backward_small", dout, x, W, dx, dW)
    check_apart("matmul_backward_small", ("dout", "x", "W", "dx", "dW"), (dout, x, W, dx, dW), 3)
    _gemm_loop(dout, W.T, dx)
    _gemm_loop(x.T, dout, dW)


def matmul_forward(x, W, out):
    """out = x @ W, any size.  IN: x (N, D), W (D, H).  OUT: out (N, H) (see above)."""
    kernel = "matmul_forward"
    for name, a in (("x", x), ("W", W), ("out", out)):
        check_float_array(kernel, name, a, 2)
    in_python(_check_forward)(kernel, x, W, out)  # here too, so that errors name the kernel called
    if is_small(x.shape[0], x.shape[1], W.shape[1]):
        matmul_forward_small(x, W, out)
    else:
        check_c_contiguous(kernel, "out", out)
        blas._dot(x, W, out)


def matmul_backward(dout, x, W, dx, dW):
    """dx = dout @ W.T, dW = x.T @ dout, any size.  OUT: dx (N, D), dW (D, H) (see above)."""
    kernel = "matmul_backward"
    for name, a in (("dout", dout), ("x", x), ("W", W), ("dx", dx), ("dW", dW)):
        check_float_array(kernel, name, a, 2)
    in_python(_check_backward)(kernel, dout, x, W, dx, dW)
    in_python(check_apart)(kernel, ("dout", "x", "W", "dx", "dW"), (dout, x, W, dx, dW), 3)
    if is_small(x.shape[0], x.shape[1], W.shape[1]):
        matmul_backward_small(dout, x, W, dx, dW)
    else:
        check_c_contiguous(kernel, "dx", dx)
        check_c_contiguous(kernel, "dW", dW)
        blas._dot(dout, W.T, dx)
        blas._dot(x.T, dout, dW)
