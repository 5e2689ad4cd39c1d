"""The elementwise part of one step of the book's RNN (tanh cell), forward and backward.

The products stay outside (one for the inputs of all steps before the loop,
one ``h @ Wh`` per step, the weight gradients of all steps after it, see
fastnn/time_rnn.py); a step's kernel fuses what lies between them:

    forward   h = tanh((hw + xw) + b)             hw = h_prev @ Wh, xw = x @ Wx
    backward  dt = (dhs_t + dh_next) * (1 - h**2)

Shapes: every (N, H) operand may be a strided view (the t-th step of an
(N, T, H) array); b (H,).  ``tanh_approx`` is built on the vectorisable
exp_approx, so the loops vectorise.
"""

from numba import njit

from ._config import HELPER, KERNEL
from .fast_exp import exp_approx


@njit(**HELPER)
def tanh_approx(x, one):
    """tanh(x) = sign(x) * (1 - e) / (1 + e), e = exp(-2|x|), in x's dtype.

    ``one`` is 1 in x's dtype (a bare 1 would widen float32 to float64).
    Within a few ulp of 1 in absolute terms (the division's and exp's
    rounding); exact 0 at 0, +-1 for large |x|, NaN for NaN.
    """
    ax = -x if x < 0 else x
    e = exp_approx(-(ax + ax))
    r = (one - e) / (one + e)
    return -r if x < 0 else r


@njit(**KERNEL)
def rnn_step_forward(hw, xw, b, h, out):
    """h = out = tanh((hw + xw) + b).  IN: hw, xw (N, H), b (H,).  OUT: h, out (N, H)."""
    n, m = h.shape
    if hw.shape != h.shape or xw.shape != h.shape or out.shape != h.shape or b.shape[0] != m:
        raise ValueError("rnn_step_forward: hw, xw, h and out must have one shape (N, H), b (H,)")
    one = h.dtype.type(1)
    for i in range(n):
        for j in range(m):
            v = tanh_approx((hw[i, j] + xw[i, j]) + b[j], one)
            h[i, j] = v
            out[i, j] = v


@njit(**KERNEL)
def rnn_step_backward(dhs, dh_next, h, dt, dt_out):
    """dt = dt_out = (dhs + dh_next) * (1 - h**2).  IN: dhs, dh_next, h (N, H).  OUT: dt, dt_out."""
    n, m = dt.shape
    if dhs.shape != dt.shape or dh_next.shape != dt.shape or h.shape != dt.shape or dt_out.shape != dt.shape:
        raise ValueError("rnn_step_backward: dhs, dh_next, h, dt and dt_out must have one shape (N, H)")
    one = dt.dtype.type(1)
    for i in range(n):
        for j in range(m):
            y = h[i, j]
            v = (dhs[i, j] + dh_next[i, j]) * (one - y * y)
            dt[i, j] = v
            dt_out[i, j] = v


@njit(**KERNEL)
def tanh_into(x, out):
    """out = tanh_approx(x) for 1-D arrays (for tests of the approximation)."""
    if out.shape != x.shape:
        raise ValueError("tanh_into: out must have x's shape")
    one = out.dtype.type(1)
    for i in range(x.shape[0]):
        out[i] = tanh_approx(x[i], one)
