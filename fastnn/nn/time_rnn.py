"""The book's RNN cell and TimeRNN (common/time_layers.py), on fused step kernels.

TimeRNN keeps the book's attributes (params, grads, h, dh, stateful,
set_state, reset_state) but not its per-step RNN objects: the input
projection of all steps is one product before the loop, each step is one
``h @ Wh`` product plus one fused kernel (kernels/rnn.py), and the weight
gradients of all steps are one product each after the backward loop.
"""

import numpy as np

from .._core import inputs as check
from .._core import time_inputs as tcheck
from .._core.grads import grad_target, store_grad
from ..kernels import rnn
from ..kernels.matmul import matmul_backward, matmul_forward
from ..kernels.repeat_sum import sum_runs_2d


def _weights(params, where, **operands):
    """(Wx, Wh, b, dtype): checked shapes, converted to the compute dtype."""
    Wx, Wh, b = params
    tcheck.weight(Wx, where, "Wx", 2)
    tcheck.weight(Wh, where, "Wh", 2)
    H = Wx.shape[1]
    if Wh.shape != (H, H):
        raise ValueError(f"{where}: Wh has shape {Wh.shape}; expected {(H, H)} to match Wx {Wx.shape}")
    if np.ndim(b) != 1 or np.shape(b)[0] != H:
        raise ValueError(f"{where}: b has shape {np.shape(b)}; expected ({H},) to match Wx {Wx.shape}")
    dtype = check.compute_dtype(where, Wx=Wx, Wh=Wh, b=b, **operands)
    return (check.operand(Wx, dtype, where, "Wx"), check.operand(Wh, dtype, where, "Wh"),
            check.operand(b, dtype, where, "b"), dtype)


def _grad_targets(grads, Wx, Wh, dtype, where):
    """Where to write dWx, dWh, db: every grad checked (shape, writeable) before any is written."""
    return (grad_target(grads[0], Wx.shape, dtype, where, "grads[0]", "like params[0] (Wx)"),
            grad_target(grads[1], Wh.shape, dtype, where, "grads[1]", "like params[1] (Wh)"),
            grad_target(grads[2], Wh.shape[1:], dtype, where, "grads[2]", "like params[2] (b)"))


def _store(grads, dWx, dWh, db):
    for grad, value in zip(grads, (dWx, dWh, db)):
        store_grad(grad, value)


class RNN:
    """One step of the book's tanh RNN: h_next = tanh(h_prev @ Wh + x @ Wx + b).

    Args: Wx (D, H), Wh (H, H), b (H,).  forward(x (N, D), h_prev (N, H)) ->
    h_next; backward(dh_next) -> (dx, dh_prev), writing dWx, dWh, db into
    ``grads``.  Attributes: params, grads, cache (x, h_prev, h_next).
    """

    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev):
        where = "RNN.forward"
        Wx, Wh, b, dtype = _weights(self.params, where, x=x, h_prev=h_prev)
        x = check.batch(x, where, "x", Wx.shape[0], dtype)
        h_prev = tcheck.state(h_prev, where, "h_prev", (x.shape[0], Wh.shape[0]), dtype)
        hw = np.empty(h_prev.shape, dtype)
        xw = np.empty(h_prev.shape, dtype)
        matmul_forward(h_prev, Wh, hw)
        matmul_forward(x, Wx, xw)
        h_next = np.empty(h_prev.shape, dtype)
        rnn.rnn_step_forward(hw, xw, b, h_next, h_next)
        self.cache = (x, h_prev, h_next)
        return h_next

    def backward(self, dh_next):
        where = "RNN.backward"
        x, h_prev, h_next = check.saved(self.cache, where)
        dtype = h_next.dtype
        Wx, Wh, b, _ = _weights(self.params, where)
        Wx, Wh = check.operand(Wx, dtype, where, "Wx"), check.operand(Wh, dtype, where, "Wh")
        dh_next = check.same_shape(dh_next, h_next.shape, where, "dh_next", dtype)
        dt = np.empty(h_next.shape, dtype)
        rnn.rnn_step_backward(dh_next, np.zeros_like(dt), h_next, dt, dt)
        dWx, dWh, db = _grad_targets(self.grads, Wx, Wh, dtype, where)
        dx = np.empty(x.shape, dtype)
        dh_prev = np.empty(h_prev.shape, dtype)
        matmul_backward(dt, x, Wx, dx, dWx)
        matmul_backward(dt, h_prev, Wh, dh_prev, dWh)
        sum_runs_2d(dt, dt.shape[0], 0, db[np.newaxis])
        _store(self.grads, dWx, dWh, db)
        return dx, dh_prev


class TimeRNN:
    """T steps of RNN over xs (N, T, D) -> hs (N, T, H), as the book's TimeRNN.

    Args: Wx (D, H), Wh (H, H), b (H,), stateful=False.  With stateful=True the
    last h of one forward is the first h_prev of the next (until
    reset_state()); set_state(h) sets it.  backward(dhs (N, T, H)) -> dxs
    (N, T, D), writing the gradients of all steps into ``grads`` and the
    gradient of the first h_prev into ``dh``.  Attributes: params, grads, h,
    dh, stateful.
    """

    def __init__(self, Wx, Wh, b, stateful=False):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.h, self.dh = None, None
        self.stateful = stateful
        self._saved = None  # (xs (N*T, D), hs_tm (T+1, N, H): h_prev of each step, then the last h)

    def forward(self, xs):
        where = "TimeRNN.forward"
        Wx, Wh, b, dtype = _weights(self.params, where, xs=xs)
        xs = tcheck.sequence(xs, where, "xs", dtype, Wx.shape[0])
        N, T, D = xs.shape
        H = Wh.shape[0]
        if self.stateful and self.h is not None:
            h0 = tcheck.state(self.h, where, "h", (N, H), dtype)
        else:
            h0 = np.zeros((N, H), dtype)
        x2 = xs.reshape(N * T, D)
        xw = np.empty((N, T, H), dtype)
        matmul_forward(x2, Wx, xw.reshape(N * T, H))  # the input projection of all steps
        hs_tm = np.empty((T + 1, N, H), dtype)  # time-major: each step's h is contiguous for its product
        hs_tm[0] = h0
        hs = np.empty((N, T, H), dtype)
        hw = np.empty((N, H), dtype)
        for t in range(T):
            matmul_forward(hs_tm[t], Wh, hw)
            rnn.rnn_step_forward(hw, xw[:, t], b, hs_tm[t + 1], hs[:, t])
        self.h = hs_tm[T].copy()
        self._saved = (x2, hs_tm)
        return hs

    def backward(self, dhs):
        where = "TimeRNN.backward"
        x2, hs_tm = check.saved(self._saved, where)
        dtype = hs_tm.dtype
        T, N, H = hs_tm.shape[0] - 1, hs_tm.shape[1], hs_tm.shape[2]
        D = x2.shape[1]
        Wx, Wh, _, _ = _weights(self.params, where)
        if Wx.shape != (D, H):
            raise ValueError(f"{where}: Wx has shape {Wx.shape}; forward ran with {(D, H)}")
        Wx, Wh = check.operand(Wx, dtype, where, "Wx"), check.operand(Wh, dtype, where, "Wh")
        dhs = tcheck.sequence(dhs, where, "dhs", dtype, H)
        if dhs.shape != (N, T, H):
            raise ValueError(f"{where}: dhs has shape {dhs.shape}; expected {(N, T, H)} as forward's output")
        dt_tm = np.empty((T, N, H), dtype)  # for the per-step product and dWh (h_prev is time-major)
        dt_bm = np.empty((N, T, H), dtype)  # for dWx and dxs (xs is batch-major)
        dh = np.zeros((N, H), dtype)
        for t in range(T - 1, -1, -1):
            rnn.rnn_step_backward(dhs[:, t], dh, hs_tm[t + 1], dt_tm[t], dt_bm[:, t])
            matmul_forward(dt_tm[t], Wh.T, dh)
        dWx, dWh, db = _grad_targets(self.grads, Wx, Wh, dtype, where)
        dxs = np.empty((N, T, D), dtype)
        dt2 = dt_bm.reshape(N * T, H)
        matmul_backward(dt2, x2, Wx, dxs.reshape(N * T, D), dWx)
        dt_tm2 = dt_tm.reshape(T * N, H)
        matmul_forward(hs_tm[:T].reshape(T * N, H).T, dt_tm2, dWh)
        sum_runs_2d(dt_tm2, T * N, 0, db[np.newaxis])
        _store(self.grads, dWx, dWh, db)
        self.dh = dh
        return dxs

    def set_state(self, h):
        self.h = h

    def reset_state(self):
        self.h = None
