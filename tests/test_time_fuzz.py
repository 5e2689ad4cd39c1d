"""Fuzzing of the chapter 5-6 time layers against a written spec of what each call accepts.

Every call starts from consistent sizes; about half of them get one operand
made wrong (one axis one longer or shorter, now and then an axis added or
dropped; a label or id out of range).  The outcome each call must have is
worked out here from the operands alone, by the spec below (never by asking
the layer):

- a call the spec rejects raises that exception class, its message starting
  with the call and the argument ("TimeRNN.forward: Wh has shape (3, 4)"), and
  changes nothing: params and grads (the same objects, the same values), the
  inputs, and every array an earlier call returned; the layer still gives the
  right answer to the right call afterwards;
- a call the spec accepts returns, in the dtype the spec gives, the values of
  the plain-numpy oracles (tests/time_reference.py, tests/reference.py) on the
  operands as the layer sees them (converted to that dtype), and backward
  writes the oracle's gradients into the layer's own grads arrays.

The spec, as the layers document it (fastnn/_core/inputs.py, fastnn/_core/time_inputs.py,
fastnn/time_*.py):

- dtype: numpy's promotion of all float operands (params too); integers alone
  compute in float64, float16 in float32.  Backward computes in forward's
  dtype (its dout converted to it); TimeEmbedding computes in W's dtype, and W
  must be float32 or float64 (TypeError otherwise).  A gradient is stored into
  the layer's grads array as ``grads[i][...] = dW`` would (an int64 param's
  grad is truncated, a float16 one rounded).
- TimeRNN(Wx (D, H), Wh (H, H), b (H,)): forward(xs (N, T, D)); a stateful
  layer's carried h must be (N, H); backward(dhs (N, T, H)).
- TimeAffine(W (D, H), b (H,)): forward(x (N, T, D)); backward(dout (N, T, H)).
- TimeDropout: forward(xs) of any shape (the mask drawn with the book's
  np.random.rand(*xs.shape)); backward(dout of xs's shape).
- TimeEmbedding(W (V, D)): forward(xs), ids in [0, V) (IndexError naming the
  first bad one in C order) and 2-D (N, T) (ValueError); backward(dout (N, T, D)).
- TimeSoftmaxWithLoss: forward(xs (N, T, V), ts (N, T) labels in [0, V) or the
  ignore label -1, or one-hot (N, T, V)); IndexError naming the first bad
  label; loss = the mean over kept steps (nan when none is kept, as the
  book's 0/0); backward(dout) = (softmax - onehot) * dout / count, 0 on
  ignored steps (all 0 when none is kept).
"""

import re
from collections import Counter

import numpy as np
import pytest
import reference as ref
import time_reference as tref

from fastnn.time_layers import TimeAffine, TimeDropout, TimeEmbedding, TimeRNN, TimeSoftmaxWithLoss

F32, F64 = np.dtype(np.float32), np.dtype(np.float64)
RTOL = {F32: 2e-5, F64: 1e-12}  # as tests/conftest.py: relative to the largest expected value
WRONG = 0.5  # the share of calls with one operand made wrong


# --- drawing operands -------------------------------------------------------

def _array(rng, shape):
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


def _pick(rng, names):
    """With probability WRONG, the one of `names` to make wrong; else None."""
    return names[rng.integers(len(names))] if rng.random() < WRONG else None


def _shapes(rng, shapes, wrong):
    """`shapes` (name -> consistent shape), the one named `wrong` (if any) made wrong."""
    return {name: _wrong(rng, shape) if name == wrong else shape for name, shape in shapes.items()}


def _ids(rng, shape, end, low=0, bad=False):
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


# --- the layers ----------------------------------------------------------------

def fuzz_rnn(rng, calls, sizes):
    N, T, D, H = sizes
    stateful = bool(rng.integers(0, 2))
    wrong = _pick(rng, ["Wx", "Wh", "b", "xs"])
    shapes = _shapes(rng, {"Wx": (D, H), "Wh": (H, H), "b": (H,), "xs": (N, T, D)}, wrong)
    Wx, Wh, b, xs = (_array(rng, shapes[k]) for k in ("Wx", "Wh", "b", "xs"))
    layer = TimeRNN(Wx, Wh, b, stateful=stateful)
    error = rnn_forward_error(Wx, Wh, b, xs, None)
    hs = calls.run("TimeRNN.forward", layer, lambda: layer.forward(xs), error, xs)
    if error is not None:
        if wrong != "xs":
            return  # the params themselves do not fit: no call can work
        xs = _array(rng, (N, T, D))
        hs = calls.run("TimeRNN.forward", layer, lambda: layer.forward(xs), None, xs)
    dtype = compute_dtype(Wx, Wh, b, xs)
    W64 = [seen(p, dtype) for p in (Wx, Wh, b)]
    xs64 = seen(xs, dtype)
    rhs, prevs, last = rnn_forward(xs64, *W64, np.zeros((xs.shape[0], H)))
    assert_values(hs, rhs, dtype)

    dhs = _array(rng, _shapes(rng, {"dhs": hs.shape}, _pick(rng, ["dhs"]))["dhs"])
    error = same_shape_error("TimeRNN.backward", "dhs", dhs, hs.shape)
    dxs = calls.run("TimeRNN.backward", layer, lambda: layer.backward(dhs), error, dhs, hs)
    if error is not None:
        dhs = _array(rng, hs.shape)
        dxs = calls.run("TimeRNN.backward", layer, lambda: layer.backward(dhs), None, dhs, hs)
    rdxs, *rgrads = rnn_backward(seen(dhs, dtype), xs64, W64[0], W64[1], rhs, prevs)
    assert_values(dxs, rdxs, dtype)
    for grad, expected in zip(layer.grads, rgrads):
        assert_grad(grad, expected, dtype)

    if stateful:  # the next batch starts from the last h: its N must stay the same
        N = xs.shape[0]
        xs2 = _array(rng, _shapes(rng, {"xs": (N, T, D)}, _pick(rng, ["xs"]))["xs"])
        error = rnn_forward_error(Wx, Wh, b, xs2, last)
        hs2 = calls.run("TimeRNN.forward", layer, lambda: layer.forward(xs2), error, xs2, hs, dxs)
        if error is not None:  # the carried h is still the first batch's
            xs2 = _array(rng, (N, T, D))
            hs2 = calls.run("TimeRNN.forward", layer, lambda: layer.forward(xs2), None, xs2, hs, dxs)
        dtype2 = compute_dtype(Wx, Wh, b, xs2)
        rhs2 = rnn_forward(seen(xs2, dtype2), *(seen(p, dtype2) for p in (Wx, Wh, b)), last)[0]
        # h came out of the first batch's dtype: judged at the coarser one's rounding
        assert_values(hs2, rhs2, dtype2, rtol=max(RTOL[dtype], RTOL[dtype2]))


def fuzz_affine(rng, calls, sizes):
    N, T, D, H = sizes
    wrong = _pick(rng, ["W", "b", "x"])
    shapes = _shapes(rng, {"W": (D, H), "b": (H,), "x": (N, T, D)}, wrong)
    W, b, x = (_array(rng, shapes[k]) for k in ("W", "b", "x"))
    layer = TimeAffine(W, b)
    error = affine_forward_error(W, b, x)
    out = calls.run("TimeAffine.forward", layer, lambda: layer.forward(x), error, x)
    if error is not None:
        if wrong != "x":
            return
        x = _array(rng, (N, T, D))
        out = calls.run("TimeAffine.forward", layer, lambda: layer.forward(x), None, x)
    dtype = compute_dtype(W, b, x)
    W64, b64, x64 = seen(W, dtype), seen(b, dtype), seen(x, dtype)
    rows = x64.reshape(-1, D)
    assert_values(out, ref.affine_forward(rows, W64, b64).reshape(out.shape), dtype)

    dout = _array(rng, _shapes(rng, {"dout": out.shape}, _pick(rng, ["dout"]))["dout"])
    error = same_shape_error("TimeAffine.backward", "dout", dout, out.shape)
    dx = calls.run("TimeAffine.backward", layer, lambda: layer.backward(dout), error, dout, out)
    if error is not None:
        dout = _array(rng, out.shape)
        dx = calls.run("TimeAffine.backward", layer, lambda: layer.backward(dout), None, dout, out)
    rdx, rdW, rdb = ref.affine_backward(seen(dout, dtype).reshape(-1, H), rows, W64)
    assert_values(dx, rdx.reshape(x.shape), dtype)
    assert_grad(layer.grads[0], rdW, dtype)
    assert_grad(layer.grads[1], rdb, dtype)


def fuzz_dropout(rng, calls, sizes):
    N, T, D, _ = sizes
    xs = _array(rng, _shapes(rng, {"xs": (N, T, D)}, _pick(rng, ["xs"]))["xs"])  # any shape fits
    layer = TimeDropout(0.5)
    seed = int(rng.integers(2**31))
    np.random.seed(seed)
    out = calls.run("TimeDropout.forward", layer, lambda: layer.forward(xs), None, xs)
    np.random.seed(seed)
    dtype = compute_dtype(xs)
    mask = ((np.random.rand(*xs.shape) > 0.5) / 0.5).astype(dtype)  # the book's mask, from the same draw
    assert out.dtype == dtype and np.array_equal(out, xs.astype(dtype) * mask)  # times 0 or 2: exact

    dout = _array(rng, _shapes(rng, {"dout": xs.shape}, _pick(rng, ["dout"]))["dout"])
    error = same_shape_error("TimeDropout.backward", "dout", dout, xs.shape)
    dx = calls.run("TimeDropout.backward", layer, lambda: layer.backward(dout), error, dout, out)
    if error is not None:
        dout = _array(rng, xs.shape)
        dx = calls.run("TimeDropout.backward", layer, lambda: layer.backward(dout), None, dout, out)
    assert dx.dtype == dtype and np.array_equal(dx, dout.astype(dtype) * mask)


def fuzz_embedding(rng, calls, sizes):
    N, T, D, V = sizes
    W = rng.standard_normal((V, D))
    W = W.astype([np.float32, np.float32, np.float32, np.float64, np.float16, np.int64][rng.integers(6)])
    layer = TimeEmbedding(W)
    wrong = _pick(rng, ["xs", "id"])
    ids = _ids(rng, _shapes(rng, {"xs": (N, T)}, wrong)["xs"], V, bad=wrong == "id")
    error = embedding_forward_error(W, ids)
    out = calls.run("TimeEmbedding.forward", layer, lambda: layer.forward(ids), error, ids)
    if error is not None:
        if error[0] is TypeError:
            return  # W's dtype: no call can work
        ids = rng.integers(0, V, (N, T))
        out = calls.run("TimeEmbedding.forward", layer, lambda: layer.forward(ids), None, ids)
    assert out.dtype == W.dtype and np.array_equal(out, tref.embedding_forward(W, ids))  # a gather: exact

    dout = _array(rng, _shapes(rng, {"dout": out.shape}, _pick(rng, ["dout"]))["dout"])
    error = same_shape_error("TimeEmbedding.backward", "dout", dout, out.shape)
    result = calls.run("TimeEmbedding.backward", layer, lambda: layer.backward(dout), error, dout, out)
    if error is not None:
        dout = _array(rng, out.shape)
        result = calls.run("TimeEmbedding.backward", layer, lambda: layer.backward(dout), None, dout, out)
    assert result is None
    assert_values(layer.grads[0], tref.embedding_backward(np.zeros(W.shape), ids, seen(dout, W.dtype)), W.dtype)


def fuzz_loss(rng, calls, sizes):
    """A first forward that fits, then a second that may not (a rejected one leaves the
    first's result to backward), then backward(dout): dout = 1 (the gradient forward
    made) or another number."""
    N, T, _, V = sizes
    layer = TimeSoftmaxWithLoss()
    xs, ts = _array(rng, (N, T, V)), rng.integers(-1, V, (N, T))
    loss = calls.run("TimeSoftmaxWithLoss.forward", layer, lambda: layer.forward(xs, ts), None, xs, ts)
    assert_loss(loss, loss_and_grad(seen(xs, compute_dtype(xs)), ts, 1.0)[0], compute_dtype(xs))
    wrong = _pick(rng, ["xs", "ts", "label"])
    shapes = _shapes(rng, {"xs": (N, T, V), "ts": (N, T)}, wrong)
    xs2 = _array(rng, shapes["xs"])
    ts2 = _ids(rng, shapes["ts"], V, low=-1, bad=wrong == "label")
    if wrong is None and rng.random() < 0.2:  # one-hot labels
        ts2 = np.eye(V, dtype=[np.int64, np.float32][rng.integers(2)])[rng.integers(0, V, (N, T))]
    error = loss_forward_error(xs2, ts2)
    loss2 = calls.run("TimeSoftmaxWithLoss.forward", layer, lambda: layer.forward(xs2, ts2), error, xs, ts, xs2, ts2)
    if error is None:
        xs, ts = xs2, ts2
        assert_loss(loss2, loss_and_grad(seen(xs, compute_dtype(xs)), ts, 1.0)[0], compute_dtype(xs))
    dout = 1.0 if rng.random() < 0.5 else float(rng.standard_normal())
    dtype = compute_dtype(xs)
    backward = (lambda: layer.backward()) if dout == 1 else (lambda: layer.backward(dout))
    dxs = calls.run("TimeSoftmaxWithLoss.backward", layer, backward, None, xs, ts)
    assert_values(dxs, loss_and_grad(seen(xs, dtype), ts, dout)[1], dtype)


def assert_loss(loss, expected, dtype):
    """A float64 loss (as the book's), nan when no step is kept, else the reference's to dtype's rounding."""
    assert type(loss) is np.float64
    if np.isnan(expected):
        assert np.isnan(loss)
    else:
        assert abs(loss - expected) <= RTOL[dtype] * max(1.0, abs(expected)), (loss, expected)


LAYERS = [fuzz_rnn, fuzz_affine, fuzz_dropout, fuzz_embedding, fuzz_loss]
# Calls of which both outcomes must turn up in every run (TimeDropout.forward takes any
# shape; the loss's first forward and its backward are always right).
BOTH = ["TimeRNN.forward", "TimeRNN.backward", "TimeAffine.forward", "TimeAffine.backward",
        "TimeDropout.backward", "TimeEmbedding.forward", "TimeEmbedding.backward", "TimeSoftmaxWithLoss.forward"]


def run_fuzz(seed, rounds=40):
    rng = np.random.default_rng(seed)
    calls = Calls()
    saved = np.random.get_state()
    try:
        for _ in range(rounds):
            sizes = tuple(int(rng.integers(1, 5)) for _ in range(4))
            for fuzz in LAYERS:
                fuzz(rng, calls, sizes)
    finally:
        np.random.set_state(saved)
    return calls.counts


@pytest.mark.parametrize("seed", range(4))
def test_random_calls_give_the_specs_outcome(seed):
    counts = run_fuzz(seed)
    missing = [(name, outcome) for name in BOTH for outcome in ("raise", "match") if not counts[name, outcome]]
    assert not missing, missing
    raised = sum(n for (_, outcome), n in counts.items() if outcome == "raise")
    assert raised >= 0.2 * sum(counts.values()), counts
