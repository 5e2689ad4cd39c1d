"""One table of every public op, in the manner of PyTorch's OpInfo.

Each ``OpInfo`` says how to run the op (build it, call forward and backward or
update), how to compute the same thing with tests/reference.py, which sample
inputs it must handle (batch 1, odd sizes, an empty batch, large values, normal
ones), and which bad inputs it must reject, each with the exact exception type
and a pattern its message must match.

Nothing is drawn at import time: a sample is a function of a seeded generator
and a dtype, called inside the test.  Sample arrays come in three groups:
``arrays`` (float data and params: cast to the test's dtype and laid out C, F,
strided or read-only by the test), ``labels`` (integer or one-hot labels: laid
out, dtype kept) and ``kwargs`` (plain Python settings).

Error inputs describe a call that must be rejected.  ``setup(dtype)`` builds
everything (running any valid forward or update that must come first) and
returns ``(call, watched)``: ``call()`` is the bad call, and ``watched`` lists
what the rejected call must leave as it was (the layer or optimizer, whose
attributes are compared, and the params and grads lists passed in).

An ``xfail`` text on a sample or error input marks a case the current code gets
wrong; the test is then expected to fail (strictly), and the text says what is
found and what is expected.  The owner of fastnn/ removes it with the fix.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import reference as ref

from fastnn import functions, layers, optimizer

F64 = np.dtype(np.float64)


@dataclass
class SampleInput:
    name: str
    arrays: dict
    labels: dict = field(default_factory=dict)
    kwargs: dict = field(default_factory=dict)

    def replace_arrays(self, arrays=None, labels=None):
        return SampleInput(
            self.name,
            dict(self.arrays if arrays is None else arrays),
            dict(self.labels if labels is None else labels),
            dict(self.kwargs),
        )


@dataclass(frozen=True)
class ErrorInput:
    name: str
    setup: Callable  # dtype -> (call, watched)
    exc: type
    match: str
    xfail: str | None = None


@dataclass(frozen=True)
class OpInfo:
    """An op of fastnn's public API.

    run(sample) -> dict of results (outputs, dx, grads, updated params);
    reference(sample) -> the same dict from tests/reference.py, given the
    sample's arrays in float64; samples: name -> (rng, dtype) -> SampleInput;
    sample_xfail: name -> reason, for samples the current code gets wrong;
    data_arrays: names of the arrays that are data (converted in the
    float16 / big-endian / list tests), the others being params;
    mutates: names of arrays the op updates in place (optimizer params);
    build: the op's object and call arguments, without calling it (see below);
    saved: names of a layer's attributes that backward reads.
    """

    name: str
    kind: str  # "layer", "function" or "optimizer"
    run: Callable
    reference: Callable
    samples: dict
    error_inputs: tuple = ()
    sample_xfail: dict = field(default_factory=dict)
    data_arrays: tuple = ("x", "dout")
    mutates: tuple = ()
    conversion_xfail: dict = field(default_factory=dict)
    sample_xfail_nojit: dict = field(default_factory=dict)  # only when NUMBA_DISABLE_JIT=1
    # Layers: sample -> (layer, forward args, backward args), for tests that act
    # between the calls; optimizers: sample -> (optimizer, params, [grads of each step]).
    build: Callable | None = None
    saved: tuple = ()  # layers: the book's attributes that forward saves and backward reads
    # False: the op keeps numpy's own dtypes (relu), so test_conversion's float32/float64
    # targets do not apply; its conversions are tested beside it (tests/test_relu.py).
    conversions: bool = True


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


def _embedding_errors():
    where = "Embedding.forward"
    mk = lambda dtype: layers.Embedding(_W(dtype))  # 5 words of 3
    fwd = lambda dtype: (np.array([0, 4, 2]),)
    return (
        ErrorInput("backward_first", _fresh(mk, lambda l, dt: l.backward(np.ones((3, 3), dt))), ValueError,
                   _esc("Embedding.backward: backward called before forward")),
        ErrorInput("idx_too_large", _primed(mk, fwd, lambda l, dt: l.forward(np.array([0, 1, 5]))), IndexError,
                   _esc(f"{where}: idx[2] is 5; expected word ids in [0, 5)")),
        ErrorInput("idx_negative", _primed(mk, fwd, lambda l, dt: l.forward(np.array([-1, 1]))), IndexError,
                   _esc(f"{where}: idx[0] is -1; expected word ids in [0, 5)")),
        ErrorInput("idx_float", _primed(mk, fwd, lambda l, dt: l.forward(np.array([0.0, 1.0]))), TypeError,
                   _esc(f"{where}: idx has dtype float64; expected integer word ids")),
        ErrorInput("idx_None", _primed(mk, fwd, lambda l, dt: l.forward(None)), TypeError,
                   _esc(f"{where}: idx is None; expected integer word ids")),
        ErrorInput("dout_shape", _after_forward(mk, fwd, lambda l, dt: l.backward(np.ones((3, 4), dt))),
                   ValueError, _esc("Embedding.backward: dout has shape (3, 4); expected (3, 3)")),
    )


# --------------------------------------------------------------------------
# Functions.

def _run_sigmoid_fn(s):
    return {"out": functions.sigmoid(s.arrays["x"])}


def _ref_sigmoid_fn(s):
    return {"out": ref.sigmoid(s.arrays["x"])}


def _run_relu(s):
    return {"out": functions.relu(s.arrays["x"])}


def _ref_relu(s):
    x = np.array(s.arrays["x"], np.float64)  # a copy: never the array under test
    return {"out": np.where(x > 0, x, 0.0)}


def _run_softmax_fn(s):
    return {"out": functions.softmax(s.arrays["x"])}


def _ref_softmax_fn(s):
    return {"out": ref.softmax(s.arrays["x"])}


def _cee_samples():
    def make(n, c, onehot, one_d=False, large=False):
        def build(rng, dtype):
            logits = _large(rng, (n, c), np.float64) if large else rng.standard_normal((n, c)) * 2
            y = ref.softmax(logits).astype(dtype)  # with large logits: exact 0s and 1s
            t = _index_labels(rng, n, c)
            if onehot:
                t = np.eye(c, dtype=np.int64)[t]
            if one_d:
                y, t = y[0], t[0] if onehot else t
            return SampleInput("", {"y": y}, {"t": t})
        return build
    return {
        "batch1": make(1, 3, False),
        "odd7x5": make(7, 5, False),
        "onehot7x5": make(7, 5, True),
        "empty": make(0, 3, False),
        "one_d_onehot": make(1, 4, True, one_d=True),
        "large": make(6, 4, False, large=True),
        "normal": make(10, 6, False),
    }


def _run_cee(s):
    return {"loss": functions.cross_entropy_error(s.arrays["y"], s.labels["t"])}


def _ref_cee(s):
    if s.arrays["y"].shape[0] == 0:
        return {"loss": np.float64(np.nan)}
    with np.errstate(all="ignore"):
        return {"loss": np.float64(ref.cross_entropy_error(s.arrays["y"], s.labels["t"]))}


# --------------------------------------------------------------------------
# Optimizers: three updates of two params, each step with its own grads.

STEPS = 3
_OPT_SETTINGS = {
    "SGD": (optimizer.SGD, {"lr": 0.1}),
    "Momentum": (optimizer.Momentum, {"lr": 0.1, "momentum": 0.9}),
    "Nesterov": (optimizer.Nesterov, {"lr": 0.1, "momentum": 0.9}),
    "AdaGrad": (optimizer.AdaGrad, {"lr": 0.1}),
    "RMSprop": (optimizer.RMSprop, {"lr": 0.01, "decay_rate": 0.99}),
    "Adam": (optimizer.Adam, {"lr": 0.01, "beta1": 0.9, "beta2": 0.999}),
}


def _opt_samples():
    def make(shapes, large=False):
        def build(rng, dtype):
            arrays = {}
            for i, shape in enumerate(shapes):
                arrays[f"p{i}"] = _large(rng, shape, dtype) if large else _normal(rng, shape, dtype)
                for step in range(STEPS):
                    arrays[f"g{i}_{step}"] = _large(rng, shape, dtype) if large else _normal(rng, shape, dtype)
            return SampleInput("", arrays, {}, {"count": len(shapes)})
        return build
    return {
        "batch1": make([(1, 5), (5,)]),
        "odd7x5": make([(7, 5), (5,)]),
        "empty": make([(0, 5), (5,)]),
        "large": make([(4, 3), (3,)], large=True),
        "normal": make([(10, 8), (8,), (8, 3)]),
    }


def _opt_lists(s):
    n = s.kwargs["count"]
    params = [s.arrays[f"p{i}"] for i in range(n)]
    grads = [[s.arrays[f"g{i}_{step}"] for i in range(n)] for step in range(STEPS)]
    return params, grads


def _make_run_opt(name):
    cls, kwargs = _OPT_SETTINGS[name]

    def run(s):
        opt = cls(**kwargs)
        params, grads = _opt_lists(s)
        for step in range(STEPS):
            opt.update(params, grads[step])
        return {f"p{i}": p for i, p in enumerate(params)}  # the very arrays passed in
    return run


def _make_ref_opt(name):
    kwargs = _OPT_SETTINGS[name][1]

    def reference(s):
        params, grads = _opt_lists(s)
        params = [p.copy() for p in params]
        zeros = lambda: [np.zeros_like(p) for p in params]
        state = {"Momentum": [zeros()], "Nesterov": [zeros()], "AdaGrad": [zeros()],
                 "RMSprop": [zeros()], "Adam": [zeros(), zeros()]}.get(name, [])
        update = {"SGD": ref.sgd, "Momentum": ref.momentum, "Nesterov": ref.nesterov,
                  "AdaGrad": ref.adagrad, "RMSprop": ref.rmsprop}.get(name)
        for step in range(STEPS):
            if name == "Adam":
                ref.adam(params, grads[step], *state, step + 1, **kwargs)
            else:
                update(params, grads[step], *state, **kwargs)
        return {f"p{i}": p for i, p in enumerate(params)}
    return reference


# --------------------------------------------------------------------------
# What a rejected call must leave as it was.

def snapshot(obj):
    """A comparable picture of obj: arrays by identity, dtype, shape, flags and bytes."""
    if isinstance(obj, np.ndarray):
        return ("array", id(obj), obj.dtype.str, obj.shape, obj.flags.writeable,
                obj.tobytes() if obj.dtype.kind != "O" else repr(obj.tolist()))
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, id(obj), tuple(snapshot(x) for x in obj))
    if isinstance(obj, dict):
        return ("dict", tuple((k, snapshot(v)) for k, v in obj.items()))
    if hasattr(obj, "__dict__") and not isinstance(obj, type):
        # The book's attributes (params, grads, x, out, y, t, v, h, m, iter, ...);
        # private caches of what was already checked are not state.
        public = {k: v for k, v in vars(obj).items() if not k.startswith("_")}
        return (type(obj).__name__, id(obj), snapshot(public))
    if isinstance(obj, np.generic):
        return ("scalar", obj.dtype.str, obj.tobytes())
    return ("value", repr(obj))


# --------------------------------------------------------------------------
# Builders: the op's object and its call arguments, nothing called yet.

def _layer_builder(make, forward_keys, backward_keys=("dout",)):
    """build(sample) -> (layer, forward args, backward args); a key names an array,
    a label or a keyword setting of the sample, looked up in that order."""
    def pick(s, key):
        for group in (s.arrays, s.labels, s.kwargs):
            if key in group:
                return group[key]
        raise KeyError(key)

    def build(s):
        return (make(s), tuple(pick(s, k) for k in forward_keys), tuple(pick(s, k) for k in backward_keys))
    return build


def _make_build_opt(name):
    cls, kwargs = _OPT_SETTINGS[name]

    def build(s):
        params, grads = _opt_lists(s)
        return cls(**kwargs), params, grads
    return build


_BUILD = {
    "MatMul": _layer_builder(lambda s: layers.MatMul(s.arrays["W"]), ("x",)),
    "Affine": _layer_builder(lambda s: layers.Affine(s.arrays["W"], s.arrays["b"]), ("x",)),
    "Sigmoid": _layer_builder(lambda s: layers.Sigmoid(), ("x",)),
    "Softmax": _layer_builder(lambda s: layers.Softmax(), ("x",)),
    "SoftmaxWithLoss": _layer_builder(lambda s: layers.SoftmaxWithLoss(), ("x", "t")),
    "SigmoidWithLoss": _layer_builder(lambda s: layers.SigmoidWithLoss(), ("x", "t")),
    "Repeat": _layer_builder(lambda s: layers.Repeat(s.kwargs["N"], axis=s.kwargs["axis"]), ("x",)),
    "Sum": _layer_builder(lambda s: layers.Sum(axis=s.kwargs["axis"]), ("x",)),
    "Embedding": _layer_builder(lambda s: layers.Embedding(s.arrays["W"]), ("idx",)),
    "Dropout": _layer_builder(lambda s: layers.Dropout(_DROPOUT_RATIO), ("x",)),
}


# --------------------------------------------------------------------------
# Error inputs.

def _esc(text):
    """A literal piece of a message pattern."""
    import re

    return re.escape(text)


def _fwd_call(layer, *args):
    return lambda: layer.forward(*args)


def _after_forward(make_layer, forward_args, bad):
    """setup for a backward error: a valid forward first, then the bad call."""
    def setup(dtype):
        layer = make_layer(dtype)
        layer.forward(*forward_args(dtype))
        return (lambda: bad(layer, dtype)), [layer]
    return setup


def _fresh(make_layer, bad):
    def setup(dtype):
        layer = make_layer(dtype)
        return (lambda: bad(layer, dtype)), [layer]
    return setup


def _primed(make_layer, forward_args, bad):
    """A valid forward first (so there is saved state to keep), then a bad forward."""
    return _after_forward(make_layer, forward_args, bad)


_BAD_DTYPES = [
    ("complex", lambda shape: np.ones(shape, np.complex128), "complex128"),
    ("object", lambda shape: np.ones(shape, dtype=object), "object"),
    ("strings", lambda shape: np.full(shape, "a"), "<U1"),
]

def _dtype_errors(where, arg, setup_for):
    """complex / object / string inputs for argument `arg`: TypeError naming it."""
    out = []
    for label, make_bad, found in _BAD_DTYPES:
        out.append(ErrorInput(
            f"{arg}_{label}", setup_for(make_bad), TypeError,
            _esc(f"{where}: {arg} has dtype {found}; expected"),
        ))
    return out


def _none_error(where, arg, setup_for, xfail=None):
    return ErrorInput(f"{arg}_None", setup_for(lambda shape: None), TypeError,
                      _esc(f"{where}: {arg} is None; expected"), xfail)


def _W(dtype, d=5, h=3):
    return np.arange(d * h, dtype=dtype).reshape(d, h) / 10


def _replace_param_then_forward(make_layer, i, shape):
    """A valid forward, then params[i] is swapped for an array of another shape; the
    bad call is the next forward (a fast path trusting checked params must notice)."""
    def setup(dtype):
        layer = make_layer(dtype)
        layer.forward(np.ones((2, 5), dtype))
        layer.params[i] = np.ones(shape, dtype)
        return (lambda: layer.forward(np.ones((2, 5), dtype))), [layer]
    return setup


def _matmul_errors():
    mk = lambda dtype: layers.MatMul(_W(dtype))
    fwd = lambda dtype: (np.ones((2, 5), dtype),)
    where = "MatMul.forward"
    errs = [
        ErrorInput("inner_dim", _primed(mk, fwd, lambda l, dt: l.forward(np.ones((3, 4), dt))), ValueError,
                   _esc(f"{where}: x has shape (3, 4); expected (N, 5)")),
        ErrorInput("x_1d", _primed(mk, fwd, lambda l, dt: l.forward(np.ones(5, dt))), ValueError,
                   _esc(f"{where}: x has shape (5,); expected a 2-D batch (N, 5)")),
        ErrorInput("x_3d", _primed(mk, fwd, lambda l, dt: l.forward(np.ones((2, 3, 5), dt))), ValueError,
                   _esc(f"{where}: x has shape (2, 3, 5); expected a 2-D batch (N, 5)")),
        ErrorInput("dout_shape", _after_forward(mk, fwd, lambda l, dt: l.backward(np.ones((2, 4), dt))),
                   ValueError, _esc("MatMul.backward: dout has shape (2, 4); expected (2, 3)")),
        ErrorInput("dout_rows", _after_forward(mk, fwd, lambda l, dt: l.backward(np.ones((3, 3), dt))),
                   ValueError, _esc("MatMul.backward: dout has shape (3, 3); expected (2, 3)")),
        ErrorInput("backward_first", _fresh(mk, lambda l, dt: l.backward(np.ones((2, 3), dt))), ValueError,
                   _esc("MatMul.backward: backward called before forward")),
        ErrorInput("W_3d", lambda dtype: ((lambda: layers.MatMul(np.ones((5, 3, 1), dtype)).forward(
                       np.ones((2, 5), dtype))), []), ValueError,
                   r"MatMul(\.forward)?: W has shape \(5, 3, 1\); expected a 2-D"),
        ErrorInput("W_replaced", _replace_param_then_forward(mk, 0, (4, 3)), ValueError,
                   _esc(f"{where}: x has shape (2, 5); expected (N, 4)")),
    ]
    bad_x = lambda make: _primed(mk, fwd, lambda l, dt: l.forward(make((2, 5))))
    errs += _dtype_errors(where, "x", bad_x)
    errs.append(_none_error(where, "x", bad_x))
    return tuple(errs)


def _affine_errors():
    mk = lambda dtype: layers.Affine(_W(dtype), np.zeros(3, dtype))
    fwd = lambda dtype: (np.ones((2, 5), dtype),)
    where = "Affine.forward"
    errs = [
        ErrorInput("inner_dim", _primed(mk, fwd, lambda l, dt: l.forward(np.ones((3, 4), dt))), ValueError,
                   _esc(f"{where}: x has shape (3, 4); expected (N, 5)")),
        ErrorInput("x_1d", _primed(mk, fwd, lambda l, dt: l.forward(np.ones(5, dt))), ValueError,
                   _esc(f"{where}: x has shape (5,); expected a 2-D batch (N, 5)")),
        ErrorInput("x_3d", _primed(mk, fwd, lambda l, dt: l.forward(np.ones((2, 3, 5), dt))), ValueError,
                   _esc(f"{where}: x has shape (2, 3, 5); expected a 2-D batch (N, 5)")),
        ErrorInput("b_shape", lambda dtype: ((lambda: layers.Affine(_W(dtype), np.zeros(4, dtype)).forward(
                       np.ones((2, 5), dtype))), []), ValueError,
                   _esc(f"{where}: b has shape (4,); expected (3,)")),
        ErrorInput("dout_shape", _after_forward(mk, fwd, lambda l, dt: l.backward(np.ones((2, 4), dt))),
                   ValueError, _esc("Affine.backward: dout has shape (2, 4); expected (2, 3)")),
        ErrorInput("dout_1d", _after_forward(mk, fwd, lambda l, dt: l.backward(np.ones(3, dt))),
                   ValueError, _esc("Affine.backward: dout has shape (3,); expected (2, 3)")),
        ErrorInput("backward_first", _fresh(mk, lambda l, dt: l.backward(np.ones((2, 3), dt))), ValueError,
                   _esc("Affine.backward: backward called before forward")),
        ErrorInput("W_1d", lambda dtype: ((lambda: layers.Affine(np.ones(5, dtype), np.zeros(3, dtype)).forward(
                       np.ones((2, 5), dtype))), []), ValueError,
                   r"Affine(\.forward)?: W has shape \(5,\); expected a 2-D"),
        ErrorInput("W_replaced", _replace_param_then_forward(mk, 0, (4, 3)), ValueError,
                   _esc(f"{where}: x has shape (2, 5); expected (N, 4)")),
        ErrorInput("b_replaced", _replace_param_then_forward(mk, 1, (4,)), ValueError,
                   _esc(f"{where}: b has shape (4,); expected (3,)")),
    ]
    bad_x = lambda make: _primed(mk, fwd, lambda l, dt: l.forward(make((2, 5))))
    errs += _dtype_errors(where, "x", bad_x)
    errs.append(_none_error(where, "x", bad_x))
    return tuple(errs)


def _simple_layer_errors(cls, ok_shape, dout_bad, extra=(), ndim_cases=()):
    """Errors common to Sigmoid, Softmax, Repeat and Sum (no params)."""
    name = cls.__name__
    where = f"{name}.forward"
    mk = lambda dtype: cls()
    fwd = lambda dtype: (np.ones(ok_shape, dtype),)
    exp_shape = tuple(ok_shape)
    errs = [
        ErrorInput("backward_first", _fresh(mk, lambda l, dt: l.backward(np.ones(ok_shape, dt))), ValueError,
                   _esc(f"{name}.backward: backward called before forward")),
        ErrorInput("dout_shape", _after_forward(mk, fwd, lambda l, dt: l.backward(np.ones(dout_bad, dt))),
                   ValueError, _esc(f"{name}.backward: dout has shape {dout_bad}; expected {exp_shape}")),
    ]
    for shape, pattern in ndim_cases:
        errs.append(ErrorInput(f"x_{len(shape)}d", _primed(mk, fwd, lambda l, dt, s=shape: l.forward(np.ones(s, dt))),
                               ValueError, pattern))
    bad_x = lambda make: _primed(mk, fwd, lambda l, dt: l.forward(make(ok_shape)))
    errs += _dtype_errors(where, "x", bad_x)
    errs.append(_none_error(where, "x", bad_x))
    return tuple(errs) + tuple(extra)


def _repeat_sum_errors(cls, ctor_kwargs, ok_shape, dy_ok, dy_bad, ctor_errors):
    name = cls.__name__
    where = f"{name}.forward"
    mk = lambda dtype: cls(**ctor_kwargs)
    fwd = lambda dtype: (np.ones(ok_shape, dtype),)
    errs = [
        ErrorInput("backward_first", _fresh(mk, lambda l, dt: l.backward(np.ones(dy_ok, dt))), ValueError,
                   _esc(f"{name}.backward: backward called before forward")),
        ErrorInput("dy_shape", _after_forward(mk, fwd, lambda l, dt: l.backward(np.ones(dy_bad, dt))),
                   ValueError, _esc(f"{name}.backward: dy has shape {dy_bad}; expected {dy_ok}")),
        ErrorInput("x_1d", _primed(mk, fwd, lambda l, dt: l.forward(np.ones(5, dt))), ValueError,
                   _esc(f"{where}: x has shape (5,); expected a 2-D array")),
        ErrorInput("x_3d", _primed(mk, fwd, lambda l, dt: l.forward(np.ones((1, 2, 5), dt))), ValueError,
                   _esc(f"{where}: x has shape (1, 2, 5); expected a 2-D array")),
    ]
    for label, kwargs, exc, pattern in ctor_errors:
        errs.append(ErrorInput(label, lambda dtype, kw=kwargs: ((lambda: cls(**kw)), []), exc, pattern))
    bad_x = lambda make: _primed(mk, fwd, lambda l, dt: l.forward(make(ok_shape)))
    errs += _dtype_errors(where, "x", bad_x)
    errs.append(_none_error(where, "x", bad_x))
    return tuple(errs)


def _label_errors(where, make_call, n, c, onehot_ok=True):
    """Bad labels for a loss over (n, c) scores; make_call(t) -> (call, watched) setup."""
    bad_big = np.arange(n) % c
    bad_big[n - 2] = c
    neg = np.arange(n) % c
    neg[1] = -1
    errs = [
        ErrorInput("t_too_large", make_call(lambda: bad_big.copy()), IndexError,
                   _esc(f"{where}: label {c} in row {n - 2} is out of range; expected class indices in [0, {c})")),
        ErrorInput("t_negative", make_call(lambda: neg.copy()), IndexError,
                   _esc(f"{where}: label -1 in row 1 is out of range; expected class indices in [0, {c})")),
        ErrorInput("t_huge_uint", make_call(lambda: np.array([0] * (n - 1) + [2**63], np.uint64)), IndexError,
                   _esc(f"{where}: label {2**63} in row {n - 1} is out of range")),
        ErrorInput("t_float_index", make_call(lambda: (np.arange(n) % c).astype(np.float64)), TypeError,
                   _esc(f"{where}: t has dtype float64; class indices must be integers")),
        ErrorInput("t_wrong_length", make_call(lambda: np.arange(n - 1) % c), ValueError,
                   _esc(f"{where}: t has shape ({n - 1},); expected class indices ({n},) or one-hot rows ({n}, {c})")),
        ErrorInput("t_onehot_wrong_width", make_call(lambda: np.eye(c + 1, dtype=np.int32)[np.arange(n) % c]),
                   ValueError,
                   _esc(f"{where}: t has shape ({n}, {c + 1}); expected class indices ({n},) or one-hot rows ({n}, {c})")),
        ErrorInput("t_onehot_wrong_rows", make_call(lambda: np.eye(c, dtype=np.int32)[np.arange(n + 1) % c]),
                   ValueError,
                   _esc(f"{where}: t has shape ({n + 1}, {c}); expected class indices ({n},) or one-hot rows ({n}, {c})")),
        ErrorInput("t_onehot_strings", make_call(lambda: np.full((n, c), "a")), TypeError,
                   _esc(f"{where}: one-hot t has dtype <U1; expected numbers")),
        ErrorInput("t_3d", make_call(lambda: np.zeros((n, c, 1), np.int64)), ValueError,
                   _esc(f"{where}: t has shape ({n}, {c}, 1); expected class indices")),
        ErrorInput("t_None", make_call(lambda: None), TypeError, _esc(f"{where}: t is None; expected labels")),
    ]
    return errs


def _softmax_loss_errors():
    n, c = 4, 3
    where = "SoftmaxWithLoss.forward"
    mk = lambda dtype: layers.SoftmaxWithLoss()
    fwd = lambda dtype: (np.linspace(-1, 1, n * c).reshape(n, c).astype(dtype), np.arange(n) % c)

    def with_t(make_t):
        return _primed(mk, fwd, lambda l, dt: l.forward(np.zeros((n, c), dt), make_t()))

    errs = _label_errors(where, with_t, n, c)
    errs += [
        ErrorInput("x_1d", _primed(mk, fwd, lambda l, dt: l.forward(np.zeros(c, dt), np.array([1]))), ValueError,
                   _esc(f"{where}: x has shape ({c},); expected a 2-D batch")),
        ErrorInput("x_3d", _primed(mk, fwd, lambda l, dt: l.forward(np.zeros((n, c, 1), dt), np.arange(n) % c)),
                   ValueError, _esc(f"{where}: x has shape ({n}, {c}, 1); expected a 2-D batch")),
        ErrorInput("backward_first", _fresh(mk, lambda l, dt: l.backward()), ValueError,
                   _esc("SoftmaxWithLoss.backward: backward called before forward")),
        ErrorInput("dout_array", _after_forward(mk, fwd, lambda l, dt: l.backward(np.ones(3, dt))), TypeError,
                   _esc("SoftmaxWithLoss.backward: dout is array([1., 1., 1.]") + r".*; expected a real number"),
        ErrorInput("dout_string", _after_forward(mk, fwd, lambda l, dt: l.backward("a")), TypeError,
                   _esc("SoftmaxWithLoss.backward: dout is 'a'; expected a real number")),
    ]
    bad_x = lambda make: _primed(mk, fwd, lambda l, dt: l.forward(make((n, c)), np.arange(n) % c))
    errs += _dtype_errors(where, "x", bad_x)
    errs.append(_none_error(where, "x", bad_x))
    return tuple(errs)


def _sigmoid_loss_errors():
    n = 5
    where = "SigmoidWithLoss.forward"
    mk = lambda dtype: layers.SigmoidWithLoss()
    fwd = lambda dtype: (np.linspace(-1, 1, n).astype(dtype), np.arange(n) % 2)

    def with_t(make_t):
        return _primed(mk, fwd, lambda l, dt: l.forward(np.zeros(n, dt), make_t()))

    big = np.arange(n) % 2
    big[3] = 2
    neg = np.arange(n) % 2
    neg[1] = -1
    errs = [
        ErrorInput("t_too_large", with_t(lambda: big.copy()), IndexError,
                   _esc(f"{where}: label 2 at index 3 is out of range; expected 0 or 1")),
        ErrorInput("t_negative", with_t(lambda: neg.copy()), IndexError,
                   _esc(f"{where}: label -1 at index 1 is out of range; expected 0 or 1")),
        ErrorInput("t_half", with_t(lambda: np.array([0, 1, 0.5, 1, 0])), IndexError,
                   _esc(f"{where}: label 0.5 at index 2 is out of range; expected 0 or 1")),
        ErrorInput("t_nan", with_t(lambda: np.array([0, 1, 1, np.nan, 0], np.float32)), IndexError,
                   _esc(f"{where}: label nan at index 3 is out of range; expected 0 or 1")),
        ErrorInput("t_wrong_length", with_t(lambda: np.arange(n - 1) % 2), ValueError,
                   _esc(f"{where}: t has shape ({n - 1},); expected ({n},)")),
        ErrorInput("t_onehot", with_t(lambda: np.eye(2, dtype=np.int32)[np.arange(n) % 2]), ValueError,
                   _esc(f"{where}: t has shape ({n}, 2); expected ({n},)")),
        ErrorInput("t_strings", with_t(lambda: np.full(n, "a")), TypeError,
                   _esc(f"{where}: t has dtype <U1; expected labels 0 or 1")),
        ErrorInput("t_shape_of_other_x", with_t(lambda: np.zeros((1, n), np.int64)), ValueError,
                   _esc(f"{where}: t has shape (1, {n}); expected ({n},)")),
        ErrorInput("t_None", with_t(lambda: None), TypeError, _esc(f"{where}: t is None; expected")),
        ErrorInput("backward_first", _fresh(mk, lambda l, dt: l.backward()), ValueError,
                   _esc("SigmoidWithLoss.backward: backward called before forward")),
        ErrorInput("dout_array", _after_forward(mk, fwd, lambda l, dt: l.backward(np.ones(3, dt))), TypeError,
                   _esc("SigmoidWithLoss.backward: dout is array([1., 1., 1.]") + r".*; expected a real number"),
    ]
    bad_x = lambda make: _primed(mk, fwd, lambda l, dt: l.forward(make((n,)), np.arange(n) % 2))
    errs += _dtype_errors(where, "x", bad_x)
    errs.append(_none_error(where, "x", bad_x))
    return tuple(errs)


def _function_errors(fn, ok_shape, ndim_cases):
    where = fn.__name__

    def setup_for(make):
        return lambda dtype: ((lambda: fn(make(ok_shape))), [])

    errs = [ErrorInput(f"x_{len(s)}d", lambda dtype, s=s: ((lambda: fn(np.ones(s, dtype))), []), ValueError, p)
            for s, p in ndim_cases]
    errs += _dtype_errors(where, "x", setup_for)
    errs.append(_none_error(where, "x", setup_for))
    return tuple(errs)


def _cee_errors():
    n, c = 4, 3
    where = "cross_entropy_error"
    y = lambda dtype: np.full((n, c), 1 / c, dtype)

    def with_t(make_t):
        return lambda dtype: ((lambda: functions.cross_entropy_error(y(dtype), make_t())), [])

    errs = _label_errors(where, with_t, n, c)
    errs.append(ErrorInput("y_3d", lambda dtype: ((lambda: functions.cross_entropy_error(
        np.ones((n, c, 1), dtype), np.arange(n) % c)), []), ValueError,
        _esc(f"{where}: y has shape ({n}, {c}, 1); expected (N, C) or (C,)")))

    def setup_for(make):
        return lambda dtype: ((lambda: functions.cross_entropy_error(make((n, c)), np.arange(n) % c)), [])

    errs += _dtype_errors(where, "y", setup_for)
    return tuple(errs)


def _optimizer_errors(name):
    cls, kwargs = _OPT_SETTINGS[name]
    where = f"{name}.update"

    def params(dtype):
        return [np.linspace(-1, 1, 15).reshape(5, 3).astype(dtype), np.linspace(0, 1, 3).astype(dtype)]

    def grads(dtype):
        return [np.full((5, 3), 0.5, dtype), np.full(3, -0.25, dtype)]

    def case(make_params, make_grads, prime=False):
        """A fresh optimizer (after one valid update when prime), then update(bad params, bad grads)."""
        def setup(dtype):
            opt = cls(**kwargs)
            if prime:
                opt.update(params(dtype), grads(dtype))
            p, g = make_params(dtype), make_grads(dtype)
            return (lambda: opt.update(p, g)), [opt, p, g]
        return setup

    def readonly(dtype):
        p = params(dtype)
        p[1].setflags(write=False)
        return p

    def with_grad(i, value):
        def make(dtype):
            g = grads(dtype)
            g[i] = value(dtype)
            return g
        return make

    errs = (
        ErrorInput("fewer_grads", case(params, lambda dt: grads(dt)[:1]), ValueError,
                   _esc(f"{where}: got 2 params and 1 grads; expected one grad per param")),
        ErrorInput("grad_shape", case(params, with_grad(1, lambda dt: np.ones(4, dt))), ValueError,
                   _esc(f"{where}: grads[1] has shape (4,); expected (3,) like params[1]")),
        ErrorInput("grad_transposed", case(params, with_grad(0, lambda dt: np.ones((3, 5), dt))), ValueError,
                   _esc(f"{where}: grads[0] has shape (3, 5); expected (5, 3) like params[0]")),
        ErrorInput("grad_complex", case(params, with_grad(1, lambda dt: np.ones(3, np.complex128))), TypeError,
                   _esc(f"{where}: grads[1] has dtype complex128; expected")),
        ErrorInput("grad_strings", case(params, with_grad(1, lambda dt: np.full(3, "a"))), TypeError,
                   _esc(f"{where}: grads[1] has dtype <U1; expected")),
        ErrorInput("grad_None", case(params, with_grad(1, lambda dt: None)), TypeError,
                   _esc(f"{where}: grads[1] is None; expected an array")),
        ErrorInput("param_int", case(lambda dt: [np.arange(15).reshape(5, 3), params(dt)[1]], grads), TypeError,
                   _esc(f"{where}: params[0] is ndarray of dtype int64; expected a float32 or float64")),
        ErrorInput("param_list", case(lambda dt: [params(dt)[0], [0.0, 0.5, 1.0]], grads), TypeError,
                   _esc(f"{where}: params[1] is list")),
        ErrorInput("param_readonly", case(readonly, grads), ValueError,
                   _esc(f"{where}: params[1] is read-only")),
    )

    def made_readonly(dtype):
        """A first update passes; then params[1] is made read-only and passed again."""
        opt = cls(**kwargs)
        p, g = params(dtype), grads(dtype)
        opt.update(p, g)
        p[1].setflags(write=False)
        return (lambda: opt.update(p, g)), [opt, p, g]

    errs += (ErrorInput("param_readonly_after_update", made_readonly, ValueError,
                        _esc(f"{where}: params[1] is read-only")),)
    if name != "SGD":  # SGD keeps no state
        errs += (ErrorInput(
            "state_mismatch", case(lambda dt: [np.zeros((2, 2), dt)], lambda dt: [np.zeros((2, 2), dt)], prime=True),
            ValueError, _esc(f"{where}: got 1 params; this optimizer's state holds 2")),)
    return errs


# --------------------------------------------------------------------------
# The registry.

OPS = [
    OpInfo("MatMul", "layer", _run_matmul, _ref_matmul, _matmul_samples(), _matmul_errors(),
           build=_BUILD["MatMul"], saved=("x",)),
    OpInfo("Affine", "layer", _run_affine, _ref_affine, _affine_samples(), _affine_errors(),
           build=_BUILD["Affine"], saved=("x",)),
    OpInfo("Sigmoid", "layer", _run_sigmoid_layer, _ref_sigmoid_layer, _xdout_samples(_SHAPES_ANY),
           _simple_layer_errors(layers.Sigmoid, (2, 3), (2, 4)), build=_BUILD["Sigmoid"], saved=("out",)),
    OpInfo("Softmax", "layer", _run_softmax_layer, _ref_softmax_layer, _xdout_samples(_SHAPES_ROWS),
           _simple_layer_errors(layers.Softmax, (2, 3), (3, 2), ndim_cases=[
               ((2, 3, 4), _esc("Softmax.forward: x has shape (2, 3, 4); expected (N, C) or (C,)"))]),
           build=_BUILD["Softmax"], saved=("out",)),
    OpInfo("SoftmaxWithLoss", "layer", _run_softmax_loss, _ref_softmax_loss, _softmax_loss_samples(),
           _softmax_loss_errors(), data_arrays=("x",), build=_BUILD["SoftmaxWithLoss"], saved=("y", "t")),
    OpInfo("SigmoidWithLoss", "layer", _run_sigmoid_loss, _ref_sigmoid_loss, _sigmoid_loss_samples(),
           _sigmoid_loss_errors(), data_arrays=("x",), build=_BUILD["SigmoidWithLoss"], saved=("y", "t")),
    OpInfo("Repeat", "layer", _run_repeat, _ref_repeat, _repeat_samples(),
           _repeat_sum_errors(layers.Repeat, {"N": 3}, (1, 5), (3, 5), (3, 4), [
               ("N_negative", {"N": -1}, ValueError, _esc("Repeat: N is -1; expected a non-negative integer")),
               ("N_float", {"N": 2.5}, ValueError, _esc("Repeat: N is 2.5; expected a non-negative integer")),
               ("axis_2", {"N": 2, "axis": 2}, ValueError, _esc("Repeat: axis is 2; expected 0 or 1")),
           ]), build=_BUILD["Repeat"], saved=("x_shape",)),
    OpInfo("Sum", "layer", _run_sum, _ref_sum, _sum_samples(),
           _repeat_sum_errors(layers.Sum, {}, (4, 5), (1, 5), (4, 5), [
               ("axis_2", {"axis": 2}, ValueError, _esc("Sum: axis is 2; expected 0 or 1")),
               ("axis_bool", {"axis": True}, ValueError, _esc("Sum: axis is True; expected 0 or 1")),
           ]), build=_BUILD["Sum"], saved=("x_shape",)),
    OpInfo("Embedding", "layer", _run_embedding, _ref_embedding, _embedding_samples(), _embedding_errors(),
           data_arrays=("dout",), build=_BUILD["Embedding"], saved=("idx",),
           conversion_xfail={c: "Embedding refuses a byte-swapped W (TypeError: expected float32 or float64) "
                                "where the other layers convert their params" for c in ("big_endian_f4", "big_endian_f8")}),
    OpInfo("Dropout", "layer", _run_dropout, _ref_dropout, _xdout_samples(_SHAPES_ANY),
           _simple_layer_errors(layers.Dropout, (2, 3), (2, 4)), build=_BUILD["Dropout"], saved=("mask",)),
    OpInfo("sigmoid", "function", _run_sigmoid_fn, _ref_sigmoid_fn,
           {k: v for k, v in _xdout_samples(_SHAPES_ANY).items()},
           _function_errors(functions.sigmoid, (2, 3), []), data_arrays=("x",)),
    OpInfo("relu", "function", _run_relu, _ref_relu, _xdout_samples(_SHAPES_ANY),
           _function_errors(functions.relu, (2, 3), []), data_arrays=("x",), conversions=False),
    OpInfo("softmax", "function", _run_softmax_fn, _ref_softmax_fn, _xdout_samples(_SHAPES_ROWS),
           _function_errors(functions.softmax, (2, 3), [
               ((2, 3, 4), _esc("softmax: x has shape (2, 3, 4); expected (N, C) or (C,)"))]), data_arrays=("x",)),
    OpInfo("cross_entropy_error", "function", _run_cee, _ref_cee, _cee_samples(), _cee_errors(),
           data_arrays=("y",)),
] + [
    OpInfo(name, "optimizer", _make_run_opt(name), _make_ref_opt(name), _opt_samples(),
           _optimizer_errors(name),
           data_arrays=tuple(f"g{i}_{s}" for i in range(3) for s in range(STEPS)),
           mutates=("p0", "p1", "p2"), build=_make_build_opt(name))
    for name in _OPT_SETTINGS
]

OPS_BY_NAME = {op.name: op for op in OPS}
