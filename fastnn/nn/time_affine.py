"""The book's TimeAffine and Simple_TimeAffine (common/time_layers.py).

TimeAffine treats the (N, T, D) batch as N*T rows: one product each way, as the
book does.  Its weight may be a transposed view (BetterRnnlm's weight tying,
``TimeAffine(embed_W.T, b)``): the products read it in place, never copied,
and dW is written straight into ``grads[0]`` whatever its memory order.
"""

import numpy as np

from .._core import inputs as check
from .._core import time_inputs as tcheck
from .._core.grads import grad_target, store_grad
from ..kernels import blas
from ..kernels.affine import affine_backward_small, affine_forward
from ..kernels.matmul import is_small
from ..kernels.repeat_sum import sum_runs_2d


def _operands(params, where, **operands):
    W, b = params
    tcheck.weight(W, where, "W", 2)
    if np.ndim(b) != 1 or np.shape(b)[0] != W.shape[1]:
        raise ValueError(f"{where}: b has shape {np.shape(b)}; expected ({W.shape[1]},) to match W {W.shape}")
    dtype = check.compute_dtype(where, W=W, b=b, **operands)
    if W.dtype != dtype or not (W.flags.c_contiguous or W.flags.f_contiguous):
        W = np.asarray(W, dtype=dtype, order="C")  # a transposed view of the right dtype stays a view
    return W, check.operand(b, dtype, where, "b"), dtype


def affine_rows_backward(dout, x, W, dx, dW, db):
    """dx = dout @ W.T, dW = x.T @ dout, db = sum(dout) for 2-D operands; dW C- or F-ordered."""
    if is_small(x.shape[0], x.shape[1], W.shape[1]):
        affine_backward_small(dout, x, W, dx, dW, db)
        return
    blas.dot(dout, W.T, dx)
    if dW.flags.c_contiguous:
        blas.dot(x.T, dout, dW)
    else:  # a tied weight's gradient, e.g. zeros_like(embed_W.T): its transpose is C-ordered
        blas.dot(dout.T, x, dW.T)
    sum_runs_2d(dout, dout.shape[0], 0, db[np.newaxis])


class TimeAffine:
    """out = xs @ W + b on every step: xs (N, T, D) -> (N, T, H).

    Args: W (D, H) (a transposed view is used as it is), b (H,).  backward(dout
    (N, T, H)) -> dxs (N, T, D), writing dW, db into ``grads``.  Attributes:
    params [W, b], grads [dW, db], x (the last input).
    """

    def __init__(self, W, b):
        self.params = [W, b]
        self.grads = [np.zeros_like(W), np.zeros_like(b)]
        self.x = None

    def forward(self, x):
        where = "TimeAffine.forward"
        W, b, dtype = _operands(self.params, where, x=x)
        x = tcheck.sequence(x, where, "x", dtype, W.shape[0])
        N, T, D = x.shape
        out = np.empty((N, T, W.shape[1]), dtype)
        affine_forward(x.reshape(N * T, D), W, b, out.reshape(N * T, W.shape[1]))
        self.x = x
        return out

    def backward(self, dout):
        where = "TimeAffine.backward"
        x = check.saved(self.x, where)
        W, _, dtype = _operands(self.params, where)
        N, T, D = x.shape
        if dtype != x.dtype or W.shape[0] != D:
            W = np.asarray(W, dtype=x.dtype, order="C")
        dtype = x.dtype
        dout = tcheck.sequence(dout, where, "dout", dtype, W.shape[1])
        if dout.shape[:2] != (N, T):
            raise ValueError(f"{where}: dout has shape {dout.shape}; expected {(N, T, W.shape[1])} like forward's output")
        if W.shape[0] != D:
            raise ValueError(f"{where}: W has shape {W.shape}; forward ran with D = {D}")
        dW, db = self.grads
        dW_t = grad_target(dW, W.shape, dtype, where, "grads[0]", "like params[0] (W)")
        if dW_t is not dW and dW.dtype is dtype and dW.flags.f_contiguous:
            dW_t = dW  # the kernel writes a Fortran-ordered grad (a transposed, tied one) in place too
        db_t = grad_target(db, (W.shape[1],), dtype, where, "grads[1]", "(one per column of W)")
        dx = np.empty(x.shape, dtype)
        affine_rows_backward(dout.reshape(N * T, W.shape[1]), x.reshape(N * T, D), W, dx.reshape(N * T, D), dW_t, db_t)
        store_grad(dW, dW_t)
        store_grad(db, db_t)
        return dx


class Simple_TimeAffine:
    """The book's step-by-step TimeAffine: same results as TimeAffine, one Affine per step.

    Args: W (D, H), b (H,).  Attributes: W, b, dW, db (set by backward; the book's
    version reads gradients its Affine layers do not have, this one sums them),
    params [W, b], grads [dW, db].
    """

    def __init__(self, W, b):
        self.W, self.b = W, b
        self.dW, self.db = None, None
        self.layers = None
        self._inner = TimeAffine(W, b)
        self.params, self.grads = self._inner.params, self._inner.grads

    def forward(self, xs):
        return self._inner.forward(xs)

    def backward(self, dout):
        dxs = self._inner.backward(dout)
        self.dW, self.db = self.grads[0].copy(), self.grads[1].copy()
        return dxs
