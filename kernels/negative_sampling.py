"""The binary losses of negative sampling (the book's SigmoidWithLoss per column).

scores (N, K) hold, for each row, groups of ``group`` columns: the first of each
group is a positive example (label 1), the others negatives (label 0).  The
book computes, per column k, ``y = 1 / (1 + exp(-s))`` and the mean over rows
of ``-log(y + 1e-7)`` (label 1) or ``-log(1 - y + 1e-7)`` (label 0), and adds
the columns' losses; backward gives ``(y - label) * dout / N`` per score.
"""

import numpy as np
from numba import njit

from ._checks import BadArgument, check_no_overlap, check_same_dtype, check_shape
from ._config import HELPER, KERNEL

LOG_EPS = 1e-7


@njit(**HELPER)
def _check(kernel, name, a, ref_name, ref, group):
    """a (written) has ref's shape and dtype and does not overlap it; group divides the columns."""
    check_shape(kernel, name, a, ref.shape, "the shape (N, K) of the scores")  # a literal: no string built per call
    check_same_dtype(kernel, name, a, ref_name, ref)
    check_no_overlap(kernel, name, a, ref_name, ref)
    if group < 1 or ref.shape[1] % group != 0:
        raise BadArgument(kernel, "group", group, "a group size >= 1 that divides the number of columns")


@njit(**KERNEL)
def binary_losses_forward(scores, group, y):
    """Returns the summed loss; y = sigmoid(scores) kept for backward.

    IN: scores (N, K), group >= 1 dividing K.  OUT: y (N, K).
    """
    _check("binary_losses_forward", "y", y, "scores", scores, group)
    N, K = scores.shape
    one = y.dtype.type(1)
    eps = y.dtype.type(LOG_EPS)
    total = 0.0
    for n in range(N):
        for k in range(K):
            yk = one / (one + np.exp(-scores[n, k]))
            y[n, k] = yk
            if k % group == 0:
                total -= np.log(yk + eps)
            else:
                total -= np.log(one - yk + eps)
    return total / max(N, 1)


@njit(**KERNEL)
def binary_losses_backward(y, group, dout, dscores):
    """dscores[n, k] = (y[n, k] - label_k) * dout / N.

    IN: y (N, K) from forward, group, dout (a number).  OUT: dscores (N, K).
    """
    _check("binary_losses_backward", "dscores", dscores, "y", y, group)
    N, K = y.shape
    scale = y.dtype.type(dout / max(N, 1))
    for n in range(N):
        for k in range(K):
            label = 1 if k % group == 0 else 0
            dscores[n, k] = (y[n, k] - label) * scale
