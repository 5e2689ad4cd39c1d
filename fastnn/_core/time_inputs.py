"""Input checks shared by the time layers (sequence batches (N, T, ...)).

Every check runs before a kernel or a buffer is touched, so a rejected call
changes nothing; errors name the call and the argument, what was found and
what was expected.
"""

import numpy as np

from . import inputs as check
from .ids import indices


def weight(W, where, name, ndim):
    """A layer's parameter must be a real numpy array of ``ndim`` dimensions."""
    if type(W) is not np.ndarray or W.ndim != ndim:
        raise ValueError(f"{where}: {name} has shape {np.shape(W)}; expected a {ndim}-D numpy array")
    check.compute_dtype(where, **{name: W})
    return W


def sequence(xs, where, name, dtype, width=None):
    """A float batch of sequences (N, T, width) as a C-contiguous array of ``dtype``."""
    xs = check.operand(xs, dtype, where, name)
    if xs.ndim != 3:
        raise ValueError(
            f"{where}: {name} has shape {xs.shape}; expected (N, T, {'D' if width is None else width}), "
            "a 3-D batch of sequences"
        )
    if width is not None and xs.shape[2] != width:
        raise ValueError(f"{where}: {name} has shape {xs.shape}; expected (N, T, {width}) to match the weights")
    return xs


def word_ids(xs, where, vocab):
    """Word ids (N, T) of an integer dtype, each in [0, vocab), as embedding.indices gives them."""
    xs = indices(xs, vocab, where, "xs")
    if xs.ndim != 2:
        raise ValueError(f"{where}: xs has shape {xs.shape}; expected word ids (N, T)")
    return xs


def state(a, where, name, shape, dtype):
    """A state as a C-contiguous array of exactly ``shape``: a time layer's carried h or c
    (set_state's, or the last forward's), or a single step's h_prev / c_prev argument."""
    a = check.operand(a, dtype, where, name)
    if a.shape != shape:
        carried = name in ("h", "c")  # only the time layers carry a state that reset_state() drops
        raise ValueError(
            f"{where}: the state {name} has shape {a.shape}; expected {shape} (batch N, hidden H)"
            + ("; call reset_state() before a batch of another size" if carried else ""))
    return a
