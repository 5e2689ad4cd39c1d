"""Sizes, inputs and the two members (numpy, fastnn) of every benchmark group.

Each builder takes a size name and a dtype and returns a ``Pair``: two
zero-argument callables over the same inputs, ``numpy`` (the book's own layer,
function or optimizer object, from benchmarks/book_numpy.py: the book's
common/ call for call) and ``fastnn`` (the drop-in class a user calls), each
with its own state, so either can be timed alone and the first call of each
can be compared with the other's.  A builder draws its inputs from
``np.random.default_rng(0)`` when it is called, never at import time.

Sizes (batch N, layer D -> H; nets D -> H -> O):

    tiny    N=30,   2 -> 10   (the spiral net 2 -> 10 -> 3, book ch. 1)
    medium  N=1000, 100 -> 100  (net 100 -> 100 -> 10)
    large   N=4096, 1024 -> 1024  (net 1024 -> 1024 -> 10)

Per-op shapes, from the layer D -> H of each size:

    matmul, affine            x (N, D) @ W (D, H)            "30x2@2x10"
    sigmoid, softmax,
    softmax-with-loss         x (N, H), labels (N,)          "30x10"
    sigmoid-with-loss         x (N*H,), labels (N*H,) 0/1    "300"
    repeat                    (1, H) -> (N, H), axis 0       "1x10->30x10"
    sum                       (N, H) -> (1, H), axis 0       "30x10->1x10"
    optimizer updates         params [W (D, H), b (H,)]      "2x10+10"
"""

import os
import sys
from dataclasses import dataclass

import numpy as np

from fastnn import layers, optimizer

from . import book_numpy as book

# tests/ on the path, for the test oracle tests/reference.py (benchmarks/test_book_numpy.py
# checks the timed baseline against it); nothing timed here uses it.
_TESTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests")
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)


@dataclass(frozen=True)
class Size:
    batch: int
    d_in: int
    hidden: int
    d_out: int  # the net's output width (training step only)


SIZES = {
    "tiny": Size(batch=30, d_in=2, hidden=10, d_out=3),
    "medium": Size(batch=1000, d_in=100, hidden=100, d_out=10),
    "large": Size(batch=4096, d_in=1024, hidden=1024, d_out=10),
}
SIZE_NAMES = tuple(SIZES)
DTYPES = ("float32", "float64")

# Tolerance relative to the scale (largest magnitude) of the expected array:
# float64 results differ from numpy's by summation order and fused
# multiply-adds only; float32 has 2**-24 ~ 6e-8 of precision to start with.
RTOL = {"float32": 1e-5, "float64": 1e-12}


def assert_close(actual, expected, dtype, what):
    """actual equals expected to the dtype's tolerance, relative to expected's scale."""
    dtype = np.dtype(dtype)
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.dtype == dtype, f"{what}: fastnn gave dtype {actual.dtype}, expected {dtype}"
    assert actual.shape == expected.shape, f"{what}: fastnn gave shape {actual.shape}, expected {expected.shape}"
    rtol = RTOL[dtype.name]
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale, err_msg=what)


def assert_outputs_close(actual, expected, dtype, names):
    assert len(actual) == len(expected) == len(names)
    for a, e, name in zip(actual, expected, names):
        assert_close(a, e, dtype, name)


@dataclass
class Pair:
    """The two members of one group over the same inputs.

    ``numpy()`` and ``fastnn()`` each return a tuple of arrays named by
    ``names``; their first calls are compared before anything is timed.
    """

    shape: str
    numpy: object
    fastnn: object
    names: tuple


def _rng():
    return np.random.default_rng(0)


def _normal(rng, shape, dtype, scale=1.0):
    return (scale * rng.standard_normal(shape)).astype(dtype)


def _labels(rng, n, classes):
    return rng.integers(0, classes, size=n)


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


# -- optimizers ---------------------------------------------------------------

# name -> the book's optimizer class and the names of its state lists, in the
# order fastnn's class keeps them (its STATE).
BOOK_OPTIMIZERS = {
    "sgd": (book.SGD, ()),
    "momentum": (book.Momentum, ("v",)),
    "nesterov": (book.Nesterov, ("v",)),
    "adagrad": (book.AdaGrad, ("h",)),
    "rmsprop": (book.RMSprop, ("h",)),
    "adam": (book.Adam, ("m", "v")),
}


def book_state(name, opt):
    """The book optimizer's state arrays (empty before its first update)."""
    return [arr for attr in BOOK_OPTIMIZERS[name][1] for arr in (getattr(opt, attr) or ())]


# The book's default hyper-parameters, given to both members.
OPTIMIZERS = {
    "sgd": (optimizer.SGD, {"lr": 0.01}),
    "momentum": (optimizer.Momentum, {"lr": 0.01, "momentum": 0.9}),
    "nesterov": (optimizer.Nesterov, {"lr": 0.01, "momentum": 0.9}),
    "adagrad": (optimizer.AdaGrad, {"lr": 0.01}),
    "rmsprop": (optimizer.RMSprop, {"lr": 0.01, "decay_rate": 0.99}),
    "adam": (optimizer.Adam, {"lr": 0.001, "beta1": 0.9, "beta2": 0.999}),
}


def _fastnn_state(opt):
    """The fastnn optimizer's state arrays, in the order book_state gives the book's.

    Read from the class's own list of state names, so that the timed call pays
    no more for it than the numpy member pays for its state.
    """
    return [arr for name in type(opt).STATE for arr in getattr(opt, name)]


def optimizer_update(name):
    """Builder of the `name` update over one layer's params [W (D, H), b (H,)].

    Each member updates its own copy of the params in place, so repeated timed
    calls drift (harmlessly: the gradients are fixed and every value stays
    finite); only the first call of each, from the same start, is compared.
    """

    def build(size, dtype):
        s, rng = SIZES[size], _rng()
        params = [_normal(rng, (s.d_in, s.hidden), dtype, 0.01), _normal(rng, (s.hidden,), dtype, 0.01)]
        grads = [_normal(rng, p.shape, dtype, 0.1) for p in params]
        cls, hyper = OPTIMIZERS[name]
        book_opt, fast = BOOK_OPTIMIZERS[name][0](**hyper), cls(**hyper)
        book_params = [p.copy() for p in params]
        fast_params = [p.copy() for p in params]

        def numpy_way():
            book_opt.update(book_params, grads)
            return (*book_params, *book_state(name, book_opt))

        def fastnn_way():
            fast.update(fast_params, grads)
            return (*fast_params, *_fastnn_state(fast))

        names = ("W", "b") + tuple(f"state{i}" for i in range(2 * len(BOOK_OPTIMIZERS[name][1])))
        return Pair(f"{s.d_in}x{s.hidden}+{s.hidden}", numpy=numpy_way, fastnn=fastnn_way, names=names)

    build.__name__ = f"{name}_update"
    return build


# -- the table of ops ---------------------------------------------------------

# (op name, builder), in the order the report lists them.
OPS = [
    ("matmul.forward", matmul_forward),
    ("matmul.backward", matmul_backward),
    ("affine.forward", affine_forward),
    ("affine.backward", affine_backward),
    ("sigmoid.forward", sigmoid_forward),
    ("sigmoid.backward", sigmoid_backward),
    ("repeat.forward", repeat_forward),
    ("repeat.backward", repeat_backward),
    ("sum.forward", sum_forward),
    ("sum.backward", sum_backward),
    ("softmax.forward", softmax_forward),
    ("softmax.backward", softmax_backward),
    ("softmax_with_loss.forward", softmax_with_loss_forward),
    ("softmax_with_loss.backward", softmax_with_loss_backward),
    ("sigmoid_with_loss.forward", sigmoid_with_loss_forward),
    ("sigmoid_with_loss.backward", sigmoid_with_loss_backward),
] + [(f"{name}.update", optimizer_update(name)) for name in OPTIMIZERS]


def label(benchmark, op, dtype, shape, size, impl):
    """Put a member in its group, f"{op}|{dtype}|{shape}", and record what it is."""
    benchmark.group = f"{op}|{dtype}|{shape}"
    benchmark.extra_info.update(op=op, dtype=dtype, shape=shape, size=size, impl=impl)
