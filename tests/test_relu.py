"""fastnn.functions.relu: the book's np.maximum(0, x), for every shape and dtype.

The oracle is written another way (np.where(x > 0, x, 0) on a float64 copy);
the dtype is numpy's, as in the book: floats keep theirs, integers stay
integers, bools become numpy's default integer.
"""

import numpy as np
import pytest

from fastnn.functions import relu


def _expected(x):
    a = np.array(x, np.float64)
    return np.where(a > 0, a, 0.0)


@pytest.mark.parametrize("shape", [(), (0,), (7,), (3, 5), (2, 3, 4)])
def test_relu_of_floats(shape, dtype, layout, rng, make_layout):
    x = (3 * rng.standard_normal(shape)).astype(dtype)
    laid = make_layout(x, layout) if x.ndim else x
    before = np.array(laid, copy=True)
    y = relu(laid)
    assert y.dtype == dtype and y.shape == shape
    np.testing.assert_array_equal(y, _expected(x))
    np.testing.assert_array_equal(laid, before)  # the input is left as it was
    if x.size:
        assert not np.shares_memory(y, laid)


@pytest.mark.parametrize("kind, out_dtype", [
    ("float16", np.float16), (">f4", np.float32), (">f8", np.float64), ("int8", np.int8), ("int32", np.int32),
    ("int64", np.int64), (">i8", np.int64), ("uint16", np.uint16),
])
def test_relu_keeps_numpys_dtype(kind, out_dtype, rng):
    x = np.rint(4 * rng.standard_normal(20)).astype(kind)
    y = relu(x)
    assert y.dtype == np.dtype(out_dtype)
    np.testing.assert_array_equal(y.astype(np.float64), _expected(x))


def test_relu_of_bools_lists_and_scalars():
    assert relu(np.array([True, False])).tolist() == [1, 0]
    y = relu([[-1.5, 2.0], [0.0, -3.0]])
    assert y.dtype == np.float64 and y.tolist() == [[0.0, 2.0], [0.0, 0.0]]
    assert relu(-2.5) == 0.0 and relu(3) == 3
    assert relu(np.float32(-1)).dtype == np.float32


def test_relu_keeps_nan_and_infinities():
    y = relu(np.array([np.nan, -np.inf, np.inf, -0.0, 1e-300]))
    assert np.isnan(y[0]) and y[1] == 0.0 and y[2] == np.inf and y[3] == 0.0 and y[4] == 1e-300


@pytest.mark.parametrize("x, found", [(np.ones(3, np.complex128), "complex128"), (np.full(2, "a"), "<U1"),
                                      (np.array([1, None]), "object")])
def test_relu_refuses_what_has_no_order(x, found):
    with pytest.raises(TypeError, match=rf"relu: x has dtype {found}; expected real numbers"):
        relu(x)
    with pytest.raises(TypeError, match=r"relu: x is None; expected an array"):
        relu(None)
