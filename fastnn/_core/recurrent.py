"""Checks and products shared by the recurrent layers (time_lstm.py, time_gru.py).

A recurrent layer's weights are Wx (D, G*H), Wh (H, G*H) and b (G*H,), the G
gates side by side in the book's order; these helpers check them once at the
layer boundary, before anything is written (the input sequence and a carried
state are checked by time_inputs), and run the products through numpy's BLAS.
"""

import numpy as np

from ..kernels import blas
from . import inputs as check
from .grads import grad_target


def weights(where, Wx, Wh, b, n_gates):
    """(D, H) of consistent weights Wx (D, G*H), Wh (H, G*H), b (G*H,); else ValueError."""
    for name, a in (("Wx", Wx), ("Wh", Wh), ("b", b)):
        if not hasattr(a, "shape") or not hasattr(a, "dtype"):
            raise TypeError(f"{where}: {name} is {type(a).__name__}; expected a numpy array")
        if a.dtype.kind != "f":
            raise TypeError(f"{where}: {name} has dtype {a.dtype}; expected float32 or float64")
    if Wh.ndim != 2 or Wh.shape[1] != n_gates * Wh.shape[0]:
        raise ValueError(
            f"{where}: Wh has shape {Wh.shape}; expected (H, {n_gates}*H), the {n_gates} "
            "gates' weights side by side")
    H = Wh.shape[0]
    if Wx.ndim != 2 or Wx.shape[1] != n_gates * H:
        raise ValueError(f"{where}: Wx has shape {Wx.shape}; expected (D, {n_gates * H}) to match Wh {Wh.shape}")
    if b.shape != (n_gates * H,):
        raise ValueError(f"{where}: b has shape {b.shape}; expected ({n_gates * H},) to match Wh {Wh.shape}")
    return Wx.shape[0], H


def set_state_value(where, name, a, H):
    """A state handed to set_state: None, or a 2-D (N, H) float array (not copied if it is one)."""
    if a is None:
        return None
    if not hasattr(a, "dtype"):
        a = np.asarray(a)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{where}: {name} has dtype {a.dtype}; expected float32 or float64")
    if a.ndim != 2 or a.shape[1] != H:
        raise ValueError(f"{where}: {name} has shape {a.shape}; expected (N, {H}) to match Wh")
    return a


def operands(where, params, inputs, n_gates):
    """D, H, the compute dtype and the weights Wx, Wh, b in it (not copied when they already are)."""
    Wx, Wh, b = params
    D, H = weights(where, Wx, Wh, b, n_gates)
    dtype = check.compute_dtype(where, Wx=Wx, Wh=Wh, b=b, **inputs)
    return D, H, dtype, as_dtype(Wx, dtype), as_dtype(Wh, dtype), as_dtype(b, dtype)


def as_dtype(a, dtype):
    """A weight as a C-contiguous array of dtype (itself when it already is one)."""
    return np.ascontiguousarray(a, dtype=dtype)


def product(a, b, out):
    """out = a @ b by numpy's BLAS; out is C-contiguous and of the operands' dtype."""
    blas.dot(a, b, out)


def check_grads(where, grads, D, H, n_gates, dtype):
    """Every grad (dWx, dWh, db) of the shape forward's weights had, and writeable, checked
    before backward writes any: a grad swapped for another shape raises, changing nothing."""
    G = n_gates * H
    for i, (shape, name) in enumerate((((D, G), "Wx"), ((H, G), "Wh"), ((G,), "b"))):
        grad_target(grads[i], shape, dtype, where, f"grads[{i}]", f"like params[{i}] ({name})")


def backward_operands(where, seq, dhs, grads, n_gates):
    """(seq, dhs) for a time layer's backward: the buffers its forward filled (``seq``,
    with .xs and .shape (N, T, D, H, dtype)) and dhs (N, T, H), every grad checked before
    anything is written."""
    seq = check.saved(seq if seq is not None and seq.xs is not None else None, where)
    N, T, D, H, dtype = seq.shape
    dhs = check.same_shape(dhs, (N, T, H), where, "dhs", dtype)
    check_grads(where, grads, D, H, n_gates, dtype)
    return seq, dhs


def product_into_grad(a, b, grad):
    """grad[...] = a @ b: straight into grad when BLAS can write it, else through a copy
    (a grad of another dtype than the computation, or not C-contiguous)."""
    dtype = np.result_type(a, b)
    if grad.dtype == dtype and grad.flags.c_contiguous and grad.flags.writeable:
        blas.dot(a, b, grad)
    else:
        out = np.empty(grad.shape, dtype)
        blas.dot(a, b, out)
        grad[...] = out
