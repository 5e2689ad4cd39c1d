"""Labels of every dtype, for SoftmaxWithLoss, SigmoidWithLoss and cross_entropy_error.

Class indices of every integer width in both byte orders, bools, one-hot rows
of float16/32/64 (and of integers and bools), and Python lists all give the
values of the same labels as native int64 (or float64 one-hot) through the
plain-numpy reference, and never a Numba typing error.  SigmoidWithLoss takes
its labels in x's shape or flat, as integers, bools or floats 0 and 1, and its
loss is the mean over the elements of x.
"""

import numpy as np
import pytest
import reference as ref

from fastnn import functions
from fastnn.layers import SigmoidWithLoss, SoftmaxWithLoss

N, C = 7, 4
INTEGER_LABELS = [order + code for code in ("i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8") for order in "<>"]
ONE_HOT = ["float16", "float32", "float64", ">f8", "int8", ">i4", "uint64", "bool"]


def _scores(rng, dtype, shape=(N, C)):
    return (2 * rng.standard_normal(shape)).astype(dtype)


def _classes(rng, n=N, c=C):
    return rng.integers(0, c, size=n)


def _index_labels(classes, kind):
    """The class indices as `kind`: a numpy dtype, 'bool' (for two classes) or 'list'."""
    if kind == "list":
        return classes.tolist()
    return classes.astype(kind)


def _one_hot(classes, kind, c=C):
    rows = np.eye(c)[classes]
    return rows.tolist() if kind == "list" else rows.astype(kind)


LABEL_CASES = ([pytest.param("index", k, id=f"index-{k}") for k in INTEGER_LABELS + ["list"]]
               + [pytest.param("onehot", k, id=f"onehot-{k}") for k in ONE_HOT + ["list"]])


def _labels(form, kind, classes):
    return _index_labels(classes, kind) if form == "index" else _one_hot(classes, kind)


# ---------------------------------------------------------------- SoftmaxWithLoss

@pytest.mark.parametrize("form, kind", LABEL_CASES)
def test_softmax_with_loss_labels(form, kind, dtype, rng, assert_close):
    x, classes = _scores(rng, dtype), _classes(rng)
    t = _labels(form, kind, classes)
    loss_ref, y_ref, t_ref = ref.softmax_with_loss_forward(x.astype(np.float64), classes)
    layer = SoftmaxWithLoss()
    assert_close(layer.forward(x, t), np.float64(loss_ref), dtype)
    assert_close(layer.backward(2.0), ref.softmax_with_loss_backward(y_ref, t_ref, 2.0), dtype)


def test_softmax_with_loss_bool_indices_are_classes_0_and_1(dtype, rng, assert_close):
    x, classes = _scores(rng, dtype, (N, 2)), _classes(rng, c=2)
    loss_ref, y_ref, t_ref = ref.softmax_with_loss_forward(x.astype(np.float64), classes)
    layer = SoftmaxWithLoss()
    assert_close(layer.forward(x, classes.astype(bool)), np.float64(loss_ref), dtype)
    assert_close(layer.backward(), ref.softmax_with_loss_backward(y_ref, t_ref), dtype)


@pytest.mark.parametrize("kind", [">i8", "u8", "i1"])
def test_softmax_with_loss_converted_labels_are_range_checked(kind, dtype, rng):
    x = _scores(rng, dtype)
    t = np.arange(N) % C
    t[3] = C
    layer = SoftmaxWithLoss()
    with pytest.raises(IndexError, match=rf"label {C} in row 3 is out of range"):
        layer.forward(x, t.astype(kind))
    assert layer.y is None and layer.t is None


# ---------------------------------------------------------------- cross_entropy_error

@pytest.mark.parametrize("form, kind", LABEL_CASES)
def test_cross_entropy_error_labels(form, kind, dtype, rng, assert_close):
    y = ref.softmax(rng.standard_normal((N, C))).astype(dtype)
    classes = _classes(rng)
    expected = ref.cross_entropy_error(y.astype(np.float64), classes)
    assert_close(functions.cross_entropy_error(y, _labels(form, kind, classes)), np.float64(expected), dtype)


@pytest.mark.parametrize("kind", [">i8", "u1", "list"])
def test_cross_entropy_error_of_one_sample_labels(kind, dtype, rng, assert_close):
    y = ref.softmax(rng.standard_normal(C)).astype(dtype)
    expected = ref.cross_entropy_error(y.astype(np.float64), np.array([2]))
    t = [2] if kind == "list" else np.array([2], kind)
    assert_close(functions.cross_entropy_error(y, t), np.float64(expected), dtype)


def test_cross_entropy_error_bool_indices(dtype, rng, assert_close):
    y = ref.softmax(rng.standard_normal((N, 2))).astype(dtype)
    classes = _classes(rng, c=2)
    expected = ref.cross_entropy_error(y.astype(np.float64), classes)
    assert_close(functions.cross_entropy_error(y, classes.astype(bool)), np.float64(expected), dtype)


# ---------------------------------------------------------------- SigmoidWithLoss

def _binary_reference(x, t, dout=1.0):
    """Loss = mean over the elements of x; dx = (sigmoid(x) - t) * dout / x.size."""
    x = np.array(x, np.float64)
    t = np.array(t, np.float64).reshape(x.shape)
    y = 1 / (1 + np.exp(-x))
    loss = -np.mean(np.log(np.where(t == 1, y, 1 - y) + 1e-7))
    return np.float64(loss), (y - t) * dout / x.size


BINARY_KINDS = INTEGER_LABELS + ["bool", "float16", "float32", "float64", ">f8", "list"]


@pytest.mark.parametrize("kind", BINARY_KINDS)
def test_sigmoid_with_loss_labels(kind, dtype, rng, assert_close):
    x = _scores(rng, dtype, (N,))
    bits = rng.integers(0, 2, N)
    t = bits.tolist() if kind == "list" else bits.astype(kind)
    loss_ref, dx_ref = _binary_reference(x, bits, 0.5)
    layer = SigmoidWithLoss()
    assert_close(layer.forward(x, t), loss_ref, dtype)
    assert_close(layer.backward(0.5), dx_ref, dtype)


def test_sigmoid_with_loss_matches_the_book_for_flat_inputs(dtype, rng, assert_close):
    """For x and t of shape (N,) the mean over elements is the book's loss."""
    x, bits = _scores(rng, dtype, (N,)), rng.integers(0, 2, N)
    loss_book, y = ref.sigmoid_with_loss_forward(x.astype(np.float64), bits)
    layer = SigmoidWithLoss()
    assert_close(layer.forward(x, bits), np.float64(loss_book), dtype)
    assert_close(layer.backward(), ref.sigmoid_with_loss_backward(y, bits), dtype)


@pytest.mark.parametrize("x_shape, t_shape", [((N, 1), (N, 1)), ((N, 1), (N,)), ((2, 3), (2, 3)), ((2, 3), (6,)),
                                              ((), ()), ((), (1,))])
@pytest.mark.parametrize("kind", ["int64", ">i4", "float32", "bool"])
def test_sigmoid_with_loss_takes_labels_in_x_shape_or_flat(x_shape, t_shape, kind, dtype, rng, assert_close):
    x = _scores(rng, dtype, x_shape)
    bits = rng.integers(0, 2, int(np.prod(t_shape, dtype=int))).reshape(t_shape)
    loss_ref, dx_ref = _binary_reference(x, bits)
    layer = SigmoidWithLoss()
    assert_close(layer.forward(x, bits.astype(kind)), loss_ref, dtype)
    dx = layer.backward()
    assert dx.shape == x_shape
    assert_close(dx, dx_ref, dtype)


@pytest.mark.parametrize("t", [[0, 1, 2], np.array([0.0, 1.0, 0.25]), np.array([0, 1, -1], ">i8")],
                         ids=["int-2", "float-0.25", "big-endian-minus-1"])
def test_sigmoid_with_loss_refuses_labels_other_than_0_and_1(t, dtype):
    layer = SigmoidWithLoss()
    with pytest.raises(IndexError, match=r"SigmoidWithLoss\.forward: label .* at index 2 is out of range; expected 0 or 1"):
        layer.forward(np.zeros(3, dtype), t)
    assert layer.y is None and layer.t is None
