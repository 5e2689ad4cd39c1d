"""Chapter 8's greedy decoding of one question with attention, in one kernel call.

The book's AttentionDecoder.generate runs its layers once per output character
with N = 1: a few microseconds of arithmetic under many layer calls.  With
N = 1 the embedding and the LSTM's input projection fold into one table,
``table = embed_W @ Wx + b`` (V, 4H), made once per question by the caller, so
a step is:

  a = table[id] + h @ Wh;  f, g, i, o = sig, tanh, sig, sig (the book's order)
  c = f*c + g*i;  h = o*tanh(c)
  w = softmax_j(enc[j] . h);  ctx = sum_j w[j] * enc[j]
  score = ctx @ Waff[:H] + h @ Waff[H:] + baff;  id = argmax(score) (the first maximum)

exp and tanh are the LSTM layer's (fast_exp, fast_tanh), the softmax's exp
is np.exp as in the attention kernels.  h and c (H,) hold the initial state
and are left as the final one; weights (S, Te) gets every step's attention.
"""

import numpy as np
from numba import njit

from ._config import KERNEL
from .attention import _check, _softmax_row, _weigh
from .fast_exp import exp_approx
from .fast_tanh import tanh_approx


@njit(**KERNEL)
def _decode(table, Wh, enc, Waff, baff, h, c, start_id, weights, out_ids):
    G = table.shape[1]
    H = G // 4
    V = baff.shape[0]
    one = table.dtype.type(1)
    a = np.empty(G, table.dtype)
    ctx = np.empty(H, table.dtype)
    score = np.empty(V, table.dtype)
    word = start_id
    for s in range(out_ids.shape[0]):
        row = table[word]
        for k in range(G):
            a[k] = row[k]
        for m in range(H):
            hm = h[m]
            wrow = Wh[m]
            for k in range(G):
                a[k] += hm * wrow[k]
        for k in range(H):
            a[k] = one / (one + exp_approx(-a[k]))
        for k in range(H, 2 * H):
            a[k] = tanh_approx(a[k])
        for k in range(2 * H, G):
            a[k] = one / (one + exp_approx(-a[k]))
        for j in range(H):
            c[j] = a[j] * c[j] + a[H + j] * a[2 * H + j]
        for j in range(H):
            h[j] = a[3 * H + j] * tanh_approx(c[j])
        w = weights[s]
        for j in range(enc.shape[0]):
            acc = table.dtype.type(0)
            for k in range(H):
                acc += enc[j, k] * h[k]
            w[j] = acc
        _softmax_row(w)
        _weigh(w, enc, ctx)
        for v in range(V):
            score[v] = baff[v]
        for m in range(H):
            cm, hm = ctx[m], h[m]
            crow, hrow = Waff[m], Waff[H + m]
            for v in range(V):
                score[v] += cm * crow[v] + hm * hrow[v]
        best = 0
        for v in range(1, V):
            if score[v] > score[best]:
                best = v
        out_ids[s] = best
        word = best


def attention_greedy_decode(table, Wh, enc, Waff, baff, h, c, start_id, weights, out_ids):
    """Greedy decoding of out_ids.size ids from start_id with attention over enc.

    IN: table (V, 4H), Wh (H, 4H), enc (Te, H) (the encoder's states, Te >= 1),
    Waff (2H, W), baff (W,) (W <= V: an id is fed back as an input), start_id.
    IN/OUT: h, c (H,).  OUT: weights (S, Te), out_ids (S,) int64.
    """
    k = "attention_greedy_decode"
    for name, x, ndim in (("table", table, 2), ("enc", enc, 2), ("h", h, 1), ("baff", baff, 1)):
        if type(x) is not np.ndarray or x.ndim != ndim:
            raise ValueError(f"{k}: {name} has shape {np.shape(x)}; expected a {ndim}-D numpy array")
    V, G = table.shape
    H = G // 4
    Te = enc.shape[0]
    W = baff.shape[0]
    if G != 4 * h.shape[0] or Te == 0 or W > V:
        raise ValueError(f"{k}: table {table.shape}, h {h.shape}, enc {enc.shape}, baff {baff.shape}; "
                         "expected table (V, 4H), h (H,), enc (Te >= 1, H), baff (W <= V,)")
    if type(out_ids) is not np.ndarray or out_ids.dtype != np.int64 or out_ids.ndim != 1:
        raise TypeError(f"{k}: out_ids is {getattr(out_ids, 'dtype', type(out_ids).__name__)!s}; "
                        "expected a 1-D int64 numpy array")
    if not out_ids.flags.writeable:
        raise ValueError(f"{k}: out_ids is read-only; expected a writable array (it is written)")
    S = out_ids.shape[0]
    _check(k, {"table": (table, (V, G)), "Wh": (Wh, (H, G)), "enc": (enc, (Te, H)),
               "Waff": (Waff, (2 * H, W)), "baff": (baff, (W,))},
           {"h": (h, (H,)), "c": (c, (H,)), "weights": (weights, (S, Te))})
    if not isinstance(start_id, (int, np.integer)) or isinstance(start_id, bool) or not 0 <= start_id < V:
        raise IndexError(f"{k}: start_id is {start_id!r}; expected an id in [0, {V})")
    _decode(table, Wh, enc, Waff, baff, h, c, int(start_id), weights, out_ids)
