"""Every layer of fastnn.layers and function of fastnn.functions against tests/reference.py.

Each test runs over float32 and float64 and over four memory layouts of every
array argument (inputs, douts, params, labels): C-order, F-order, a strided
view and a read-only array.  float32 in gives float32 out and float64 gives
float64; mixed dtypes promote as numpy does.  Outputs are new arrays that a
caller may keep.
"""

import numpy as np
import pytest
import reference as ref
from fastnn.kernels.matmul import is_small

from fastnn import functions as F
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

N, D, H, C = 6, 4, 5, 3


def _data(rng, dtype, *shapes, scale=1.0):
    return [(scale * rng.standard_normal(s)).astype(dtype) for s in shapes]


def _assert_new_array(out, *others):
    """`out` is its own array, sharing memory with none of the arguments."""
    assert isinstance(out, np.ndarray)
    for o in others:
        assert not np.shares_memory(out, o)


# ---------------------------------------------------------------- MatMul, Affine

# A product small enough for the kernels' loop path, and one for their BLAS path.
SIZES = [(N, D, H), (64, 48, 40)]


@pytest.mark.parametrize("size", SIZES, ids=["loop", "blas"])
def test_matmul(size, dtype, layout, rng, make_layout, assert_close):
    n, d, h = size
    x, W, dout = _data(rng, dtype, (n, d), (d, h), (n, h))
    Wl = make_layout(W, layout)
    layer = MatMul(Wl)
    assert layer.params[0] is Wl
    grad = layer.grads[0]
    assert grad.shape == W.shape and grad.dtype == dtype

    xl = make_layout(x, layout)
    out = layer.forward(xl)
    assert_close(out, ref.matmul_forward(x, W), dtype)
    dx = layer.backward(make_layout(dout, layout))
    dx_ref, dW_ref = ref.matmul_backward(dout, x, W)
    assert_close(dx, dx_ref, dtype)
    assert layer.grads[0] is grad
    assert_close(grad, dW_ref, dtype)
    assert layer.params[0] is Wl and np.array_equal(Wl, W)
    _assert_new_array(out, xl, Wl, grad)
    _assert_new_array(dx, xl, Wl, grad, out)


@pytest.mark.parametrize("size", SIZES, ids=["loop", "blas"])
def test_affine(size, dtype, layout, rng, make_layout, assert_close):
    n, d, h = size
    x, W, b, dout = _data(rng, dtype, (n, d), (d, h), (h,), (n, h))
    Wl, bl = make_layout(W, layout), make_layout(b, layout)
    layer = Affine(Wl, bl)
    assert layer.params[0] is Wl and layer.params[1] is bl
    dW, db = layer.grads

    xl = make_layout(x, layout)
    out = layer.forward(xl)
    assert_close(out, ref.affine_forward(x, W, b), dtype)
    dx = layer.backward(make_layout(dout, layout))
    dx_ref, dW_ref, db_ref = ref.affine_backward(dout, x, W)
    assert_close(dx, dx_ref, dtype)
    assert layer.grads[0] is dW and layer.grads[1] is db
    assert_close(dW, dW_ref, dtype)
    assert_close(db, db_ref, dtype)
    _assert_new_array(out, xl, Wl, bl, dW, db)
    _assert_new_array(dx, xl, Wl, dW, out)


@pytest.mark.parametrize("W_shape", [(2, 10), (10, 3), (0, 4)])
def test_batches_on_either_side_of_the_loop_limit(W_shape, dtype, rng, assert_close):
    """The layers pick the loop kernels from a row limit worked out once per W;
    it must agree with matmul.is_small, and both sides must give the book's values."""
    d, h = W_shape
    W, b = _data(rng, dtype, (d, h), (h,))
    affine_layer, matmul_layer = Affine(W, b), MatMul(W)
    affine_layer.forward(np.zeros((1, d), dtype))  # the first call checks W and sets the limit
    matmul_layer.forward(np.zeros((1, d), dtype))
    limit = affine_layer._loop_rows
    assert limit == matmul_layer._loop_rows
    if d * h:  # an empty W multiplies in the loops at any batch size
        assert is_small(limit, d, h) and not is_small(limit + 1, d, h)
    for n in (limit, limit + 1):
        x, dout = _data(rng, dtype, (n, d), (n, h))
        assert_close(affine_layer.forward(x), ref.affine_forward(x, W, b), dtype)
        dx = affine_layer.backward(dout)
        for got, want in zip((dx, *affine_layer.grads), ref.affine_backward(dout, x, W)):
            assert_close(got, want, dtype)
        assert_close(matmul_layer.forward(x), ref.matmul_forward(x, W), dtype)


def test_forward_and_backward_outputs_are_new_arrays_each_call(dtype, rng):
    x1, x2, W, b, d1, d2 = _data(rng, dtype, (N, D), (N, D), (D, H), (H,), (N, H), (N, H))
    layer = Affine(W, b)
    out1 = layer.forward(x1)
    kept = out1.copy()
    dx1 = layer.backward(d1)
    kept_dx = dx1.copy()
    out2 = layer.forward(x2)
    dx2 = layer.backward(d2)
    assert np.array_equal(out1, kept) and np.array_equal(dx1, kept_dx)
    assert not np.shares_memory(out1, out2) and not np.shares_memory(dx1, dx2)
    assert not np.array_equal(out1, out2)


@pytest.mark.parametrize(
    "x_dtype,w_dtype",
    [(np.float64, np.float32), (np.float32, np.float64), (np.int64, np.float32), (np.int32, np.float64)],
)
def test_mixed_dtypes_promote_like_numpy(x_dtype, w_dtype, rng, assert_close):
    x = (10 * rng.standard_normal((N, D))).astype(x_dtype)
    W, b, dout = _data(rng, w_dtype, (D, H), (H,), (N, H))
    expected_dtype = np.result_type(x, W)
    assert expected_dtype == (np.float64 if np.dtype(x_dtype).kind == "i" else np.result_type(x_dtype, w_dtype))

    for layer, fwd in ((Affine(W, b), ref.affine_forward(x, W, b)), (MatMul(W), ref.matmul_forward(x, W))):
        out = layer.forward(x)
        assert out.dtype == expected_dtype
        assert_close(out, fwd, expected_dtype)
        dx = layer.backward(dout.astype(expected_dtype))
        dx_ref, dW_ref, db_ref = ref.affine_backward(dout.astype(expected_dtype), x.astype(expected_dtype), W)
        assert dx.dtype == expected_dtype
        assert_close(dx, dx_ref, expected_dtype)
        # The grads keep the params' dtype, as the book's `grads[0][...] = dW` does.
        assert layer.grads[0].dtype == W.dtype
        assert_close(layer.grads[0], dW_ref.astype(W.dtype), W.dtype, rtol=2e-5)
        if isinstance(layer, Affine):
            assert layer.grads[1].dtype == b.dtype
            assert_close(layer.grads[1], db_ref.astype(b.dtype), b.dtype, rtol=2e-5)


# ---------------------------------------------------------------- Sigmoid, Softmax

@pytest.mark.parametrize("shape", [(N, H), (2, 3, 4)])
def test_sigmoid(shape, dtype, layout, rng, make_layout, assert_close):
    x, dout = _data(rng, dtype, shape, shape, scale=3.0)
    layer = Sigmoid()
    assert layer.params == [] and layer.grads == []
    xl = make_layout(x, layout)
    y = layer.forward(xl)
    assert_close(y, ref.sigmoid(x), dtype)
    dx = layer.backward(make_layout(dout, layout))
    assert_close(dx, ref.sigmoid_backward(dout, ref.sigmoid(x)), dtype)
    _assert_new_array(y, xl)
    _assert_new_array(dx, xl, y)


def test_softmax(dtype, layout, rng, make_layout, assert_close):
    x, dout = _data(rng, dtype, (N, C), (N, C), scale=3.0)
    layer = Softmax()
    xl = make_layout(x, layout)
    y = layer.forward(xl)
    y_ref = ref.softmax(x)
    assert_close(y, y_ref, dtype)
    dx = layer.backward(make_layout(dout, layout))
    assert_close(dx, ref.softmax_backward(dout, y_ref), dtype)
    _assert_new_array(y, xl)
    _assert_new_array(dx, xl, y)


def test_softmax_of_one_row(dtype, layout, rng, make_layout, assert_close):
    x, dout = _data(rng, dtype, (C + 2,), (C + 2,), scale=3.0)
    layer = Softmax()
    y = layer.forward(make_layout(x, layout))
    y_ref = ref.softmax(x)
    assert_close(y, y_ref, dtype)
    dx = layer.backward(make_layout(dout, layout))
    assert_close(dx, ref.softmax_backward(dout[None], y_ref[None])[0], dtype)


# ---------------------------------------------------------------- losses

@pytest.mark.parametrize("one_hot", [False, True], ids=["index", "onehot"])
def test_softmax_with_loss(one_hot, dtype, layout, rng, make_layout, assert_close):
    x, = _data(rng, dtype, (N, C), scale=2.0)
    idx = rng.integers(0, C, N)
    t = np.eye(C, dtype=np.int32)[idx] if one_hot else idx
    layer = SoftmaxWithLoss()
    loss = layer.forward(make_layout(x, layout), make_layout(t, layout))
    loss_ref, y_ref, t_ref = ref.softmax_with_loss_forward(x, t)
    assert type(loss) is dtype.type
    assert_close(np.asarray(loss), loss_ref, dtype)
    assert_close(layer.y, y_ref, dtype)
    for dout in (1, 2.5):
        dx = layer.backward(dout)
        assert_close(dx, ref.softmax_with_loss_backward(y_ref, t_ref, dout), dtype)
    assert_close(layer.backward(), ref.softmax_with_loss_backward(y_ref, t_ref), dtype)


@pytest.mark.parametrize("shape", [(N,), (N, 1), (2, 3)])
def test_sigmoid_with_loss(shape, dtype, layout, rng, make_layout, assert_close):
    x, = _data(rng, dtype, shape, scale=2.0)
    t = rng.integers(0, 2, x.size)
    layer = SigmoidWithLoss()
    loss = layer.forward(make_layout(x, layout), make_layout(t, layout))
    loss_ref, y_ref = ref.sigmoid_with_loss_forward(x.ravel(), t)
    assert type(loss) is dtype.type
    assert_close(np.asarray(loss), loss_ref, dtype)
    for dout in (1, 0.5):
        dx = layer.backward(dout)
        # The book's dx would be float64 for float32 x (int labels promote); fastnn keeps x's dtype.
        assert dx.dtype == dtype and dx.shape == shape
        assert_close(dx, ref.sigmoid_with_loss_backward(y_ref, t, dout).reshape(shape), dtype)


# ---------------------------------------------------------------- Repeat, Sum

@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("shape,n", [((1, 8), 7), ((3, 4), 2)])
def test_repeat(shape, n, axis, dtype, layout, rng, make_layout, assert_close):
    x, = _data(rng, dtype, shape)
    out_shape = list(shape)
    out_shape[axis] *= n
    dy, = _data(rng, dtype, tuple(out_shape))
    layer = Repeat(n, axis=axis)
    assert layer.params == [] and layer.grads == []
    xl = make_layout(x, layout)
    y = layer.forward(xl)
    assert_close(y, ref.repeat_forward(x, n, axis), dtype)
    dx = layer.backward(make_layout(dy, layout))
    assert_close(dx, ref.repeat_backward(dy, n, axis), dtype)
    _assert_new_array(y, xl)
    _assert_new_array(dx, xl, y)


@pytest.mark.parametrize("axis", [0, 1])
def test_sum(axis, dtype, layout, rng, make_layout, assert_close):
    x, = _data(rng, dtype, (7, 8))
    dy, = _data(rng, dtype, (1, 8) if axis == 0 else (7, 1))
    layer = Sum(axis=axis)
    xl = make_layout(x, layout)
    y = layer.forward(xl)
    assert_close(y, ref.sum_forward(x, axis), dtype)
    dx = layer.backward(make_layout(dy, layout))
    assert_close(dx, ref.sum_backward(dy, x.shape[axis], axis), dtype)
    _assert_new_array(y, xl)
    _assert_new_array(dx, xl, y)


# ---------------------------------------------------------------- functions

@pytest.mark.parametrize("shape", [(N, C), (5,), (2, 3, 4)])
def test_functions_sigmoid(shape, dtype, layout, rng, make_layout, assert_close):
    x, = _data(rng, dtype, shape, scale=3.0)
    xl = make_layout(x, layout)
    y = F.sigmoid(xl)
    assert_close(y, ref.sigmoid(x), dtype)
    _assert_new_array(y, xl)


@pytest.mark.parametrize("shape", [(N, C), (5,)])
def test_functions_softmax(shape, dtype, layout, rng, make_layout, assert_close):
    x, = _data(rng, dtype, shape, scale=3.0)
    xl = make_layout(x, layout)
    y = F.softmax(xl)
    assert_close(y, ref.softmax(x), dtype)
    _assert_new_array(y, xl)


@pytest.mark.parametrize("one_hot", [False, True], ids=["index", "onehot"])
def test_functions_cross_entropy_error(one_hot, dtype, layout, rng, make_layout, assert_close):
    y = ref.softmax(rng.standard_normal((N, C))).astype(dtype)
    idx = rng.integers(0, C, N)
    t = np.eye(C, dtype=np.int64)[idx] if one_hot else idx
    loss = F.cross_entropy_error(make_layout(y, layout), make_layout(t, layout))
    assert type(loss) is dtype.type
    assert_close(np.asarray(loss), ref.cross_entropy_error(y, t), dtype)


@pytest.mark.parametrize("one_hot", [False, True], ids=["index", "onehot"])
def test_functions_cross_entropy_error_of_one_sample(one_hot, dtype, rng, assert_close):
    y = ref.softmax(rng.standard_normal(C)).astype(dtype)
    t = np.eye(C, dtype=np.int64)[1] if one_hot else np.array(1)
    loss = F.cross_entropy_error(y, t)
    assert type(loss) is dtype.type
    assert_close(np.asarray(loss), ref.cross_entropy_error(y, t), dtype)
    assert_close(np.asarray(loss), -np.log(y[1] + 1e-7), dtype)


def test_functions_promote_integer_input_like_numpy(assert_close):
    x = np.arange(-3, 3).reshape(2, 3)
    assert_close(F.sigmoid(x), ref.sigmoid(x), np.float64)
    assert_close(F.softmax(x), ref.softmax(x), np.float64)
    assert_close(Sigmoid().forward(x), ref.sigmoid(x), np.float64)


@pytest.mark.parametrize("x", [0.5, np.float64(0.5), np.float32(-1.5)], ids=["float", "np.float64", "np.float32"])
def test_sigmoid_of_a_scalar_keeps_shape(x, assert_close):
    expected = ref.sigmoid(x)
    assert np.shape(expected) == ()
    for y in (F.sigmoid(x), Sigmoid().forward(x)):
        assert np.shape(y) == ()
        assert_close(np.asarray(y), expected)


def test_sigmoid_of_a_0d_array_keeps_shape(assert_close):
    x = np.array(0.5)
    assert_close(F.sigmoid(x), ref.sigmoid(x))
    assert_close(Sigmoid().forward(x), ref.sigmoid(x))
