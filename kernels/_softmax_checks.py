"""The softmax family's operand checks, and how a label row names its class.

Labels t are class indices (N,) or one-hot rows (N, C); these helpers read
either form, and check every operand of kernels/softmax_loss.py before any is
read or written (kernels/_checks.py has the shared checks).
"""

from numba import njit
from numba.extending import overload

from ._checks import check_no_overlap, check_same_dtype, check_shape
from ._config import HELPER, KERNEL


def _first_max(t, i, c):
    """The index of the first maximum of t[i, :c] (one-hot rows, as the book's argmax)."""
    label = 0
    for j in range(1, c):
        if t[i, j] > t[i, label]:
            label = j
    return label


def class_of(t, i, c):
    """Row i's class: t[i] for class indices, the first maximum for one-hot rows."""
    return _first_max(t, i, c) if t.ndim == 2 else t[i]


# Compiled, only the form that matches t's ndim exists: a branch on t.ndim
# inside a kernel would be typed both ways once the kernel is inlined.
@overload(class_of, inline="always")
def _class_of_jit(t, i, c):
    if t.ndim == 2:
        return _first_max
    return lambda t, i, c: t[i]


@njit(**HELPER)
def _check_same(kernel, name, a, ref_name, ref, why):
    """a has ref's shape and dtype."""
    check_shape(kernel, name, a, ref.shape, why)
    check_same_dtype(kernel, name, a, ref_name, ref)


def _labels_expected(t, x):
    """(t's expected shape, why): one class index per row of x, or one-hot rows of x's shape."""
    if t.ndim == 1:
        return (x.shape[0],), "one class index per row of the scores"
    return x.shape, "one-hot rows, the scores' shape"


# Compiled, only the branch for t's ndim: the parallel kernels' array analysis
# rejects comparing t.shape with a tuple of another length, even in a dead branch.
@overload(_labels_expected, inline="always")
def _labels_expected_jit(t, x):
    if t.ndim == 1:
        return lambda t, x: ((x.shape[0],), "one class index per row of the scores")
    return lambda t, x: (x.shape, "one-hot rows, the scores' shape")


@njit(**HELPER)
def check_labels(kernel, t, x):
    expected, why = _labels_expected(t, x)
    check_shape(kernel, "t", t, expected, why)


@njit(**HELPER)
def check_softmax(kernel, x, y):
    _check_same(kernel, "y", y, "x", x, "x's shape")
    check_no_overlap(kernel, "y", y, "x", x)


@njit(**HELPER)
def check_softmax_backward(kernel, y, dout, dx):
    _check_same(kernel, "dout", dout, "y", y, "y's shape")
    _check_same(kernel, "dx", dx, "y", y, "y's shape")
    check_no_overlap(kernel, "dx", dx, "y", y)
    check_no_overlap(kernel, "dx", dx, "dout", dout)


@njit(**HELPER)
def check_loss_forward(kernel, x, t, y):
    check_softmax(kernel, x, y)
    check_labels(kernel, t, x)
    check_no_overlap(kernel, "y", y, "t", t)


@njit(**HELPER)
def check_loss_backward(kernel, y, t, dx):
    _check_same(kernel, "dx", dx, "y", y, "y's shape")
    check_labels(kernel, t, y)
    check_no_overlap(kernel, "dx", dx, "y", y)
    check_no_overlap(kernel, "dx", dx, "t", t)


# The parallel loss kernels call their checks as functions: inlined, the
# one-hot form of check_labels trips Numba's parfor array analysis.
check_loss_forward_call = njit(**KERNEL)(getattr(check_loss_forward, "py_func", check_loss_forward))
check_loss_backward_call = njit(**KERNEL)(getattr(check_loss_backward, "py_func", check_loss_backward))
