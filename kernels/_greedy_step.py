"""The LSTM cell for one question (N = 1), shared by the generate kernels
(seq2seq_generate.py, attention_generate.py).

``step(a, Wh, h, c)``: a (4H,) holds the step's input projection on entry
(a table row, plus a constant for the peeky decoder); the step adds h @ Wh,
activates the gates in the book's order f, g, i, o (sig, tanh, sig, sig) and
updates c = f*c + g*i, h = o*tanh(c) in place.  Each a[k] sums its terms in
one order (the projection, then h[0] * Wh[0, k], h[1] * Wh[1, k], ...), the
same in every caller, so a question gets the same bits whichever kernel runs
it.  exp and tanh are the training layer's (fast_exp, fast_tanh).
"""

from numba import njit

from ._config import HELPER
from .fast_exp import exp_approx
from .fast_tanh import tanh_approx


@njit(**HELPER)
def step(a, Wh, h, c):
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
