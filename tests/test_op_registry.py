"""Every op of the registry (tests/op_registry.py) against tests/reference.py.

- samples: op x sample x dtype (float32, float64) x layout (C, F, strided view,
  read-only): results equal the reference to the dtype's rounding, come out in
  the input's dtype, and the inputs are left as they were (optimizer params
  excepted: they are updated in place, whatever their layout).
- conversions: float16, big-endian, integer and Python-list inputs are
  converted as numpy would convert them, and the result is computed.
- error inputs: the exact exception type and message, and a rejected call
  leaves params, grads and the layer's or optimizer's saved state untouched.
"""

import inspect

import numba
import numpy as np
import op_registry as reg
import pytest
import reference as ref
from op_registry import snapshot

from fastnn import functions, layers, optimizer

F64 = np.dtype(np.float64)


def _close(actual, expected, dtype, assert_close):
    """assert_close with the scale taken over the finite expected values (NaN may be expected)."""
    expected = np.asarray(expected, np.float64)
    finite = np.abs(expected[np.isfinite(expected)])
    scale = float(finite.max()) if finite.size else 1.0
    assert_close(actual, expected, dtype=dtype, scale=max(scale, 1.0))


def _in_dtype(sample, dtype):
    """The sample with its float arrays in dtype (labels untouched)."""
    return sample.replace_arrays({k: np.asarray(a, dtype) for k, a in sample.arrays.items()})


def _build(op, name, dtype):
    sample = op.samples[name](np.random.default_rng(0), dtype)
    sample.name = name
    return sample


# --------------------------------------------------------------------------
# Registry completeness.

def _public(module):
    """The classes and functions a module offers: those of its __all__ (which also
    hands out np, GPU, ... as the book's star imports do), or what it defines itself."""
    if hasattr(module, "__all__"):
        return {n for n in module.__all__ if inspect.isclass(o := getattr(module, n)) or inspect.isfunction(o)}
    return {
        n for n, o in vars(module).items()
        if not n.startswith("_") and (inspect.isclass(o) or inspect.isfunction(o))
        and o.__module__ == module.__name__
    }


def test_layers_facade_lists_every_layer_it_offers():
    """fastnn.layers gathers the layer modules: __all__ names every class it holds, and each name works."""
    classes = {n for n, o in vars(layers).items() if not n.startswith("_") and inspect.isclass(o)}
    assert classes == {n for n in layers.__all__ if inspect.isclass(getattr(layers, n))}
    for name in layers.__all__:
        obj = getattr(layers, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__module__.startswith("fastnn.")


def test_registry_covers_every_public_op():
    public = _public(layers) | _public(functions) | _public(optimizer)
    assert public == set(reg.OPS_BY_NAME), f"missing {public - set(reg.OPS_BY_NAME)}"


@pytest.mark.parametrize("op", reg.OPS, ids=lambda op: op.name)
def test_registry_entry_is_complete(op):
    names = set(op.samples)
    assert {"batch1", "empty", "large", "normal"} <= names, names
    assert any(n.startswith("odd") for n in names), names
    assert len(op.error_inputs) >= 4
    for e in op.error_inputs:
        assert e.exc in (ValueError, TypeError, IndexError), e
    if op.kind == "layer":
        assert any(e.name == "backward_first" for e in op.error_inputs)


# --------------------------------------------------------------------------
# Samples over dtype and layout.

def _sample_params():
    for op in reg.OPS:
        for name in op.samples:
            reason = op.sample_xfail.get(name)
            if reason is None and numba.config.DISABLE_JIT:
                reason = op.sample_xfail_nojit.get(name)
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(op, name, id=f"{op.name}-{name}", marks=marks)


@pytest.mark.parametrize("op, sample_name", list(_sample_params()))
def test_sample(op, sample_name, dtype, layout, make_layout, assert_close):
    sample = _build(op, sample_name, dtype)
    expected = op.reference(_in_dtype(sample, F64))

    def lay(key, a):
        # Optimizer params are updated in place: they stay writeable.
        return make_layout(a, "C" if (key in op.mutates and layout == "readonly") else layout)

    laid = sample.replace_arrays({k: lay(k, a) for k, a in sample.arrays.items()},
                                 {k: make_layout(t, layout) for k, t in sample.labels.items()})
    before = {k: a.copy() for k, a in {**laid.arrays, **laid.labels}.items()}

    results = op.run(laid)

    assert set(results) == set(expected)
    for key, value in results.items():
        _close(value, expected[key], dtype, assert_close)
    for key, a in {**laid.arrays, **laid.labels}.items():
        if key in op.mutates:
            assert results[key] is a  # the very array passed in, updated in place
        else:
            assert np.array_equal(a, before[key], equal_nan=True), f"{key} was modified"


# --------------------------------------------------------------------------
# float16, big-endian, integer and list inputs: converted as numpy would.

# name -> (convert a data array, dtype computed in, byte-swap the params too?)
CONVERSIONS = {
    "float16": (lambda a: a.astype(np.float16), np.dtype(np.float32), False),
    "big_endian_f4": (lambda a: a.astype(">f4"), np.dtype(np.float32), True),
    "big_endian_f8": (lambda a: a.astype(">f8"), F64, True),
    "int64": (lambda a: np.rint(4 * a).astype(np.int64), F64, False),
    "list": (lambda a: a.tolist(), F64, False),
}


def _conversion_params():
    for op in reg.OPS:
        if not op.conversions:
            continue
        for conv in CONVERSIONS:
            if op.name == "cross_entropy_error" and conv == "int64":
                continue  # probabilities are not integers
            reason = op.conversion_xfail.get(conv)
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(op, conv, id=f"{op.name}-{conv}", marks=marks)


@pytest.mark.parametrize("op, conversion", list(_conversion_params()))
def test_conversion(op, conversion, assert_close):
    convert, target, swap_params = CONVERSIONS[conversion]
    sample = _build(op, "odd7x5" if "odd7x5" in op.samples else "normal", target)
    arrays, plain = {}, {}
    for key, a in sample.arrays.items():
        if key in op.data_arrays:
            arrays[key] = convert(a)
        elif swap_params and key not in op.mutates:
            arrays[key] = a.astype(a.dtype.newbyteorder(">"))
        else:
            arrays[key] = a
        plain[key] = np.asarray(arrays[key]).astype(F64)
    labels = {k: (t.tolist() if conversion == "list" else t) for k, t in sample.labels.items()}
    expected = op.reference(sample.replace_arrays(plain))

    results = op.run(sample.replace_arrays(arrays, labels))

    grad_of = {"dW": "W", "db": "b"}
    for key, value in results.items():
        if key in grad_of:  # a layer's grads keep the dtype of its params
            dtype = np.asarray(arrays[grad_of[key]]).dtype
        elif key in op.mutates:
            dtype = arrays[key].dtype
        else:
            dtype = target
        assert value.dtype == dtype, f"{key}: dtype {value.dtype}, expected {dtype}"
        _close(value.astype(dtype.newbyteorder("=")), expected[key], dtype.newbyteorder("="), assert_close)


OPTIMIZERS = [op for op in reg.OPS if op.kind == "optimizer"]


@pytest.mark.parametrize("param_dtype", [">f8", "float16"])
@pytest.mark.parametrize("op", OPTIMIZERS, ids=lambda op: op.name)
def test_optimizer_converts_params_in_place(op, param_dtype):
    dtype = np.dtype(param_dtype)
    sample = _build(op, "odd7x5", np.float64)
    arrays = {k: (a.astype(dtype) if k in op.mutates else a) for k, a in sample.arrays.items()}
    plain = {k: a.astype(F64) for k, a in arrays.items()}
    expected = op.reference(sample.replace_arrays(plain))
    laid = sample.replace_arrays(arrays)
    results = op.run(laid)
    for key in op.mutates:
        if key in arrays:
            assert results[key] is laid.arrays[key] and results[key].dtype == dtype
            rtol = 2e-3 if dtype.itemsize == 2 else 1e-12
            np.testing.assert_allclose(results[key].astype(F64), expected[key], rtol=rtol,
                                       atol=rtol * np.abs(expected[key]).max())


# --------------------------------------------------------------------------
# Error inputs: exact exception, message, and nothing changed.

def _error_params():
    for op in reg.OPS:
        for err in op.error_inputs:
            marks = [pytest.mark.xfail(strict=True, reason=err.xfail)] if err.xfail else []
            yield pytest.param(op, err, id=f"{op.name}-{err.name}", marks=marks)


@pytest.mark.parametrize("op, err", list(_error_params()))
def test_error_input(op, err, dtype):
    call, watched = err.setup(dtype)
    before = snapshot(watched)

    with pytest.raises(Exception) as info:
        call()

    assert type(info.value) is err.exc, f"raised {type(info.value).__name__}: {info.value}"
    info.match(err.match)
    assert snapshot(watched) == before, "a rejected call changed params, grads or saved state"


def test_softmax_with_loss_bool_labels_are_class_indices(dtype, assert_close):
    x = np.linspace(-2, 2, 12).reshape(4, 3).astype(dtype)
    t = np.array([True, False, True, True])
    expected = layers.SoftmaxWithLoss().forward(x, t.astype(np.int64))
    layer = layers.SoftmaxWithLoss()
    assert_close(layer.forward(x, t), expected)
    assert_close(layer.backward(), _swl_dx(x, t.astype(np.int64)))


def _swl_dx(x, t):
    layer = layers.SoftmaxWithLoss()
    layer.forward(x, t)
    return layer.backward()


def test_cross_entropy_error_bool_labels_are_class_indices(dtype, assert_close):
    y = np.array([[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]], dtype)
    t = np.array([True, False, True])
    assert_close(functions.cross_entropy_error(y, t), functions.cross_entropy_error(y, t.astype(np.int64)))


def test_sigmoid_with_loss_bool_labels_are_0_and_1(dtype, assert_close):
    x = np.linspace(-2, 2, 5).astype(dtype)
    t = np.array([True, False, True, True, False])
    assert_close(layers.SigmoidWithLoss().forward(x, t), layers.SigmoidWithLoss().forward(x, t.astype(np.int64)))


@pytest.mark.parametrize("x", [1.0, np.float64(-2.0), np.array(0.5)], ids=["float", "np.float64", "0-d"])
def test_sigmoid_of_a_scalar_has_numpys_shape(x):
    expected = ref.sigmoid(np.asarray(x, np.float64))
    y = functions.sigmoid(x)
    assert np.shape(y) == np.shape(expected) == ()
    assert float(y) == pytest.approx(float(expected), rel=1e-15)
    layer_y = layers.Sigmoid().forward(x)
    assert np.shape(layer_y) == () and float(layer_y) == pytest.approx(float(expected), rel=1e-15)
