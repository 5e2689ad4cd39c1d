"""One table of every public op, in the manner of PyTorch's OpInfo.

Each ``OpInfo`` says how to run the op (build it, call forward and backward or
update), how to compute the same thing with tests/reference.py, which sample
inputs it must handle (batch 1, odd sizes, an empty batch, large values, normal
ones), and which bad inputs it must reject, each with the exact exception type
and a pattern its message must match.

Nothing is drawn at import time: a sample is a function of a seeded generator
and a dtype, called inside the test.  Sample arrays come in three groups:
``arrays`` (float data and params: cast to the test's dtype and laid out C, F,
strided or read-only by the test), ``labels`` (integer or one-hot labels: laid
out, dtype kept) and ``kwargs`` (plain Python settings).

Error inputs describe a call that must be rejected.  ``setup(dtype)`` builds
everything (running any valid forward or update that must come first) and
returns ``(call, watched)``: ``call()`` is the bad call, and ``watched`` lists
what the rejected call must leave as it was (the layer or optimizer, whose
attributes are compared, and the params and grads lists passed in).

An ``xfail`` text on a sample or error input marks a case the current code gets
wrong; the test is then expected to fail (strictly), and the text says what is
found and what is expected.  The owner of fastnn/ removes it with the fix.

The entries' pieces live beside this file: the records in tests/op_info.py, the
layers' samples and reference runs in tests/op_layer_samples.py, their error
inputs in tests/op_layer_errors.py, the functions' in tests/op_functions.py and
the optimizers' in tests/op_optimizers.py.  Importers use this module only.
"""

import numpy as np
from op_functions import (
    _cee_errors,
    _cee_samples,
    _function_errors,
    _ref_cee,
    _ref_relu,
    _ref_sigmoid_fn,
    _ref_softmax_fn,
    _run_cee,
    _run_relu,
    _run_sigmoid_fn,
    _run_softmax_fn,
)
from op_info import ErrorInput, OpInfo, SampleInput
from op_layer_errors import (
    _affine_errors,
    _embedding_errors,
    _esc,
    _matmul_errors,
    _repeat_sum_errors,
    _sigmoid_loss_errors,
    _simple_layer_errors,
    _softmax_loss_errors,
)
from op_layer_samples import (
    _DROPOUT_RATIO,
    _SHAPES_ANY,
    _SHAPES_ROWS,
    _affine_samples,
    _embedding_samples,
    _matmul_samples,
    _ref_affine,
    _ref_dropout,
    _ref_embedding,
    _ref_matmul,
    _ref_repeat,
    _ref_sigmoid_layer,
    _ref_sigmoid_loss,
    _ref_softmax_layer,
    _ref_softmax_loss,
    _ref_sum,
    _repeat_samples,
    _run_affine,
    _run_dropout,
    _run_embedding,
    _run_matmul,
    _run_repeat,
    _run_sigmoid_layer,
    _run_sigmoid_loss,
    _run_softmax_layer,
    _run_softmax_loss,
    _run_sum,
    _sigmoid_loss_samples,
    _softmax_loss_samples,
    _sum_samples,
    _xdout_samples,
)
from op_optimizers import (
    _OPT_SETTINGS,
    STEPS,
    _make_ref_opt,
    _make_run_opt,
    _opt_lists,
    _opt_samples,
    _optimizer_errors,
)

from fastnn import functions, layers

# What importers take from here (the records are re-exported from tests/op_info.py).
__all__ = ["F64", "OPS", "OPS_BY_NAME", "STEPS", "ErrorInput", "OpInfo", "SampleInput", "snapshot"]

F64 = np.dtype(np.float64)


# --------------------------------------------------------------------------
# What a rejected call must leave as it was.

def snapshot(obj):
    """A comparable picture of obj: arrays by identity, dtype, shape, flags and bytes."""
    if isinstance(obj, np.ndarray):
        return ("array", id(obj), obj.dtype.str, obj.shape, obj.flags.writeable,
                obj.tobytes() if obj.dtype.kind != "O" else repr(obj.tolist()))
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, id(obj), tuple(snapshot(x) for x in obj))
    if isinstance(obj, dict):
        return ("dict", tuple((k, snapshot(v)) for k, v in obj.items()))
    if hasattr(obj, "__dict__") and not isinstance(obj, type):
        # The book's attributes (params, grads, x, out, y, t, v, h, m, iter, ...);
        # private caches of what was already checked are not state.
        public = {k: v for k, v in vars(obj).items() if not k.startswith("_")}
        return (type(obj).__name__, id(obj), snapshot(public))
    if isinstance(obj, np.generic):
        return ("scalar", obj.dtype.str, obj.tobytes())
    return ("value", repr(obj))


# --------------------------------------------------------------------------
# Builders: the op's object and its call arguments, nothing called yet.

def _layer_builder(make, forward_keys, backward_keys=("dout",)):
    """build(sample) -> (layer, forward args, backward args); a key names an array,
    a label or a keyword setting of the sample, looked up in that order."""
    def pick(s, key):
        for group in (s.arrays, s.labels, s.kwargs):
            if key in group:
                return group[key]
        raise KeyError(key)

    def build(s):
        return (make(s), tuple(pick(s, k) for k in forward_keys), tuple(pick(s, k) for k in backward_keys))
    return build


def _make_build_opt(name):
    cls, kwargs = _OPT_SETTINGS[name]

    def build(s):
        params, grads = _opt_lists(s)
        return cls(**kwargs), params, grads
    return build


_BUILD = {
    "MatMul": _layer_builder(lambda s: layers.MatMul(s.arrays["W"]), ("x",)),
    "Affine": _layer_builder(lambda s: layers.Affine(s.arrays["W"], s.arrays["b"]), ("x",)),
    "Sigmoid": _layer_builder(lambda s: layers.Sigmoid(), ("x",)),
    "Softmax": _layer_builder(lambda s: layers.Softmax(), ("x",)),
    "SoftmaxWithLoss": _layer_builder(lambda s: layers.SoftmaxWithLoss(), ("x", "t")),
    "SigmoidWithLoss": _layer_builder(lambda s: layers.SigmoidWithLoss(), ("x", "t")),
    "Repeat": _layer_builder(lambda s: layers.Repeat(s.kwargs["N"], axis=s.kwargs["axis"]), ("x",)),
    "Sum": _layer_builder(lambda s: layers.Sum(axis=s.kwargs["axis"]), ("x",)),
    "Embedding": _layer_builder(lambda s: layers.Embedding(s.arrays["W"]), ("idx",)),
    "Dropout": _layer_builder(lambda s: layers.Dropout(_DROPOUT_RATIO), ("x",)),
}


# --------------------------------------------------------------------------
# The registry.

OPS = [
    OpInfo("MatMul", "layer", _run_matmul, _ref_matmul, _matmul_samples(), _matmul_errors(),
           build=_BUILD["MatMul"], saved=("x",)),
    OpInfo("Affine", "layer", _run_affine, _ref_affine, _affine_samples(), _affine_errors(),
           build=_BUILD["Affine"], saved=("x",)),
    OpInfo("Sigmoid", "layer", _run_sigmoid_layer, _ref_sigmoid_layer, _xdout_samples(_SHAPES_ANY),
           _simple_layer_errors(layers.Sigmoid, (2, 3), (2, 4)), build=_BUILD["Sigmoid"], saved=("out",)),
    OpInfo("Softmax", "layer", _run_softmax_layer, _ref_softmax_layer, _xdout_samples(_SHAPES_ROWS),
           _simple_layer_errors(layers.Softmax, (2, 3), (3, 2), ndim_cases=[
               ((2, 3, 4), _esc("Softmax.forward: x has shape (2, 3, 4); expected (N, C) or (C,)"))]),
           build=_BUILD["Softmax"], saved=("out",)),
    OpInfo("SoftmaxWithLoss", "layer", _run_softmax_loss, _ref_softmax_loss, _softmax_loss_samples(),
           _softmax_loss_errors(), data_arrays=("x",), build=_BUILD["SoftmaxWithLoss"], saved=("y", "t")),
    OpInfo("SigmoidWithLoss", "layer", _run_sigmoid_loss, _ref_sigmoid_loss, _sigmoid_loss_samples(),
           _sigmoid_loss_errors(), data_arrays=("x",), build=_BUILD["SigmoidWithLoss"], saved=("y", "t")),
    OpInfo("Repeat", "layer", _run_repeat, _ref_repeat, _repeat_samples(),
           _repeat_sum_errors(layers.Repeat, {"N": 3}, (1, 5), (3, 5), (3, 4), [
               ("N_negative", {"N": -1}, ValueError, _esc("Repeat: N is -1; expected a non-negative integer")),
               ("N_float", {"N": 2.5}, ValueError, _esc("Repeat: N is 2.5; expected a non-negative integer")),
               ("axis_2", {"N": 2, "axis": 2}, ValueError, _esc("Repeat: axis is 2; expected 0 or 1")),
           ]), build=_BUILD["Repeat"], saved=("x_shape",)),
    OpInfo("Sum", "layer", _run_sum, _ref_sum, _sum_samples(),
           _repeat_sum_errors(layers.Sum, {}, (4, 5), (1, 5), (4, 5), [
               ("axis_2", {"axis": 2}, ValueError, _esc("Sum: axis is 2; expected 0 or 1")),
               ("axis_bool", {"axis": True}, ValueError, _esc("Sum: axis is True; expected 0 or 1")),
           ]), build=_BUILD["Sum"], saved=("x_shape",)),
    OpInfo("Embedding", "layer", _run_embedding, _ref_embedding, _embedding_samples(), _embedding_errors(),
           data_arrays=("dout",), build=_BUILD["Embedding"], saved=("idx",),
           conversion_xfail=dict.fromkeys(("big_endian_f4", "big_endian_f8"),
                                          "Embedding refuses a byte-swapped W (TypeError: expected float32 or float64) "
                                          "where the other layers convert their params")),
    OpInfo("Dropout", "layer", _run_dropout, _ref_dropout, _xdout_samples(_SHAPES_ANY),
           _simple_layer_errors(layers.Dropout, (2, 3), (2, 4)), build=_BUILD["Dropout"], saved=("mask",)),
    OpInfo("sigmoid", "function", _run_sigmoid_fn, _ref_sigmoid_fn,
           dict(_xdout_samples(_SHAPES_ANY).items()),
           _function_errors(functions.sigmoid, (2, 3), []), data_arrays=("x",)),
    OpInfo("relu", "function", _run_relu, _ref_relu, _xdout_samples(_SHAPES_ANY),
           _function_errors(functions.relu, (2, 3), []), data_arrays=("x",), conversions=False),
    OpInfo("softmax", "function", _run_softmax_fn, _ref_softmax_fn, _xdout_samples(_SHAPES_ROWS),
           _function_errors(functions.softmax, (2, 3), [
               ((2, 3, 4), _esc("softmax: x has shape (2, 3, 4); expected (N, C) or (C,)"))]), data_arrays=("x",)),
    OpInfo("cross_entropy_error", "function", _run_cee, _ref_cee, _cee_samples(), _cee_errors(),
           data_arrays=("y",)),
] + [
    OpInfo(name, "optimizer", _make_run_opt(name), _make_ref_opt(name), _opt_samples(),
           _optimizer_errors(name),
           data_arrays=tuple(f"g{i}_{s}" for i in range(3) for s in range(STEPS)),
           mutates=("p0", "p1", "p2"), build=_make_build_opt(name))
    for name in _OPT_SETTINGS
]

OPS_BY_NAME = {op.name: op for op in OPS}
