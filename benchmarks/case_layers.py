"""The layers' benchmark cases (benchmarks/cases.py lists them all): one builder
per layer call (MatMul, Affine, Sigmoid, Repeat, Sum, Softmax, SoftmaxWithLoss and
SigmoidWithLoss, forward and backward), each returning the ``Pair`` of the book's
layer and fastnn's over the same inputs at one size and dtype.
"""

from fastnn import layers

from . import book_numpy as book
from .case_common import SIZES, Pair, _labels, _normal, _rng

# -- layers -------------------------------------------------------------------

def _dot_shape(s):
    return f"{s.batch}x{s.d_in}@{s.d_in}x{s.hidden}"


def _nh_shape(s):
    return f"{s.batch}x{s.hidden}"


def matmul_forward(size, dtype):
    s, rng = SIZES[size], _rng()
    x = _normal(rng, (s.batch, s.d_in), dtype)
    W = _normal(rng, (s.d_in, s.hidden), dtype, 0.01)
    layer, book_layer = layers.MatMul(W), book.MatMul(W)
    return Pair(
        _dot_shape(s),
        numpy=lambda: (book_layer.forward(x),),
        fastnn=lambda: (layer.forward(x),),
        names=("out",),
    )


def matmul_backward(size, dtype):
    s, rng = SIZES[size], _rng()
    x = _normal(rng, (s.batch, s.d_in), dtype)
    W = _normal(rng, (s.d_in, s.hidden), dtype, 0.01)
    dout = _normal(rng, (s.batch, s.hidden), dtype)
    layer, book_layer = layers.MatMul(W), book.MatMul(W)
    layer.forward(x)
    book_layer.forward(x)
    return Pair(
        _dot_shape(s),
        numpy=lambda: (book_layer.backward(dout), book_layer.grads[0]),
        fastnn=lambda: (layer.backward(dout), layer.grads[0]),
        names=("dx", "dW"),
    )


def affine_forward(size, dtype):
    s, rng = SIZES[size], _rng()
    x = _normal(rng, (s.batch, s.d_in), dtype)
    W = _normal(rng, (s.d_in, s.hidden), dtype, 0.01)
    b = _normal(rng, (s.hidden,), dtype, 0.01)
    layer, book_layer = layers.Affine(W, b), book.Affine(W, b)
    return Pair(
        _dot_shape(s),
        numpy=lambda: (book_layer.forward(x),),
        fastnn=lambda: (layer.forward(x),),
        names=("out",),
    )


def affine_backward(size, dtype):
    s, rng = SIZES[size], _rng()
    x = _normal(rng, (s.batch, s.d_in), dtype)
    W = _normal(rng, (s.d_in, s.hidden), dtype, 0.01)
    b = _normal(rng, (s.hidden,), dtype, 0.01)
    dout = _normal(rng, (s.batch, s.hidden), dtype)
    layer, book_layer = layers.Affine(W, b), book.Affine(W, b)
    layer.forward(x)
    book_layer.forward(x)
    return Pair(
        _dot_shape(s),
        numpy=lambda: (book_layer.backward(dout), book_layer.grads[0], book_layer.grads[1]),
        fastnn=lambda: (layer.backward(dout), layer.grads[0], layer.grads[1]),
        names=("dx", "dW", "db"),
    )


def sigmoid_forward(size, dtype):
    s, rng = SIZES[size], _rng()
    x = _normal(rng, (s.batch, s.hidden), dtype, 3.0)
    layer, book_layer = layers.Sigmoid(), book.Sigmoid()
    return Pair(
        _nh_shape(s),
        numpy=lambda: (book_layer.forward(x),),
        fastnn=lambda: (layer.forward(x),),
        names=("out",),
    )


def sigmoid_backward(size, dtype):
    s, rng = SIZES[size], _rng()
    x = _normal(rng, (s.batch, s.hidden), dtype, 3.0)
    dout = _normal(rng, (s.batch, s.hidden), dtype)
    layer, book_layer = layers.Sigmoid(), book.Sigmoid()
    layer.forward(x)
    book_layer.forward(x)
    return Pair(
        _nh_shape(s),
        numpy=lambda: (book_layer.backward(dout),),
        fastnn=lambda: (layer.backward(dout),),
        names=("dx",),
    )


def repeat_forward(size, dtype):
    s, rng = SIZES[size], _rng()
    x = _normal(rng, (1, s.hidden), dtype)
    layer = layers.Repeat(s.batch, axis=0)
    return Pair(
        f"1x{s.hidden}->{s.batch}x{s.hidden}",
        numpy=lambda: (book.repeat_forward(x, s.batch),),
        fastnn=lambda: (layer.forward(x),),
        names=("out",),
    )


def repeat_backward(size, dtype):
    """The book's Repeat node backward: dx = np.sum(dy, axis=0, keepdims=True)."""
    s, rng = SIZES[size], _rng()
    x = _normal(rng, (1, s.hidden), dtype)
    dy = _normal(rng, (s.batch, s.hidden), dtype)
    layer = layers.Repeat(s.batch, axis=0)
    layer.forward(x)
    return Pair(
        f"1x{s.hidden}->{s.batch}x{s.hidden}",
        numpy=lambda: (book.repeat_backward(dy),),
        fastnn=lambda: (layer.backward(dy),),
        names=("dx",),
    )


def sum_forward(size, dtype):
    s, rng = SIZES[size], _rng()
    x = _normal(rng, (s.batch, s.hidden), dtype)
    layer = layers.Sum(axis=0)
    return Pair(
        f"{s.batch}x{s.hidden}->1x{s.hidden}",
        numpy=lambda: (book.sum_forward(x),),
        fastnn=lambda: (layer.forward(x),),
        names=("out",),
    )


def sum_backward(size, dtype):
    """The book's Sum node backward: dx = np.repeat(dy, N, axis=0)."""
    s, rng = SIZES[size], _rng()
    x = _normal(rng, (s.batch, s.hidden), dtype)
    dy = _normal(rng, (1, s.hidden), dtype)
    layer = layers.Sum(axis=0)
    layer.forward(x)
    return Pair(
        f"{s.batch}x{s.hidden}->1x{s.hidden}",
        numpy=lambda: (book.sum_backward(dy, s.batch),),
        fastnn=lambda: (layer.backward(dy),),
        names=("dx",),
    )


def softmax_forward(size, dtype):
    s, rng = SIZES[size], _rng()
    x = _normal(rng, (s.batch, s.hidden), dtype, 3.0)
    layer, book_layer = layers.Softmax(), book.Softmax()
    return Pair(
        _nh_shape(s),
        numpy=lambda: (book_layer.forward(x),),
        fastnn=lambda: (layer.forward(x),),
        names=("out",),
    )


def softmax_backward(size, dtype):
    s, rng = SIZES[size], _rng()
    x = _normal(rng, (s.batch, s.hidden), dtype, 3.0)
    dout = _normal(rng, (s.batch, s.hidden), dtype)
    layer, book_layer = layers.Softmax(), book.Softmax()
    layer.forward(x)
    book_layer.forward(x)
    return Pair(
        _nh_shape(s),
        numpy=lambda: (book_layer.backward(dout),),
        fastnn=lambda: (layer.backward(dout),),
        names=("dx",),
    )


def softmax_with_loss_forward(size, dtype):
    """Labels are class indices (N,), as the book's later chapters pass them."""
    s, rng = SIZES[size], _rng()
    x = _normal(rng, (s.batch, s.hidden), dtype, 3.0)
    t = _labels(rng, s.batch, s.hidden)
    layer, book_layer = layers.SoftmaxWithLoss(), book.SoftmaxWithLoss()

    def numpy_way():
        loss = book_layer.forward(x, t)
        return loss, book_layer.y

    def fastnn_way():
        loss = layer.forward(x, t)
        return loss, layer.y

    return Pair(_nh_shape(s), numpy=numpy_way, fastnn=fastnn_way, names=("loss", "y"))


def softmax_with_loss_backward(size, dtype):
    s, rng = SIZES[size], _rng()
    x = _normal(rng, (s.batch, s.hidden), dtype, 3.0)
    t = _labels(rng, s.batch, s.hidden)
    layer, book_layer = layers.SoftmaxWithLoss(), book.SoftmaxWithLoss()
    layer.forward(x, t)
    book_layer.forward(x, t)
    return Pair(
        _nh_shape(s),
        numpy=lambda: (book_layer.backward(),),
        fastnn=lambda: (layer.backward(),),
        names=("dx",),
    )


def sigmoid_with_loss_forward(size, dtype):
    """x is the (N, H) layer flattened: N*H scores, each with a 0/1 label."""
    s, rng = SIZES[size], _rng()
    n = s.batch * s.hidden
    x = _normal(rng, (n,), dtype, 3.0)
    t = _labels(rng, n, 2)
    layer, book_layer = layers.SigmoidWithLoss(), book.SigmoidWithLoss()

    def numpy_way():
        loss = book_layer.forward(x, t)
        return loss, book_layer.y

    def fastnn_way():
        loss = layer.forward(x, t)
        return loss, layer.y

    return Pair(
        str(n),
        numpy=numpy_way,
        fastnn=fastnn_way,
        names=("loss", "y"),
    )


def sigmoid_with_loss_backward(size, dtype):
    s, rng = SIZES[size], _rng()
    n = s.batch * s.hidden
    x = _normal(rng, (n,), dtype, 3.0)
    t = _labels(rng, n, 2)
    layer, book_layer = layers.SigmoidWithLoss(), book.SigmoidWithLoss()
    layer.forward(x, t)
    book_layer.forward(x, t)
    return Pair(
        str(n),
        numpy=lambda: (book_layer.backward(),),
        fastnn=lambda: (layer.backward(),),
        names=("dx",),
    )
