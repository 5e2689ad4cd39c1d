"""The peeky decoder's LSTM without the repeated half of its input projection.

The book feeds the LSTM [h, e_t] at every step, so [h, e_t] @ Wx costs
(H + D) x 4H per row, though h is the same at every step.  Split Wx into its
h rows and its e rows: x_t @ Wx = h @ Wx[:H] + e_t @ Wx[H:], the first product
made once.  The backward does the same for the gradients:
dWx[:H] = h.T @ sum_t dA_t, dWx[H:] = e.T @ dA, and h's share of the inputs'
gradient is (sum_t dA_t) @ Wx[:H].T.  At the book's sizes (H 128, D 16) this
removes about a fifth of a training step's multiply-adds.  The layer object
stays the book's TimeLSTM (params, grads, h, c, dh, set_state); its buffers
and step kernels are the ones TimeLSTM uses (kernels/lstm.py).
"""

import numpy as np

from .._core import recurrent as rec
from ..kernels.lstm import lstm_backward_step, lstm_forward_step


class PeekyLSTMRun:
    """One forward of `lstm` (a TimeLSTM) over embeddings e (N, T, D) from the peeked h (N, H),
    and its backward."""

    def __init__(self, lstm, e, h):
        Wx, Wh, b = lstm.params
        H = Wh.shape[0]
        N, T, D = e.shape
        if Wx.shape != (H + D, 4 * H) or h.shape != (N, H):
            raise ValueError(f"PeekyDecoder.forward: h {h.shape}, embeddings {e.shape} and Wx {Wx.shape} "
                             f"do not fit; expected h (N, {H}) and Wx ({H} + D, {4 * H})")
        dtype = Wx.dtype
        self.lstm, self.shape = lstm, (N, T, D, H)
        self.Wx, self.Wh, self.b = Wx, rec.as_dtype(Wh, dtype), rec.as_dtype(b, dtype)
        self.e = np.ascontiguousarray(e, dtype).reshape(N * T, D)
        self.h = np.ascontiguousarray(h, dtype)
        self.gates = np.empty((N, T, 4 * H), dtype)
        self.hprev = np.empty((N, T, H), dtype)
        self.cprev = np.empty((N, T, H), dtype)
        self.tanh_c = np.empty((N, T, H), dtype)

    def forward(self):
        N, T, D, H = self.shape
        gates, hprev, cprev = self.gates, self.hprev, self.cprev
        rec.product(self.e, self.Wx[H:], gates.reshape(N * T, 4 * H))
        peeked = np.empty((N, 4 * H), gates.dtype)
        rec.product(self.h, self.Wx[:H], peeked)
        gates += peeked[:, None, :]
        hprev[:, 0] = self.h
        cprev[:, 0] = 0
        hs = np.empty((N, T, H), gates.dtype)
        h_last, c_last = np.empty((N, H), gates.dtype), np.empty((N, H), gates.dtype)
        gh = np.empty((N, 4 * H), gates.dtype)
        for t in range(T):
            rec.product(hprev[:, t], self.Wh, gh)
            lstm_forward_step(t, gh, self.b, gates, hprev, cprev, self.tanh_c, hs, h_last, c_last)
        self.lstm.h, self.lstm.c = h_last, c_last
        return hs

    def backward(self, dhs):
        """Gradients of the embeddings (N, T, D) and of the peeked h through the LSTM's
        inputs (N, H); writes the LSTM's grads and its dh (the initial state's gradient)."""
        N, T, D, H = self.shape
        dtype = self.gates.dtype
        dhs = np.ascontiguousarray(dhs, dtype)
        if dhs.shape != (N, T, H):
            raise ValueError(f"PeekyDecoder.backward: dhs has shape {dhs.shape}; expected {(N, T, H)}")
        dA = np.empty_like(self.gates)
        dh, dc = np.zeros((N, H), dtype), np.zeros((N, H), dtype)
        db = np.empty(4 * H, dtype)
        WhT = self.Wh.T
        for t in range(T - 1, -1, -1):
            lstm_backward_step(t, dhs, dh, dc, self.gates, self.cprev, self.tanh_c, dA, db)
            rec.product(dA[:, t], WhT, dh)
        dA2 = dA.reshape(N * T, 4 * H)
        dA_sum = dA.sum(axis=1)
        de = np.empty((N * T, D), dtype)
        rec.product(dA2, self.Wx[H:].T, de)
        dh_peeked = np.empty((N, H), dtype)
        rec.product(dA_sum, self.Wx[:H].T, dh_peeked)
        dWx, dWh, db_grad = self.lstm.grads
        rec.product_into_grad(self.h.T, dA_sum, dWx[:H])
        rec.product_into_grad(self.e.T, dA2, dWx[H:])
        rec.product_into_grad(self.hprev.reshape(N * T, H).T, dA2, dWh)
        db_grad[...] = db
        self.lstm.dh = dh
        return de.reshape(N, T, D), dh_peeked
