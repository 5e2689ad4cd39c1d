"""Fuzzing of the chapter 5-6 time layers against a written spec of what each call accepts.

Every call starts from consistent sizes; about half of them get one operand
made wrong (one axis one longer or shorter, now and then an axis added or
dropped; a label or id out of range).  The outcome each call must have is
worked out from the operands alone, by the spec below (written out in
tests/time_fuzz_spec.py) (never by asking
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
fastnn/nn/time_*.py):

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


import numpy as np
import pytest
import reference as ref
import time_reference as tref
from time_fuzz_spec import (
    RTOL,
    Calls,
    affine_forward_error,
    assert_grad,
    assert_loss,
    assert_values,
    compute_dtype,
    embedding_forward_error,
    loss_and_grad,
    loss_forward_error,
    pick_wrong,
    random_array,
    random_ids,
    rnn_backward,
    rnn_forward,
    rnn_forward_error,
    same_shape_error,
    seen,
    shapes_made_wrong,
)

from fastnn.time_layers import TimeAffine, TimeDropout, TimeEmbedding, TimeRNN, TimeSoftmaxWithLoss

# --- the layers ----------------------------------------------------------------

def fuzz_rnn(rng, calls, sizes):
    N, T, D, H = sizes
    stateful = bool(rng.integers(0, 2))
    wrong = pick_wrong(rng, ["Wx", "Wh", "b", "xs"])
    shapes = shapes_made_wrong(rng, {"Wx": (D, H), "Wh": (H, H), "b": (H,), "xs": (N, T, D)}, wrong)
    Wx, Wh, b, xs = (random_array(rng, shapes[k]) for k in ("Wx", "Wh", "b", "xs"))
    layer = TimeRNN(Wx, Wh, b, stateful=stateful)
    error = rnn_forward_error(Wx, Wh, b, xs, None)
    hs = calls.run("TimeRNN.forward", layer, lambda: layer.forward(xs), error, xs)
    if error is not None:
        if wrong != "xs":
            return  # the params themselves do not fit: no call can work
        xs = random_array(rng, (N, T, D))
        hs = calls.run("TimeRNN.forward", layer, lambda: layer.forward(xs), None, xs)
    dtype = compute_dtype(Wx, Wh, b, xs)
    W64 = [seen(p, dtype) for p in (Wx, Wh, b)]
    xs64 = seen(xs, dtype)
    rhs, prevs, last = rnn_forward(xs64, *W64, np.zeros((xs.shape[0], H)))
    assert_values(hs, rhs, dtype)

    dhs = random_array(rng, shapes_made_wrong(rng, {"dhs": hs.shape}, pick_wrong(rng, ["dhs"]))["dhs"])
    error = same_shape_error("TimeRNN.backward", "dhs", dhs, hs.shape)
    dxs = calls.run("TimeRNN.backward", layer, lambda: layer.backward(dhs), error, dhs, hs)
    if error is not None:
        dhs = random_array(rng, hs.shape)
        dxs = calls.run("TimeRNN.backward", layer, lambda: layer.backward(dhs), None, dhs, hs)
    rdxs, *rgrads = rnn_backward(seen(dhs, dtype), xs64, W64[0], W64[1], rhs, prevs)
    assert_values(dxs, rdxs, dtype)
    for grad, expected in zip(layer.grads, rgrads):
        assert_grad(grad, expected, dtype)

    if stateful:  # the next batch starts from the last h: its N must stay the same
        N = xs.shape[0]
        xs2 = random_array(rng, shapes_made_wrong(rng, {"xs": (N, T, D)}, pick_wrong(rng, ["xs"]))["xs"])
        error = rnn_forward_error(Wx, Wh, b, xs2, last)
        hs2 = calls.run("TimeRNN.forward", layer, lambda: layer.forward(xs2), error, xs2, hs, dxs)
        if error is not None:  # the carried h is still the first batch's
            xs2 = random_array(rng, (N, T, D))
            hs2 = calls.run("TimeRNN.forward", layer, lambda: layer.forward(xs2), None, xs2, hs, dxs)
        dtype2 = compute_dtype(Wx, Wh, b, xs2)
        rhs2 = rnn_forward(seen(xs2, dtype2), *(seen(p, dtype2) for p in (Wx, Wh, b)), last)[0]
        # h came out of the first batch's dtype: judged at the coarser one's rounding
        assert_values(hs2, rhs2, dtype2, rtol=max(RTOL[dtype], RTOL[dtype2]))


def fuzz_affine(rng, calls, sizes):
    N, T, D, H = sizes
    wrong = pick_wrong(rng, ["W", "b", "x"])
    shapes = shapes_made_wrong(rng, {"W": (D, H), "b": (H,), "x": (N, T, D)}, wrong)
    W, b, x = (random_array(rng, shapes[k]) for k in ("W", "b", "x"))
    layer = TimeAffine(W, b)
    error = affine_forward_error(W, b, x)
    out = calls.run("TimeAffine.forward", layer, lambda: layer.forward(x), error, x)
    if error is not None:
        if wrong != "x":
            return
        x = random_array(rng, (N, T, D))
        out = calls.run("TimeAffine.forward", layer, lambda: layer.forward(x), None, x)
    dtype = compute_dtype(W, b, x)
    W64, b64, x64 = seen(W, dtype), seen(b, dtype), seen(x, dtype)
    rows = x64.reshape(-1, D)
    assert_values(out, ref.affine_forward(rows, W64, b64).reshape(out.shape), dtype)

    dout = random_array(rng, shapes_made_wrong(rng, {"dout": out.shape}, pick_wrong(rng, ["dout"]))["dout"])
    error = same_shape_error("TimeAffine.backward", "dout", dout, out.shape)
    dx = calls.run("TimeAffine.backward", layer, lambda: layer.backward(dout), error, dout, out)
    if error is not None:
        dout = random_array(rng, out.shape)
        dx = calls.run("TimeAffine.backward", layer, lambda: layer.backward(dout), None, dout, out)
    rdx, rdW, rdb = ref.affine_backward(seen(dout, dtype).reshape(-1, H), rows, W64)
    assert_values(dx, rdx.reshape(x.shape), dtype)
    assert_grad(layer.grads[0], rdW, dtype)
    assert_grad(layer.grads[1], rdb, dtype)


def fuzz_dropout(rng, calls, sizes):
    N, T, D, _ = sizes
    xs = random_array(rng, shapes_made_wrong(rng, {"xs": (N, T, D)}, pick_wrong(rng, ["xs"]))["xs"])  # any shape fits
    layer = TimeDropout(0.5)
    seed = int(rng.integers(2**31))
    np.random.seed(seed)
    out = calls.run("TimeDropout.forward", layer, lambda: layer.forward(xs), None, xs)
    np.random.seed(seed)
    dtype = compute_dtype(xs)
    mask = ((np.random.rand(*xs.shape) > 0.5) / 0.5).astype(dtype)  # the book's mask, from the same draw
    assert out.dtype == dtype and np.array_equal(out, xs.astype(dtype) * mask)  # times 0 or 2: exact

    dout = random_array(rng, shapes_made_wrong(rng, {"dout": xs.shape}, pick_wrong(rng, ["dout"]))["dout"])
    error = same_shape_error("TimeDropout.backward", "dout", dout, xs.shape)
    dx = calls.run("TimeDropout.backward", layer, lambda: layer.backward(dout), error, dout, out)
    if error is not None:
        dout = random_array(rng, xs.shape)
        dx = calls.run("TimeDropout.backward", layer, lambda: layer.backward(dout), None, dout, out)
    assert dx.dtype == dtype and np.array_equal(dx, dout.astype(dtype) * mask)


def fuzz_embedding(rng, calls, sizes):
    N, T, D, V = sizes
    W = rng.standard_normal((V, D))
    W = W.astype([np.float32, np.float32, np.float32, np.float64, np.float16, np.int64][rng.integers(6)])
    layer = TimeEmbedding(W)
    wrong = pick_wrong(rng, ["xs", "id"])
    ids = random_ids(rng, shapes_made_wrong(rng, {"xs": (N, T)}, wrong)["xs"], V, bad=wrong == "id")
    error = embedding_forward_error(W, ids)
    out = calls.run("TimeEmbedding.forward", layer, lambda: layer.forward(ids), error, ids)
    if error is not None:
        if error[0] is TypeError:
            return  # W's dtype: no call can work
        ids = rng.integers(0, V, (N, T))
        out = calls.run("TimeEmbedding.forward", layer, lambda: layer.forward(ids), None, ids)
    assert out.dtype == W.dtype and np.array_equal(out, tref.embedding_forward(W, ids))  # a gather: exact

    dout = random_array(rng, shapes_made_wrong(rng, {"dout": out.shape}, pick_wrong(rng, ["dout"]))["dout"])
    error = same_shape_error("TimeEmbedding.backward", "dout", dout, out.shape)
    result = calls.run("TimeEmbedding.backward", layer, lambda: layer.backward(dout), error, dout, out)
    if error is not None:
        dout = random_array(rng, out.shape)
        result = calls.run("TimeEmbedding.backward", layer, lambda: layer.backward(dout), None, dout, out)
    assert result is None
    assert_values(layer.grads[0], tref.embedding_backward(np.zeros(W.shape), ids, seen(dout, W.dtype)), W.dtype)


def fuzz_loss(rng, calls, sizes):
    """A first forward that fits, then a second that may not (a rejected one leaves the
    first's result to backward), then backward(dout): dout = 1 (the gradient forward
    made) or another number."""
    N, T, _, V = sizes
    layer = TimeSoftmaxWithLoss()
    xs, ts = random_array(rng, (N, T, V)), rng.integers(-1, V, (N, T))
    loss = calls.run("TimeSoftmaxWithLoss.forward", layer, lambda: layer.forward(xs, ts), None, xs, ts)
    assert_loss(loss, loss_and_grad(seen(xs, compute_dtype(xs)), ts, 1.0)[0], compute_dtype(xs))
    wrong = pick_wrong(rng, ["xs", "ts", "label"])
    shapes = shapes_made_wrong(rng, {"xs": (N, T, V), "ts": (N, T)}, wrong)
    xs2 = random_array(rng, shapes["xs"])
    ts2 = random_ids(rng, shapes["ts"], V, low=-1, bad=wrong == "label")
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
