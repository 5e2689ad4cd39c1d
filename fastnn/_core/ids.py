"""Word ids and embedding matrices: the checks every layer that gathers rows shares
(Embedding, TimeEmbedding, NegativeSamplingLoss, the word2vec models).

Ids are checked before any kernel indexes memory, so a bad id changes nothing.
"""

import numpy as np

from ..kernels import embedding as kernels
from . import inputs as check


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
