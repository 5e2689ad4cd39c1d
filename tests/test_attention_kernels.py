"""The attention kernels (kernels/attention.py): every operand checked before anything is
written, and a fuzz of right and wrong calls against the book's equations (the layers are
tests/test_attention.py)."""

import re

import numpy as np
import pytest
from fastnn.kernels import attention as K
from fastnn.kernels._checks import DtypeMismatch, Overlap, ShapeMismatch
from test_attention import TD, TE, H, N, ref_weight_sum, softmax

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
    return softmax(s) if s.shape[-1] else s


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
            ops[arg] = softmax(ops[arg].astype(np.float64)).astype(dtypes[arg])  # weights, as forward makes them
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
