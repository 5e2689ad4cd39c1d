"""Dropout against the book's formula, with the same random draws."""

import numpy as np
import pytest

from fastnn.nn.dropout import Dropout


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ratio", [0.0, 0.3, 0.5, 1.0])
def test_seeded_forward_and_backward_match_the_book(dtype, ratio):
    x = np.random.default_rng(0).standard_normal((4, 5, 3)).astype(dtype)
    x[0, 0, 0] = -2.5
    layer = Dropout(ratio)
    np.random.seed(3)
    out = layer.forward(x)
    np.random.seed(3)
    mask = np.random.rand(*x.shape) > ratio  # the book's draws
    assert out.dtype == dtype and layer.mask.dtype == np.bool_
    np.testing.assert_array_equal(layer.mask, mask)
    np.testing.assert_array_equal(out, x * mask)
    np.testing.assert_array_equal(np.signbit(out), np.signbit(x * mask))  # -x * 0 is -0, as numpy's
    dout = np.random.default_rng(1).standard_normal(x.shape).astype(dtype)
    dx = layer.backward(dout)
    assert dx.dtype == dtype
    np.testing.assert_array_equal(dx, dout * mask)
    assert np.random.rand() == np.random.RandomState(3).rand(x.size + 1)[-1]  # consumed exactly x.size draws


def test_evaluation_scales_and_draws_nothing():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.random.seed(0)
    out = Dropout(0.3).forward(x, train_flg=False)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, x * (1.0 - 0.3))
    assert np.random.rand() == np.random.RandomState(0).rand()


def test_nan_and_inf_dropped_as_numpy_drops_them():
    x = np.array([np.nan, np.inf, -np.inf, 1.0])
    np.random.seed(0)
    out = Dropout(0.5).forward(x)
    np.random.seed(0)
    np.testing.assert_array_equal(out, x * (np.random.rand(4) > 0.5))


def test_numerical_gradient_float64():
    x = np.random.default_rng(2).standard_normal((3, 4))
    R = np.random.default_rng(3).standard_normal((3, 4))
    layer = Dropout(0.4)
    layer.forward(x)
    mask = layer.mask
    dx = layer.backward(R)
    eps = 1e-6
    numeric = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        numeric[i] = (np.sum(up * mask * R) - np.sum(down * mask * R)) / (2 * eps)
    np.testing.assert_allclose(dx, numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("ratio, error", [(1.5, ValueError), (-0.1, ValueError), ("half", TypeError), (None, TypeError)])
def test_bad_ratio(ratio, error):
    with pytest.raises(error, match="Dropout.forward: dropout_ratio"):
        Dropout(ratio).forward(np.ones(3))


def test_bad_inputs():
    layer = Dropout()
    with pytest.raises(ValueError, match="backward called before forward"):
        layer.backward(np.ones(3))
    layer.forward(np.ones((2, 3)))
    mask = layer.mask
    with pytest.raises(ValueError, match=r"dout has shape \(3, 2\); expected \(2, 3\)"):
        layer.backward(np.ones((3, 2)))
    with pytest.raises(TypeError, match="x has dtype"):
        layer.forward(np.array(["a"]))
    assert layer.mask is mask
