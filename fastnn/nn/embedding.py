"""The book's Embedding layer (common/layers.py): rows of W picked by word ids."""

import numpy as np

from .._core import inputs as check
from .._core.grads import grad_target, store_grad
from .._core.ids import check_ran, indices, weight
from ..kernels import embedding as kernels


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
