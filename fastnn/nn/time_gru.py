"""GRU layers of the book's common/time_layers.py: GRU and TimeGRU.

Same constructors, attributes and results as the book's; shaped like
time_lstm.py: the input projection of all steps is one product before the
loop, each step is two BLAS products with h (the candidate's depends on the
reset gate) and two fused kernels (kernels/gru.py), and the weight gradients
and dxs of all steps are products after the loop.
"""

import numpy as np

from .._core import inputs as check
from .._core import recurrent as rec
from .._core import time_inputs as tcheck
from ..kernels.gru import gru_backward_candidate, gru_backward_gates, gru_forward_candidate, gru_forward_gates


class _Sequence:
    """What one forward over (N, T) steps leaves for the backward."""

    def __init__(self, N, T, D, H, dtype):
        self.shape = (N, T, D, H, dtype)
        self.gates = np.empty((N, T, 3 * H), dtype)  # x_t @ Wx, then z, r, h~
        self.hprev = np.empty((N, T, H), dtype)  # h_{t-1} at [:, t]
        self.rh = np.empty((N, T, H), dtype)  # r * h_{t-1}
        self.gh_zr = np.empty((N, 2 * H), dtype)
        self.gh_h = np.empty((N, H), dtype)
        self.dA = np.empty((N, T, 3 * H), dtype)
        self.xs = self.Wx = self.Wh_zr = self.Whh = None


def _forward(seq, xs, Wx, Wh, b, h0):
    N, T, D, H, dtype = seq.shape
    hs = np.empty((N, T, H), dtype)
    h_last = np.empty((N, H), dtype)
    Wh_zr = np.ascontiguousarray(Wh[:, :2 * H])  # BLAS reads contiguous blocks
    Whh = np.ascontiguousarray(Wh[:, 2 * H:])
    seq.xs, seq.Wx, seq.Wh_zr, seq.Whh = xs, Wx, Wh_zr, Whh
    if T == 0:
        h_last[...] = h0
        return hs, h_last
    rec.product(xs.reshape(N * T, D), Wx, seq.gates.reshape(N * T, 3 * H))
    seq.hprev[:, 0] = h0
    for t in range(T):
        rec.product(seq.hprev[:, t], Wh_zr, seq.gh_zr)
        gru_forward_gates(t, seq.gh_zr, b, seq.gates, seq.hprev, seq.rh)
        rec.product(seq.rh[:, t], Whh, seq.gh_h)
        gru_forward_candidate(t, seq.gh_h, b, seq.gates, seq.hprev, hs, h_last)
    return hs, h_last


def _backward(seq, dhs, grads):
    """Backward over all steps; writes grads; returns dxs and the gradient of h0."""
    N, T, D, H, dtype = seq.shape
    dxs = np.empty((N, T, D), dtype)
    dh_part = np.zeros((N, H), dtype)
    dh_mm = np.zeros((N, H), dtype)
    if T == 0:
        for g in grads:
            g[...] = 0
        return dxs, dh_part
    dh = np.empty((N, H), dtype)
    drh = np.empty((N, H), dtype)
    db = np.empty(3 * H, dtype)
    WhhT, Wh_zrT = seq.Whh.T, seq.Wh_zr.T
    for t in range(T - 1, -1, -1):
        gru_backward_candidate(t, dhs, dh_part, dh_mm, seq.gates, dh, seq.dA, db)
        rec.product(seq.dA[:, t, 2 * H:], WhhT, drh)
        gru_backward_gates(t, dh, drh, seq.gates, seq.hprev, seq.dA, dh_part, db)
        rec.product(seq.dA[:, t, :2 * H], Wh_zrT, dh_mm)
    dA = seq.dA.reshape(N * T, 3 * H)
    rec.product(dA, seq.Wx.T, dxs.reshape(N * T, D))
    rec.product_into_grad(seq.xs.reshape(N * T, D).T, dA, grads[0])
    rec.product_into_grad(seq.hprev.reshape(N * T, H).T, dA[:, :2 * H], grads[1][:, :2 * H])
    rec.product_into_grad(seq.rh.reshape(N * T, H).T, dA[:, 2 * H:], grads[1][:, 2 * H:])
    grads[2][...] = db
    return dxs, dh_part + dh_mm


class TimeGRU:
    """A GRU run over T time steps: hs = TimeGRU(Wx, Wh, b).forward(xs).

    Args: Wx (D, 3H), Wh (H, 3H), b (3H,), the update gate z, the reset gate r
    and the candidate side by side (the book's order); stateful: carry h over.
    forward(xs (N, T, D)) -> hs (N, T, H); backward(dhs (N, T, H)) -> dxs (N, T, D),
    writing dWx, dWh, db into ``grads`` in place.
    Attributes: params, grads, stateful, h (N, H) (the state after the last
    forward, or what set_state gave), dh (N, H) (the gradient of the initial h,
    after backward).  set_state(h), reset_state().
    """

    def __init__(self, Wx, Wh, b, stateful=False):
        rec.weights("TimeGRU", Wx, Wh, b, 3)
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.h, self.dh = None, None
        self.stateful = stateful
        self._seq = None

    def forward(self, xs):
        where = "TimeGRU.forward"
        D, H, dtype, Wx, Wh, b = rec.operands(where, self.params, {"xs": xs}, 3)
        xs = tcheck.sequence(xs, where, "xs", dtype, D)
        N, T = xs.shape[:2]
        h0 = np.zeros((N, H), dtype)
        if self.stateful and self.h is not None:
            h0 = tcheck.state(self.h, where, "h", (N, H), dtype)
        seq = self._seq
        if seq is None or seq.shape != (N, T, D, H, dtype):
            seq = self._seq = _Sequence(N, T, D, H, dtype)
        hs, self.h = _forward(seq, xs, Wx, Wh, b, h0)
        return hs

    def backward(self, dhs):
        where = "TimeGRU.backward"
        seq, dhs = rec.backward_operands(where, self._seq, dhs, self.grads, 3)
        dxs, self.dh = _backward(seq, dhs, self.grads)
        return dxs

    def set_state(self, h):
        self.h = rec.set_state_value("TimeGRU.set_state", "h", h, self.params[1].shape[0])

    def reset_state(self):
        self.h = None


class GRU:
    """One GRU step: h_next = GRU(Wx, Wh, b).forward(x, h_prev).

    Args: Wx (D, 3H), Wh (H, 3H), b (3H,) (z, r, candidate).  forward(x (N, D),
    h_prev (N, H)) -> h_next; backward(dh_next) -> (dx, dh_prev), writing dWx,
    dWh, db into ``grads``.  Attributes: params, grads, cache (None before forward).
    """

    def __init__(self, Wx, Wh, b):
        rec.weights("GRU", Wx, Wh, b, 3)
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev):
        where = "GRU.forward"
        D, H, dtype, Wx, Wh, b = rec.operands(where, self.params, {"x": x, "h_prev": h_prev}, 3)
        x = check.batch(x, where, "x", D, dtype)
        N = x.shape[0]
        h_prev = tcheck.state(h_prev, where, "h_prev", (N, H), dtype)
        seq = _Sequence(N, 1, D, H, dtype)
        _, h_next = _forward(seq, x.reshape(N, 1, D), Wx, Wh, b, h_prev)
        self.cache = seq
        return h_next

    def backward(self, dh_next):
        where = "GRU.backward"
        seq = check.saved(self.cache, where)
        N, _, D, H, dtype = seq.shape
        dh_next = check.same_shape(dh_next, (N, H), where, "dh_next", dtype)
        rec.check_grads(where, self.grads, D, H, 3, dtype)
        dxs, dh_prev = _backward(seq, dh_next.reshape(N, 1, H), self.grads)
        return dxs.reshape(N, D), dh_prev
