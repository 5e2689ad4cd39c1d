"""Plain-numpy oracles of the recurrent layers, written step by step from the book's equations.

Shaped as the book's common/time_layers.py works (one cell object per time step,
two products per step, the gate gradients stacked, the weight gradients of every
step summed), so the benchmarks' numpy side does the book's work.  One
difference: buffers take the weights' dtype (the book writes hs into float32
always), so float64 runs stay float64 for the gradient checks.

LSTM, gates side by side in the order f, g, i, o:
    A = x Wx + h Wh + b;  f, i, o = sigmoid;  g = tanh
    c' = f c + g i;  h' = o tanh(c')
GRU, gates z, r, candidate:
    z = sig(x Wxz + h Whz + bz);  r = sig(x Wxr + h Whr + br)
    h~ = tanh(x Wxh + (r h) Whh + bh);  h' = (1 - z) h + z h~
"""

import numpy as np


def _sig(a):
    return 1 / (1 + np.exp(-a))


class LSTMCell:
    def __init__(self, Wx, Wh, b):
        self.Wx, self.Wh, self.b = Wx, Wh, b

    def forward(self, x, h, c):
        H = h.shape[1]
        A = x @ self.Wx + h @ self.Wh + self.b
        f, g, i, o = _sig(A[:, :H]), np.tanh(A[:, H:2 * H]), _sig(A[:, 2 * H:3 * H]), _sig(A[:, 3 * H:])
        c_new = f * c + g * i
        tc = np.tanh(c_new)
        self.saved = (x, h, c, f, g, i, o, tc)
        return o * tc, c_new

    def backward(self, dh, dc):
        x, h, c, f, g, i, o, tc = self.saved
        ds = dc + dh * o * (1 - tc ** 2)
        dA = np.hstack((ds * c * f * (1 - f), ds * i * (1 - g ** 2),
                        ds * g * i * (1 - i), dh * tc * o * (1 - o)))
        self.dWx, self.dWh, self.db = x.T @ dA, h.T @ dA, dA.sum(axis=0)
        return dA @ self.Wx.T, dA @ self.Wh.T, ds * f


class GRUCell:
    def __init__(self, Wx, Wh, b):
        self.Wx, self.Wh, self.b = Wx, Wh, b

    def forward(self, x, h):
        H = h.shape[1]
        Wx, Wh, b = self.Wx, self.Wh, self.b
        z = _sig(x @ Wx[:, :H] + h @ Wh[:, :H] + b[:H])
        r = _sig(x @ Wx[:, H:2 * H] + h @ Wh[:, H:2 * H] + b[H:2 * H])
        hh = np.tanh(x @ Wx[:, 2 * H:] + (r * h) @ Wh[:, 2 * H:] + b[2 * H:])
        self.saved = (x, h, z, r, hh)
        return (1 - z) * h + z * hh

    def backward(self, dh):
        x, h, z, r, hh = self.saved
        H = h.shape[1]
        Wh = self.Wh
        d_cand = dh * z * (1 - hh ** 2)
        drh = d_cand @ Wh[:, 2 * H:].T  # gradient of r*h
        dz = dh * (hh - h) * z * (1 - z)
        dr = drh * h * r * (1 - r)
        dA = np.hstack((dz, dr, d_cand))
        self.dWx = x.T @ dA
        self.dWh = np.hstack((h.T @ dz, h.T @ dr, (r * h).T @ d_cand))
        self.db = dA.sum(axis=0)
        dh_prev = dh * (1 - z) + r * drh + dz @ Wh[:, :H].T + dr @ Wh[:, H:2 * H].T
        return dA @ self.Wx.T, dh_prev


class _TimeCells:
    """The book's Time* loop over one cell object per step, for either cell."""

    cell = None

    def __init__(self, Wx, Wh, b, stateful=False):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.stateful = stateful
        self.h = self.c = self.dh = None

    def forward(self, xs):
        Wx, Wh, b = self.params
        N, T, _ = xs.shape
        H = Wh.shape[0]
        dtype = Wh.dtype
        if not self.stateful or self.h is None:
            self.h = np.zeros((N, H), dtype)
        if not self.stateful or self.c is None:
            self.c = np.zeros((N, H), dtype)
        hs = np.empty((N, T, H), dtype)
        self.cells = []
        for t in range(T):
            cell = self.cell(Wx, Wh, b)
            if self.cell is LSTMCell:
                self.h, self.c = cell.forward(xs[:, t, :], self.h, self.c)
            else:
                self.h = cell.forward(xs[:, t, :], self.h)
            hs[:, t, :] = self.h
            self.cells.append(cell)
        return hs

    def backward(self, dhs):
        N, T, _ = dhs.shape
        dxs = np.empty((N, T, self.params[0].shape[0]), dhs.dtype)
        dh, dc = 0, 0
        sums = [0, 0, 0]
        for t in reversed(range(T)):
            cell = self.cells[t]
            if self.cell is LSTMCell:
                dxs[:, t, :], dh, dc = cell.backward(dhs[:, t, :] + dh, dc)
            else:
                dxs[:, t, :], dh = cell.backward(dhs[:, t, :] + dh)
            sums = [s + g for s, g in zip(sums, (cell.dWx, cell.dWh, cell.db))]
        for grad, s in zip(self.grads, sums):
            grad[...] = s
        self.dh = dh
        return dxs

    def set_state(self, h, c=None):
        self.h, self.c = h, c

    def reset_state(self):
        self.h = self.c = None


class TimeLSTMRef(_TimeCells):
    cell = LSTMCell


class TimeGRURef(_TimeCells):
    cell = GRUCell
