"""TimeEmbedding, TimeAffine, the sequence losses and TimeDropout against the
step-by-step oracles (tests/time_reference.py), numerical gradients, bad input."""

import numpy as np
import pytest
import time_reference as ref

from fastnn.time_layers import (
    Simple_TimeAffine,
    Simple_TimeSoftmaxWithLoss,
    TimeAffine,
    TimeDropout,
    TimeEmbedding,
    TimeSigmoidWithLoss,
    TimeSoftmaxWithLoss,
)


def _numerical(f, a, eps=1e-6):
    g = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        keep = a[i]
        a[i] = keep + eps
        up = f()
        a[i] = keep - eps
        down = f()
        a[i] = keep
        g[i] = (up - down) / (2 * eps)
    return g


def test_star_import_gives_the_books_names():
    names = {}
    exec("from fastnn.time_layers import *", names)
    for name in ["np", "GPU", "softmax", "sigmoid", "Affine", "SoftmaxWithLoss", "RNN", "TimeRNN",
                 "TimeEmbedding", "TimeAffine", "TimeSoftmaxWithLoss", "TimeSigmoidWithLoss", "TimeDropout",
                 "Simple_TimeAffine", "Simple_TimeSoftmaxWithLoss"]:
        assert name in names, name
    assert names["np"] is np and names["GPU"] is False


@pytest.mark.parametrize("shape", [(2, 3, 7, 4), (20, 35, 1000, 100)])
def test_embedding_matches_oracle_with_repeated_ids(shape, dtype, rng, assert_close):
    N, T, V, D = shape
    W = rng.standard_normal((V, D)).astype(dtype)
    xs = rng.integers(0, min(V, 5), (N, T)).astype(np.int32)  # many repeats
    layer = TimeEmbedding(W)
    out = layer.forward(xs)
    assert_close(out, ref.embedding_forward(W, xs))
    dout = rng.standard_normal((N, T, D)).astype(dtype)
    layer.grads[0][...] = 99  # stale values must not survive
    assert layer.backward(dout) is None
    assert_close(layer.grads[0], ref.embedding_backward(np.array(W, np.float64), xs, np.array(dout, np.float64)).astype(dtype),
                 rtol=1e-4 if dtype == np.float32 else None)
    assert layer.params[0] is W and layer.W is W


def test_embedding_backward_computes_in_the_weights_dtype(rng):
    W = rng.standard_normal((6, 3))  # float64
    ids = np.array([[1, 1, 4]])
    dout = rng.standard_normal((1, 3, 3))
    layer = TimeEmbedding(W)
    layer.grads[0] = np.zeros((6, 3), np.float32)  # a float32 grad array for a float64 weight
    layer.forward(ids)
    layer.backward(dout)
    expected = np.zeros((6, 3))
    expected[1] = dout[0, 0] + dout[0, 1]  # summed in float64, then stored as float32
    expected[4] = dout[0, 2]
    assert layer.grads[0].dtype == np.float32
    assert np.array_equal(layer.grads[0], expected.astype(np.float32))


def test_embedding_bad_ids_change_nothing(rng):
    layer = TimeEmbedding(rng.standard_normal((5, 3)).astype(np.float32))
    layer.forward(np.array([[1, 2]]))
    idx = layer.idx
    for bad, error, match in [(np.array([[0, 5]]), IndexError, r"xs\[0, 1\] is 5; expected word ids in \[0, 5\)"),
                              (np.array([[-1, 0]]), IndexError, r"xs\[0, 0\] is -1; expected word ids"),
                              (np.array([[0.5]]), TypeError, "integer word ids"),
                              (np.array([1, 2]), ValueError, r"expected word ids \(N, T\)")]:
        with pytest.raises(error, match=match):
            layer.forward(bad)
        assert layer.idx is idx
    with pytest.raises(ValueError, match=r"dout has shape \(1, 3, 3\); expected \(1, 2, 3\)"):
        layer.backward(np.zeros((1, 3, 3), np.float32))


def test_affine_matches_oracle_and_tied_weight_is_not_copied(dtype, rng, assert_close):
    embed_W = rng.standard_normal((50, 8)).astype(dtype)
    b = rng.standard_normal(50).astype(dtype)
    layer = TimeAffine(embed_W.T, b)
    xs = rng.standard_normal((3, 4, 8)).astype(dtype)
    out = layer.forward(xs)
    assert_close(out, xs @ embed_W.T + b)
    dout = rng.standard_normal(out.shape).astype(dtype)
    dxs = layer.backward(dout)
    x2, d2 = xs.reshape(12, 8), dout.reshape(12, 50)
    assert_close(dxs, (d2 @ embed_W).reshape(xs.shape))
    assert_close(layer.grads[0], x2.T @ d2)
    assert_close(layer.grads[1], d2.sum(axis=0))
    assert np.shares_memory(layer.params[0], embed_W)
    embed_W[0, 0] = 123  # the layer reads the shared array itself
    assert layer.forward(xs)[0, 0, 0] == pytest.approx(float(xs[0, 0] @ embed_W.T[:, 0] + b[0]), rel=1e-5)


def test_affine_large_tied_path(rng, assert_close):
    W = rng.standard_normal((1000, 64)).astype(np.float32)
    layer = TimeAffine(W.T, np.zeros(1000, np.float32))
    xs = rng.standard_normal((4, 5, 64)).astype(np.float32)
    dout = rng.standard_normal((4, 5, 1000)).astype(np.float32)
    layer.forward(xs)
    layer.backward(dout)
    assert_close(layer.grads[0], xs.reshape(20, 64).T @ dout.reshape(20, 1000))


def test_simple_time_affine_equals_time_affine(rng, assert_close):
    W, b = rng.standard_normal((4, 6)), rng.standard_normal(6)
    xs, dout = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 3, 6))
    simple, fast = Simple_TimeAffine(W, b), TimeAffine(W, b)
    assert_close(simple.forward(xs), fast.forward(xs))
    assert_close(simple.backward(dout), fast.backward(dout))
    assert_close(simple.dW, fast.grads[0])
    assert_close(simple.db, fast.grads[1])


@pytest.mark.long_as_python
@pytest.mark.parametrize("shape", [(2, 3, 5), (20, 35, 1000)])
def test_softmax_loss_matches_oracle_with_ignored_steps(shape, dtype, rng, assert_close):
    N, T, V = shape
    xs = (rng.standard_normal(shape) * 3).astype(dtype)
    ts = rng.integers(0, V, (N, T))
    ts[0, 1] = -1
    layer = TimeSoftmaxWithLoss()
    loss = layer.forward(xs, ts)
    want, dwant = ref.time_softmax_loss(np.array(xs, np.float64), ts)
    assert loss == pytest.approx(want, rel=1e-6 if dtype == np.float32 else 1e-12)
    dxs = layer.backward()
    assert_close(dxs, dwant.astype(dtype))
    assert np.all(dxs[0, 1] == 0)
    first = dxs.copy()
    dxs[...] = 5  # the caller owns what backward returned
    assert np.array_equal(layer.backward(), first)  # recomputed from y: the same bits as forward's pass
    assert_close(layer.backward(2.0), 2 * dwant.astype(dtype))
    one_hot = np.eye(V, dtype=np.int32)[np.where(ts < 0, 0, ts)]
    ts2 = np.where(ts < 0, 0, ts)
    assert layer.forward(xs, one_hot) == pytest.approx(layer.forward(xs, ts2), rel=1e-12)


def test_softmax_loss_numerical_gradient(rng):
    xs = rng.standard_normal((2, 3, 4))
    ts = np.array([[0, 3, -1], [2, 2, 1]])
    layer = TimeSoftmaxWithLoss()
    layer.forward(xs, ts)
    np.testing.assert_allclose(layer.backward(), _numerical(lambda: layer.forward(xs, ts), xs), rtol=1e-6, atol=1e-9)


def test_softmax_loss_bad_labels_change_nothing(rng):
    layer = TimeSoftmaxWithLoss()
    xs = rng.standard_normal((2, 3, 4)).astype(np.float32)
    layer.forward(xs, np.zeros((2, 3), int))
    cache = layer.cache
    for ts, error, match in [(np.full((2, 3), 4), IndexError, r"label 4 at step 0 of sequence 0 is out of range"),
                             (np.full((2, 3), -2), IndexError, "label -2"),
                             (np.zeros((3, 2), int), ValueError, r"ts has shape \(3, 2\)"),
                             (np.zeros((2, 3)), TypeError, "integer word ids")]:
        with pytest.raises(error, match=match):
            layer.forward(xs, ts)
        assert all(a is b or np.array_equal(a, b) for a, b in zip(layer.cache, cache))
    with pytest.raises(ValueError, match=r"expected scores \(N, T, V\)"):
        layer.forward(xs[0], np.zeros((2, 3), int))


def test_simple_softmax_loss_is_the_mean_of_step_losses(rng, assert_close):
    xs, ts = rng.standard_normal((3, 4, 5)), rng.integers(0, 5, (3, 4))
    layer = Simple_TimeSoftmaxWithLoss()
    loss = layer.forward(xs, ts)
    y = ref.softmax_rows(xs)
    want = np.mean([-np.mean(np.log(y[np.arange(3), t, ts[:, t]] + 1e-7)) for t in range(4)])
    assert loss == pytest.approx(want, rel=1e-12)
    dxs = layer.backward()
    assert_close(dxs, (y - np.eye(5)[ts]) / 3 / 4)


def test_sigmoid_loss_matches_oracle_and_gradient(rng, assert_close):
    xs, ts = rng.standard_normal((3, 4)), rng.integers(0, 2, (3, 4))
    layer = TimeSigmoidWithLoss()
    want, dwant = ref.time_sigmoid_loss(xs, ts)
    assert layer.forward(xs, ts) == pytest.approx(want, rel=1e-12)
    assert_close(layer.backward(), dwant)
    with pytest.raises(ValueError, match=r"ts has shape \(4, 3\)"):
        layer.forward(xs, ts.T)


def test_dropout_draws_the_books_random_numbers(rng):
    xs = rng.standard_normal((4, 5, 6)).astype(np.float32)
    np.random.seed(3)
    layer = TimeDropout(0.3)
    out = layer.forward(xs)
    np.random.seed(3)
    mask = (np.random.rand(*xs.shape) > 0.3).astype(np.float32) * (1 / (1.0 - 0.3))
    assert out.dtype == np.float32 and layer.mask.dtype == np.float32
    assert np.array_equal(layer.mask, mask) and np.array_equal(out, xs * mask)
    dout = rng.standard_normal(xs.shape).astype(np.float32)
    assert np.array_equal(layer.backward(dout), dout * mask)
    layer.train_flg = False
    state = np.random.get_state()[1].copy()
    assert layer.forward(xs) is xs
    assert np.array_equal(np.random.get_state()[1], state)  # evaluation draws nothing
    layer.train_flg, layer.dropout_ratio = True, 1.5
    with pytest.raises(ValueError, match=r"dropout_ratio is 1.5; expected a number in \[0, 1\)"):
        layer.forward(xs)


def test_empty_sequences_give_empty_outputs_and_zero_grads():
    from fastnn.time_layers import TimeRNN

    rnn = TimeRNN(np.ones((3, 4), np.float32), np.ones((4, 4), np.float32), np.ones(4, np.float32), stateful=True)
    affine = TimeAffine(np.ones((3, 4), np.float32), np.ones(4, np.float32))
    embed = TimeEmbedding(np.ones((5, 3), np.float32))
    for layer in (rnn, affine, embed):
        for g in layer.grads:
            g[...] = 7
    assert embed.forward(np.zeros((2, 0), int)).shape == (2, 0, 3)
    assert rnn.forward(np.zeros((2, 0, 3), np.float32)).shape == (2, 0, 4) and rnn.h.shape == (2, 4)
    assert affine.forward(np.zeros((2, 0, 3), np.float32)).shape == (2, 0, 4)
    assert affine.backward(np.zeros((2, 0, 4), np.float32)).shape == (2, 0, 3)
    assert rnn.backward(np.zeros((2, 0, 4), np.float32)).shape == (2, 0, 3)
    embed.backward(np.zeros((2, 0, 3), np.float32))
    for layer in (rnn, affine, embed):
        assert all(np.all(g == 0) for g in layer.grads)


@pytest.mark.parametrize("dtype", [">i8", ">i4", "i2", "u1", "u4", "u8"])
def test_word_ids_and_labels_of_any_integer_dtype(dtype):
    """Byte-swapped, narrow and unsigned ids give the same results as int64 ids
    (they are converted, never handed to Numba as another type)."""
    from fastnn.time_layers import TimeEmbedding, TimeSoftmaxWithLoss
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 6, size=(2, 3))
    W = rng.standard_normal((6, 4))
    xs = rng.standard_normal((2, 3, 6))
    expected_rows = TimeEmbedding(W).forward(ids)
    expected_loss = TimeSoftmaxWithLoss().forward(xs, ids)
    assert np.array_equal(TimeEmbedding(W).forward(ids.astype(dtype)), expected_rows)
    assert TimeSoftmaxWithLoss().forward(xs, ids.astype(dtype)) == expected_loss


def test_unsigned_label_too_large_is_refused():
    from fastnn.time_layers import TimeSoftmaxWithLoss
    ts = np.zeros((1, 2), np.uint64)
    ts[0, 1] = 2**64 - 1  # would wrap to the ignore label -1 as int64
    with pytest.raises(IndexError, match="TimeSoftmaxWithLoss"):
        TimeSoftmaxWithLoss().forward(np.zeros((1, 2, 3)), ts)
