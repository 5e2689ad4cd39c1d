"""Chapter 8's generate for one question: the encoder's states in one kernel call,
the greedy decoding with attention in another.

The book's AttentionDecoder.generate runs its layers once per output character
with N = 1: a few microseconds of arithmetic under many layer calls.  With
N = 1 the embedding and the LSTM's input projection fold into one table,
``table = embed_W @ Wx + b`` (V, 4H), made once per question by the caller, so
an encoder step is the first two lines below, and a decoder step all of them:

  a = table[id] + h @ Wh;  f, g, i, o = sig, tanh, sig, sig (the book's order)
  c = f*c + g*i;  h = o*tanh(c)
  w = softmax_j(enc[j] . h);  ctx = sum_j w[j] * enc[j]
  score = ctx @ Waff[:H] + h @ Waff[H:] + baff;  id = argmax(score) (the first maximum)

exp and tanh are the LSTM layer's (fast_exp, fast_tanh), the softmax's exp
is np.exp as in the attention kernels.  h and c (H,) hold the initial state
and are left as the final one; weights (S, Te) gets every step's attention.
"""

import numpy as np
from numba import njit, prange

from ._checks import BadArgument, check_ids, check_index, check_operands, shape_of
from ._config import HELPER, KERNEL, PARALLEL
from ._greedy_step import check_score_width, first_max, lstm_step
from .attention import _scores, _softmax_row, _weigh


@njit(**HELPER)
def _cell(row, Wh, h, c, a):
    """One LSTM step from the input projection row (4H,): h, c (H,) updated in place; a (4H,) scratch."""
    for k in range(a.shape[0]):
        a[k] = row[k]
    lstm_step(a, Wh, h, c)


@njit(**KERNEL)
def _encode(table, Wh, ids, hs):
    H = Wh.shape[0]
    a = np.empty(table.shape[1], table.dtype)
    h = np.zeros(H, table.dtype)
    c = np.zeros(H, table.dtype)
    for t in range(ids.shape[0]):
        _cell(table[ids[t]], Wh, h, c, a)
        for j in range(H):
            hs[t, j] = h[j]


@njit(**HELPER)
def _attend_and_pick(enc, h, Waff, baff, w, ctx, score):
    """The decoder step after the cell: attention weights w (Te,) over enc (Te, H),
    the context ctx (H,), the scores (V,); returns the first id of the highest score."""
    H = h.shape[0]
    V = baff.shape[0]
    _scores(enc, h, w)
    _softmax_row(w)
    _weigh(w, enc, ctx)
    for v in range(V):
        score[v] = baff[v]
    for m in range(H):
        cm, hm = ctx[m], h[m]
        crow, hrow = Waff[m], Waff[H + m]
        for v in range(V):
            score[v] += cm * crow[v] + hm * hrow[v]
    return first_max(score)


@njit(**KERNEL)
def _decode(table, Wh, enc, Waff, baff, h, c, start_id, weights, out_ids):
    G = table.shape[1]
    H = G // 4
    a = np.empty(G, table.dtype)
    ctx = np.empty(H, table.dtype)
    score = np.empty(baff.shape[0], table.dtype)
    word = start_id
    for s in range(out_ids.shape[0]):
        _cell(table[word], Wh, h, c, a)
        word = _attend_and_pick(enc, h, Waff, baff, weights[s], ctx, score)
        out_ids[s] = word


@njit(**PARALLEL)
def _generate_batch(enc_table, enc_Wh, dec_table, dec_Wh, Waff, baff, ids, start_ids, out_ids):
    # One question per iteration, on every core, through the very code of
    # _encode and _decode: each question gets the bits a call of its own gives.
    # (Blocks of questions sharing each pass over Wh were tried: in Numba's loops
    # they ran no faster, the product being bound by reading Wh from L2.)
    N, Te = ids.shape
    G = enc_table.shape[1]
    H = G // 4
    dtype = enc_table.dtype
    for q in prange(N):
        hs = np.empty((Te, H), dtype)
        _encode(enc_table, enc_Wh, ids[q], hs)
        h = hs[Te - 1].copy()
        c = np.zeros(H, dtype)  # the decoder starts from the encoder's last h and a zero c (the book's set_state(h))
        weights = np.empty((out_ids.shape[1], Te), dtype)  # _decode's record of the attention, unused here
        _decode(dec_table, dec_Wh, hs, Waff, baff, h, c, start_ids[q], weights, out_ids[q])


def attention_greedy_decode(table, Wh, enc, Waff, baff, h, c, start_id, weights, out_ids):
    """Greedy decoding of out_ids.size ids from start_id with attention over enc.

    IN: table (V, 4H), Wh (H, 4H), enc (Te, H) (the encoder's states, Te >= 1),
    Waff (2H, W), baff (W,) (W <= V: an id is fed back as an input), start_id.
    IN/OUT: h, c (H,).  OUT: weights (S, Te), out_ids (S,) int64.
    """
    k = "attention_greedy_decode"
    V = shape_of(k, "table", table, 2)[0]
    Te, W, H = shape_of(k, "enc", enc, 2)[0], shape_of(k, "baff", baff, 1)[0], shape_of(k, "h", h, 1)[0]
    S = shape_of(k, "out_ids", out_ids, 1)[0]
    G = 4 * H
    check_operands(k, {"table": (table, (V, G)), "Wh": (Wh, (H, G)), "enc": (enc, (Te, H)),
                       "Waff": (Waff, (2 * H, W)), "baff": (baff, (W,))},
                   {"h": (h, (H,)), "c": (c, (H,)), "weights": (weights, (S, Te)),
                    "out_ids": (out_ids, (S,), np.int64)})
    if Te == 0:
        raise BadArgument(k, "enc", "empty", "the states of at least one step")
    check_score_width(k, W, V)
    check_index(k, "start_id", start_id, V)
    _decode(table, Wh, enc, Waff, baff, h, c, int(start_id), weights, out_ids)


def attention_encode(table, Wh, ids, hs):
    """The encoder's states of one question: hs[t] = h after ids[:t + 1], from h = c = 0.

    IN: table (V, 4H) (embed_W @ Wx + b), Wh (H, 4H), ids (T,) integers in [0, V).
    OUT: hs (T, H).
    """
    k = "attention_encode"
    V = shape_of(k, "table", table, 2)[0]
    H = shape_of(k, "Wh", Wh, 2)[0]
    T = shape_of(k, "ids", ids, 1)[0]
    check_operands(k, {"table": (table, (V, 4 * H)), "Wh": (Wh, (H, 4 * H)), "ids": (ids, (T,), "iu")},
                   {"hs": (hs, (T, H))})
    check_ids(k, "ids", ids, V)
    _encode(table, Wh, ids.astype(np.int64), hs)


def attention_generate_batch(enc_table, enc_Wh, dec_table, dec_Wh, Waff, baff, ids, start_ids, out_ids):
    """attention_encode then attention_greedy_decode for every question of a batch,
    the questions spread over every core; each row of out_ids holds the ids the
    calls for that question alone give.

    IN: enc_table (Ve, 4H), enc_Wh (H, 4H): the encoder's (embed_W @ Wx + b and Wh);
    dec_table (V, 4H), dec_Wh (H, 4H): the decoder's; Waff (2H, W), baff (W,)
    (W <= V); ids (N, Te) integers in [0, Ve), Te >= 1; start_ids (N,) in [0, V).
    OUT: out_ids (N, S) int64.
    """
    k = "attention_generate_batch"
    Ve = shape_of(k, "enc_table", enc_table, 2)[0]
    V = shape_of(k, "dec_table", dec_table, 2)[0]
    H = shape_of(k, "enc_Wh", enc_Wh, 2)[0]
    N, Te = shape_of(k, "ids", ids, 2)
    W = shape_of(k, "baff", baff, 1)[0]
    S = shape_of(k, "out_ids", out_ids, 2)[1]
    G = 4 * H
    check_operands(k, {"enc_table": (enc_table, (Ve, G)), "enc_Wh": (enc_Wh, (H, G)),
                       "dec_table": (dec_table, (V, G)), "dec_Wh": (dec_Wh, (H, G)),
                       "Waff": (Waff, (2 * H, W)), "baff": (baff, (W,)),
                       "ids": (ids, (N, Te), "iu"), "start_ids": (start_ids, (N,), "iu")},
                   {"out_ids": (out_ids, (N, S), np.int64)})
    if Te == 0:
        raise BadArgument(k, "ids", "0 columns wide", "questions of at least one id")
    check_score_width(k, W, V)
    check_ids(k, "ids", ids, Ve)
    check_ids(k, "start_ids", start_ids, V)
    _generate_batch(enc_table, enc_Wh, dec_table, dec_Wh, Waff, baff,
                    ids.astype(np.int64), start_ids.astype(np.int64), out_ids)
