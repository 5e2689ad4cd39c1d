"""Chapter 8's attention: its broadcast multiplies and sums, each fused into one loop nest.

The book computes every product of the attention as a broadcast multiply of
(N, T, H) arrays followed by a sum; here each is a loop over the batch rows
that reads every operand once and never builds the (N, T, H) temporary.

  weight sum:        c[n, h]  = sum_j a[n, j] * hs[n, j, h]
  attention weight:  s[n, j]  = sum_h hs[n, j, h] * h[n, h];  a = softmax_j(s)
  time attention:    for every decoder step t, the two above with h = dec[:, t]:
                     a[n, t, j] = softmax_j(sum_h enc[n, j, h] * dec[n, t, h])
                     out[n, t, h] = sum_j a[n, t, j] * enc[n, j, h]

Backwards (da = dout's share through the weight sum, ds = softmax's backward,
ds = a * (da - sum_j a * da), as the book's Softmax layer):

  weight sum:        dhs[n, j, h] = a[n, j] * dc[n, h];  da[n, j] = sum_h dc[n, h] * hs[n, j, h]
  attention weight:  dhs[n, j, h] = ds[n, j] * h[n, h];  dh[n, h] = sum_j ds[n, j] * hs[n, j, h]
  time attention:    denc = sum over t of both layers' dhs;  ddec[:, t] = the weight's dh

Every public kernel checks its operands (numpy arrays, shapes, one float
dtype, writable outputs that overlap nothing else; _checks.check_operands)
in Python before the jitted loop reads or writes anything: a few microseconds,
once per layer call.  Float32 and float64;
all float operands of one call share a dtype.
"""

import numpy as np
from numba import njit

from ._checks import check_operands, shape_of
from ._config import HELPER, KERNEL


@njit(**HELPER)
def _softmax_row(s):
    """s = softmax(s) in place, the book's way (subtract the maximum, exp, divide by the sum)."""
    top = s[0]
    for j in range(1, s.shape[0]):
        if s[j] > top:
            top = s[j]
    total = s.dtype.type(0)
    for j in range(s.shape[0]):
        s[j] = np.exp(s[j] - top)
        total += s[j]
    for j in range(s.shape[0]):
        s[j] /= total


@njit(**HELPER)
def _weigh(a_row, hs_n, c_row):
    """c_row = sum_j a_row[j] * hs_n[j]."""
    for k in range(c_row.shape[0]):
        c_row[k] = 0
    for j in range(hs_n.shape[0]):
        w = a_row[j]
        row = hs_n[j]
        for k in range(c_row.shape[0]):
            c_row[k] += w * row[k]


@njit(**HELPER)
def _scores(hs_n, h_row, s_row):
    """s_row[j] = hs_n[j] . h_row."""
    for j in range(hs_n.shape[0]):
        row = hs_n[j]
        acc = s_row.dtype.type(0)
        for k in range(h_row.shape[0]):
            acc += row[k] * h_row[k]
        s_row[j] = acc


@njit(**HELPER)
def _softmax_backward_row(a_row, da_row):
    """da_row = a * (da - sum(a * da)) in place (the gradient of the scores)."""
    dot = da_row.dtype.type(0)
    for j in range(a_row.shape[0]):
        dot += a_row[j] * da_row[j]
    for j in range(a_row.shape[0]):
        da_row[j] = a_row[j] * (da_row[j] - dot)


@njit(**HELPER)
def _attend_backward(enc_n, a_row, dc_row, h_row, da, dh_row, denc_n):
    """One query: dc_row, the gradient of its context, flows into denc_n (accumulated)
    and dh_row (written); da (Te,) is scratch."""
    Te, H = enc_n.shape
    _scores(enc_n, dc_row, da)  # da[j] = dc . enc[j]
    _softmax_backward_row(a_row, da)  # now ds
    for k in range(H):
        dh_row[k] = 0
    for j in range(Te):
        w, ds = a_row[j], da[j]
        row, drow = enc_n[j], denc_n[j]
        for k in range(H):
            dh_row[k] += ds * row[k]
            drow[k] += w * dc_row[k] + ds * h_row[k]


@njit(**KERNEL)
def _weight_sum_forward(hs, a, c):
    for n in range(hs.shape[0]):
        _weigh(a[n], hs[n], c[n])


@njit(**KERNEL)
def _weight_sum_backward(hs, a, dc, dhs, da):
    N, T, H = hs.shape
    for n in range(N):
        _scores(hs[n], dc[n], da[n])
        for j in range(T):
            w = a[n, j]
            for m in range(H):
                dhs[n, j, m] = w * dc[n, m]


@njit(**KERNEL)
def _attention_weight_forward(hs, h, a):
    if hs.shape[1] == 0:
        return
    for n in range(hs.shape[0]):
        _scores(hs[n], h[n], a[n])
        _softmax_row(a[n])


@njit(**KERNEL)
def _attention_weight_backward(hs, h, a, da, dhs, dh):
    N, T, H = hs.shape
    ds = np.empty(T, hs.dtype)
    for n in range(N):
        for j in range(T):
            ds[j] = da[n, j]
        _softmax_backward_row(a[n], ds)
        for m in range(H):
            dh[n, m] = 0
        for j in range(T):
            w = ds[j]
            for m in range(H):
                dhs[n, j, m] = w * h[n, m]
                dh[n, m] += w * hs[n, j, m]


@njit(**KERNEL)
def _time_attention_forward(enc, dec, a, out):
    N, Te, H = enc.shape
    if Te == 0:
        out[...] = 0
        return
    for n in range(N):
        enc_n = enc[n]
        for t in range(dec.shape[1]):
            _scores(enc_n, dec[n, t], a[n, t])
            _softmax_row(a[n, t])
            _weigh(a[n, t], enc_n, out[n, t])


@njit(**KERNEL)
def _time_attention_backward(enc, dec, a, dout, denc, ddec):
    N, Te, H = enc.shape
    denc[...] = 0
    if Te == 0:
        ddec[...] = 0
        return
    da = np.empty(Te, enc.dtype)
    for n in range(N):
        for t in range(dec.shape[1]):
            _attend_backward(enc[n], a[n, t], dout[n, t], dec[n, t], da, ddec[n, t], denc[n])


# The public kernels: check, then run.


def weight_sum_forward(hs, a, c):
    """c = sum_j a[:, j, None] * hs[:, j].  IN: hs (N, T, H), a (N, T).  OUT: c (N, H)."""
    k = "weight_sum_forward"
    N, T, H = shape_of(k, "hs", hs, 3)
    check_operands(k, {"hs": (hs, (N, T, H)), "a": (a, (N, T))}, {"c": (c, (N, H))})
    _weight_sum_forward(hs, a, c)


def weight_sum_backward(hs, a, dc, dhs, da):
    """dhs = a[:, :, None] * dc[:, None];  da = sum_h dc[:, None] * hs.

    IN: hs (N, T, H), a (N, T), dc (N, H).  OUT: dhs (N, T, H), da (N, T).
    """
    k = "weight_sum_backward"
    N, T, H = shape_of(k, "hs", hs, 3)
    check_operands(k, {"hs": (hs, (N, T, H)), "a": (a, (N, T)), "dc": (dc, (N, H))},
           {"dhs": (dhs, (N, T, H)), "da": (da, (N, T))})
    _weight_sum_backward(hs, a, dc, dhs, da)


def attention_weight_forward(hs, h, a):
    """a = softmax over T of sum_h hs * h[:, None].  IN: hs (N, T, H), h (N, H).  OUT: a (N, T)."""
    k = "attention_weight_forward"
    N, T, H = shape_of(k, "hs", hs, 3)
    check_operands(k, {"hs": (hs, (N, T, H)), "h": (h, (N, H))}, {"a": (a, (N, T))})
    _attention_weight_forward(hs, h, a)


def attention_weight_backward(hs, h, a, da, dhs, dh):
    """Gradients of hs and h from da, the gradient of the weights a = forward(hs, h).

    IN: hs (N, T, H), h (N, H), a (N, T), da (N, T).  OUT: dhs (N, T, H), dh (N, H).
    """
    k = "attention_weight_backward"
    N, T, H = shape_of(k, "hs", hs, 3)
    check_operands(k, {"hs": (hs, (N, T, H)), "h": (h, (N, H)), "a": (a, (N, T)), "da": (da, (N, T))},
           {"dhs": (dhs, (N, T, H)), "dh": (dh, (N, H))})
    _attention_weight_backward(hs, h, a, da, dhs, dh)


def time_attention_forward(enc, dec, a, out):
    """Attention of every decoder step over the encoder's states.

    IN: enc (N, Te, H), dec (N, Td, H).  OUT: a (N, Td, Te), the weights;
    out (N, Td, H), the contexts.
    """
    k = "time_attention_forward"
    N, Te, H = shape_of(k, "enc", enc, 3)
    Td = shape_of(k, "dec", dec, 3)[1]
    check_operands(k, {"enc": (enc, (N, Te, H)), "dec": (dec, (N, Td, H))},
           {"a": (a, (N, Td, Te)), "out": (out, (N, Td, H))})
    _time_attention_forward(enc, dec, a, out)


def time_attention_backward(enc, dec, a, dout, denc, ddec):
    """Gradients of the encoder's and the decoder's states from dout, the contexts' gradient.

    IN: enc (N, Te, H), dec (N, Td, H), a (N, Td, Te) (the forward's weights),
    dout (N, Td, H).  OUT: denc (N, Te, H), ddec (N, Td, H).
    """
    k = "time_attention_backward"
    N, Te, H = shape_of(k, "enc", enc, 3)
    Td = shape_of(k, "dec", dec, 3)[1]
    check_operands(k, {"enc": (enc, (N, Te, H)), "dec": (dec, (N, Td, H)), "a": (a, (N, Td, Te)),
               "dout": (dout, (N, Td, H))}, {"denc": (denc, (N, Te, H)), "ddec": (ddec, (N, Td, H))})
    _time_attention_backward(enc, dec, a, dout, denc, ddec)
