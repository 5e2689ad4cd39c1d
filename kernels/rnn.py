"""The elementwise part of one step of the book's RNN (tanh cell), forward and backward.

The products stay outside (one for the inputs of all steps before the loop,
one ``h @ Wh`` per step, the weight gradients of all steps after it, see
fastnn/nn/time_rnn.py); a step's kernel fuses what lies between them:

    forward   h = tanh((hw + xw) + b)             hw = h_prev @ Wh, xw = x @ Wx
    backward  dt = (dhs_t + dh_next) * (1 - h**2)

Shapes: every (N, H) operand may be a strided view (the t-th step of an
(N, T, H) array); b (H,).  ``tanh_approx`` (fast_tanh.py) is arithmetic
only, so the loops vectorise.  The two outputs may be one array (a lone RNN
cell wants h only) but may not overlap otherwise, nor overlap an input.
"""

from numba import njit

from ._checks import check_no_overlap, check_same_dtype, check_shape
from ._config import HELPER, KERNEL
from .fast_tanh import tanh_approx


@njit(**HELPER)
def _check_input(kernel, name, a, out_name, out):
    """a, an (N, H) input, has out's shape and dtype and does not overlap it."""
    # Messages are built from literals only: a string joined here would be
    # joined on every call (about 0.4 us each).
    check_shape(kernel, name, a, out.shape, "the shape (N, H) of the outputs")
    check_same_dtype(kernel, name, a, out_name, out)
    check_no_overlap(kernel, out_name, out, name, a)


@njit(**HELPER)
def _check_outputs(kernel, name1, out1, name2, out2):
    """out2 has out1's shape and dtype, and is out1 itself or does not overlap it."""
    check_shape(kernel, name2, out2, out1.shape, "the shape (N, H) of the outputs")
    check_same_dtype(kernel, name2, out2, name1, out1)
    if out2.ctypes.data != out1.ctypes.data or out2.strides != out1.strides:
        check_no_overlap(kernel, name2, out2, name1, out1)


@njit(**KERNEL)
def rnn_step_forward(hw, xw, b, h, out):
    """h = out = tanh((hw + xw) + b).  IN: hw, xw (N, H), b (H,).  OUT: h, out (N, H)."""
    k = "rnn_step_forward"
    n, m = h.shape
    _check_outputs(k, "h", h, "out", out)
    _check_input(k, "hw", hw, "h", h)
    _check_input(k, "xw", xw, "h", h)
    check_no_overlap(k, "out", out, "hw", hw)
    check_no_overlap(k, "out", out, "xw", xw)
    check_shape(k, "b", b, (m,), "(H,), H from h")
    check_same_dtype(k, "b", b, "h", h)
    check_no_overlap(k, "h", h, "b", b)
    check_no_overlap(k, "out", out, "b", b)
    for i in range(n):
        for j in range(m):
            v = tanh_approx((hw[i, j] + xw[i, j]) + b[j])
            h[i, j] = v
            out[i, j] = v


@njit(**KERNEL)
def rnn_step_backward(dhs, dh_next, h, dt, dt_out):
    """dt = dt_out = (dhs + dh_next) * (1 - h**2).  IN: dhs, dh_next, h (N, H).  OUT: dt, dt_out."""
    k = "rnn_step_backward"
    n, m = dt.shape
    _check_outputs(k, "dt", dt, "dt_out", dt_out)
    _check_input(k, "dhs", dhs, "dt", dt)
    _check_input(k, "dh_next", dh_next, "dt", dt)
    _check_input(k, "h", h, "dt", dt)
    check_no_overlap(k, "dt_out", dt_out, "dhs", dhs)
    check_no_overlap(k, "dt_out", dt_out, "dh_next", dh_next)
    check_no_overlap(k, "dt_out", dt_out, "h", h)
    one = dt.dtype.type(1)
    for i in range(n):
        for j in range(m):
            y = h[i, j]
            v = (dhs[i, j] + dh_next[i, j]) * (one - y * y)
            dt[i, j] = v
            dt_out[i, j] = v
