"""Plain-numpy, step-by-step oracles of the book's time layers (chapters 5-6).

Written from the book's equations, one time step at a time, allocating
freely; each computes on its own float64-or-given-dtype copies.
"""

import numpy as np


def rnn_forward(xs, Wx, Wh, b, h0):
    """hs (N, T, H) and the h_prev of every step, for h_t = tanh(h_{t-1} Wh + x_t Wx + b)."""
    N, T, _ = xs.shape
    h = np.array(h0)
    hs, prevs = [], []
    for t in range(T):
        prevs.append(h)
        h = np.tanh(np.dot(h, Wh) + np.dot(xs[:, t], Wx) + b)
        hs.append(h)
    return np.stack(hs, axis=1), prevs


def rnn_backward(dhs, xs, Wx, Wh, hs, prevs):
    """(dxs, dWx, dWh, db, dh0), back through time one step at a time."""
    N, T, H = dhs.shape
    dxs = np.empty(xs.shape, dhs.dtype)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H, dhs.dtype)
    dh = np.zeros((N, H), dhs.dtype)
    for t in reversed(range(T)):
        dt = (dhs[:, t] + dh) * (1 - hs[:, t] ** 2)
        db = db + dt.sum(axis=0)
        dWh = dWh + prevs[t].T @ dt
        dWx = dWx + xs[:, t].T @ dt
        dxs[:, t] = dt @ Wx.T
        dh = dt @ Wh.T
    return dxs, dWx, dWh, db, dh


def embedding_forward(W, xs):
    return np.stack([W[xs[:, t]] for t in range(xs.shape[1])], axis=1)


def embedding_backward(W, xs, dout):
    dW = np.zeros_like(W, dtype=dout.dtype)
    for t in range(xs.shape[1]):
        for n in range(xs.shape[0]):
            dW[xs[n, t]] += dout[n, t]
    return dW


def softmax_rows(x):
    x = x - x.max(axis=-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def time_softmax_loss(xs, ts, ignore=-1):
    """(loss, dxs) of the book's TimeSoftmaxWithLoss, row by row."""
    N, T, V = xs.shape
    total, count = 0.0, 0
    dxs = np.zeros(xs.shape, xs.dtype)
    for n in range(N):
        for t in range(T):
            if ts[n, t] == ignore:
                continue
            y = softmax_rows(xs[n, t])
            total -= np.log(y[ts[n, t]])
            count += 1
            dxs[n, t] = y
            dxs[n, t, ts[n, t]] -= 1
    return total / count, dxs / count


def time_sigmoid_loss(xs, ts):
    """(loss, dxs) of the book's TimeSigmoidWithLoss: the mean over steps of the
    per-step SigmoidWithLoss (cross-entropy of [1-y, y] with 1e-7 inside the log)."""
    N, T = xs.shape
    y = 1 / (1 + np.exp(-xs))
    loss = 0.0
    for t in range(T):
        p = np.where(ts[:, t] == 1, y[:, t], 1 - y[:, t])
        loss += -np.sum(np.log(p + 1e-7)) / N
    return loss / T, (y - ts) / N / T
