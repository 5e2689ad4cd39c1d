"""The book's TimeEmbedding (common/time_layers.py): word ids (N, T) -> vectors (N, T, D).

The book makes an Embedding per step and, in backward, zeroes a full (V, D)
gradient per step before each ``np.add.at``; here forward is one gather and
backward one zeroing and one scatter-add over all N*T ids
(kernels/embedding.py), with the same sums.
"""

import numpy as np

from .._core import inputs as check
from .._core import time_inputs as tcheck
from .._core.grads import grad_target, store_grad
from ..kernels.embedding import embedding_backward, embedding_forward


class TimeEmbedding:
    """out[n, t] = W[xs[n, t]].

    Args: W (V, D).  forward(xs (N, T) integer ids in [0, V)) -> (N, T, D);
    backward(dout (N, T, D)) -> None, writing dW (repeated ids summed) into
    ``grads[0]``.  Attributes: params [W], grads [dW], W, idx (the last ids).
    """

    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.W = W
        self.idx = None
        self._shape = self._rows = None

    def _weight(self, where):
        W = self.params[0]
        tcheck.weight(W, where, "W", 2)
        if W.dtype != np.float32 and W.dtype != np.float64:
            raise TypeError(f"{where}: W has dtype {W.dtype}; expected float32 or float64 (it is updated in place)")
        return W

    def forward(self, xs):
        where = "TimeEmbedding.forward"
        W = self._weight(where)
        xs = tcheck.word_ids(xs, where, W.shape[0])
        N, T = xs.shape
        idx = np.ascontiguousarray(xs).reshape(-1)
        out = np.empty((N, T, W.shape[1]), W.dtype)
        embedding_forward(W, idx, out.reshape(N * T, W.shape[1]))  # ids checked above
        self.idx = idx.copy() if np.shares_memory(idx, xs) else idx  # a caller may reuse its ids array
        self._shape, self._rows = (N, T, W.shape[1]), W.shape[0]  # the ids were checked against these rows
        return out

    def backward(self, dout):
        where = "TimeEmbedding.backward"
        idx = check.saved(self.idx, where)
        W = self._weight(where)
        dW = self.grads[0]
        dtype = W.dtype  # computed in the weight's dtype, like every layer; store_grad casts into dW
        dout = check.operand(dout, dtype, where, "dout")
        if W.shape != (self._rows, self._shape[2]):
            raise ValueError(f"{where}: W has shape {W.shape}; expected {(self._rows, self._shape[2])} as in forward")
        if dout.shape != self._shape:
            raise ValueError(f"{where}: dout has shape {dout.shape}; expected {self._shape} like forward's output")
        target = grad_target(dW, W.shape, dtype, where, "grads[0]", "like params[0] (W)")
        embedding_backward(dout.reshape(idx.size, W.shape[1]), idx, target)
        store_grad(dW, target)
        return None
