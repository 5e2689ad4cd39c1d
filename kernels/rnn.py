"""The elementwise part of one step of the book's RNN (tanh cell), forward and backward.

The products stay outside (one for the inputs of all steps before the loop,
one ``h @ Wh`` per step, the weight gradients of all steps after it, see
fastnn/time_rnn.py); a step's kernel fuses what lies between them:

    forward   h = tanh((hw + xw) + b)             hw = h_prev @ Wh, xw = x @ Wx
    backward  dt = (dhs_t + dh_next) * (1 - h**2)

Shapes: every (N, H) operand may be a strided view (the t-th step of an
(N, T, H) array); b (H,).  ``tanh_approx`` (fast_tanh.py) is arithmetic
only, so the loops vectorise.
"""

from numba import njit

from ._config import KERNEL
from .fast_tanh import tanh_approx


@njit(**KERNEL)
def rnn_step_forward(hw, xw, b, h, out):
    """h = out = tanh((hw + xw) + b).  IN: hw, xw (N, H), b (H,).  OUT: h, out (N, H)."""
    n, m = h.shape
    if hw.shape != h.shape or xw.shape != h.shape or out.shape != h.shape or b.shape[0] != m:
        raise ValueError("rnn_step_forward: hw, xw, h and out must have one shape (N, H), b (H,)")
    for i in range(n):
        for j in range(m):
            v = tanh_approx((hw[i, j] + xw[i, j]) + b[j])
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
