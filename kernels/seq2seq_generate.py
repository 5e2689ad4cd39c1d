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
in the book's order f, g, i, o (kernels/_greedy_step.py).
"""

import numpy as np
from numba import njit, prange

from ._checks import check_ids, check_index, check_operands, shape_of
from ._config import HELPER, KERNEL, PARALLEL
from ._greedy_step import check_score_width, first_max, lstm_step


@njit(**HELPER)
def _cell(row, const, Wh, h, c, a):
    """One LSTM step from the input projection row + const (4H,): h, c (H,) updated in place; a (4H,) scratch."""
    for k in range(a.shape[0]):
        a[k] = row[k] + const[k]
    lstm_step(a, Wh, h, c)


@njit(**KERNEL)
def _encode(table, Wh, ids, h, c):
    a = np.empty(table.shape[1], table.dtype)
    zero = np.zeros(table.shape[1], table.dtype)
    for t in range(ids.shape[0]):
        _cell(table[ids[t]], zero, Wh, h, c, a)


@njit(**KERNEL)
def _decode(table, const, Wh, Waff, score_const, h, c, start_id, out_ids):
    a = np.empty(table.shape[1], table.dtype)
    score = np.empty(Waff.shape[1], table.dtype)
    V = Waff.shape[1]
    word = start_id
    for s in range(out_ids.shape[0]):
        _cell(table[word], const, Wh, h, c, a)
        for v in range(V):
            score[v] = score_const[v]
        for m in range(h.shape[0]):
            hm = h[m]
            row = Waff[m]
            for v in range(V):
                score[v] += hm * row[v]
        word = first_max(score)
        out_ids[s] = word


# The batch kernels: one question per iteration, on every core, through the very
# code of _encode and _decode, so each question gets the bits a call of its own gives.

@njit(**PARALLEL)
def _encode_batch(table, Wh, ids, h, c):
    for q in prange(ids.shape[0]):
        _encode(table, Wh, ids[q], h[q], c[q])


@njit(**PARALLEL)
def _decode_batch(table, const, Wh, Waff, score_const, h, c, start_ids, out_ids):
    for q in prange(start_ids.shape[0]):
        _decode(table, const[q], Wh, Waff, score_const[q], h[q], c[q], start_ids[q], out_ids[q])


def lstm_encode(table, Wh, ids, h, c):
    """Run ids (T,) through the cell from state h, c (H,), updated in place.

    IN: table (V, 4H), Wh (H, 4H), ids (T,) integers in [0, V).  IN/OUT: h, c (H,).
    """
    k = "lstm_encode"
    V, H, T = shape_of(k, "table", table, 2)[0], shape_of(k, "h", h, 1)[0], shape_of(k, "ids", ids, 1)[0]
    check_operands(k, {"table": (table, (V, 4 * H)), "Wh": (Wh, (H, 4 * H)), "ids": (ids, (T,), "iu")},
                   {"h": (h, (H,)), "c": (c, (H,))})
    check_ids(k, "ids", ids, V)
    _encode(table, Wh, ids.astype(np.int64), h, c)


def lstm_greedy_decode(table, const, Wh, Waff, score_const, h, c, start_id, out_ids):
    """Greedy decoding of out_ids.size ids from start_id; h, c (H,) updated in place.

    IN: table (V, 4H), const (4H,), Wh (H, 4H), Waff (H, W), score_const (W,)
    (W <= V: an id is fed back as an input), start_id in [0, V).
    IN/OUT: h, c (H,).  OUT: out_ids (S,) int64.
    """
    k = "lstm_greedy_decode"
    V, H = shape_of(k, "table", table, 2)[0], shape_of(k, "h", h, 1)[0]
    W, S = shape_of(k, "score_const", score_const, 1)[0], shape_of(k, "out_ids", out_ids, 1)[0]
    G = 4 * H
    check_operands(k, {"table": (table, (V, G)), "const": (const, (G,)), "Wh": (Wh, (H, G)),
                       "Waff": (Waff, (H, W)), "score_const": (score_const, (W,))},
                   {"h": (h, (H,)), "c": (c, (H,)), "out_ids": (out_ids, (S,), np.int64)})
    check_score_width(k, W, V)
    check_index(k, "start_id", start_id, V)
    _decode(table, const, Wh, Waff, score_const, h, c, int(start_id), out_ids)


def lstm_encode_batch(table, Wh, ids, h, c):
    """lstm_encode for every question (row) of ids (N, T), questions spread over the cores.

    IN: table (V, 4H), Wh (H, 4H), ids (N, T) integers in [0, V).  IN/OUT: h, c (N, H).
    """
    k = "lstm_encode_batch"
    V, (N, T), H = shape_of(k, "table", table, 2)[0], shape_of(k, "ids", ids, 2), shape_of(k, "h", h, 2)[1]
    check_operands(k, {"table": (table, (V, 4 * H)), "Wh": (Wh, (H, 4 * H)), "ids": (ids, (N, T), "iu")},
                   {"h": (h, (N, H)), "c": (c, (N, H))})
    check_ids(k, "ids", ids, V)
    _encode_batch(table, Wh, ids.astype(np.int64), h, c)


def lstm_greedy_decode_batch(table, const, Wh, Waff, score_const, h, c, start_ids, out_ids):
    """lstm_greedy_decode for N questions at once, questions spread over the cores:
    question q decodes out_ids[q] from start_ids[q] with const[q] and score_const[q].

    IN: table (V, 4H), const (N, 4H), Wh (H, 4H), Waff (H, W), score_const (N, W)
    (W <= V), start_ids (N,) in [0, V).  IN/OUT: h, c (N, H).  OUT: out_ids (N, S) int64.
    """
    k = "lstm_greedy_decode_batch"
    V, (N, H) = shape_of(k, "table", table, 2)[0], shape_of(k, "h", h, 2)
    W, S = shape_of(k, "Waff", Waff, 2)[1], shape_of(k, "out_ids", out_ids, 2)[1]
    G = 4 * H
    check_operands(k, {"table": (table, (V, G)), "const": (const, (N, G)), "Wh": (Wh, (H, G)),
                       "Waff": (Waff, (H, W)), "score_const": (score_const, (N, W)),
                       "start_ids": (start_ids, (N,), "iu")},
                   {"h": (h, (N, H)), "c": (c, (N, H)), "out_ids": (out_ids, (N, S), np.int64)})
    check_score_width(k, W, V)
    check_ids(k, "start_ids", start_ids, V)
    _decode_batch(table, const, Wh, Waff, score_const, h, c, start_ids.astype(np.int64), out_ids)
