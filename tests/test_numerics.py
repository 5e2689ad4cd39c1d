"""Numerical edge cases: sigmoid, softmax and both losses for any finite input and +-inf.

- no warning of any kind (warnings are errors here) and no floating-point error
  from numpy (np.errstate(all="raise") around every fastnn call);
- no NaN from finite (or infinite) input, outputs in [0, 1], losses finite for
  logits of +-1e4 and +-inf;
- wherever the book's formula (tests/reference.py) gives a finite value, fastnn
  gives the same value to rounding;
- NaN propagates as numpy propagates it, without a crash.
"""

import warnings

import numba
import numpy as np
import pytest
import reference as ref

from fastnn import functions, layers, optimizer

RTOL = {np.dtype(np.float32): 2e-6, np.dtype(np.float64): 1e-14}
LOSS_CAP = -np.log(1e-7)  # the book's loss of a probability of exactly 0


def extremes(dtype):
    """Every kind of finite value, sorted: huge, the exp overflow/underflow edges, tiny, zero."""
    info = np.finfo(dtype)
    edges = [1e4, 710.0, 709.0, 100.0, 89.0, 88.0, 87.0, 30.0, 20.0, 1.0, 1e-3, float(info.tiny), 1e-300, 0.0]
    values = [float(info.max)] + edges
    values = values + [-v for v in values]
    return np.array(sorted(set(values)), dtype)


def quiet(fn, *args):
    """fn(*args) with every warning an error and every numpy FP error raised.

    Under NUMBA_DISABLE_JIT=1 (the coverage run) the kernels run as Python on
    numpy scalars, whose saturating overflow (exp(1e4) -> inf, as intended)
    warns where compiled code does not; there only the values are checked.
    """
    if numba.config.DISABLE_JIT:
        with warnings.catch_warnings(), np.errstate(over="ignore", under="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            return fn(*args)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            return fn(*args)


def book(fn, *args):
    """The book's formula, its overflow warnings ignored (its value may be inf or NaN)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(*args)


def assert_matches_book_where_finite(actual, expected, dtype):
    """Equal to rounding wherever the book's value is finite (relative, with the
    subnormal range judged absolutely)."""
    expected = np.asarray(expected, np.float64)
    finite = np.isfinite(expected)
    assert finite.any()
    np.testing.assert_allclose(np.asarray(actual, np.float64)[finite], expected[finite],
                               rtol=RTOL[dtype], atol=4 * float(np.finfo(dtype).tiny))


def test_extremes_cover_the_overflow_edges(dtype):
    x = extremes(dtype)
    assert np.isfinite(x).all() and x.min() == -np.finfo(dtype).max and (x == 0).any()
    with np.errstate(over="ignore"):
        assert np.isinf(np.exp(-x.astype(dtype))).any()  # the book's exp(-x) really overflows here


# --------------------------------------------------------------------------
# sigmoid

@pytest.mark.parametrize("how", ["function", "layer"])
def test_sigmoid_any_finite_input(dtype, how):
    x = extremes(dtype)
    y = quiet(functions.sigmoid if how == "function" else layers.Sigmoid().forward, x)
    assert y.dtype == dtype
    assert not np.isnan(y).any()
    assert ((y >= 0) & (y <= 1)).all()
    assert np.all(np.diff(y) >= 0)  # monotone
    assert y[-1] == 1 and y[0] == 0
    assert_matches_book_where_finite(y, book(ref.sigmoid, x.astype(np.float64)).astype(dtype), dtype)


def test_sigmoid_infinities(dtype):
    x = np.array([-np.inf, np.inf, 0.0], dtype)
    y = quiet(functions.sigmoid, x)
    assert y.tolist() == [0.0, 1.0, 0.5]
    layer = layers.Sigmoid()
    assert quiet(layer.forward, x).tolist() == [0.0, 1.0, 0.5]
    dx = quiet(layer.backward, np.ones(3, dtype))
    assert dx.tolist() == [0.0, 0.0, 0.25]


def test_sigmoid_nan_propagates(dtype):
    x = np.array([[np.nan, 1.0], [-np.inf, np.nan]], dtype)
    layer = layers.Sigmoid()
    y = quiet(layer.forward, x)
    assert np.isnan(y).tolist() == [[True, False], [False, True]]
    assert y[0, 1] == ref.sigmoid(np.array(1.0, dtype)) and y[1, 0] == 0
    dx = quiet(layer.backward, np.ones_like(x))
    assert np.isnan(dx).tolist() == [[True, False], [False, True]]


# --------------------------------------------------------------------------
# softmax

def _softmax_rows(dtype):
    """Rows with huge spreads: each also shifted and scaled versions of the extremes."""
    x = extremes(dtype)
    rng = np.random.default_rng(0)
    rows = [x[rng.permutation(x.size)] for _ in range(4)]
    rows.append(np.array([1e4, -1e4, 0.0] * (x.size // 3) + [0.0] * (x.size % 3), dtype))
    rows.append(np.full(x.size, np.finfo(dtype).max, dtype))
    rows.append(np.full(x.size, -np.finfo(dtype).max, dtype))
    return np.stack(rows)


@pytest.mark.parametrize("how", ["function", "layer"])
def test_softmax_any_finite_input(dtype, how):
    x = _softmax_rows(dtype)
    y = quiet(functions.softmax if how == "function" else layers.Softmax().forward, x)
    assert y.dtype == dtype
    assert not np.isnan(y).any()
    assert ((y >= 0) & (y <= 1)).all()
    np.testing.assert_allclose(y.sum(axis=1), 1, rtol=8 * np.finfo(dtype).eps)
    assert_matches_book_where_finite(y, book(ref.softmax, x.astype(np.float64)).astype(dtype), dtype)
    assert quiet(functions.softmax, x[0]).tolist() == y[0].tolist()  # a 1-D row gives the same


def test_softmax_infinities(dtype):
    x = np.array([
        [np.inf, 1.0, 2.0],        # the book: inf - inf = NaN
        [np.inf, 0.0, np.inf],
        [-np.inf, -np.inf, -np.inf],
        [-np.inf, 0.0, 1.0],       # the book is finite here
        [-np.inf, -np.finfo(dtype).max, 0.0],
    ], dtype)
    y = quiet(functions.softmax, x)
    assert not np.isnan(y).any()
    assert ((y >= 0) & (y <= 1)).all()
    np.testing.assert_allclose(y.sum(axis=1), 1, rtol=4 * np.finfo(dtype).eps)
    assert y[0].tolist() == [1, 0, 0] and y[1].tolist() == [0.5, 0, 0.5]
    np.testing.assert_allclose(y[2], 1 / 3, rtol=np.finfo(dtype).eps)
    assert_matches_book_where_finite(y[3:], book(ref.softmax, x[3:].astype(np.float64)).astype(dtype), dtype)


def test_softmax_nan_propagates(dtype):
    x = np.array([[np.nan, 1.0, 2.0], [0.0, 1.0, 2.0]], dtype)
    layer = layers.Softmax()
    y = quiet(layer.forward, x)
    assert np.isnan(y[0]).all()  # numpy: the max of a row with NaN is NaN, so is every entry
    np.testing.assert_allclose(y[1], ref.softmax(x[1:].astype(np.float64))[0], rtol=RTOL[dtype] * 4)
    dx = quiet(layer.backward, np.ones_like(x))
    assert np.isnan(dx[0]).all() and not np.isnan(dx[1]).any()


# --------------------------------------------------------------------------
# The losses

def _logits(dtype):
    big = [1e4, -1e4, np.finfo(dtype).max, -np.finfo(dtype).max, np.inf, -np.inf, 0.0, 3.0]
    rng = np.random.default_rng(0)
    return np.array([rng.permutation(big) for _ in range(16)], dtype)


@pytest.mark.parametrize("onehot", [False, True])
def test_softmax_with_loss_extreme_logits(dtype, onehot):
    x = _logits(dtype)
    n, c = x.shape
    t = np.random.default_rng(1).integers(0, c, size=n)
    labels = np.eye(c, dtype=np.int32)[t] if onehot else t
    layer = layers.SoftmaxWithLoss()
    loss = quiet(layer.forward, x, labels)
    assert np.isfinite(loss) and 0 <= loss <= LOSS_CAP * (1 + 1e-6)
    dx = quiet(layer.backward, 2.0)
    assert np.isfinite(dx).all() and (np.abs(dx) <= 2.0 / n * (1 + 1e-6)).all()
    # Row by row, wherever the book's value is finite, the same value.
    for i in range(n):
        single = layers.SoftmaxWithLoss()
        row_loss = quiet(single.forward, x[i:i + 1], labels[i:i + 1])
        book_loss = book(lambda i=i: ref.softmax_with_loss_forward(x[i:i + 1].astype(np.float64), labels[i:i + 1])[0])
        if np.isfinite(book_loss):
            np.testing.assert_allclose(row_loss, book_loss, rtol=RTOL[dtype] * 10)


def test_softmax_with_loss_1e4_logits_match_the_book(dtype):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [0.0, 0.0, -1e4]], dtype)
    t = np.array([1, 2, 0])
    loss = quiet(layers.SoftmaxWithLoss().forward, x, t)
    expected = book(lambda: ref.softmax_with_loss_forward(x.astype(np.float64), t)[0])
    assert np.isfinite(expected)
    np.testing.assert_allclose(loss, expected, rtol=RTOL[dtype] * 10)


def test_sigmoid_with_loss_extreme_logits(dtype):
    x = np.concatenate([extremes(dtype), np.array([np.inf, -np.inf], dtype)])
    t = np.random.default_rng(0).integers(0, 2, size=x.size)
    layer = layers.SigmoidWithLoss()
    loss = quiet(layer.forward, x, t)
    assert np.isfinite(loss) and 0 <= loss <= LOSS_CAP * (1 + 1e-6)
    dx = quiet(layer.backward, 1.0)
    assert np.isfinite(dx).all() and (np.abs(dx) <= 1.0 / x.size * (1 + 1e-6)).all()
    for i in range(x.size):
        row_loss = quiet(layers.SigmoidWithLoss().forward, x[i:i + 1], t[i:i + 1])
        book_loss = book(lambda i=i: ref.sigmoid_with_loss_forward(x[i:i + 1].astype(np.float64), t[i:i + 1])[0])
        assert np.isfinite(row_loss)
        if np.isfinite(book_loss):
            np.testing.assert_allclose(row_loss, book_loss, rtol=RTOL[dtype] * 10, atol=1e-6)


def test_sigmoid_with_loss_1e4_logits(dtype):
    x = np.array([1e4, -1e4, 1e4, -1e4], dtype)
    t = np.array([1, 0, 0, 1])
    loss = quiet(layers.SigmoidWithLoss().forward, x, t)
    assert loss == pytest.approx(LOSS_CAP / 2, rel=1e-6)  # two exact answers (0), two certain misses


def test_cross_entropy_error_of_exact_zeros_and_ones(dtype):
    y = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], dtype)
    loss = quiet(functions.cross_entropy_error, y, np.array([1, 2]))
    expected = ref.cross_entropy_error(y.astype(np.float64), np.array([1, 2]))
    assert np.isfinite(loss)
    np.testing.assert_allclose(loss, expected, rtol=RTOL[dtype] * 10)


def test_losses_nan_propagates(dtype):
    x = np.array([[np.nan, 1.0, 2.0], [0.0, 1.0, 2.0]], dtype)
    layer = layers.SoftmaxWithLoss()
    assert np.isnan(quiet(layer.forward, x, np.array([1, 0])))
    dx = quiet(layer.backward, 1.0)
    assert np.isnan(dx[0]).all() and not np.isnan(dx[1]).any()
    sig = layers.SigmoidWithLoss()
    assert np.isnan(quiet(sig.forward, np.array([np.nan, 1.0], dtype), np.array([0, 1])))
    assert np.isnan(quiet(sig.backward, 1.0)).tolist() == [True, False]
    assert np.isnan(quiet(functions.cross_entropy_error, np.array([[np.nan, 0.5]], dtype), np.array([0])))


@pytest.mark.parametrize("cls", [optimizer.SGD, optimizer.Momentum, optimizer.Nesterov,
                                 optimizer.AdaGrad, optimizer.RMSprop, optimizer.Adam], ids=lambda c: c.__name__)
def test_optimizers_propagate_nan_and_inf_grads(dtype, cls):
    params = [np.zeros(4, dtype)]
    grads = [np.array([np.nan, 1.0, 0.0, -1.0], dtype)]
    quiet(cls().update, params, grads)
    assert np.isnan(params[0][0]) and np.isfinite(params[0][1:]).all()
