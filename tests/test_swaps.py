"""Params, grads and saved state replaced between calls, for every layer and optimizer.

The book's layers keep their arrays in plain lists and attributes, and a user
may replace any of them between forward and backward, or between two updates.
A layer then writes its gradients into arrays of another shape: the book's
``grads[0][...] = dW`` raises a ValueError there, and so must fastnn, before
it writes anything (its kernels would otherwise write past the array's end).
Likewise an optimizer's state (v, h, m) must never be indexed with another
array's shape.  Every case: the exact exception, and nothing changed; then,
with the original arrays put back, the very same objects compute the
reference's values again.

The layers and optimizers, and how to build and call them, come from
tests/op_registry.py (``OpInfo.build`` and ``OpInfo.saved``).
"""

import re
import warnings

import numpy as np
import op_registry as reg
import pytest
from op_registry import snapshot as _snapshot

LAYERS = [op for op in reg.OPS if op.kind == "layer"]
LAYERS_WITH_PARAMS = [op for op in LAYERS if op.build(op.samples["normal"](np.random.default_rng(0), np.float64))[0].params]
DENSE = [op for op in LAYERS if op.name in ("MatMul", "Affine")]  # x @ W (+ b): what their params mean
OPTIMIZERS = [op for op in reg.OPS if op.kind == "optimizer"]
STATEFUL = [op for op in OPTIMIZERS if op.name != "SGD"]


def _sample(op, dtype):
    return op.samples["normal"](np.random.default_rng(0), dtype)


def _other_shapes(shape):
    """Shapes an array of `shape` may be replaced with: a (1, 1)-like one, one larger in
    every axis, ten times wider (the (5, 3) -> (5, 50) of the report), one more axis,
    and, for a 2-D non-square shape, the transpose."""
    ones = (1,) * len(shape) if any(n != 1 for n in shape) else (2,) * len(shape)
    shapes = [ones, tuple(n + 1 for n in shape), shape[:-1] + (10 * shape[-1] + 1,), shape + (1,)]
    if len(shape) == 2 and shape[0] != shape[1]:
        shapes.append(shape[::-1])
    return [s for i, s in enumerate(shapes) if s != shape and s not in shapes[:i]]


def _layer_cases(which, ops):
    """(op, index, shape) for every grad (or param) of these layers."""
    for op in ops:
        layer, _, _ = op.build(_sample(op, np.float64))
        for i, a in enumerate(getattr(layer, which)):
            for shape in _other_shapes(a.shape):
                yield pytest.param(op, i, shape, id=f"{op.name}-{which}[{i}]-{shape}")


def _forward(layer, args):
    """layer.forward(*args) with numpy's global generator seeded (Dropout draws from it)."""
    np.random.seed(0)
    return layer.forward(*args)


def _fresh_results(op, sample):
    """dx and grads of a new layer on the sample: what the reused layer must give."""
    layer, forward_args, backward_args = op.build(sample)
    _forward(layer, forward_args)
    dx = layer.backward(*backward_args)
    return dx, [g.copy() for g in layer.grads]


def _assert_backward_still_right(op, layer, sample, backward_args):
    dx_expected, grads_expected = _fresh_results(op, sample)
    dx = layer.backward(*backward_args)
    np.testing.assert_array_equal(dx, dx_expected)
    for got, want in zip(layer.grads, grads_expected):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("op, i, shape", list(_layer_cases("grads", LAYERS_WITH_PARAMS)))
def test_a_replaced_grad_of_another_shape_is_refused(op, i, shape, dtype):
    sample = _sample(op, dtype)
    layer, forward_args, backward_args = op.build(sample)
    _forward(layer, forward_args)
    original = layer.grads[i]
    replacement = np.full(shape, 7, dtype)
    layer.grads[i] = replacement
    before = _snapshot(layer)

    with pytest.raises(ValueError, match=rf"{op.name}\.backward: grads\[{i}\] has shape {re.escape(str(shape))}; expected"):
        layer.backward(*backward_args)

    assert _snapshot(layer) == before
    assert np.all(replacement == 7)
    layer.grads[i] = original
    _assert_backward_still_right(op, layer, sample, backward_args)


def _reshape_in_place(a, shape):
    """a.shape = shape: NumPy 2.5 deprecates it, but a user's code may still do it,
    and the layers must still notice."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        a.shape = shape


@pytest.mark.parametrize("op", LAYERS_WITH_PARAMS, ids=lambda op: op.name)
def test_a_grad_reshaped_in_place_is_refused(op, dtype):
    """Same array, same size, another shape (``g.shape = ...``): the fast path reads
    the shape at every call, not only the array's identity."""
    sample = _sample(op, dtype)
    layer, forward_args, backward_args = op.build(sample)
    _forward(layer, forward_args)
    layer.backward(*backward_args)  # the fast path is primed
    for i, grad in enumerate(layer.grads):
        shape = grad.shape
        _reshape_in_place(grad, shape[::-1] if grad.ndim == 2 else (1, grad.size))
        before = _snapshot(layer)
        with pytest.raises(ValueError, match=rf"{op.name}\.backward: grads\[{i}\] has shape"):
            layer.backward(*backward_args)
        assert _snapshot(layer) == before
        _reshape_in_place(grad, shape)
    _assert_backward_still_right(op, layer, sample, backward_args)


@pytest.mark.parametrize("op, i, shape", list(_layer_cases("params", DENSE)))
def test_a_param_replaced_between_forward_and_backward(op, i, shape, dtype):
    """W replaced: backward is refused (its gradient no longer fits grads[0]). b
    replaced: backward does not read b (nor does the book's), so it gives the
    gradients of the forward that ran; the next forward refuses the new b."""
    sample = _sample(op, dtype)
    layer, forward_args, backward_args = op.build(sample)
    _forward(layer, forward_args)
    original = layer.params[i]
    layer.params[i] = np.ones(shape, dtype)
    if i == 0:
        before = _snapshot(layer)
        with pytest.raises(ValueError, match=rf"{op.name}\.backward: (grads\[0\]|W) has shape"):
            layer.backward(*backward_args)
        assert _snapshot(layer) == before
    else:
        _assert_backward_still_right(op, layer, sample, backward_args)
        before = _snapshot(layer)
        with pytest.raises(ValueError, match=rf"{op.name}\.forward: b has shape {re.escape(str(shape))}; expected"):
            _forward(layer, forward_args)
        assert _snapshot(layer) == before
    layer.params[i] = original
    _forward(layer, forward_args)
    _assert_backward_still_right(op, layer, sample, backward_args)


@pytest.mark.parametrize("op", DENSE, ids=lambda op: op.name)
def test_a_wider_W_then_forward_computes_but_backward_is_refused(op, dtype, assert_close):
    """The report's case: W (D, H) replaced by (D, 10H + 1) before a forward.  forward
    multiplies by the new W, as the book's does (MatMul; Affine refuses its old b);
    backward's dW no longer fits grads[0]."""
    sample = _sample(op, dtype)
    layer, forward_args, _ = op.build(sample)
    x = forward_args[0]
    W = layer.params[0]
    wide = np.random.default_rng(1).standard_normal((W.shape[0], 10 * W.shape[1] + 1)).astype(dtype)
    layer.params[0] = wide
    if op.name == "Affine":
        with pytest.raises(ValueError, match=r"Affine\.forward: b has shape"):
            layer.forward(x)
        return
    out = layer.forward(x)
    assert_close(out, x.astype(np.float64) @ wide, dtype)
    before = _snapshot(layer)
    with pytest.raises(ValueError, match=re.escape(f"MatMul.backward: grads[0] has shape {W.shape}; expected {wide.shape}")):
        layer.backward(np.ones(out.shape, dtype))
    assert _snapshot(layer) == before


def _saved_cases():
    for op in LAYERS:
        for name in op.saved:
            yield pytest.param(op, name, id=f"{op.name}-{name}")


def _replacements(name, value):
    """Other values for a saved attribute that no longer fit the rest of the state
    (the book's backward would fail on them too): another number of rows, and for
    a layer's input x also another width or one more axis."""
    if isinstance(value, tuple):  # Repeat and Sum keep x's shape
        return [(value[0] + 1, value[1] + 1), value + (1,), value[:1]]
    n, rest = value.shape[0], value.shape[1:]
    shapes = [(n + 1,) + rest, (n - 1,) + rest]
    if name == "x":
        shapes += [(n, rest[0] + 1), value.shape + (1,)]
    return [np.zeros(shape, value.dtype) for shape in shapes]


@pytest.mark.parametrize("op, name", list(_saved_cases()))
def test_saved_state_replaced_before_backward_is_refused(op, name, dtype):
    """x, out, y, t or x_shape replaced by one of another shape: a clear ValueError, nothing changed."""
    sample = _sample(op, dtype)
    layer, forward_args, backward_args = op.build(sample)
    _forward(layer, forward_args)
    original = getattr(layer, name)
    for replacement in _replacements(name, original):
        setattr(layer, name, replacement)
        before = _snapshot(layer)
        with pytest.raises(ValueError, match=rf"{op.name}\.backward: "):
            layer.backward(*backward_args)
        assert _snapshot(layer) == before
    setattr(layer, name, original)
    expected, _ = _fresh_results(op, sample)
    np.testing.assert_array_equal(layer.backward(*backward_args), expected)


# -------------------------------------------------------------------- optimizers

def _first_update(op, dtype):
    opt, params, grads = op.build(_sample(op, dtype))
    opt.update(params, grads[0])
    return opt, params, grads


def _state_names(opt):
    return [name for name in ("v", "h", "m") if getattr(opt, name, None) is not None]


def _assert_two_steps_are_right(op, dtype, opt, params, grads):
    """The optimizer, with its original arrays back, gives the reference's second step."""
    expected = [p.copy() for p in params]
    reference, ref_params, ref_grads = op.build(_sample(op, dtype))
    for step in range(2):
        reference.update(ref_params, ref_grads[step])
    opt.update(params, grads[1])
    for got, want in zip(params, ref_params):
        np.testing.assert_array_equal(got, want)
    assert any(not np.array_equal(p, e) for p, e in zip(params, expected))


@pytest.mark.parametrize("op", OPTIMIZERS, ids=lambda op: op.name)
@pytest.mark.parametrize("index", [0, 1])
def test_optimizer_param_and_grad_replaced_by_another_shape(op, index, dtype, assert_close):
    """A param and its grad, both replaced by arrays of another shape after an update:
    an optimizer with state refuses (its v/h/m were made for the old shape); SGD,
    which keeps none, updates the new arrays."""
    opt, params, grads = _first_update(op, dtype)
    for shape in _other_shapes(params[index].shape):
        p = np.linspace(-1, 1, int(np.prod(shape))).reshape(shape).astype(dtype)
        g = np.full(shape, 0.5, dtype)
        swapped_params = params[:index] + [p] + params[index + 1:]
        swapped_grads = grads[1][:index] + [g] + grads[1][index + 1:]
        if op.name == "SGD":  # no state: the new arrays are updated
            lr = np.asarray(opt.lr, dtype)
            expected = [q - lr * h for q, h in zip(swapped_params, swapped_grads)]
            opt.update(swapped_params, swapped_grads)
            for got, want in zip(swapped_params, expected):
                assert_close(got, want, dtype)
            continue
        watched = [opt, swapped_params, swapped_grads]
        before = _snapshot(watched)
        with pytest.raises(ValueError, match=rf"{op.name}\.update: params\[{index}\] has shape {re.escape(str(shape))} .*state"):
            opt.update(swapped_params, swapped_grads)
        assert _snapshot(watched) == before
    if op.name != "SGD":
        _assert_two_steps_are_right(op, dtype, opt, params, grads)


@pytest.mark.parametrize("op", OPTIMIZERS, ids=lambda op: op.name)
def test_optimizer_grad_replaced_by_another_shape(op, dtype):
    opt, params, grads = _first_update(op, dtype)
    for index, p in enumerate(params):
        for shape in _other_shapes(p.shape):
            bad = list(grads[1])
            bad[index] = np.full(shape, 0.5, dtype)
            watched = [opt, params, bad]
            before = _snapshot(watched)
            with pytest.raises(ValueError, match=re.escape(f"{op.name}.update: grads[{index}] has shape {shape}; "
                                                           f"expected {p.shape}")):
                opt.update(params, bad)
            assert _snapshot(watched) == before
    _assert_two_steps_are_right(op, dtype, opt, params, grads)


@pytest.mark.parametrize("op", STATEFUL, ids=lambda op: op.name)
def test_optimizer_state_replaced_by_another_shape(op, dtype):
    """opt.v[i] (or h, m) replaced by an array of another shape, a list, or a
    non-contiguous or read-only array of the right shape: refused before any write."""
    opt, params, grads = _first_update(op, dtype)
    for name in _state_names(opt):
        state = getattr(opt, name)
        for index, original in enumerate(list(state)):
            bad_values = [np.zeros(shape, original.dtype) for shape in _other_shapes(original.shape)]
            bad_values.append(np.zeros(original.shape, original.dtype, order="F") if original.ndim == 2
                              else np.zeros(2 * original.size, original.dtype)[::2])
            assert not bad_values[-1].flags.c_contiguous
            readonly = np.zeros_like(original)
            readonly.setflags(write=False)
            bad_values += [readonly, original.tolist()]
            for bad in bad_values:
                state[index] = bad
                watched = [opt, params, grads[1]]
                before = _snapshot(watched)
                with pytest.raises((ValueError, TypeError), match=rf"{op.name}\.update: "):
                    opt.update(params, grads[1])
                assert _snapshot(watched) == before
            state[index] = original
    _assert_two_steps_are_right(op, dtype, opt, params, grads)
