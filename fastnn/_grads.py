"""Writing a layer's gradients into its own ``grads`` arrays.

The book's layers store a gradient with ``self.grads[0][...] = dW``: the grads
arrays are allocated once, and a model that collected them at construction
sees every backward.  A kernel here writes straight into the grad array when
it can (a C-contiguous array of the dtype computed in), else into a temporary
that ``store_grad`` copies in.
"""

import numpy as np


def grad_target(grad, dtype):
    """The array a kernel should write a gradient into: `grad` itself when it can."""
    if grad.dtype is dtype and grad.flags.c_contiguous:
        return grad
    return np.empty(grad.shape, dtype)


def store_grad(grad, computed):
    """Copy a gradient computed in a temporary (see grad_target) into the layer's own grad array."""
    if computed is not grad:
        grad[...] = computed
