"""Numerical gradient checks, central differences in float64, one element at a time.

For a layer y = f(x) and a fixed random dout, the scalar L = sum(f(x) * dout)
has dL/dx = backward(dout); for a loss layer L is the loss itself.  Each
element of x (and of every param, perturbed in place in the layer's own
array) is moved by +-h and (L+ - L-) / 2h compared with the analytic gradient.
With h = 1e-6 the central difference is exact to about 1e-9 here.

The loss layers add 1e-7 inside the log, as the book does, while their
backward is the exact (y - t) / N: the two differ by about 1e-7 / y relative,
so the loss checks use a tolerance of 1e-5 relative instead of 1e-7.
"""

import numpy as np
import pytest

from fastnn.layers import (
    Affine,
    MatMul,
    Repeat,
    Sigmoid,
    SigmoidWithLoss,
    Softmax,
    SoftmaxWithLoss,
    Sum,
)

H_STEP = 1e-6
RTOL = 1e-7
RTOL_LOSS = 1e-5


def numerical_gradient(f, a):
    """dL/da by central differences, moving one element of `a` (in place) at a time."""
    grad = np.zeros_like(a)
    it = np.nditer(a, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        keep = a[i]
        a[i] = keep + H_STEP
        plus = float(f())
        a[i] = keep - H_STEP
        minus = float(f())
        a[i] = keep
        grad[i] = (plus - minus) / (2 * H_STEP)
    return grad


def assert_grad(analytic, numeric, rtol=RTOL):
    assert analytic.shape == numeric.shape
    assert analytic.dtype == np.float64
    scale = max(float(np.max(np.abs(numeric))), 1e-3)
    assert float(np.max(np.abs(numeric))) > 0, "a zero gradient checks nothing"
    np.testing.assert_allclose(analytic, numeric, rtol=rtol, atol=rtol * scale)


def check_layer(layer, x, dout):
    """Analytic vs numerical gradient of sum(layer(x) * dout) w.r.t. x and every param."""
    layer.forward(x)
    dx = layer.backward(dout.copy())
    grads = [g.copy() for g in layer.grads]

    def loss():
        return np.sum(layer.forward(x) * dout)

    assert_grad(dx, numerical_gradient(loss, x))
    assert len(grads) == len(layer.params)
    for p, g in zip(layer.params, grads):
        assert_grad(g, numerical_gradient(loss, p))
    return dx, grads


def test_matmul(rng):
    x, W, dout = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal((4, 5))
    check_layer(MatMul(W), x, dout)


def test_affine(rng):
    x, W, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal(5)
    dout = rng.standard_normal((4, 5))
    dx, (dW, db) = check_layer(Affine(W, b), x, dout)
    assert dx.shape == x.shape and dW.shape == W.shape and db.shape == b.shape


@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 2)])
def test_sigmoid(shape, rng):
    check_layer(Sigmoid(), 2 * rng.standard_normal(shape), rng.standard_normal(shape))


@pytest.mark.parametrize("shape", [(4, 5), (5,)])
def test_softmax(shape, rng):
    check_layer(Softmax(), 2 * rng.standard_normal(shape), rng.standard_normal(shape))


@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("shape,n", [((1, 8), 7), ((3, 4), 3)])
def test_repeat(shape, n, axis, rng):
    out_shape = list(shape)
    out_shape[axis] *= n
    check_layer(Repeat(n, axis=axis), rng.standard_normal(shape), rng.standard_normal(out_shape))


@pytest.mark.parametrize("axis", [0, 1])
def test_sum(axis, rng):
    x = rng.standard_normal((7, 8))
    check_layer(Sum(axis=axis), x, rng.standard_normal((1, 8) if axis == 0 else (7, 1)))


@pytest.mark.parametrize("one_hot", [False, True], ids=["index", "onehot"])
@pytest.mark.parametrize("dout", [1, 3.0])
def test_softmax_with_loss(one_hot, dout, rng):
    n, c = 5, 4
    x = rng.standard_normal((n, c))
    idx = rng.integers(0, c, n)
    t = np.eye(c, dtype=np.int64)[idx] if one_hot else idx
    layer = SoftmaxWithLoss()
    layer.forward(x, t)
    dx = layer.backward(dout)
    numeric = numerical_gradient(lambda: dout * layer.forward(x, t), x)
    assert_grad(dx, numeric, RTOL_LOSS)


@pytest.mark.parametrize("shape", [(6,), (6, 1), (2, 3)])
@pytest.mark.parametrize("dout", [1, 0.5])
def test_sigmoid_with_loss(shape, dout, rng):
    x = rng.standard_normal(shape)
    t = rng.integers(0, 2, x.size)
    layer = SigmoidWithLoss()
    layer.forward(x, t)
    dx = layer.backward(dout)
    numeric = numerical_gradient(lambda: dout * layer.forward(x, t), x)
    assert_grad(dx, numeric, RTOL_LOSS)


def test_the_checker_catches_a_wrong_gradient(rng):
    """The tolerances are tight enough that a gradient off by 1e-4 relative fails."""
    x, W, dout = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal((4, 5))
    layer = MatMul(W)
    layer.forward(x)
    dx = layer.backward(dout)
    numeric = numerical_gradient(lambda: np.sum(layer.forward(x) * dout), x)
    with pytest.raises(AssertionError):
        assert_grad(dx * (1 + 1e-4), numeric)
    with pytest.raises(AssertionError):
        assert_grad(dx * (1 + 1e-4), numeric, RTOL_LOSS)
