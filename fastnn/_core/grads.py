"""Writing a layer's gradients into its own ``grads`` arrays.

The book's layers store a gradient with ``self.grads[0][...] = dW``: the grads
arrays are allocated once, and a model that collected them at construction
sees every backward.  A kernel here writes straight into the grad array when
it can (a C-contiguous array of the dtype computed in), else into a temporary
that ``store_grad`` copies in.  Either way the grad must have the gradient's
exact shape, checked before anything is written: a kernel writing a (5, 3)
gradient into a (1, 1) array would write past its end (the book's ``[...] =``
raises a ValueError there).
"""

import numpy as np


def grad_target(grad, shape, dtype, where, name, why=""):
    """The array a kernel should write the gradient of `shape` into: `grad` itself when it can.

    TypeError for a grad that is not a numpy array; ValueError for one of
    another shape, or a read-only one.  `why` ends the shape error's message
    (e.g. "like params[0] (W)").
    """
    if type(grad) is not np.ndarray:
        raise TypeError(f"{where}: {name} is {type(grad).__name__}; expected a numpy array of shape {shape} "
                        "(the gradient is written into it in place)")
    if grad.shape != shape:
        raise ValueError(f"{where}: {name} has shape {grad.shape}; expected {shape}" + (f" {why}" if why else ""))
    if not grad.flags.writeable:
        raise ValueError(f"{where}: {name} is read-only; expected a writeable array (the gradient is written into it)")
    if grad.dtype is dtype and grad.flags.c_contiguous:
        return grad
    return np.empty(shape, dtype)


def store_grad(grad, computed):
    """Copy a gradient computed in a temporary (see grad_target) into the layer's own grad array."""
    if computed is not grad:
        grad[...] = computed
