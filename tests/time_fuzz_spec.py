"""The spec of tests/test_time_fuzz.py: what each fuzzed call of a time layer must do,
worked out from the operands alone, and the helpers that check that it did (see there)."""


import re
from collections import Counter

import numpy as np
import pytest
import time_reference as tref

F32, F64 = np.dtype(np.float32), np.dtype(np.float64)
RTOL = {F32: 2e-5, F64: 1e-12}  # as tests/conftest.py: relative to the largest expected value
WRONG = 0.5  # the share of calls with one operand made wrong


# --- drawing operands -------------------------------------------------------

def random_array(rng, shape):
    kind = rng.integers(0, 4)
    a = rng.standard_normal(shape)
    return [a.astype(np.float32), a, a.astype(np.int64), a.astype(np.float16)][kind]


def _wrong(rng, shape):
    """A shape that differs from `shape`: one axis one longer or shorter (never below 0),
    or now and then an axis added or dropped."""
    shape = list(shape)
    r = rng.random()
    if r < 0.1 and shape:
        del shape[rng.integers(len(shape))]
    elif r < 0.2:
        shape.insert(int(rng.integers(len(shape) + 1)), int(rng.integers(1, 3)))
    else:
        k = int(rng.integers(len(shape)))
        shape[k] += 1 if shape[k] == 0 or rng.random() < 0.5 else -1
    return tuple(shape)


def pick_wrong(rng, names):
    """With probability WRONG, the one of `names` to make wrong; else None."""
    return names[rng.integers(len(names))] if rng.random() < WRONG else None


def shapes_made_wrong(rng, shapes, wrong):
    """`shapes` (name -> consistent shape), the one named `wrong` (if any) made wrong."""
    return {name: _wrong(rng, shape) if name == wrong else shape for name, shape in shapes.items()}


def random_ids(rng, shape, end, low=0, bad=False):
    """Integer ids in [low, end); with `bad`, one of them low - 1 or end."""
    ids = rng.integers(low, end, shape)
    if bad and ids.size:
        ids.flat[rng.integers(ids.size)] = low - 1 if rng.random() < 0.5 else end
    return ids


# --- the spec ----------------------------------------------------------------

def compute_dtype(*arrays):
    """numpy's promotion of the operands' dtypes; ints alone -> float64, float16 -> float32."""
    result = np.result_type(*(a.dtype for a in arrays))
    if result.kind in "biu":
        return F64
    return F32 if result.itemsize <= 4 else F64


def _fits(shape, pattern):
    """shape matches pattern, a tuple of sizes with None for 'any'."""
    return len(shape) == len(pattern) and all(p is None or s == p for s, p in zip(shape, pattern))


def _first_misfit(where, checks):
    """The expected error for the first (name, array, pattern) that does not fit, in the
    layer's order of checks, or None."""
    for name, a, pattern in checks:
        if not _fits(np.shape(a), pattern):
            return ValueError, f"{where}: {name} has shape {np.shape(a)}"
    return None


def rnn_forward_error(Wx, Wh, b, xs, h):
    D, H = Wx.shape if Wx.ndim == 2 else (None, None)
    where = "TimeRNN.forward"
    error = _first_misfit(where, [("Wx", Wx, (None, None)), ("Wh", Wh, (None, None)), ("Wh", Wh, (H, H)),
                                  ("b", b, (H,)), ("xs", xs, (None, None, D))])
    if error is None and h is not None and h.shape != (xs.shape[0], H):
        return ValueError, f"{where}: the state h has shape {h.shape}"
    return error


def affine_forward_error(W, b, x):
    D, H = W.shape if W.ndim == 2 else (None, None)
    return _first_misfit("TimeAffine.forward", [("W", W, (None, None)), ("b", b, (H,)), ("x", x, (None, None, D))])


def embedding_forward_error(W, ids):
    where = "TimeEmbedding.forward"
    if W.dtype not in (F32, F64):
        return TypeError, f"{where}: W has dtype {W.dtype}"
    bad = np.flatnonzero((ids < 0) | (ids >= W.shape[0]))
    if bad.size:
        place = list(map(int, np.unravel_index(bad[0], ids.shape)))
        return IndexError, f"{where}: xs{place} is {ids.flat[bad[0]]}; expected word ids in [0, {W.shape[0]})"
    return _first_misfit(where, [("xs", ids, (None, None))])


def loss_forward_error(xs, ts, ignore=-1):
    where = "TimeSoftmaxWithLoss.forward"
    if xs.ndim != 3:
        return ValueError, f"{where}: xs has shape {xs.shape}"
    if ts.shape == xs.shape:  # one-hot
        ts = ts.argmax(axis=2)
    if ts.shape != xs.shape[:2]:
        return ValueError, f"{where}: ts has shape {ts.shape}"
    bad = np.flatnonzero((ts != ignore) & ((ts < 0) | (ts >= xs.shape[2])))
    if bad.size:
        n, t = np.unravel_index(bad[0], ts.shape)
        return IndexError, f"{where}: label {ts.flat[bad[0]]} at step {t} of sequence {n} is out of range"
    return None


def same_shape_error(where, name, a, shape):
    return None if np.shape(a) == tuple(shape) else (ValueError, f"{where}: {name} has shape {np.shape(a)}")


# --- the oracles, on float64 copies of the operands as the layer sees them ---

def seen(a, dtype):
    return np.array(np.asarray(a).astype(dtype), np.float64)


def rnn_forward(xs, Wx, Wh, b, h0):
    """(hs, prevs, last h), also for T = 0."""
    if xs.shape[1] == 0:
        return np.zeros(xs.shape[:2] + (Wx.shape[1],)), [], h0
    hs, prevs = tref.rnn_forward(xs, Wx, Wh, b, h0)
    return hs, prevs, hs[:, -1]


def rnn_backward(dhs, xs, Wx, Wh, hs, prevs):
    """(dxs, dWx, dWh, db), also for T = 0."""
    if xs.shape[1] == 0:
        return np.zeros(xs.shape), np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(Wh.shape[1])
    return tref.rnn_backward(dhs, xs, Wx, Wh, hs, prevs)[:4]


def loss_and_grad(xs, ts, dout, ignore=-1):
    """The book's TimeSoftmaxWithLoss on one-hot-resolved labels: (loss, dxs); no kept step: (nan, 0)."""
    if ts.shape == xs.shape:
        ts = ts.argmax(axis=2)
    if not (ts != ignore).any():
        return np.nan, np.zeros(xs.shape)
    loss, dxs = tref.time_softmax_loss(xs, ts, ignore)
    return loss, dxs * dout


# --- checking ----------------------------------------------------------------

def assert_values(actual, expected, dtype, rtol=None):
    """actual has `dtype`, expected's shape, and equals it to dtype's rounding,
    measured against the largest expected value (as tests/conftest.py's assert_close)."""
    assert isinstance(actual, np.ndarray) and actual.dtype == dtype, (type(actual), getattr(actual, "dtype", None))
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    rtol = RTOL[dtype] if rtol is None else rtol
    size = np.abs(expected)
    tol = rtol * (size + (size.max() if size.size else 0.0))
    error = np.abs(actual.astype(np.float64) - expected)
    assert (error <= tol).all(), (actual, expected)


def assert_grad(grad, expected, dtype):
    """A grads array holds the gradient computed in `dtype` (to its rounding), as
    ``grad[...] = dW`` stores it: any cast is monotone, so the stored value lies
    between the casts of the ends of the computed value's interval."""
    if grad.dtype == dtype:
        assert_values(grad, expected, dtype)
        return
    assert grad.shape == expected.shape
    tol = RTOL[dtype] * (float(np.abs(expected).max()) if expected.size else 0.0)
    lo = (expected - tol - RTOL[dtype] * np.abs(expected)).astype(dtype).astype(grad.dtype)
    hi = (expected + tol + RTOL[dtype] * np.abs(expected)).astype(dtype).astype(grad.dtype)
    assert ((lo <= grad) & (grad <= hi)).all(), (grad, expected)


class Unchanged:
    """Copies of arrays a call must not write, with the layer's params (a call never
    writes them) and, for a call that must be rejected, its grads: the same objects
    with the same values afterwards."""

    def __init__(self, arrays, layer, grads):
        self.layer = layer
        self.params, self.grads = list(layer.params), list(layer.grads) if grads else []
        self.arrays = [(a, np.array(a, copy=True)) for a in arrays + tuple(self.params) + tuple(self.grads)]

    def check(self):
        assert len(self.layer.params) == len(self.params)
        assert all(p is q for p, q in zip(self.layer.params, self.params))
        assert all(g is q for g, q in zip(self.layer.grads, self.grads))
        for a, copy in self.arrays:  # no NaN among them
            assert a.dtype == copy.dtype and a.shape == copy.shape and (a == copy).all()


class Calls:
    """Runs each call, asserts the outcome the spec gives and counts the outcomes."""

    def __init__(self):
        self.counts = Counter()

    def run(self, name, layer, call, error, *keep):
        """error None: call() returns (its result), writing none of `keep` (its inputs,
        earlier outputs) nor the layer's params; error (class, message start): call()
        raises exactly that, changing none of `keep` nor the layer's params and grads."""
        unchanged = Unchanged(keep, layer, grads=error is not None)
        if error is None:
            self.counts[name, "match"] += 1
            result = call()
            unchanged.check()
            return result
        self.counts[name, "raise"] += 1
        cls, message = error
        with pytest.raises(cls, match="^" + re.escape(message)) as caught:
            call()
        assert type(caught.value) is cls, caught.value
        unchanged.check()
        return None


def assert_loss(loss, expected, dtype):
    """A float64 loss (as the book's), nan when no step is kept, else the reference's to dtype's rounding."""
    assert type(loss) is np.float64
    if np.isnan(expected):
        assert np.isnan(loss)
    else:
        assert abs(loss - expected) <= RTOL[dtype] * max(1.0, abs(expected)), (loss, expected)
