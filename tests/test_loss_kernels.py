"""The softmax and loss kernels, called directly, against tests/reference.py
(outputs filled with NaN first: kernel_outputs.py)."""

import numpy as np
import pytest
import reference as ref
from fastnn.kernels import (
    sigmoid_loss,
    softmax_loss,
)
from kernel_outputs import ANY_LAYOUT, check_written, nan_out

# ---------------------------------------------------------------- softmax and losses

@pytest.mark.parametrize("layout", ANY_LAYOUT)
def test_softmax_forward_backward(layout, dtype, rng, make_layout, assert_close):
    x = (4 * rng.standard_normal((6, 5))).astype(dtype)
    dout = rng.standard_normal((6, 5)).astype(dtype)
    y = nan_out(x.shape, dtype)
    before = id(y)
    softmax_loss.softmax_forward(make_layout(x, layout), y)
    check_written(y, before, ref.softmax(x), dtype, assert_close)
    assert_close(y.sum(axis=1), np.ones(6, dtype))

    dx = nan_out(x.shape, dtype)
    before = id(dx)
    softmax_loss.softmax_backward(make_layout(y, layout), make_layout(dout, layout), dx)
    check_written(dx, before, ref.softmax_backward(dout, y), dtype, assert_close)


def test_softmax_forward_is_shift_invariant_for_large_inputs(dtype, assert_close):
    x = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]], dtype)
    y = nan_out(x.shape, dtype)
    softmax_loss.softmax_forward(x, y)
    assert_close(y, ref.softmax(x - x.max(axis=1, keepdims=True)))


@pytest.mark.parametrize("gap", [0.0, 30.0, 44.0, 44.5, 60.0, 700.0, 1e4])
def test_softmax_forward_rows_whose_first_entry_is_far_below_the_max(gap, dtype, rng, assert_close):
    """The kernel shifts by the first entry and redoes with the max when the shifted
    sum passes SHIFTED_SUM_LIMIT (2**64, a gap of about 44.4): both sides of it."""
    x = rng.standard_normal((4, 7)).astype(dtype)
    x[:, 0] = x.max(axis=1) - gap
    y = nan_out(x.shape, dtype)
    softmax_loss.softmax_forward(x, y)
    assert_close(y, ref.softmax(x))
    assert np.all(np.isfinite(y))


def _labels(rng, n, c, one_hot, label_dtype):
    idx = rng.integers(0, c, n)
    if one_hot:
        return np.eye(c, dtype=label_dtype)[idx], idx
    return idx.astype(label_dtype), idx


@pytest.mark.parametrize("one_hot", [False, True], ids=["index", "onehot"])
@pytest.mark.parametrize("label_dtype", [np.int32, np.int64])
def test_softmax_cross_entropy(one_hot, label_dtype, dtype, rng, assert_close):
    n, c = 8, 5
    x = (2 * rng.standard_normal((n, c))).astype(dtype)
    t, idx = _labels(rng, n, c, one_hot, label_dtype)
    y = nan_out(x.shape, dtype)
    before = id(y)
    loss, bad = softmax_loss.softmax_cross_entropy_forward(x, t, y)
    loss_ref, y_ref, t_ref = ref.softmax_with_loss_forward(x, t)
    assert bad == -1
    assert np.array_equal(t_ref, idx)
    check_written(y, before, y_ref, dtype, assert_close)
    assert_close(np.asarray(loss, dtype), loss_ref, dtype)

    for dout in (1.0, 2.5):
        dx = nan_out(x.shape, dtype)
        before = id(dx)
        softmax_loss.softmax_cross_entropy_backward(y, t, dout, dx, n)
        check_written(dx, before, ref.softmax_with_loss_backward(y, idx, dout), dtype, assert_close)


@pytest.mark.parametrize("one_hot", [False, True], ids=["index", "onehot"])
def test_cross_entropy(one_hot, dtype, rng, assert_close):
    n, c = 8, 5
    y = ref.softmax(rng.standard_normal((n, c))).astype(dtype)
    t, idx = _labels(rng, n, c, one_hot, np.int64)
    loss, bad = softmax_loss.cross_entropy(y, t)
    assert bad == -1
    assert_close(np.asarray(loss, dtype), ref.cross_entropy_error(y, idx), dtype)


@pytest.mark.parametrize("scale", [1e-7, 1.0, 3.0, 1e30], ids=["tiny", "probability", "above-2", "huge"])
def test_cross_entropy_of_many_rows_and_of_values_that_are_not_probabilities(scale, dtype, rng):
    """100 rows cross several LOG_RUN products of probabilities; values above 2
    (not probabilities) take their own log and must neither overflow nor differ."""
    n, c = 100, 4
    y = (scale * rng.uniform(0.5, 1.0, (n, c))).astype(dtype)
    idx = rng.integers(0, c, n)
    loss, bad = softmax_loss.cross_entropy(y, idx)
    assert bad == -1
    expected = -np.sum(np.log(y[np.arange(n), idx].astype(np.float64) + softmax_loss.LOG_EPS)) / n
    np.testing.assert_allclose(loss, expected, rtol=1e-13)


def test_cross_entropy_of_values_just_below_zero_matches_the_book():
    """y in (-1e-7, 0) gives terms below 1e-7, which are not multiplied (64 of
    them would underflow to 0 and make the loss inf); the book's loss is finite."""
    y = np.full((64, 2), -9.999e-8)
    idx = np.zeros(64, np.int64)
    loss, bad = softmax_loss.cross_entropy(y, idx)
    expected = -np.sum(np.log(y[:, 0] + softmax_loss.LOG_EPS)) / 64
    assert bad == -1 and np.isfinite(loss)
    np.testing.assert_allclose(loss, expected, rtol=1e-6)


def test_label_scan_reports_the_first_bad_row(dtype):
    x = np.zeros((4, 3), dtype)
    t = np.array([0, 2, 3, -1])
    y = nan_out(x.shape, dtype)
    loss, bad = softmax_loss.softmax_cross_entropy_forward(x, t, y)
    assert bad == 2 and np.isnan(loss)
    loss, bad = softmax_loss.cross_entropy(np.full((4, 3), 1 / 3, dtype), t)
    assert bad == 2 and np.isnan(loss)
    loss, bad = softmax_loss.cross_entropy(np.full((2, 3), 1 / 3, dtype), t[:2].copy())
    assert bad == -1 and np.isfinite(loss)
    t_neg = np.array([0, 1, 1, -1])
    loss, bad = softmax_loss.softmax_cross_entropy_forward(x, t_neg, nan_out(x.shape, dtype))
    assert bad == 3


def test_one_hot_labels_take_the_first_maximum(dtype):
    y = np.full((2, 3), 1 / 3, dtype)
    y[1] = [0.1, 0.7, 0.2]
    one_hot = np.array([[0, 0, 1], [1, 1, 0]])  # row 1 has two maxima: the first wins
    loss, bad = softmax_loss.cross_entropy(y, one_hot)
    expected = -(np.log(1 / 3 + 1e-7) + np.log(0.1 + 1e-7)) / 2
    assert bad == -1
    np.testing.assert_allclose(loss, expected, rtol=1e-6)


@pytest.mark.parametrize("shape", [(10,), (10, 1), (2, 5)])
@pytest.mark.parametrize("label_dtype", [np.int32, np.int64])
def test_sigmoid_cross_entropy(shape, label_dtype, dtype, rng, assert_close):
    x = (2 * rng.standard_normal(shape)).astype(dtype)
    t = rng.integers(0, 2, x.size).astype(label_dtype)
    y = nan_out(shape, dtype)
    before = id(y)
    loss, bad = sigmoid_loss.sigmoid_cross_entropy_forward(x, t, y)
    loss_ref, y_ref = ref.sigmoid_with_loss_forward(x.ravel(), t)
    assert bad == -1
    check_written(y, before, y_ref.reshape(shape), dtype, assert_close)
    assert_close(np.asarray(loss, dtype), loss_ref, dtype)

    for dout in (1.0, 0.5):
        dx = nan_out(shape, dtype)
        before = id(dx)
        sigmoid_loss.sigmoid_cross_entropy_backward(y, t, dout, dx)
        expected = ref.sigmoid_with_loss_backward(y.ravel(), t, dout).reshape(shape)
        check_written(dx, before, expected, dtype, assert_close)


def test_sigmoid_cross_entropy_rejects_labels_other_than_0_and_1(dtype):
    y = nan_out(4, dtype)
    loss, bad = sigmoid_loss.sigmoid_cross_entropy_forward(np.zeros(4, dtype), np.array([0, 1, 2, 1]), y)
    assert bad == 2 and np.isnan(loss)
    assert np.isnan(y).all()
