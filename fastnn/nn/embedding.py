"""The book's Embedding layer (common/layers.py): rows of W picked by word ids."""

import numpy as np

from .._core import inputs as check
from .._core.grads import grad_target, store_grad
from ..kernels import embedding as kernels


def weight(W, where, name="W"):
    """An embedding matrix: a 2-D float32/float64 ndarray (gathered and updated in place)."""
    if type(W) is not np.ndarray or W.ndim != 2:
        raise ValueError(f"{where}: {name} has shape {np.shape(W)}; expected a 2-D numpy array (V, H)")
    if W.dtype not in (check.FLOAT32, check.FLOAT64):
        raise TypeError(f"{where}: {name} has dtype {W.dtype}; expected float32 or float64 "
                        "(convert with .astype(np.float32))")
    return W


def indices(idx, n_rows, where, name="idx", ndim=None):
    """Word ids as a C-contiguous int32/int64 array, every id checked to lie in [0, n_rows).

    Runs before any kernel indexes memory, so a bad id changes nothing.
    """
    if type(idx) is not np.ndarray:
        if idx is None:
            raise TypeError(f"{where}: {name} is None; expected integer word ids")
        idx = np.asarray(idx)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{where}: {name} has dtype {idx.dtype}; expected integer word ids "
                        "(booleans and floats are not ids)")
    if ndim is not None and idx.ndim != ndim:
        raise ValueError(f"{where}: {name} has shape {idx.shape}; expected {ndim} dimension(s)")
    if idx.dtype.kind == "u" or idx.dtype.itemsize < 4 or not idx.dtype.isnative:
        too_big = idx.size and idx.dtype.kind == "u" and int(idx.max()) >= n_rows
        if too_big:
            _raise_bad(idx, int(np.argmax(idx.reshape(-1) >= n_rows)), n_rows, where, name)
        idx = idx.astype(np.int64)
    if not idx.flags.c_contiguous:
        idx = np.ascontiguousarray(idx)
    bad = kernels.first_bad_index(idx, n_rows)
    if bad >= 0:
        _raise_bad(idx, bad, n_rows, where, name)
    return idx


def check_ran(bad, idx, n_rows, where, name="idx"):
    """Raise the IndexError for a kernel's bad-id position (>= 0): ids checked in forward no longer
    fit a W replaced since.  The kernel wrote nothing."""
    if bad >= 0:
        _raise_bad(idx, bad, n_rows, where, name)


def _raise_bad(idx, position, n_rows, where, name):
    place = np.unravel_index(position, idx.shape) if idx.ndim > 1 else (position,)
    found = idx.reshape(-1)[position]
    raise IndexError(f"{where}: {name}{list(map(int, place))} is {found}; expected word ids in [0, {n_rows}) "
                     "(negative ids are not taken from the end)")


class Embedding:
    """out = W[idx]: the rows of W for each word id.

    Args: W (V, H) float32 or float64.  forward(idx) with integer ids of any shape in
    [0, V) -> idx.shape + (H,); backward(dout of that shape) writes into ``grads[0]``
    zeros with dout's rows added at their ids (repeated ids summed), as the book's
    ``np.add.at``, and returns None.  Attributes: params [W], grads [dW], idx.
    """

    def __init__(self, W, *, _grad=None):
        self.params = [W]
        self.grads = [np.zeros_like(W) if _grad is None else _grad]  # models pass a view of their one buffer
        self.idx = None

    def forward(self, idx):
        W = weight(self.params[0], "Embedding.forward")
        idx = indices(idx, W.shape[0], "Embedding.forward")
        out = np.empty(idx.shape + (W.shape[1],), W.dtype)
        kernels.embedding_forward(W, idx.reshape(-1), out.reshape(-1, W.shape[1]))
        self.idx = idx
        return out

    def backward(self, dout):
        idx = check.saved(self.idx, "Embedding.backward")
        W = weight(self.params[0], "Embedding.backward")
        shape = idx.shape + (W.shape[1],)
        dout = check.same_shape(dout, shape, "Embedding.backward", "dout", W.dtype)
        dW = grad_target(self.grads[0], W.shape, W.dtype, "Embedding.backward", "grads[0]", "like params[0] (W)")
        bad = kernels.embedding_backward(dout.reshape(-1, W.shape[1]), idx.reshape(-1), dW)
        check_ran(bad, idx, W.shape[0], "Embedding.backward")
        store_grad(self.grads[0], dW)
        return None
