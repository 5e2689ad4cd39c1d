"""The layers' entries of the op registry (tests/op_registry.py): for each layer
its sample inputs (batch 1, odd sizes, an empty batch, large values, normal ones),
how to run it on a sample with fastnn, and the same results from
tests/reference.py; with the seeded array generators (``_normal``, ``_large``,
``_index_labels``) and the shape tables (``_SHAPES_ANY``, ``_SHAPES_ROWS``) that
the functions' and optimizers' entries reuse.
"""

import numpy as np
import reference as ref
from op_info import SampleInput

from fastnn import layers

# --------------------------------------------------------------------------
# Sample builders.  Each returns arrays in the requested dtype, C-order.

def _normal(rng, shape, dtype, scale=1.0):
    return (scale * rng.standard_normal(shape)).astype(dtype)


def _large(rng, shape, dtype):
    """Values of size about 1e4 of both signs, some exactly +-1e4."""
    a = rng.choice([-1e4, 1e4], size=shape) * rng.uniform(0.5, 1.0, size=shape)
    flat = a.reshape(-1)
    flat[: min(2, flat.size)] = [1e4, -1e4][: min(2, flat.size)]
    return a.astype(dtype)


# (name, N, D, H, large?) of the batch samples of the 2-D layers.
_BATCHES = [
    ("batch1", 1, 5, 3, False),
    ("odd7x5", 7, 5, 3, False),
    ("empty", 0, 5, 3, False),
    ("large", 4, 6, 3, True),
    ("normal", 10, 8, 6, False),
]


def _batch_x(rng, n, d, dtype, large):
    return _large(rng, (n, d), dtype) if large else _normal(rng, (n, d), dtype)


# --------------------------------------------------------------------------
# Layers with params.

def _matmul_samples():
    def make(n, d, h, large):
        def build(rng, dtype):
            return SampleInput("", {
                "x": _batch_x(rng, n, d, dtype, large),
                "W": _normal(rng, (d, h), dtype),
                "dout": _normal(rng, (n, h), dtype),
            })
        return build
    return {name: make(n, d, h, lg) for name, n, d, h, lg in _BATCHES}


def _run_matmul(s):
    layer = layers.MatMul(s.arrays["W"])
    dW = layer.grads[0]
    out = layer.forward(s.arrays["x"])
    dx = layer.backward(s.arrays["dout"])
    assert layer.grads[0] is dW and layer.params[0] is s.arrays["W"]
    return {"out": out, "dx": dx, "dW": dW}


def _ref_matmul(s):
    x, W, dout = s.arrays["x"], s.arrays["W"], s.arrays["dout"]
    dx, dW = ref.matmul_backward(dout, x, W)
    return {"out": ref.matmul_forward(x, W), "dx": dx, "dW": dW}


def _affine_samples():
    def make(n, d, h, large):
        def build(rng, dtype):
            return SampleInput("", {
                "x": _batch_x(rng, n, d, dtype, large),
                "W": _normal(rng, (d, h), dtype),
                "b": _normal(rng, (h,), dtype),
                "dout": _normal(rng, (n, h), dtype),
            })
        return build
    return {name: make(n, d, h, lg) for name, n, d, h, lg in _BATCHES}


def _run_affine(s):
    layer = layers.Affine(s.arrays["W"], s.arrays["b"])
    dW, db = layer.grads
    out = layer.forward(s.arrays["x"])
    dx = layer.backward(s.arrays["dout"])
    assert layer.grads[0] is dW and layer.grads[1] is db
    return {"out": out, "dx": dx, "dW": dW, "db": db}


def _ref_affine(s):
    x, W, b, dout = (s.arrays[k] for k in ("x", "W", "b", "dout"))
    dx, dW, db = ref.affine_backward(dout, x, W)
    return {"out": ref.affine_forward(x, W, b), "dx": dx, "dW": dW, "db": db}


# --------------------------------------------------------------------------
# Elementwise and row-wise layers.

_SHAPES_ANY = [
    ("batch1", (1, 5), False),
    ("odd7x5", (7, 5), False),
    ("empty", (0, 5), False),
    ("large", (4, 6), True),
    ("normal", (10, 8), False),
    ("three_d", (2, 3, 4), False),
    ("one_d", (9,), False),
]


def _xdout_samples(shapes):
    def make(shape, large):
        def build(rng, dtype):
            x = _large(rng, shape, dtype) if large else _normal(rng, shape, dtype, 3.0)
            return SampleInput("", {"x": x, "dout": _normal(rng, shape, dtype)})
        return build
    return {name: make(shape, lg) for name, shape, lg in shapes}


def _run_sigmoid_layer(s):
    layer = layers.Sigmoid()
    out = layer.forward(s.arrays["x"])
    dx = layer.backward(s.arrays["dout"])
    return {"out": out, "dx": dx}


def _ref_sigmoid_layer(s):
    y = ref.sigmoid(s.arrays["x"])
    return {"out": y, "dx": ref.sigmoid_backward(s.arrays["dout"], y)}


_SHAPES_ROWS = [shp for shp in _SHAPES_ANY if shp[0] != "three_d"]


def _run_softmax_layer(s):
    layer = layers.Softmax()
    out = layer.forward(s.arrays["x"])
    dx = layer.backward(s.arrays["dout"])
    return {"out": out, "dx": dx}


def _ref_softmax_layer(s):
    x, dout = s.arrays["x"], s.arrays["dout"]
    y = ref.softmax(x)
    dx = ref.softmax_backward(np.atleast_2d(dout), np.atleast_2d(y)).reshape(x.shape)
    return {"out": y, "dx": dx}


# --------------------------------------------------------------------------
# Loss layers and cross_entropy_error.

def _index_labels(rng, n, c):
    return rng.integers(0, c, size=n).astype(np.int64)


def _softmax_loss_samples():
    def make(n, c, large, onehot, dout=1):
        def build(rng, dtype):
            x = _large(rng, (n, c), dtype) if large else _normal(rng, (n, c), dtype, 2.0)
            t = _index_labels(rng, n, c)
            if onehot:
                t = np.eye(c, dtype=np.int32)[t]
            return SampleInput("", {"x": x}, {"t": t}, {"dout": dout})
        return build
    return {
        "batch1": make(1, 3, False, False),
        "odd7x5": make(7, 5, False, False),
        "onehot7x5": make(7, 5, False, True),
        "empty": make(0, 3, False, False),
        "empty_onehot": make(0, 3, False, True),
        "large": make(6, 4, True, False),
        "large_onehot": make(6, 4, True, True),
        "normal": make(10, 6, False, False, dout=2.5),
    }


def _run_softmax_loss(s):
    layer = layers.SoftmaxWithLoss()
    loss = layer.forward(s.arrays["x"], s.labels["t"])
    dx = layer.backward(s.kwargs["dout"])
    return {"loss": loss, "dx": dx}


def _empty_loss(x):
    """The book's formulas cannot take an empty batch (t.size == y.size == 0 sends the
    index labels to argmax(axis=1)); what they mean is numpy's mean of nothing: NaN,
    and an empty dx."""
    return {"loss": np.float64(np.nan), "dx": np.zeros(np.shape(x))}


def _ref_softmax_loss(s):
    if s.arrays["x"].shape[0] == 0:
        return _empty_loss(s.arrays["x"])
    with np.errstate(all="ignore"):  # the empty batch: the book's 0/0 is NaN
        loss, y, t = ref.softmax_with_loss_forward(s.arrays["x"], s.labels["t"])
        dx = ref.softmax_with_loss_backward(y, t, s.kwargs["dout"])
    return {"loss": np.float64(loss), "dx": dx}


def _sigmoid_loss_samples():
    def make(n, large, dout=1):
        def build(rng, dtype):
            x = _large(rng, (n,), dtype) if large else _normal(rng, (n,), dtype, 2.0)
            return SampleInput("", {"x": x}, {"t": rng.integers(0, 2, size=n)}, {"dout": dout})
        return build
    return {
        "batch1": make(1, False),
        "odd7": make(7, False),
        "empty": make(0, False),
        "large": make(8, True),
        "normal": make(25, False, dout=0.5),
    }


def _run_sigmoid_loss(s):
    layer = layers.SigmoidWithLoss()
    loss = layer.forward(s.arrays["x"], s.labels["t"])
    dx = layer.backward(s.kwargs["dout"])
    return {"loss": loss, "dx": dx}


def _ref_sigmoid_loss(s):
    if s.arrays["x"].size == 0:
        return _empty_loss(s.arrays["x"])
    with np.errstate(all="ignore"):
        loss, y = ref.sigmoid_with_loss_forward(s.arrays["x"], s.labels["t"])
        dx = ref.sigmoid_with_loss_backward(y, s.labels["t"], s.kwargs["dout"])
    return {"loss": np.float64(loss), "dx": dx}


# --------------------------------------------------------------------------
# Repeat and Sum.

def _repeat_samples():
    def make(shape, n, axis, large=False):
        def build(rng, dtype):
            x = _large(rng, shape, dtype) if large else _normal(rng, shape, dtype)
            out_shape = list(shape)
            out_shape[axis] *= n
            return SampleInput("", {"x": x, "dout": _normal(rng, tuple(out_shape), dtype)}, {},
                               {"N": n, "axis": axis})
        return build
    return {
        "batch1": make((1, 5), 7, 0),
        "odd7x5_axis1": make((7, 5), 3, 1),
        "empty": make((0, 5), 4, 0),
        "large": make((2, 3), 5, 0, True),
        "normal": make((3, 8), 6, 0),
    }


def _run_repeat(s):
    layer = layers.Repeat(s.kwargs["N"], axis=s.kwargs["axis"])
    return {"out": layer.forward(s.arrays["x"]), "dx": layer.backward(s.arrays["dout"])}


def _ref_repeat(s):
    n, axis = s.kwargs["N"], s.kwargs["axis"]
    return {"out": ref.repeat_forward(s.arrays["x"], n, axis),
            "dx": ref.repeat_backward(s.arrays["dout"], n, axis)}


def _sum_samples():
    def make(shape, axis, large=False):
        def build(rng, dtype):
            x = _large(rng, shape, dtype) if large else _normal(rng, shape, dtype)
            out_shape = list(shape)
            out_shape[axis] = 1
            return SampleInput("", {"x": x, "dout": _normal(rng, tuple(out_shape), dtype)}, {}, {"axis": axis})
        return build
    return {
        "batch1": make((1, 5), 0),
        "odd7x5": make((7, 5), 0),
        "odd7x5_axis1": make((7, 5), 1),
        "empty": make((0, 5), 0),
        "large": make((6, 3), 0, True),
        "normal": make((10, 8), 0),
    }


def _run_sum(s):
    layer = layers.Sum(axis=s.kwargs["axis"])
    return {"out": layer.forward(s.arrays["x"]), "dx": layer.backward(s.arrays["dout"])}


def _ref_sum(s):
    axis = s.kwargs["axis"]
    x = s.arrays["x"]
    return {"out": ref.sum_forward(x, axis), "dx": ref.sum_backward(s.arrays["dout"], x.shape[axis], axis)}


# --------------------------------------------------------------------------
# Embedding and Dropout.

def _embedding_samples():
    def make(v, h, ids_shape, large=False):
        def build(rng, dtype):
            W = _large(rng, (v, h), dtype) if large else _normal(rng, (v, h), dtype)
            idx = rng.integers(0, v, size=ids_shape).astype(np.int64)
            return SampleInput("", {"W": W, "dout": _normal(rng, ids_shape + (h,), dtype)}, {"idx": idx})
        return build
    return {
        "batch1": make(5, 3, (1,)),
        "odd7x5": make(5, 3, (7,)),
        "empty": make(5, 3, (0,)),
        "large": make(6, 4, (9,), large=True),  # 9 ids of 6 words: repeated ids add up
        "normal": make(10, 6, (4, 3)),
    }


def _run_embedding(s):
    layer = layers.Embedding(s.arrays["W"])
    dW = layer.grads[0]
    out = layer.forward(s.labels["idx"])
    assert layer.backward(s.arrays["dout"]) is None and layer.grads[0] is dW
    return {"out": out, "dW": dW}


def _ref_embedding(s):
    W, idx, dout = s.arrays["W"], np.array(s.labels["idx"]), s.arrays["dout"]
    dW = np.zeros(np.shape(W))
    np.add.at(dW, idx, np.array(dout, np.float64))
    return {"out": np.array(W, np.float64)[idx], "dW": dW}


_DROPOUT_SEED, _DROPOUT_RATIO = 1234, 0.3


def _run_dropout(s):
    np.random.seed(_DROPOUT_SEED)  # Dropout draws np.random.rand as the book does
    layer = layers.Dropout(_DROPOUT_RATIO)
    out = layer.forward(s.arrays["x"])
    return {"out": out, "dx": layer.backward(s.arrays["dout"]),
            "eval": layer.forward(s.arrays["x"], train_flg=False)}


def _ref_dropout(s):
    np.random.seed(_DROPOUT_SEED)
    x = np.array(s.arrays["x"], np.float64)
    mask = np.random.rand(*x.shape) > _DROPOUT_RATIO
    return {"out": x * mask, "dx": np.array(s.arrays["dout"], np.float64) * mask, "eval": x * (1 - _DROPOUT_RATIO)}
