"""The book's attention layers (ch08/attention_layer.py): WeightSum, AttentionWeight,
Attention, TimeAttention, with the book's constructors, attributes and results.

Each forward and backward is one call of a fused kernel (kernels/attention.py)
instead of the book's broadcast products over (N, T, H) temporaries.
TimeAttention runs all decoder steps in one kernel call and keeps no per-step
layer objects: its ``layers`` stays None, ``attention_weights`` is the book's
list of (N, Te) weights, one per decoder step.

Inputs are checked once here (shapes named after the layer's arguments, any
float dtype computed as numpy would, any layout); a rejected call changes
nothing.  No layer has params: ``params`` and ``grads`` are empty lists.
"""

import numpy as np

from ._core import inputs as check
from .kernels.attention import (
    attention_weight_backward,
    attention_weight_forward,
    time_attention_backward,
    time_attention_forward,
    weight_sum_backward,
    weight_sum_forward,
)
from .nn.activations import Softmax


def _states(where, hs_name, hs, other_name, other, other_ndim, weights=False):
    """hs (N, T, H) and the other operand ((N, H), (N, T', H), or with weights (N, T)),
    as C-contiguous arrays of the float dtype numpy would compute them in."""
    dtype = check.compute_dtype(where, **{hs_name: hs, other_name: other})
    hs = check.operand(hs, dtype, where, hs_name)
    other = check.operand(other, dtype, where, other_name)
    if hs.ndim != 3:
        raise ValueError(f"{where}: {hs_name} has shape {hs.shape}; expected a 3-D (N, T, H) batch of states")
    N, T, H = hs.shape
    last = T if weights else H
    if other.ndim != other_ndim or other.shape[0] != N or other.shape[-1] != last:
        expected = f"({N}, {last})" if other_ndim == 2 else f"({N}, T', {H})"
        raise ValueError(f"{where}: {other_name} has shape {other.shape}; expected {expected}, "
                         f"the {'N and T' if weights else 'N and H'} of {hs_name} {hs.shape}")
    return hs, other


class WeightSum:
    """c = the weighted sum of the states: c[n] = sum_t a[n, t] * hs[n, t].

    forward(hs (N, T, H), a (N, T)) -> c (N, H); backward(dc (N, H)) -> (dhs, da).
    Attributes: params, grads (empty), cache (hs, a) after forward.
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, hs, a):
        where = "WeightSum.forward"
        hs, a = _states(where, "hs", hs, "a", a, 2, weights=True)
        c = np.empty((hs.shape[0], hs.shape[2]), hs.dtype)
        weight_sum_forward(hs, a, c)
        self.cache = (hs, a)
        return c

    def backward(self, dc):
        where = "WeightSum.backward"
        hs, a = check.saved(self.cache, where)
        N, T, H = hs.shape
        dc = check.same_shape(dc, (N, H), where, "dc", hs.dtype)
        dhs, da = np.empty_like(hs), np.empty_like(a)
        weight_sum_backward(hs, a, dc, dhs, da)
        return dhs, da


class AttentionWeight:
    """The weights a = softmax over t of the scores hs[n, t] . h[n].

    forward(hs (N, T, H), h (N, H)) -> a (N, T); backward(da (N, T)) -> (dhs, dh).
    Attributes: params, grads (empty), softmax (a Softmax whose ``out`` is the
    last weights, as the book's), cache (hs, h) after forward.
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.softmax = Softmax()
        self.cache = None

    def forward(self, hs, h):
        hs, h = _states("AttentionWeight.forward", "hs", hs, "h", h, 2)
        a = np.empty(hs.shape[:2], hs.dtype)
        attention_weight_forward(hs, h, a)
        self.cache = (hs, h)
        self.softmax.out = a
        return a

    def backward(self, da):
        where = "AttentionWeight.backward"
        hs, h = check.saved(self.cache, where)
        a = check.same_shape(self.softmax.out, hs.shape[:2], where, "softmax.out", hs.dtype)
        da = check.same_shape(da, hs.shape[:2], where, "da", hs.dtype)
        dhs, dh = np.empty_like(hs), np.empty_like(h)
        attention_weight_backward(hs, h, a, da, dhs, dh)
        return dhs, dh


class Attention:
    """AttentionWeight then WeightSum: the context of one query h over the states hs.

    forward(hs (N, T, H), h (N, H)) -> c (N, H); backward(dc) -> (dhs, dh).
    Attributes: params, grads (empty), attention_weight_layer, weight_sum_layer,
    attention_weight (the last weights (N, T)).
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.attention_weight_layer = AttentionWeight()
        self.weight_sum_layer = WeightSum()
        self.attention_weight = None

    def forward(self, hs, h):
        hs, h = _states("Attention.forward", "hs", hs, "h", h, 2)
        a = self.attention_weight_layer.forward(hs, h)
        out = self.weight_sum_layer.forward(hs, a)
        self.attention_weight = a
        return out

    def backward(self, dout):
        where = "Attention.backward"
        hs, _ = check.saved(self.weight_sum_layer.cache, where)
        dout = check.same_shape(dout, (hs.shape[0], hs.shape[2]), where, "dout", hs.dtype)
        dhs0, da = self.weight_sum_layer.backward(dout)
        dhs1, dh = self.attention_weight_layer.backward(da)
        dhs0 += dhs1
        return dhs0, dh


class TimeAttention:
    """Attention of every decoder state over all encoder states, in one kernel call.

    forward(hs_enc (N, Te, H), hs_dec (N, Td, H)) -> contexts (N, Td, H);
    backward(dout (N, Td, H)) -> (dhs_enc (N, Te, H), dhs_dec (N, Td, H)).
    Attributes: params, grads (empty), attention_weights (after forward: a list
    of Td weight arrays (N, Te), as the book's; np.array of it is (Td, N, Te)),
    layers (None: no per-step Attention objects are built).
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.layers = None
        self.attention_weights = None
        self._saved = None

    def forward(self, hs_enc, hs_dec):
        enc, dec = _states("TimeAttention.forward", "hs_enc", hs_enc, "hs_dec", hs_dec, 3)
        N, Te, H = enc.shape
        Td = dec.shape[1]
        a = np.empty((N, Td, Te), enc.dtype)  # fresh: the weights list the caller keeps views of it
        out = np.empty((N, Td, H), enc.dtype)
        time_attention_forward(enc, dec, a, out)
        self._saved = (enc, dec, a)
        self.attention_weights = [a[:, t] for t in range(Td)]
        return out

    def backward(self, dout):
        where = "TimeAttention.backward"
        enc, dec, a = check.saved(self._saved, where)
        dout = check.same_shape(dout, dec.shape, where, "dout", enc.dtype)
        denc, ddec = np.empty_like(enc), np.empty_like(dec)
        time_attention_backward(enc, dec, a, dout, denc, ddec)
        return denc, ddec
