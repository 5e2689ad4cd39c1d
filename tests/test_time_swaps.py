"""Time layers' grads and params swapped for arrays of other shapes between forward and backward.

The chapter-1 layers' swaps are in tests/test_swaps.py (through the op registry);
these are the recurrent and sequence layers'.  A swapped grad or param of
another shape must raise a ValueError naming it before anything is written:
every grad, the swapped array and the carried state stay as they were; with
the original put back, the same layer gives a fresh layer's results again.
"""

import re

import numpy as np
import pytest

from fastnn.time_layers import GRU, LSTM, RNN, TimeAffine, TimeBiLSTM, TimeEmbedding, TimeGRU, TimeLSTM, TimeRNN

N, T, D, H, V = 2, 3, 4, 5, 7


def _weights(rng, gates):
    return (rng.standard_normal((D, gates * H)), rng.standard_normal((H, gates * H)), rng.standard_normal(gates * H))


def _build(name):
    """(layer, forward args, backward args) from a fixed seed."""
    rng = np.random.default_rng(0)
    xs, dhs = rng.standard_normal((N, T, D)), rng.standard_normal((N, T, H))
    x, h, c, dh = (rng.standard_normal(s) for s in ((N, D), (N, H), (N, H), (N, H)))
    if name == "TimeAffine":
        return TimeAffine(rng.standard_normal((D, H)), rng.standard_normal(H)), (xs,), (dhs,)
    if name == "TimeEmbedding":
        return TimeEmbedding(rng.standard_normal((V, H))), (rng.integers(0, V, (N, T)),), (dhs,)
    if name == "RNN":
        return RNN(*_weights(rng, 1)), (x, h), (dh,)
    if name == "TimeRNN":
        return TimeRNN(*_weights(rng, 1)), (xs,), (dhs,)
    if name == "LSTM":
        return LSTM(*_weights(rng, 4)), (x, h, c), (dh, rng.standard_normal((N, H)))
    if name == "TimeLSTM":
        return TimeLSTM(*_weights(rng, 4)), (xs,), (dhs,)
    if name == "GRU":
        return GRU(*_weights(rng, 3)), (x, h), (dh,)
    if name == "TimeGRU":
        return TimeGRU(*_weights(rng, 3)), (xs,), (dhs,)
    if name == "TimeBiLSTM":
        return TimeBiLSTM(*_weights(rng, 4), *_weights(rng, 4)), (xs,), (rng.standard_normal((N, T, 2 * H)),)
    raise AssertionError(name)


NAMES = ["TimeAffine", "TimeEmbedding", "RNN", "TimeRNN", "LSTM", "TimeLSTM", "GRU", "TimeGRU", "TimeBiLSTM"]


def _other_shapes(shape):
    """A (1, ...)-like shape, one larger in every axis, and one more axis."""
    return [s for s in ((1,) * len(shape), tuple(n + 1 for n in shape), shape + (1,)) if s != shape]


def _cases(which):
    # TimeBiLSTM.grads is a list of its two TimeLSTMs' grads, as the book's: replacing an
    # entry there reaches neither layer (test_bilstm_inner_grad_of_another_shape_is_refused).
    for name in (n for n in NAMES if not (which == "grads" and n == "TimeBiLSTM")):
        layer, _, _ = _build(name)
        for i, a in enumerate(getattr(layer, which)):
            for shape in _other_shapes(a.shape):
                yield pytest.param(name, i, shape, id=f"{name}-{which}[{i}]-{shape}")


def _fresh(name):
    layer, fargs, bargs = _build(name)
    layer.forward(*fargs)
    dx = layer.backward(*bargs)
    return dx, [g.copy() for g in layer.grads]


def _assert_same(got, want):
    got, want = (got if isinstance(got, tuple) else (got,)), (want if isinstance(want, tuple) else (want,))
    for a, b in zip(got, want):
        if a is None or b is None:
            assert a is b
        else:
            np.testing.assert_array_equal(a, b)


def _swap_and_check(name, which, i, shape):
    layer, fargs, bargs = _build(name)
    layer.forward(*fargs)
    arrays = getattr(layer, which)
    original = arrays[i]
    swapped = np.full(shape, 0.25)
    before = [g.copy() for g in layer.grads]
    arrays[i] = swapped
    with pytest.raises(ValueError, match=rf"{name}\.backward: .*has shape {re.escape(str(shape))}"):
        layer.backward(*bargs)
    np.testing.assert_array_equal(swapped, np.full(shape, 0.25))
    for j, (g, b) in enumerate(zip(layer.grads, before)):
        if not (which == "grads" and j == i):
            np.testing.assert_array_equal(g, b)
    arrays[i] = original
    dx_expected, grads_expected = _fresh(name)
    _assert_same(layer.backward(*bargs), dx_expected)
    for got, want in zip(layer.grads, grads_expected):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name, i, shape", list(_cases("grads")))
def test_a_grad_of_another_shape_is_refused_and_changes_nothing(name, i, shape):
    _swap_and_check(name, "grads", i, shape)


@pytest.mark.parametrize("name, i, shape", list(_cases("params")))
def test_a_param_of_another_shape_is_refused_or_ignored(name, i, shape):
    """backward either refuses a swapped param (naming it) or uses the weights forward ran
    with: either way the grads stay the ones of forward's weights."""
    layer, fargs, bargs = _build(name)
    layer.forward(*fargs)
    before = [g.copy() for g in layer.grads]
    original = layer.params[i]
    layer.params[i] = np.full(shape, 0.25)
    try:
        layer.backward(*bargs)
    except ValueError as e:
        assert f"{name}.backward" in str(e) and str(shape) in str(e)
        for g, b in zip(layer.grads, before):
            np.testing.assert_array_equal(g, b)
    else:
        _, grads_expected = _fresh(name)
        for got, want in zip(layer.grads, grads_expected):
            np.testing.assert_array_equal(got, want)
    layer.params[i] = original


@pytest.mark.parametrize("inner", ["forward_lstm", "backward_lstm"])
def test_bilstm_inner_grad_of_another_shape_is_refused(inner):
    layer, fargs, bargs = _build("TimeBiLSTM")
    layer.forward(*fargs)
    before = [g.copy() for g in layer.grads]
    grads = getattr(layer, inner).grads
    original, grads[1] = grads[1], np.zeros((1, 1))
    with pytest.raises(ValueError, match=r"TimeLSTM\.backward: grads\[1\] has shape \(1, 1\)"):
        layer.backward(*bargs)
    np.testing.assert_array_equal(grads[1], np.zeros((1, 1)))
    for g, b in zip(layer.grads, before):
        np.testing.assert_array_equal(g, b)
    grads[1] = original
    _, grads_expected = _fresh("TimeBiLSTM")
    layer.backward(*bargs)
    for got, want in zip(layer.grads, grads_expected):
        np.testing.assert_array_equal(got, want)


def test_embedding_weight_and_grad_both_swapped_for_fewer_rows_are_refused():
    """The ids were checked against forward's W: a W and grad of fewer rows (both swapped,
    so they agree with each other) would let the scatter-add write past the grad's end."""
    layer, fargs, bargs = _build("TimeEmbedding")
    layer.forward(*fargs)
    layer.params[0], layer.grads[0] = np.zeros((1, H)), np.zeros((1, H))
    with pytest.raises(ValueError, match=r"TimeEmbedding\.backward: W has shape \(1, 5\); expected \(7, 5\)"):
        layer.backward(*bargs)
    np.testing.assert_array_equal(layer.grads[0], np.zeros((1, H)))
