"""The pieces of a greedy decoding step for one question (N = 1), shared by
the generate kernels (seq2seq_generate.py, attention_generate.py).

``lstm_step(a, Wh, h, c)``: a (4H,) holds the step's input projection on entry
(a table row, plus a constant for the peeky decoder); the step adds h @ Wh,
activates the gates in the book's order f, g, i, o (sig, tanh, sig, sig) and
updates c = f*c + g*i, h = o*tanh(c) in place.  Each a[k] sums its terms in
one order (the projection, then h[0] * Wh[0, k], h[1] * Wh[1, k], ...), the
same in every caller, so a question gets the same bits whichever kernel runs
it.  exp and tanh are the training layer's (fast_exp, fast_tanh).

``first_max(score)``: the id of the highest score, the first one on a tie,
or the first NaN if there is one (np.argmax's choice, which the book's
generate makes).
"""

from numba import njit

from ._checks import BadArgument
from ._config import HELPER
from .fast_exp import exp_approx
from .fast_tanh import tanh_approx


@njit(**HELPER)
def lstm_step(a, Wh, h, c):
    G = a.shape[0]
    H = G // 4
    one = a.dtype.type(1)
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


@njit(**HELPER)
def first_max(score):
    """np.argmax's choice: the first NaN if there is one, else the first highest score.
    (HELPER's flags keep NaN compares honest: no nnan.)"""
    best = 0
    for v in range(score.shape[0]):
        s = score[v]
        if s != s:
            return v
        if s > score[best]:
            best = v
    return best


def check_score_width(kernel, W, V):
    """The decoder's scores: at least one (an argmax of nothing is no id) and at
    most V, since the chosen id is fed back as the next input."""
    if W == 0:
        raise BadArgument(kernel, "Waff", "0 columns wide", "at least one column (one score per id)")
    if W > V:
        raise BadArgument(kernel, "Waff", f"{W} columns wide", f"at most V = {V} (an id is fed back as an input)")
