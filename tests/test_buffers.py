"""Large outputs are reused only when nobody else holds them (fastnn/_buffers.py).

A caller that keeps an output, or a view of it, must never see it change; an
output nobody kept is written again in place, which is what saves the page
faults of a fresh large array.
"""

import weakref

import numpy as np
import pytest

from fastnn._buffers import REUSE_MIN_ELEMENTS
from fastnn.layers import Affine, MatMul, Repeat, Sigmoid, Softmax, SoftmaxWithLoss, Sum

ROWS, COLS = 1024, REUSE_MIN_ELEMENTS // 1024  # exactly the reuse threshold


def _calls(rng):
    """(name, make a fresh layer, call it once with new random inputs) for every reusing site."""
    def x():
        return rng.standard_normal((ROWS, COLS))
    W = rng.standard_normal((COLS, COLS)) / COLS
    b = np.zeros(COLS)

    def backward(layer):
        layer.forward(x())
        return layer.backward(x())

    def loss_backward(layer):
        layer.forward(x(), rng.integers(0, COLS, ROWS))
        return layer.backward()

    return [
        ("Affine.forward", lambda: Affine(W, b), lambda layer: layer.forward(x())),
        ("Affine.backward", lambda: Affine(W, b), backward),
        ("MatMul.forward", lambda: MatMul(W), lambda layer: layer.forward(x())),
        ("MatMul.backward", lambda: MatMul(W), backward),
        ("Sigmoid.forward", Sigmoid, lambda layer: layer.forward(x())),
        ("Sigmoid.backward", Sigmoid, backward),
        ("Softmax.forward", Softmax, lambda layer: layer.forward(x())),
        ("Softmax.backward", Softmax, backward),
        ("SoftmaxWithLoss.backward", SoftmaxWithLoss, loss_backward),
        ("Repeat.forward", lambda: Repeat(ROWS), lambda layer: layer.forward(rng.standard_normal((1, COLS)))),
        ("Sum.backward", Sum, lambda layer: (layer.forward(x()), layer.backward(rng.standard_normal((1, COLS))))[1]),
    ]


NAMES = [name for name, _, _ in _calls(np.random.default_rng(0))]


def _case(name, seed=0):
    return next((make, call) for n, make, call in _calls(np.random.default_rng(seed)) if n == name)


@pytest.mark.parametrize("name", NAMES)
def test_a_kept_output_never_changes(name):
    make, call = _case(name)
    layer = make()
    first = call(layer)
    saved = first.copy()
    second = call(layer)
    assert second is not first and not np.shares_memory(first, second)
    assert np.array_equal(first, saved)


@pytest.mark.parametrize("name", NAMES)
def test_a_kept_view_blocks_reuse(name):
    make, call = _case(name)
    layer = make()
    view = call(layer)[:2]
    saved = view.copy()
    call(layer)
    assert np.array_equal(view, saved)


@pytest.mark.parametrize("name", NAMES)
def test_an_output_nobody_kept_is_reused(name):
    make, call = _case(name)
    layer = make()
    first = weakref.ref(call(layer))  # a weak reference does not count as a holder
    again = call(layer)
    assert again is first()


def test_reused_output_holds_the_new_result():
    layer = Sigmoid()
    rng = np.random.default_rng(1)
    layer.forward(rng.standard_normal((ROWS, COLS)))
    x = rng.standard_normal((ROWS, COLS))
    np.testing.assert_allclose(layer.forward(x), 1 / (1 + np.exp(-x)), rtol=1e-14)
    np.testing.assert_allclose(layer.backward(np.ones_like(x)), layer.out * (1 - layer.out), rtol=1e-14)


def test_softmax_with_loss_reuses_the_y_before_last_and_keeps_state_on_a_bad_label():
    rng = np.random.default_rng(2)
    layer = SoftmaxWithLoss()
    t = rng.integers(0, COLS, ROWS)
    layer.forward(rng.standard_normal((ROWS, COLS)), t)
    first = weakref.ref(layer.y)
    layer.forward(rng.standard_normal((ROWS, COLS)), t)
    layer.forward(rng.standard_normal((ROWS, COLS)), t)
    assert layer.y is first()  # the third call wrote into the first call's y

    kept = layer.y
    saved = kept.copy()
    layer.forward(rng.standard_normal((ROWS, COLS)), t)
    layer.forward(rng.standard_normal((ROWS, COLS)), t)
    assert np.array_equal(kept, saved)

    y_before = layer.y.copy()
    bad = t.copy()
    bad[-1] = COLS
    with pytest.raises(IndexError, match="out of range"):
        layer.forward(rng.standard_normal((ROWS, COLS)), bad)
    assert np.array_equal(layer.y, y_before)
