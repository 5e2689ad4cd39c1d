"""The GRU cell's elementwise work, per time step (two kernels each way).

Layout (the book's gate order z, r, candidate; batch-major like xs):
  gates (N, T, 3H): on entry x_t @ Wx; the forward leaves the activated z, r
                    and the candidate h~ there.
  hprev (N, T, H):  h_{t-1} at [:, t] (the forward writes h_t to [:, t+1], or
                    to h_last (N, H) at the last step);  rh (N, T, H): r * h_{t-1}.
The candidate needs (r * h_{t-1}) @ Whh, a product that depends on r, so a step
is: BLAS h_{t-1} @ Wh[:, :2H] -> gru_forward_gates -> BLAS rh_t @ Whh ->
gru_forward_candidate.

Forward:  z, r = sig(a_z + gh_z + b_z), sig(a_r + gh_r + b_r);  rh = r*h_prev
          h~ = tanh(a_h + (rh @ Whh) + b_h);  h = (1-z)*h_prev + z*h~
Backward: dh = dhs[:, t] + dh_part + dh_mm   (the two parts from step t+1)
          dA_h = dh*z*(1-h~^2);   BLAS drh = dA_h @ Whh.T
          dA_z = dh*(h~ - h_prev)*z(1-z);  dA_r = drh*h_prev*r(1-r)
          dh_part = dh*(1-z) + r*drh;  BLAS dh_mm = [dA_z dA_r] @ Wh[:, :2H].T
          db (+)= column sums of dA[:, t] (assigned at t = T-1, added below it)
"""

import numpy as np
from numba import njit

from ._checks import check_apart, check_index, check_operands
from ._config import KERNEL
from .fast_exp import exp_approx
from .fast_tanh import tanh_approx
from .lstm import _sizes

# Each loop reads or writes few arrays: with many, LLVM needs too many
# runtime overlap checks and leaves the loop scalar (see lstm.py).

@njit(**KERNEL)
def _forward_gates(t, gh, b, gates, hprev, rh):
    check_apart("gru_forward_gates", ("gh", "b", "hprev", "gates", "rh"),
                (gh, b, hprev, gates, rh), 3)
    N, T, G = gates.shape
    H = G // 3
    one = gates.dtype.type(1)
    s = np.empty(2 * H, gates.dtype)
    for n in range(N):
        a = gates[n, t]
        ghn = gh[n]
        for k in range(2 * H):
            s[k] = a[k] + ghn[k] + b[k]
        for k in range(2 * H):
            s[k] = one / (one + exp_approx(-s[k]))
        for k in range(2 * H):
            a[k] = s[k]  # z, r
        hp = hprev[n, t]
        rhn = rh[n, t]
        for j in range(H):
            rhn[j] = s[H + j] * hp[j]


@njit(**KERNEL)
def _forward_candidate(t, gh, b, gates, hprev, hs, h_last):
    check_apart("gru_forward_candidate", ("gh", "b", "gates", "hprev", "hs", "h_last"),
                (gh, b, gates, hprev, hs, h_last), 2)
    N, T, G = gates.shape
    H = G // 3
    one = gates.dtype.type(1)
    last = t + 1 == T
    s = np.empty(H, gates.dtype)
    for n in range(N):
        a = gates[n, t]
        ghn = gh[n]
        for j in range(H):
            s[j] = a[2 * H + j] + ghn[j] + b[2 * H + j]
        for j in range(H):
            s[j] = tanh_approx(s[j])
        for j in range(H):
            a[2 * H + j] = s[j]  # the candidate h~
        hp = hprev[n, t]
        h_out = hs[n, t]
        for j in range(H):
            h_out[j] = (one - a[j]) * hp[j] + a[j] * s[j]
        h_next = h_last[n] if last else hprev[n, t + 1]
        for j in range(H):
            h_next[j] = h_out[j]


@njit(**KERNEL)
def _backward_candidate(t, dhs, dh_part, dh_mm, gates, dh, dA, db):
    check_apart("gru_backward_candidate", ("dhs", "dh_part", "dh_mm", "gates", "dh", "dA", "db"),
                (dhs, dh_part, dh_mm, gates, dh, dA, db), 4)
    N, T, G = gates.shape
    H = G // 3
    one = gates.dtype.type(1)
    if t == T - 1:
        for k in range(G):
            db[k] = 0
    db_h = db[2 * H:]
    for n in range(N):
        a = gates[n, t]
        a_z = a[:H]
        a_h = a[2 * H:]
        d_h = dA[n, t, 2 * H:]
        dhs_n = dhs[n, t]
        part = dh_part[n]
        mm = dh_mm[n]
        dhn = dh[n]
        for j in range(H):
            dhn[j] = dhs_n[j] + part[j] + mm[j]
        for j in range(H):
            cand = a_h[j]
            d_h[j] = dhn[j] * a_z[j] * (one - cand * cand)
        for j in range(H):  # a 0-based loop: range(2 * H, G) stayed scalar
            db_h[j] += d_h[j]


@njit(**KERNEL)
def _backward_gates(t, dh, drh, gates, hprev, dA, dh_part, db):
    check_apart("gru_backward_gates", ("dh", "drh", "gates", "hprev", "dA", "dh_part", "db"),
                (dh, drh, gates, hprev, dA, dh_part, db), 4)
    N, T, G = gates.shape
    H = G // 3
    one = gates.dtype.type(1)
    for n in range(N):
        a = gates[n, t]
        d = dA[n, t]
        dhn = dh[n]
        drn = drh[n]
        hp = hprev[n, t]
        part = dh_part[n]
        for j in range(H):
            z = a[j]
            d[j] = dhn[j] * (a[2 * H + j] - hp[j]) * z * (one - z)
        for j in range(H):
            r = a[H + j]
            d[H + j] = drn[j] * hp[j] * r * (one - r)
        for j in range(H):
            part[j] = dhn[j] * (one - a[j]) + a[H + j] * drn[j]
        for j in range(2 * H):
            db[j] += d[j]


def gru_forward_gates(t, gh, b, gates, hprev, rh):
    """Step t, first half.  IN: gh (N, 2H) = h_{t-1} @ Wh[:, :2H], b (3H,), gates[:, t]
    (x_t @ Wx), hprev[:, t].  OUT: z, r in gates[:, t, :2H]; rh[:, t] = r * h_{t-1}."""
    N, T, G = _sizes("gru_forward_gates", gates, 3)
    H = G // 3
    check_operands("gru_forward_gates",
                   {"gh": (gh, (N, 2 * H)), "b": (b, (G,)), "hprev": (hprev, (N, T, H))},
                   {"gates": (gates, (N, T, G)), "rh": (rh, (N, T, H))},
                   overlap=False)  # checked in the jitted step
    check_index("gru_forward_gates", "t", t, T)
    _forward_gates(t, gh, b, gates, hprev, rh)


def gru_forward_candidate(t, gh, b, gates, hprev, hs, h_last):
    """Step t, second half.  IN: gh (N, H) = rh[:, t] @ Whh, b, z in gates[:, t], hprev[:, t].
    OUT: h~ in gates[:, t, 2H:], hs[:, t], and h_t in hprev[:, t+1] (t < T-1) or h_last."""
    N, T, G = _sizes("gru_forward_candidate", gates, 3)
    H = G // 3
    check_operands("gru_forward_candidate",
                   {"gh": (gh, (N, H)), "b": (b, (G,))},
                   {"gates": (gates, (N, T, G)), "hprev": (hprev, (N, T, H)),
                    "hs": (hs, (N, T, H)), "h_last": (h_last, (N, H))},
                   overlap=False)  # checked in the jitted step
    check_index("gru_forward_candidate", "t", t, T)
    _forward_candidate(t, gh, b, gates, hprev, hs, h_last)


def gru_backward_candidate(t, dhs, dh_part, dh_mm, gates, dh, dA, db):
    """Backward step t, first half (t = T-1 down to 0).  IN: dhs (N, T, H), dh_part and
    dh_mm (N, H) from step t+1 (zeros at T-1), gates.  OUT: dh (N, H), the whole gradient
    of h_t; dA[:, t, 2H:]; db[2H:] (set at t = T-1, accumulated below)."""
    N, T, G = _sizes("gru_backward_candidate", gates, 3)
    H = G // 3
    check_operands("gru_backward_candidate",
                   {"dhs": (dhs, (N, T, H)), "dh_part": (dh_part, (N, H)), "dh_mm": (dh_mm, (N, H)),
                    "gates": (gates, (N, T, G))},
                   {"dh": (dh, (N, H)), "dA": (dA, (N, T, G)), "db": (db, (G,))},
                   overlap=False)  # checked in the jitted step
    check_index("gru_backward_candidate", "t", t, T)
    _backward_candidate(t, dhs, dh_part, dh_mm, gates, dh, dA, db)


def gru_backward_gates(t, dh, drh, gates, hprev, dA, dh_part, db):
    """Backward step t, second half.  IN: dh, drh (N, H) = dA[:, t, 2H:] @ Whh.T, gates,
    hprev.  OUT: dA[:, t, :2H]; dh_part (N, H); db[:2H] accumulated (after
    gru_backward_candidate set it at t = T-1)."""
    N, T, G = _sizes("gru_backward_gates", gates, 3)
    H = G // 3
    check_operands("gru_backward_gates",
                   {"dh": (dh, (N, H)), "drh": (drh, (N, H)), "gates": (gates, (N, T, G)),
                    "hprev": (hprev, (N, T, H))},
                   {"dA": (dA, (N, T, G)), "dh_part": (dh_part, (N, H)), "db": (db, (G,))},
                   overlap=False)  # checked in the jitted step
    check_index("gru_backward_gates", "t", t, T)
    _backward_gates(t, dh, drh, gates, hprev, dA, dh_part, db)
