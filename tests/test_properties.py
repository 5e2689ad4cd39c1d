"""hypothesis property tests: random shapes and values, fastnn against tests/reference.py.

Shapes include N=1 and odd sizes; values are finite floats of moderate size
(their scale drawn too).  The runs are derandomized (a fixed seed), with no
deadline (the first call of a dtype compiles) and a modest number of examples,
so the file stays at a few seconds once the kernels are cached.
"""

import numpy as np
import pytest
import reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from fastnn import functions, layers, optimizer

PROPS = settings(derandomize=True, deadline=None, max_examples=25, database=None)
DTYPES = st.sampled_from([np.dtype(np.float32), np.dtype(np.float64)])
RTOL = {np.dtype(np.float32): 2e-5, np.dtype(np.float64): 1e-12}
SIZE = st.integers(1, 9)


@st.composite
def arrays(draw, shape, dtype):
    """A float array of `shape`: a seed and a scale drawn by hypothesis, values from numpy."""
    seed = draw(st.integers(0, 2**32 - 1))
    scale = draw(st.sampled_from([1e-3, 1.0, 30.0]))
    return (scale * np.random.default_rng(seed).standard_normal(shape)).astype(dtype)


def close(actual, expected, dtype, scale=None):
    expected = np.asarray(expected, np.float64)
    assert np.asarray(actual).dtype == dtype
    assert np.shape(actual) == expected.shape
    if scale is None:
        scale = float(np.abs(expected).max()) if expected.size else 1.0
    rtol = RTOL[dtype]
    np.testing.assert_allclose(np.asarray(actual, np.float64), expected, rtol=rtol, atol=rtol * max(scale, 1e-30))


def close_loss(loss, expected, p_true, dtype):
    """A mean of -log(p + 1e-7): each term's error is the error of p (a few ulps of
    the probabilities, which are at most 1) over p + 1e-7, so a confident wrong
    answer in float32 is only known to ~1e-3 even in the book's own code."""
    eps = np.finfo(dtype).eps
    atol = 8 * eps * float(np.mean(1 / (np.asarray(p_true, np.float64) + 1e-7))) + RTOL[dtype] * abs(float(expected))
    assert np.asarray(loss).dtype == dtype and np.shape(loss) == ()
    assert abs(float(loss) - float(expected)) <= atol, (float(loss), float(expected), atol)


def own(a):
    """A float64 copy for the reference: never the array fastnn reads or writes
    (np.asarray would hand back a float64 input itself, so a reference applied
    after the call would see whatever fastnn did to it)."""
    return np.array(a, dtype=np.float64)


@PROPS
@given(st.data(), DTYPES, SIZE, SIZE, SIZE, st.booleans())
def test_affine_and_matmul(data, dtype, n, d, h, with_bias):
    x = data.draw(arrays((n, d), dtype))
    W = data.draw(arrays((d, h), dtype))
    b = data.draw(arrays((h,), dtype))
    dout = data.draw(arrays((n, h), dtype))
    x64, W64, b64, dout64 = own(x), own(W), own(b), own(dout)  # before fastnn sees them
    layer = layers.Affine(W, b) if with_bias else layers.MatMul(W)
    out = layer.forward(x)
    dx = layer.backward(dout)
    # Errors of a product are relative to the sum of |terms|, not to the result.
    out_scale = float((np.abs(x64) @ np.abs(W64)).max() + np.abs(b64).max() * with_bias)
    expected_out = ref.affine_forward(x64, W64, b64) if with_bias else ref.matmul_forward(x64, W64)
    close(out, expected_out, dtype, out_scale)
    rdx, rdW, rdb = ref.affine_backward(dout64, x64, W64)
    close(dx, rdx, dtype, float((np.abs(dout64) @ np.abs(W64).T).max()))
    close(layer.grads[0], rdW, dtype, float((np.abs(x64).T @ np.abs(dout64)).max()))
    if with_bias:
        close(layer.grads[1], rdb, dtype, float(np.abs(dout64).sum(axis=0).max()))


@PROPS
@given(st.data(), DTYPES, st.lists(SIZE, min_size=1, max_size=3))
def test_sigmoid(data, dtype, shape):
    x = data.draw(arrays(tuple(shape), dtype))
    dout = data.draw(arrays(tuple(shape), dtype))
    x64, dout64 = own(x), own(dout)
    layer = layers.Sigmoid()
    y = layer.forward(x)
    y64 = own(y)  # backward must not change what forward returned either
    close(y, ref.sigmoid(x64), dtype, 1.0)
    close(layer.backward(dout), ref.sigmoid_backward(dout64, y64), dtype, float(np.abs(dout64).max()))
    assert np.array_equal(np.asarray(y, np.float64), y64)
    close(functions.sigmoid(x), ref.sigmoid(x64), dtype, 1.0)


@PROPS
@given(st.data(), DTYPES, SIZE, SIZE)
def test_softmax(data, dtype, n, c):
    x = data.draw(arrays((n, c), dtype))
    dout = data.draw(arrays((n, c), dtype))
    x64, dout64 = own(x), own(dout)
    layer = layers.Softmax()
    y = layer.forward(x)
    y64 = own(y)
    close(y, ref.softmax(x64), dtype, 1.0)
    close(layer.backward(dout), ref.softmax_backward(dout64, y64), dtype, float(np.abs(dout64).max()))
    assert np.array_equal(np.asarray(y, np.float64), y64)
    close(functions.softmax(x[0]), ref.softmax(x64[0]), dtype, 1.0)


@PROPS
@given(st.data(), DTYPES, SIZE, st.integers(2, 9), st.booleans(), st.sampled_from([1, 0.5, 3.0]))
def test_softmax_with_loss(data, dtype, n, c, onehot, dout):
    # C >= 2: with one class, index labels (N,) and one-hot rows (N, 1) have the
    # same size and the book's cross_entropy_error cannot tell them apart.
    x = data.draw(arrays((n, c), dtype))
    t = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))).integers(0, c, size=n)
    labels = np.eye(c, dtype=np.int32)[t] if onehot else t
    rloss, ry, rt = ref.softmax_with_loss_forward(own(x), labels.copy())
    layer = layers.SoftmaxWithLoss()
    loss = layer.forward(x, labels)
    dx = layer.backward(dout)
    close_loss(loss, rloss, ry[np.arange(n), rt], dtype)
    close(dx, ref.softmax_with_loss_backward(ry, rt, dout), dtype, abs(dout) / n)
    y = functions.softmax(x)
    y64 = own(y)
    close_loss(functions.cross_entropy_error(y, labels), ref.cross_entropy_error(y64, labels.copy()),
               y64[np.arange(n), rt], dtype)


@PROPS
@given(st.data(), DTYPES, st.integers(1, 40), st.sampled_from([1, 0.5, 3.0]))
def test_sigmoid_with_loss(data, dtype, n, dout):
    x = data.draw(arrays((n,), dtype))
    t = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))).integers(0, 2, size=n)
    t_ref = t.copy()
    rloss, ry = ref.sigmoid_with_loss_forward(own(x), t_ref)
    layer = layers.SigmoidWithLoss()
    loss = layer.forward(x, t)
    dx = layer.backward(dout)
    close_loss(loss, rloss, np.where(t_ref == 1, ry, 1 - ry), dtype)
    close(dx, ref.sigmoid_with_loss_backward(ry, t_ref, dout), dtype, abs(dout) / n)


@PROPS
@given(st.data(), DTYPES, SIZE, SIZE, st.integers(0, 6), st.sampled_from([0, 1]))
def test_repeat_and_sum(data, dtype, rows, cols, n, axis):
    x = data.draw(arrays((rows, cols), dtype))
    rep_shape = (rows * n, cols) if axis == 0 else (rows, cols * n)
    dy = data.draw(arrays(rep_shape, dtype))
    sum_shape = (1, cols) if axis == 0 else (rows, 1)
    dout = data.draw(arrays(sum_shape, dtype))
    x64, dy64, dout64 = own(x), own(dy), own(dout)
    repeat = layers.Repeat(n, axis=axis)
    close(repeat.forward(x), ref.repeat_forward(x64, n, axis), dtype)
    if n > 0:  # the reference's adjoint of a zero-fold repeat has the wrong shape
        close(repeat.backward(dy), ref.repeat_backward(dy64, n, axis), dtype, float(np.abs(dy64).max()) * n)
    sum_layer = layers.Sum(axis=axis)
    close(sum_layer.forward(x), ref.sum_forward(x64, axis), dtype, float(np.abs(x64).sum(axis=axis).max()))
    close(sum_layer.backward(dout), ref.sum_backward(dout64, x.shape[axis], axis), dtype)


OPTIMIZERS = {
    "SGD": (optimizer.SGD, ref.sgd, 0, {"lr": 0.1}),
    "Momentum": (optimizer.Momentum, ref.momentum, 1, {"lr": 0.1, "momentum": 0.9}),
    "Nesterov": (optimizer.Nesterov, ref.nesterov, 1, {"lr": 0.1, "momentum": 0.9}),
    "AdaGrad": (optimizer.AdaGrad, ref.adagrad, 1, {"lr": 0.1}),
    "RMSprop": (optimizer.RMSprop, ref.rmsprop, 1, {"lr": 0.01, "decay_rate": 0.99}),
    "Adam": (optimizer.Adam, ref.adam, 2, {"lr": 0.01, "beta1": 0.9, "beta2": 0.999}),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
@PROPS
@given(data=st.data(), dtype=DTYPES, shapes=st.lists(st.tuples(SIZE, SIZE), min_size=1, max_size=3),
       steps=st.integers(1, 4))
def test_optimizer(name, data, dtype, shapes, steps):
    cls, update, n_state, kwargs = OPTIMIZERS[name]
    params = [data.draw(arrays(s, dtype)) for s in shapes]
    grads = [[data.draw(arrays(s, dtype)) for s in shapes] for _ in range(steps)]
    # The reference updates its own copies, from copies of the grads taken
    # before fastnn sees them (np.asarray here compared fastnn with itself).
    expected = [own(p) for p in params]
    state = [[np.zeros_like(p) for p in expected] for _ in range(n_state)]
    opt = cls(**kwargs)
    for step in range(steps):
        g64 = [own(g) for g in grads[step]]
        opt.update(params, grads[step])
        if name == "Adam":
            update(expected, g64, *state, step + 1, **kwargs)
        else:
            update(expected, g64, *state, **kwargs)
    for p, e in zip(params, expected):
        # The step of AdaGrad/RMSprop/Adam is lr * g / sqrt(h): a ratio of sizes ~1,
        # so the error scales with the params and the lr, not with the grads.
        close(p, e, dtype, float(np.abs(e).max()) + 1.0)
