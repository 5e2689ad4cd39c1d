"""The LSTM cell's elementwise work, one time step per call (forward and backward).

Layout (book order of the four gates, batch-major like the layer's xs):
  gates  (N, T, 4H): on entry to the forward step, x_t @ Wx; on exit the
                     activated gates f, g, i, o (sigmoid, tanh, sigmoid, sigmoid).
  gh     (N, 4H):    h_{t-1} @ Wh for this step;  b (4H,).
  hprev, cprev (N, T, H): h_{t-1} and c_{t-1} at [:, t] (the forward writes
                     step t's h and c to [:, t+1], or to h_last, c_last (N, H)
                     at the last step), so hprev is the left operand of the
                     weight gradient of Wh, all steps in one product.
  tanh_c (N, T, H):  tanh(c_t), kept for the backward;  hs (N, T, H): the output.

Forward:  a = gates[:, t] + gh + b;  f, g, i, o = sig(a_f), tanh(a_g), sig(a_i), sig(a_o)
          c = f*c_prev + g*i;  h = o*tanh(c)
Backward: dh = dhs[:, t] + dh_rec;  ds = dc + dh*o*(1 - tanh(c)^2);  dc <- ds*f
          dA[:, t] = (ds*c_prev*f(1-f), ds*i*(1-g^2), ds*g*i(1-i), dh*tanh(c)*o(1-o))
          db (+)= column sums of dA[:, t]  (assigned at t = T-1, added below it)
The products with Wh (and all steps' products with Wx) are BLAS calls made by the
layer (fastnn/nn/time_lstm.py) between these kernels.  exp and tanh are the
vectorisable ones (fast_exp.py, fast_tanh.py).
"""

import numpy as np
from numba import njit

from ._checks import check_apart, check_index, check_operands, shape_of
from ._config import KERNEL
from .fast_exp import exp_approx
from .fast_tanh import tanh_approx


@njit(**KERNEL)
def _forward_step(t, gh, b, gates, hprev, cprev, tanh_c, hs, h_last, c_last):
    # Each loop below reads and writes at most three arrays: with more, LLVM
    # would need too many runtime overlap checks and leave the loop scalar
    # (one loop doing it all ran about 5x slower).  Every loop also runs over
    # range(length) of a 1-D view that starts at the gate's offset: a loop
    # written as range(2 * H, G) stayed scalar (LLVM did not vectorise it),
    # which made the step 2-4x slower at N=128, H=128.
    check_apart("lstm_forward_step", ("gh", "b", "gates", "hprev", "cprev", "tanh_c", "hs", "h_last", "c_last"),
                (gh, b, gates, hprev, cprev, tanh_c, hs, h_last, c_last), 2)
    N, T, G = gates.shape
    H = G // 4
    one = gates.dtype.type(1)
    last = t + 1 == T
    s = np.empty(G, gates.dtype)
    s_f = s[:H]
    s_g = s[H:2 * H]
    s_i = s[2 * H:3 * H]
    s_io = s[2 * H:]  # i and o, both sigmoids: one loop
    s_o = s[3 * H:]
    for n in range(N):
        a = gates[n, t]
        ghn = gh[n]
        for k in range(G):
            s[k] = a[k] + ghn[k] + b[k]
        for k in range(H):
            s_f[k] = one / (one + exp_approx(-s_f[k]))
        for k in range(H):
            s_g[k] = tanh_approx(s_g[k])
        for k in range(2 * H):
            s_io[k] = one / (one + exp_approx(-s_io[k]))
        for k in range(G):
            a[k] = s[k]  # f, g, i, o for the backward
        c_prev = cprev[n, t]
        c_next = c_last[n] if last else cprev[n, t + 1]
        for j in range(H):
            c_next[j] = s_f[j] * c_prev[j] + s_g[j] * s_i[j]
        tc = tanh_c[n, t]
        for j in range(H):
            tc[j] = tanh_approx(c_next[j])
        h_out = hs[n, t]
        for j in range(H):
            h_out[j] = s_o[j] * tc[j]
        h_next = h_last[n] if last else hprev[n, t + 1]
        for j in range(H):
            h_next[j] = h_out[j]


@njit(**KERNEL)
def _backward_step(t, dhs, dh_rec, dc, gates, cprev, tanh_c, dA, db):
    # Loops of at most three arrays, as in _forward_step.
    check_apart("lstm_backward_step", ("dhs", "dh_rec", "gates", "cprev", "tanh_c", "dc", "dA", "db"),
                (dhs, dh_rec, gates, cprev, tanh_c, dc, dA, db), 5)
    N, T, G = gates.shape
    H = G // 4
    one = gates.dtype.type(1)
    if t == T - 1:
        for k in range(G):
            db[k] = 0
    dh = np.empty(H, gates.dtype)
    ds = np.empty(H, gates.dtype)
    for n in range(N):
        a = gates[n, t]
        d = dA[n, t]
        tc = tanh_c[n, t]
        dhn = dhs[n, t]
        rec = dh_rec[n]
        for j in range(H):
            dh[j] = dhn[j] + rec[j]
        for j in range(H):  # the output gate's gradient, then dh*o
            o = a[3 * H + j]
            d[3 * H + j] = dh[j] * tc[j] * o * (one - o)
            dh[j] = dh[j] * o
        dcn = dc[n]
        for j in range(H):
            ds[j] = dcn[j] + dh[j] * (one - tc[j] * tc[j])
        for j in range(H):
            dcn[j] = ds[j] * a[j]
        c_prev = cprev[n, t]
        for j in range(H):
            f = a[j]
            d[j] = ds[j] * c_prev[j] * f * (one - f)
        for j in range(H):
            g = a[H + j]
            i = a[2 * H + j]
            d[H + j] = ds[j] * i * (one - g * g)
            d[2 * H + j] = ds[j] * g * i * (one - i)
        for k in range(G):
            db[k] += d[k]


def lstm_forward_step(t, gh, b, gates, hprev, cprev, tanh_c, hs, h_last, c_last):
    """Step t of the LSTM forward (see the module docstring).

    IN: gh (N, 4H), b (4H,), gates[:, t] (x_t @ Wx), hprev[:, t], cprev[:, t].
    OUT: gates[:, t] (activated), tanh_c[:, t], hs[:, t], and h_t, c_t in
    hprev[:, t+1], cprev[:, t+1] (t < T-1) or h_last, c_last (t = T-1).
    """
    N, T, G = _sizes("lstm_forward_step", gates, 4)
    H = G // 4
    check_operands("lstm_forward_step",
                   {"gh": (gh, (N, G)), "b": (b, (G,))},
                   {"gates": (gates, (N, T, G)), "hprev": (hprev, (N, T, H)),
                    "cprev": (cprev, (N, T, H)), "tanh_c": (tanh_c, (N, T, H)),
                    "hs": (hs, (N, T, H)), "h_last": (h_last, (N, H)), "c_last": (c_last, (N, H))},
                   overlap=False)  # checked in _forward_step
    check_index("lstm_forward_step", "t", t, T)
    _forward_step(t, gh, b, gates, hprev, cprev, tanh_c, hs, h_last, c_last)


def lstm_backward_step(t, dhs, dh_rec, dc, gates, cprev, tanh_c, dA, db):
    """Step t of the LSTM backward, run for t = T-1 down to 0 (see the module docstring).

    IN: dhs (N, T, H), dh_rec (N, H) (dA[:, t+1] @ Wh.T, zeros at t = T-1),
    gates, cprev, tanh_c as the forward left them.  IN/OUT: dc (N, H), the
    cell gradient from step t+1, replaced by the one to step t-1.
    OUT: dA[:, t] (N, T, 4H); db (4H,) set at t = T-1, accumulated below.
    """
    N, T, G = _sizes("lstm_backward_step", gates, 4)
    H = G // 4
    check_operands("lstm_backward_step",
                   {"dhs": (dhs, (N, T, H)), "dh_rec": (dh_rec, (N, H)), "gates": (gates, (N, T, G)),
                    "cprev": (cprev, (N, T, H)), "tanh_c": (tanh_c, (N, T, H))},
                   {"dc": (dc, (N, H)), "dA": (dA, (N, T, G)), "db": (db, (G,))},
                   overlap=False)  # checked in _backward_step
    check_index("lstm_backward_step", "t", t, T)
    _backward_step(t, dhs, dh_rec, dc, gates, cprev, tanh_c, dA, db)


def _sizes(where, gates, n_gates):
    """(N, T, G) of the gates buffer, G a multiple of n_gates."""
    shape = shape_of(where, "gates", gates, 3)
    if shape[2] % n_gates:
        raise ValueError(f"{where}: gates has shape {shape}; expected (N, T, {n_gates}*H)")
    return shape
