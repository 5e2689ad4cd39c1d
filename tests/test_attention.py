"""The attention layers (fastnn/attention.py) and their kernels (kernels/attention.py):
against the book's equations written with einsum, numerical gradients in float64,
float32 kept, any input layout, and bad operands rejected before anything is written."""

import re

import numpy as np
import pytest
from fastnn.kernels import attention as K
from fastnn.kernels._checks import DtypeMismatch, Overlap, ShapeMismatch
from test_gradients import assert_grad, numerical_gradient

from fastnn.attention import Attention, AttentionWeight, TimeAttention, WeightSum


def _softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# The book's equations, on float64 copies: weights a = softmax(hs . h), context c = sum_t a_t hs_t.
def ref_weights(hs, h):
    return _softmax(np.einsum("nth,nh->nt", np.array(hs, np.float64), np.array(h, np.float64)))


def ref_weight_sum(hs, a):
    return np.einsum("nth,nt->nh", np.array(hs, np.float64), np.array(a, np.float64))


def ref_time_attention(enc, dec):
    enc, dec = np.array(enc, np.float64), np.array(dec, np.float64)
    a = _softmax(np.einsum("njh,nth->ntj", enc, dec))
    return a, np.einsum("ntj,njh->nth", a, enc)


def _data(rng, dtype, N=3, Te=5, Td=4, H=6):
    enc = rng.standard_normal((N, Te, H)).astype(dtype)
    dec = rng.standard_normal((N, Td, H)).astype(dtype)
    return enc, dec


def test_layers_match_the_equations(dtype, rng, assert_close):
    enc, dec = _data(rng, dtype)
    h = dec[:, 0]
    a = _softmax(rng.standard_normal(enc.shape[:2])).astype(dtype)
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
    second = {"weights": _softmax(rng.standard_normal(enc.shape[:2])), "query": dec[:, 1], "sequence": dec}[kind]
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


# The public kernels: every operand checked before the loop runs.

def _time_operands(dtype=np.float64):
    enc, dec = np.ones((N, TE, H), dtype), np.ones((N, TD, H), dtype)
    return dict(enc=enc, dec=dec, a=np.full((N, TD, TE), 7.0, dtype), out=np.full((N, TD, H), 7.0, dtype))


KERNEL_CASES = [
    ("dec", np.ones((N, TD, H + 1)), ValueError,
     r"time_attention_forward: dec has shape \(3, 4, 7\); expected \(3, 4, 6\)"),
    ("a", np.ones((N, TE, TD)), ValueError, r"a has shape \(3, 5, 4\); expected \(3, 4, 5\)"),
    ("out", np.ones((N, TD, H), np.float32), TypeError, r"out has dtype float32; expected float64, the dtype of enc"),
    ("enc", np.ones((N, TE, H), np.int64), TypeError, r"enc has dtype int64; expected float32 or float64"),
    ("enc", np.ones((N, TE)), ValueError, r"enc has shape \(3, 5\); expected a 3-D array"),
    ("dec", [[[1.0]]], TypeError, r"dec is a list; expected a numpy array"),
]


@pytest.mark.parametrize("name, value, error, message", KERNEL_CASES)
def test_kernel_rejects_bad_operands_before_writing(name, value, error, message):
    ops = _time_operands()
    ops[name] = value
    with pytest.raises(error, match=message):
        K.time_attention_forward(**ops)
    for out_name in ("a", "out"):
        if out_name != name and ops[out_name].dtype == np.float64:
            assert (ops[out_name] == 7).all()


def test_kernel_rejects_readonly_and_overlapping_outputs():
    ops = _time_operands()
    ops["out"].setflags(write=False)
    with pytest.raises(ValueError, match="out is read-only"):
        K.time_attention_forward(**ops)
    ops = _time_operands()
    ops["out"] = ops["dec"]
    with pytest.raises(ValueError, match="out overlaps dec in memory"):
        K.time_attention_forward(**ops)
    hs, dc = np.ones((N, TE, H)), np.ones((N, H))
    da = np.full((N, TE), 7.0)
    with pytest.raises(ValueError, match="dhs overlaps hs"):
        K.weight_sum_backward(hs, np.ones((N, TE)), dc, hs, da)
    assert (da == 7).all()
    with pytest.raises(ValueError, match=r"dh has shape \(3, 5\); expected \(3, 6\)"):
        K.attention_weight_backward(hs, dc, np.ones((N, TE)), np.ones((N, TE)), np.empty_like(hs), np.empty((N, TE)))


RTOL = {np.dtype(np.float32): 2e-5, np.dtype(np.float64): 1e-12}  # as tests/conftest.py's

# The kernel fuzz's spec: each kernel's inputs and outputs in argument order, and
# their shapes from the sizes read off the first operand (N, T, H), or, for the time
# kernels, off enc (N, Te, H) and dec's second axis (Td).
KERNEL_SPECS = {
    "weight_sum_forward": (("hs", "a"), ("c",),
                           lambda N, T, H: {"hs": (N, T, H), "a": (N, T), "c": (N, H)}),
    "weight_sum_backward": (("hs", "a", "dc"), ("dhs", "da"),
                            lambda N, T, H: {"hs": (N, T, H), "a": (N, T), "dc": (N, H),
                                             "dhs": (N, T, H), "da": (N, T)}),
    "attention_weight_forward": (("hs", "h"), ("a",),
                                 lambda N, T, H: {"hs": (N, T, H), "h": (N, H), "a": (N, T)}),
    "attention_weight_backward": (("hs", "h", "a", "da"), ("dhs", "dh"),
                                  lambda N, T, H: {"hs": (N, T, H), "h": (N, H), "a": (N, T), "da": (N, T),
                                                   "dhs": (N, T, H), "dh": (N, H)}),
    "time_attention_forward": (("enc", "dec"), ("a", "out"),
                               lambda N, Te, Td, H: {"enc": (N, Te, H), "dec": (N, Td, H), "a": (N, Td, Te),
                                                     "out": (N, Td, H)}),
    "time_attention_backward": (("enc", "dec", "a", "dout"), ("denc", "ddec"),
                                lambda N, Te, Td, H: {"enc": (N, Te, H), "dec": (N, Td, H), "a": (N, Td, Te),
                                                      "dout": (N, Td, H), "denc": (N, Te, H), "ddec": (N, Td, H)}),
}


def _softmax_or_empty(s):
    return _softmax(s) if s.shape[-1] else s


def kernel_reference(name, o):
    """The outputs of a kernel call that fits, from the module docstring's equations (float64 einsum)."""
    o = {k: np.array(v, np.float64) for k, v in o.items()}
    if name == "weight_sum_forward":
        return {"c": ref_weight_sum(o["hs"], o["a"])}
    if name == "weight_sum_backward":
        return {"dhs": o["a"][:, :, None] * o["dc"][:, None], "da": np.einsum("nth,nh->nt", o["hs"], o["dc"])}
    if name == "attention_weight_forward":
        return {"a": _softmax_or_empty(np.einsum("nth,nh->nt", o["hs"], o["h"]))}
    if name == "attention_weight_backward":
        ds = o["a"] * (o["da"] - (o["a"] * o["da"]).sum(axis=1, keepdims=True))
        return {"dhs": ds[:, :, None] * o["h"][:, None], "dh": np.einsum("nt,nth->nh", ds, o["hs"])}
    enc, dec, a = o["enc"], o["dec"], o["a"]
    if name == "time_attention_forward":
        a = _softmax_or_empty(np.einsum("njh,nth->ntj", enc, dec))
        return {"a": a, "out": np.einsum("ntj,njh->nth", a, enc)}
    dout = o["dout"]
    da = np.einsum("nth,njh->ntj", dout, enc)
    ds = a * (da - (a * da).sum(axis=2, keepdims=True))
    return {"denc": np.einsum("ntj,nth->njh", a, dout) + np.einsum("ntj,nth->njh", ds, dec),
            "ddec": np.einsum("ntj,njh->nth", ds, enc)}


def kernel_error(name, ops):
    """(exception class, message start) the spec says a call with these operands raises, or None.

    In kernels/_checks.py's order: the first operand (and dec) 3-D; then every operand,
    inputs before outputs, of the first one's dtype, then of its shape; then each output
    sharing no memory with an operand before it (an empty array shares none)."""
    inputs, outputs, shapes = KERNEL_SPECS[name]
    first = inputs[0]
    for arg in (first, "dec") if first == "enc" else (first,):
        if ops[arg].ndim != 3:
            return ValueError, f"{name}: {arg} has shape {ops[arg].shape}; expected a 3-D array"
    sizes = ops[first].shape if first == "hs" else (*ops["enc"].shape[:2], ops["dec"].shape[1], ops["enc"].shape[2])
    expected = shapes(*sizes)
    dtype = ops[first].dtype
    for arg in inputs + outputs:
        if ops[arg].dtype != dtype:
            return (DtypeMismatch, f"{name}: {arg} has dtype {ops[arg].dtype}; expected {dtype}, the dtype of {first}")
        if ops[arg].shape != expected[arg]:
            return ShapeMismatch, f"{name}: {arg} has shape {ops[arg].shape}; expected {expected[arg]}"
    for i, out in enumerate(outputs):
        for other in inputs + outputs[:i]:
            if ops[out] is ops[other] and ops[out].size:
                return Overlap, f"{name}: {out} overlaps {other} in memory"
    return None


def _kernel_operands(rng, name):
    """Operands that fit (sizes 0 to 4, float32 or float64, outputs filled with 7), then,
    half the time, one thing made wrong: one operand's shape (an axis one longer or shorter,
    or an axis more or fewer), its dtype, or an output passed as an operand before it."""
    inputs, outputs, shapes = KERNEL_SPECS[name]
    sizes = [int(rng.choice(5, p=[0.05, 0.3, 0.25, 0.2, 0.2])) for _ in range(4 if name.startswith("time") else 3)]
    dtype = np.dtype(rng.choice([np.float32, np.float64]))
    expected = shapes(*sizes)
    shape = dict(expected)
    dtypes = dict.fromkeys(expected, dtype)
    alias = None
    if rng.random() < 0.5:
        kind, arg = rng.choice(["shape", "shape", "shape", "dtype", "alias"]), rng.choice(inputs + outputs)
        if kind == "shape":
            axes = list(shape[arg])
            r = rng.random()
            if r < 0.1:
                del axes[rng.integers(len(axes))]
            elif r < 0.2:
                axes.insert(int(rng.integers(len(axes) + 1)), int(rng.integers(1, 3)))
            else:
                k = int(rng.integers(len(axes)))
                axes[k] += 1 if axes[k] == 0 or rng.random() < 0.5 else -1
            shape[arg] = tuple(axes)
        elif kind == "dtype":
            dtypes[arg] = np.dtype(np.float64 if dtype == np.float32 else np.float32)
        else:
            out = rng.choice(outputs)
            same = [a for a in inputs + outputs if a != out and expected[a] == expected[out]]
            same = [a for a in same if (inputs + outputs).index(a) < (inputs + outputs).index(out)]
            alias = (out, rng.choice(same)) if same else None
    ops = {}
    for arg in inputs:
        ops[arg] = rng.standard_normal(shape[arg]).astype(dtypes[arg])
        if arg == "a" and ops[arg].ndim and ops[arg].shape[-1]:
            ops[arg] = _softmax(ops[arg].astype(np.float64)).astype(dtypes[arg])  # weights, as forward makes them
    for arg in outputs:
        ops[arg] = np.full(shape[arg], 7.0, dtypes[arg])
    if alias is not None:
        ops[alias[0]] = ops[alias[1]]
    return ops


def test_kernel_fuzz_gives_the_specs_outcome():
    """Random operands for every attention kernel, consistent or with one thing wrong: a call
    the spec (kernel_error) rejects raises that error, naming the kernel and the argument,
    and writes nothing (inputs and outputs as they were); a call it accepts leaves its
    inputs alone and writes the equations' values into every output."""
    rng = np.random.default_rng(1)
    counts = {"raise": 0, "match": 0}
    for _ in range(300):
        name = rng.choice(list(KERNEL_SPECS))
        inputs, outputs, _ = KERNEL_SPECS[name]
        ops = _kernel_operands(rng, name)
        before = {arg: a.copy() for arg, a in ops.items()}
        error = kernel_error(name, ops)
        call = lambda: getattr(K, name)(*(ops[arg] for arg in inputs + outputs))  # noqa: B023
        if error is not None:
            counts["raise"] += 1
            with pytest.raises(error[0], match="^" + re.escape(error[1])) as caught:
                call()
            assert type(caught.value) is error[0]
            assert all(np.array_equal(ops[arg], before[arg]) for arg in ops)
            continue
        counts["match"] += 1
        call()
        expected = kernel_reference(name, before)
        assert all(np.array_equal(ops[arg], before[arg]) for arg in inputs)
        for arg in outputs:
            out, dtype = ops[arg], before[arg].dtype
            assert out.dtype == dtype and out.shape == expected[arg].shape
            # every operand is O(1) (normal values, softmax weights), so every term of a
            # sum is, and the rounding error is a few ulps of 1, whatever the sum
            scale = max(1.0, float(np.abs(expected[arg]).max())) if out.size else 1.0
            np.testing.assert_allclose(out.astype(np.float64), expected[arg], rtol=0,
                                       atol=RTOL[dtype] * scale, err_msg=f"{name}: {arg}")
    assert counts["raise"] >= 90 and counts["match"] >= 90, counts
