"""Input checks shared by the time layers (sequence batches (N, T, ...)).

Every check runs before a kernel or a buffer is touched, so a rejected call
changes nothing; errors name the call and the argument, what was found and
what was expected.
"""

import numpy as np

from ..nn.embedding import indices
from . import inputs as check


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
            f"{where}: {name} has shape {xs.shape}; expected a 3-D batch of sequences "
            f"(N, T, {'D' if width is None else width})"
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


def state(h, where, name, shape, dtype):
    """A carried state (set_state, or the last forward's) of exactly ``shape``."""
    h = check.operand(h, dtype, where, name)
    if h.shape != shape:
        raise ValueError(
            f"{where}: the carried state {name} has shape {h.shape}; expected {shape} "
            "(the batch changed? call reset_state() first)"
        )
    return h
