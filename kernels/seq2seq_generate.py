"""One question through an LSTM encoder and a greedy LSTM decoder, each in one call.

Chapter 7's evaluation feeds one question (N = 1) at a time: the book runs its
layers once per character, a few microseconds of numpy work buried under the
calls.  With N = 1 the embedding and the input projection fold into one table,
``table = embed_W @ Wx_embed`` (V, 4H), made once per question by the caller,
so a step is a row read, one (H,) @ (H, 4H) product and the cell:

  encode:  a = table[id_t] + h @ Wh;  f, g, i, o = sig, tanh, sig, sig;
           c = f*c + g*i;  h = o*tanh(c)                   (ids given)
  decode:  the same with a += const (the peeky decoder's h_enc @ Wx_h + b),
           then score = h @ Waff + score_const, next id = argmax(score)
           (the first maximum, as np.argmax).

h and c (H,) are read as the initial state and left as the final one.  Gates
in the book's order f, g, i, o; exp and tanh are the layer's (fast_exp, fast_tanh).
"""

import numpy as np
from numba import njit

from ._config import KERNEL
from ._step_checks import check_step
from .fast_exp import exp_approx
from .fast_tanh import tanh_approx


@njit(**KERNEL)
def _cell(table_row, const, h, c, Wh, a):
    G = a.shape[0]
    H = G // 4
    one = a.dtype.type(1)
    for k in range(G):
        a[k] = table_row[k] + const[k]
    for m in range(H):
        hm = h[m]
        row = Wh[m]
        for k in range(G):
            a[k] += hm * row[k]
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


@njit(**KERNEL)
def _encode(table, Wh, ids, h, c):
    a = np.empty(table.shape[1], table.dtype)
    zero = np.zeros(table.shape[1], table.dtype)
    for t in range(ids.shape[0]):
        _cell(table[ids[t]], zero, h, c, Wh, a)


@njit(**KERNEL)
def _decode(table, const, Wh, Waff, score_const, h, c, start_id, out_ids):
    a = np.empty(table.shape[1], table.dtype)
    score = np.empty(Waff.shape[1], table.dtype)
    V = Waff.shape[1]
    word = start_id
    for s in range(out_ids.shape[0]):
        _cell(table[word], const, h, c, Wh, a)
        for v in range(V):
            score[v] = score_const[v]
        for m in range(h.shape[0]):
            hm = h[m]
            row = Waff[m]
            for v in range(V):
                score[v] += hm * row[v]
        best = 0
        for v in range(1, V):
            if score[v] > score[best]:
                best = v
        out_ids[s] = best
        word = best


def _ids(where, ids, V, name):
    if type(ids) is not np.ndarray or ids.dtype.kind not in "iu" or ids.ndim != 1:
        raise TypeError(f"{where}: {name} is {getattr(ids, 'dtype', type(ids).__name__)!s}; "
                        "expected a 1-d numpy integer array")
    if ids.size and (ids.min() < 0 or ids.max() >= V):
        raise IndexError(f"{where}: {name} holds ids in [{ids.min()}, {ids.max()}]; expected ids in [0, {V})")
    return ids.astype(np.int64)


def lstm_encode(table, Wh, ids, h, c):
    """Run ids (T,) through the cell from state h, c (H,), updated in place."""
    where = "lstm_encode"
    V, G = np.shape(table)[0], 4 * np.shape(h)[0]
    H = G // 4
    check_step(where, 0, 1, {"table": (table, (V, G)), "Wh": (Wh, (H, G))}, {"h": (h, (H,)), "c": (c, (H,))})
    _encode(table, Wh, _ids(where, ids, V, "ids"), h, c)


def lstm_greedy_decode(table, const, Wh, Waff, score_const, h, c, start_id, out_ids):
    """Greedy decoding of out_ids.size ids from start_id; h, c (H,) updated in place."""
    where = "lstm_greedy_decode"
    H = np.shape(h)[0]
    V, G, W = np.shape(table)[0], 4 * H, np.shape(score_const)[0]
    check_step(where, 0, 1,
               {"table": (table, (V, G)), "const": (const, (G,)), "Wh": (Wh, (H, G)), "Waff": (Waff, (H, W)),
                "score_const": (score_const, (W,))},
               {"h": (h, (H,)), "c": (c, (H,))})
    if W > V:
        raise ValueError(f"{where}: Waff has {W} columns; expected at most {V} (an id is fed back as an input)")
    start = _ids(where, np.array([start_id]) if np.ndim(start_id) == 0 else np.array(start_id), V, "start_id")
    if start.size != 1:
        raise ValueError(f"{where}: start_id has {start.size} values; expected one id")
    if type(out_ids) is not np.ndarray or out_ids.dtype != np.int64 or out_ids.ndim != 1:
        raise TypeError(f"{where}: out_ids is {getattr(out_ids, 'dtype', type(out_ids).__name__)!s}; "
                        "expected a 1-d int64 numpy array")
    if not out_ids.flags.writeable:
        raise ValueError(f"{where}: out_ids is read-only; it is written")
    _decode(table, const, Wh, Waff, score_const, h, c, start[0], out_ids)
