"""The attention layers (fastnn/attention.py), against the book's equations written with einsum,
numerical gradients in float64, float32 kept, any input layout, and bad operands rejected before
anything is written.  Their kernels: tests/test_attention_kernels.py."""


import numpy as np
import pytest
from test_gradients import assert_grad, numerical_gradient

from fastnn.attention import Attention, AttentionWeight, TimeAttention, WeightSum


def softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# The book's equations, on float64 copies: weights a = softmax(hs . h), context c = sum_t a_t hs_t.
def ref_weights(hs, h):
    return softmax(np.einsum("nth,nh->nt", np.array(hs, np.float64), np.array(h, np.float64)))


def ref_weight_sum(hs, a):
    return np.einsum("nth,nt->nh", np.array(hs, np.float64), np.array(a, np.float64))


def ref_time_attention(enc, dec):
    enc, dec = np.array(enc, np.float64), np.array(dec, np.float64)
    a = softmax(np.einsum("njh,nth->ntj", enc, dec))
    return a, np.einsum("ntj,njh->nth", a, enc)


def _data(rng, dtype, N=3, Te=5, Td=4, H=6):
    enc = rng.standard_normal((N, Te, H)).astype(dtype)
    dec = rng.standard_normal((N, Td, H)).astype(dtype)
    return enc, dec


def test_layers_match_the_equations(dtype, rng, assert_close):
    enc, dec = _data(rng, dtype)
    h = dec[:, 0]
    a = softmax(rng.standard_normal(enc.shape[:2])).astype(dtype)
    assert_close(WeightSum().forward(enc, a), ref_weight_sum(enc, a), dtype)
    assert_close(AttentionWeight().forward(enc, h), ref_weights(enc, h), dtype)
    layer = Attention()
    assert_close(layer.forward(enc, h), ref_weight_sum(enc, ref_weights(enc, h)), dtype)
    assert_close(layer.attention_weight, ref_weights(enc, h), dtype)
    time = TimeAttention()
    weights, contexts = ref_time_attention(enc, dec)
    assert_close(time.forward(enc, dec), contexts, dtype)
    assert len(time.attention_weights) == dec.shape[1]
    assert_close(np.array(time.attention_weights), weights.transpose(1, 0, 2), dtype)


def _loss_and_grads(make, inputs, dout):
    """sum(forward(*inputs) * dout) and the layer's gradients of every input."""
    layer = make()
    layer.forward(*inputs)
    grads = layer.backward(dout.copy())
    return (lambda: float(np.sum(make().forward(*inputs) * dout))), grads


@pytest.mark.parametrize("make, kind", [(WeightSum, "weights"), (AttentionWeight, "query"),
                                        (Attention, "query"), (TimeAttention, "sequence")])
def test_numerical_gradients_float64(make, kind, rng):
    enc, dec = _data(rng, np.float64)
    second = {"weights": softmax(rng.standard_normal(enc.shape[:2])), "query": dec[:, 1], "sequence": dec}[kind]
    inputs = [enc, np.array(second)]
    out = make().forward(*inputs)
    dout = rng.standard_normal(out.shape)
    loss, grads = _loss_and_grads(make, inputs, dout)
    assert len(grads) == 2
    for analytic, x in zip(grads, inputs):
        assert analytic.dtype == np.float64 and analytic.shape == x.shape
        assert_grad(analytic, numerical_gradient(loss, x))


def test_backward_matches_float64_in_float32(rng, assert_close):
    enc, dec = _data(rng, np.float32)
    dout = rng.standard_normal(dec.shape).astype(np.float32)
    ours, wide = TimeAttention(), TimeAttention()
    ours.forward(enc, dec)
    wide.forward(enc.astype(np.float64), dec.astype(np.float64))
    for g, g64 in zip(ours.backward(dout), wide.backward(dout.astype(np.float64))):
        assert_close(g, g64, np.float32, rtol=1e-5)


def test_time_attention_is_attention_per_step(dtype, rng, assert_close):
    """The fused sequence kernel against the per-step layers the book builds."""
    enc, dec = _data(rng, dtype)
    dout = rng.standard_normal(dec.shape).astype(dtype)
    time = TimeAttention()
    out = time.forward(enc, dec)
    denc, ddec = time.backward(dout)
    denc_steps = np.zeros_like(enc)
    for t in range(dec.shape[1]):
        step = Attention()
        assert_close(out[:, t], step.forward(enc, dec[:, t]), dtype)
        dhs, dh = step.backward(dout[:, t])
        denc_steps += dhs
        assert_close(ddec[:, t], dh, dtype)
    assert_close(denc, denc_steps, dtype)


def test_any_layout_same_result(layout, make_layout, rng):
    enc, dec = _data(rng, np.float64)
    expected = TimeAttention().forward(enc, dec)
    got = TimeAttention().forward(make_layout(enc, layout), make_layout(dec, layout))
    np.testing.assert_array_equal(got, expected)


def test_mixed_dtypes_compute_as_numpy(rng):
    enc, dec = _data(rng, np.float32)
    assert TimeAttention().forward(enc, dec.astype(np.float64)).dtype == np.float64
    assert WeightSum().forward(enc, np.ones(enc.shape[:2], np.int64)).dtype == np.float64


def test_empty_sequences(rng):
    enc, dec = _data(rng, np.float64, Td=0)
    layer = TimeAttention()
    assert layer.forward(enc, dec).shape == dec.shape and layer.attention_weights == []
    denc, ddec = layer.backward(np.zeros(dec.shape))
    assert not denc.any() and ddec.shape == dec.shape
    out = TimeAttention().forward(np.zeros((2, 0, 3)), np.ones((2, 4, 3)))
    assert out.shape == (2, 4, 3) and not out.any()


def test_weights_kept_by_the_caller_survive_the_next_forward(rng):
    enc, dec = _data(rng, np.float64)
    layer = TimeAttention()
    layer.forward(enc, dec)
    kept = [w.copy() for w in layer.attention_weights]
    first = layer.attention_weights
    layer.forward(enc, -dec)
    assert all(np.array_equal(w, k) for w, k in zip(first, kept))


# Bad input: (layer, call, args, exception, message) -- checked before anything changes.
N, TE, TD, H = 3, 5, 4, 6
_ENC, _DEC = np.ones((N, TE, H)), np.ones((N, TD, H))
BAD_FORWARD = [
    (TimeAttention, (np.ones((N, TE)), _DEC), ValueError, r"hs_enc has shape \(3, 5\); expected a 3-D"),
    (TimeAttention, (_ENC, np.ones((N, TD, H + 1))), ValueError,
     r"hs_dec has shape \(3, 4, 7\); expected \(3, T', 6\)"),
    (TimeAttention, (_ENC, np.ones((N + 1, TD, H))), ValueError, r"hs_dec has shape"),
    (TimeAttention, (_ENC, None), TypeError, r"hs_dec is None"),
    (TimeAttention, (_ENC, _DEC.astype(complex)), TypeError, r"hs_dec has dtype complex128"),
    (Attention, (_ENC, np.ones((N, H + 1))), ValueError, r"Attention.forward: h has shape \(3, 7\); expected \(3, 6\)"),
    (AttentionWeight, (_ENC, np.ones((N, 1, H))), ValueError, r"h has shape \(3, 1, 6\)"),
    (WeightSum, (_ENC, np.ones((N, TE + 1))), ValueError,
     r"WeightSum.forward: a has shape \(3, 6\); expected \(3, 5\)"),
    (WeightSum, (np.array(["x"]), np.ones((N, TE))), TypeError, r"hs has dtype <U1"),
]


@pytest.mark.parametrize("make, args, error, message", BAD_FORWARD)
def test_bad_forward_is_rejected_and_changes_nothing(make, args, error, message, rng):
    layer = make()
    good = ((_ENC, _DEC) if make is TimeAttention
            else (_ENC, np.full((N, TE), 1 / TE) if make is WeightSum else _ENC[:, 0]))
    out = layer.forward(*good)
    before = dict(vars(layer))
    with pytest.raises(error, match=message):
        layer.forward(*args)
    assert all(vars(layer)[k] is v for k, v in before.items())
    assert np.array_equal(layer.forward(*good), out)


@pytest.mark.parametrize("make, dout_shape", [(TimeAttention, (N, TD, H + 1)), (Attention, (N, H, 1)),
                                              (AttentionWeight, (N, TE + 1)), (WeightSum, (N + 1, H))])
def test_bad_backward_is_rejected(make, dout_shape):
    layer = make()
    with pytest.raises(ValueError, match="backward called before forward"):
        layer.backward(np.ones(dout_shape))
    args = {TimeAttention: (_ENC, _DEC), WeightSum: (_ENC, np.full((N, TE), 0.2))}.get(make, (_ENC, _DEC[:, 0]))
    layer.forward(*args)
    with pytest.raises(ValueError, match=r"backward: d\w+ has shape"):
        layer.backward(np.ones(dout_shape))
