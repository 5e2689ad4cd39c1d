"""LSTM layers of the book's common/time_layers.py: LSTM, TimeLSTM, TimeBiLSTM.

Same constructors, attributes and results as the book's; the work is shaped
differently (STYLE.md, "Recurrent layers"): the input projection xs @ Wx of all
time steps is one BLAS product before the loop; inside the loop only h @ Wh
(BLAS) and one fused kernel for the gates and the cell update
(kernels/lstm.py); the backward runs one kernel and dA_t @ Wh.T per step, then
the weight gradients and dxs of all steps as three products.  What the
backward needs lives in (N, T, ...) buffers the layer keeps between calls, not
in one object per step.
"""

import numpy as np

from .._core import inputs as check
from .._core import recurrent as rec
from .._core import time_inputs as tcheck
from ..kernels.lstm import lstm_backward_step, lstm_forward_step


class _Sequence:
    """What one forward over (N, T) steps leaves for the backward."""

    def __init__(self, N, T, D, H, dtype):
        self.shape = (N, T, D, H, dtype)
        self.gates = np.empty((N, T, 4 * H), dtype)  # x_t @ Wx, then the activated f, g, i, o
        self.hprev = np.empty((N, T, H), dtype)  # h_{t-1} at [:, t]
        self.cprev = np.empty((N, T, H), dtype)  # c_{t-1} at [:, t]
        self.tanh_c = np.empty((N, T, H), dtype)
        self.gh = np.empty((N, 4 * H), dtype)  # h_{t-1} @ Wh of the current step
        self.dA = np.empty((N, T, 4 * H), dtype)  # the backward's gate gradients
        self.xs = self.Wx = self.Wh = None


def _buffers(old, N, T, D, H, dtype):
    """The buffers of the last call when the sizes match (they are never handed out)."""
    return old if old is not None and old.shape == (N, T, D, H, dtype) else _Sequence(N, T, D, H, dtype)


def _forward(seq, xs, Wx, Wh, b, h0, c0):
    """Run the forward over xs (N, T, D) from (h0, c0); return hs, h_T, c_T."""
    N, T, D, H, dtype = seq.shape
    hs = np.empty((N, T, H), dtype)
    h_last = np.empty((N, H), dtype)
    c_last = np.empty((N, H), dtype)
    seq.xs, seq.Wx, seq.Wh = xs, Wx, Wh
    if T == 0:
        h_last[...], c_last[...] = h0, c0
        return hs, h_last, c_last
    rec.product(xs.reshape(N * T, D), Wx, seq.gates.reshape(N * T, 4 * H))
    seq.hprev[:, 0] = h0
    seq.cprev[:, 0] = c0
    for t in range(T):
        rec.product(seq.hprev[:, t], Wh, seq.gh)
        lstm_forward_step(t, seq.gh, b, seq.gates, seq.hprev, seq.cprev, seq.tanh_c, hs, h_last, c_last)
    return hs, h_last, c_last


def _backward(seq, dhs, dc, grads):
    """Backward over all steps from dhs (N, T, H) and the cell gradient dc (N, H)
    (updated in place); writes grads; returns dxs and the gradient of h0."""
    N, T, D, H, dtype = seq.shape
    dxs = np.empty((N, T, D), dtype)
    dh = np.zeros((N, H), dtype)
    if T == 0:
        for g in grads:
            g[...] = 0
        return dxs, dh
    db = np.empty(4 * H, dtype)
    WhT = seq.Wh.T
    for t in range(T - 1, -1, -1):
        lstm_backward_step(t, dhs, dh, dc, seq.gates, seq.cprev, seq.tanh_c, seq.dA, db)
        rec.product(seq.dA[:, t], WhT, dh)
    dA = seq.dA.reshape(N * T, 4 * H)
    rec.product(dA, seq.Wx.T, dxs.reshape(N * T, D))
    rec.product_into_grad(seq.xs.reshape(N * T, D).T, dA, grads[0])
    rec.product_into_grad(seq.hprev.reshape(N * T, H).T, dA, grads[1])
    grads[2][...] = db
    return dxs, dh


class TimeLSTM:
    """An LSTM run over T time steps: hs = TimeLSTM(Wx, Wh, b).forward(xs).

    Args: Wx (D, 4H), Wh (H, 4H), b (4H,), the gates f, g, i, o side by side
    (the book's order); stateful: carry h and c over from one forward to the next.
    forward(xs (N, T, D)) -> hs (N, T, H); backward(dhs (N, T, H)) -> dxs (N, T, D),
    writing dWx, dWh, db into ``grads`` in place.
    Attributes: params [Wx, Wh, b], grads, stateful, h and c (N, H) (the state
    after the last forward, or what set_state gave), dh (N, H) (the gradient of
    the initial h, after backward; chapter 7's decoder passes it on).
    set_state(h, c=None) (c None: zeros), reset_state().  Without stateful,
    every forward starts from zeros, as in the book.
    """

    def __init__(self, Wx, Wh, b, stateful=False):
        rec.weights("TimeLSTM", Wx, Wh, b, 4)
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.h, self.c = None, None
        self.dh = None
        self.stateful = stateful
        self._seq = None

    def forward(self, xs):
        return self._run(self._checked("TimeLSTM.forward", xs))

    def _checked(self, where, xs):
        """Every operand of a forward, checked; nothing is changed yet."""
        D, H, dtype, Wx, Wh, b = rec.operands(where, self.params, {"xs": xs}, 4)
        xs = tcheck.sequence(xs, where, "xs", dtype, D)
        N = xs.shape[0]
        h0 = np.zeros((N, H), dtype)
        c0 = np.zeros((N, H), dtype)
        if self.stateful and self.h is not None:
            h0 = tcheck.state(self.h, where, "h", (N, H), dtype)
        if self.stateful and self.c is not None:
            c0 = tcheck.state(self.c, where, "c", (N, H), dtype)
        return xs, Wx, Wh, b, h0, c0

    def _run(self, checked):
        xs, Wx, Wh, b, h0, c0 = checked
        N, T, D = xs.shape
        seq = self._seq = _buffers(self._seq, N, T, D, Wh.shape[0], xs.dtype)
        hs, self.h, self.c = _forward(seq, xs, Wx, Wh, b, h0, c0)
        return hs

    def backward(self, dhs):
        where = "TimeLSTM.backward"
        seq, dhs = rec.backward_operands(where, self._seq, dhs, self.grads, 4)
        N, _, _, H, dtype = seq.shape
        dxs, self.dh = _backward(seq, dhs, np.zeros((N, H), dtype), self.grads)
        return dxs

    def set_state(self, h, c=None):
        H = self.params[1].shape[0]
        h = rec.set_state_value("TimeLSTM.set_state", "h", h, H)
        c = rec.set_state_value("TimeLSTM.set_state", "c", c, H)
        if h is not None and c is not None and c.shape != h.shape:
            raise ValueError(f"TimeLSTM.set_state: c has shape {c.shape}; expected {h.shape} like h")
        self.h, self.c = h, c

    def reset_state(self):
        self.h, self.c = None, None


class LSTM:
    """One LSTM step: h_next, c_next = LSTM(Wx, Wh, b).forward(x, h_prev, c_prev).

    Args: Wx (D, 4H), Wh (H, 4H), b (4H,) (gates f, g, i, o).  forward(x (N, D),
    h_prev (N, H), c_prev (N, H)) -> (h_next, c_next); backward(dh_next, dc_next)
    -> (dx, dh_prev, dc_prev), writing dWx, dWh, db into ``grads``.
    Attributes: params, grads, cache (the forward's saved state, None before).
    """

    def __init__(self, Wx, Wh, b):
        rec.weights("LSTM", Wx, Wh, b, 4)
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev, c_prev):
        where = "LSTM.forward"
        D, H, dtype, Wx, Wh, b = rec.operands(where, self.params, {"x": x, "h_prev": h_prev, "c_prev": c_prev}, 4)
        x = check.batch(x, where, "x", D, dtype)
        N = x.shape[0]
        h_prev = tcheck.state(h_prev, where, "h_prev", (N, H), dtype)
        c_prev = tcheck.state(c_prev, where, "c_prev", (N, H), dtype)
        seq = _Sequence(N, 1, D, H, dtype)
        _, h_next, c_next = _forward(seq, x.reshape(N, 1, D), Wx, Wh, b, h_prev, c_prev)
        self.cache = seq
        return h_next, c_next

    def backward(self, dh_next, dc_next):
        where = "LSTM.backward"
        seq = check.saved(self.cache, where)
        N, _, D, H, dtype = seq.shape
        dh_next = check.same_shape(dh_next, (N, H), where, "dh_next", dtype)
        rec.check_grads(where, self.grads, D, H, 4, dtype)
        if np.ndim(dc_next) == 0:  # the book's TimeLSTM passes 0 at the last step
            dc = np.full((N, H), check.operand(dc_next, dtype, where, "dc_next"), dtype)
        else:  # a copy: the kernel turns it into dc_prev in place
            dc = np.array(check.same_shape(dc_next, (N, H), where, "dc_next", dtype))
        dxs, dh_prev = _backward(seq, dh_next.reshape(N, 1, H), dc, self.grads)
        return dxs.reshape(N, D), dh_prev, dc


class TimeBiLSTM:
    """Two TimeLSTMs, one reading xs forwards and one backwards, as the book's.

    Args: Wx1, Wh1, b1 (forwards), Wx2, Wh2, b2 (backwards), stateful.
    forward(xs (N, T, D)) -> (N, T, 2H), the forwards' hs then the backwards'
    (in the original time order); backward(dhs (N, T, 2H)) -> dxs (N, T, D).
    Attributes: forward_lstm, backward_lstm, params and grads (both layers').
    """

    def __init__(self, Wx1, Wh1, b1, Wx2, Wh2, b2, stateful=False):
        self.forward_lstm = TimeLSTM(Wx1, Wh1, b1, stateful)
        self.backward_lstm = TimeLSTM(Wx2, Wh2, b2, stateful)
        self.params = self.forward_lstm.params + self.backward_lstm.params
        self.grads = self.forward_lstm.grads + self.backward_lstm.grads

    def forward(self, xs):
        xs = np.asarray(xs)
        if xs.ndim != 3:
            raise ValueError(f"TimeBiLSTM.forward: xs has shape {xs.shape}; expected (N, T, D)")
        # Both layers' operands are checked before either runs (and advances its state).
        checked = (self.forward_lstm._checked("TimeBiLSTM.forward", xs),
                   self.backward_lstm._checked("TimeBiLSTM.forward", xs[:, ::-1]))
        o1 = self.forward_lstm._run(checked[0])
        o2 = self.backward_lstm._run(checked[1])
        return np.concatenate((o1, o2[:, ::-1]), axis=2)

    def backward(self, dhs):
        H = self.forward_lstm.params[1].shape[0]
        shape = np.shape(dhs)
        if len(shape) != 3 or shape[2] != 2 * H:
            raise ValueError(f"TimeBiLSTM.backward: dhs has shape {shape}; expected (N, T, {2 * H})")
        dhs = np.asarray(dhs)
        fw, bw = self.forward_lstm, self.backward_lstm
        for lstm in (fw, bw):  # both checked before either writes its grads
            if lstm._seq is None or lstm._seq.xs is None or lstm._seq.shape[:2] != shape[:2]:
                raise ValueError(
                    f"TimeBiLSTM.backward: dhs has shape {shape}; expected the forward's (N, T) "
                    "(or backward called before forward)")
            _, _, D, H_, dtype = lstm._seq.shape
            rec.check_grads("TimeLSTM.backward", lstm.grads, D, H_, 4, dtype)
        dxs1 = fw.backward(dhs[:, :, :H])
        dxs2 = bw.backward(dhs[:, ::-1, H:])
        return dxs1 + dxs2[:, ::-1]
