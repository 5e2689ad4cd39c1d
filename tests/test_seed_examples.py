"""The examples of the chapter-1 seed notes: the Repeat node and the Sum node.

Repeat copies a (1, D) row N times, as np.repeat(x, N, axis=0); its backward
sums dy over that axis with keepdims, giving back (1, D).  Sum adds the rows of
an (N, D) array into (1, D), as np.sum(x, axis=0, keepdims=True); its backward
copies dy to every row.  Without keepdims numpy would give (D,) instead.
"""

import numpy as np
import pytest

from fastnn.layers import Repeat, Sum

D, N = 8, 7


def test_repeat_of_one_row_seven_times(dtype, rng):
    x = rng.standard_normal((1, D)).astype(dtype)
    x0 = x.copy()  # the expected values come from a copy fastnn never sees
    layer = Repeat(N, axis=0)
    y = layer.forward(x)
    assert y.shape == (N, D) and y.dtype == dtype
    for row in y:
        assert np.array_equal(row, x0[0])
    assert np.array_equal(y, np.repeat(x0, N, axis=0))


def test_repeat_backward_is_the_column_sums(dtype, rng, assert_close):
    x = rng.standard_normal((1, D)).astype(dtype)
    dy = rng.standard_normal((N, D)).astype(dtype)
    expected = np.sum(dy, axis=0, keepdims=True)  # before fastnn sees dy
    layer = Repeat(N, axis=0)
    layer.forward(x)
    dx = layer.backward(dy)
    assert dx.shape == (1, D) and dx.dtype == dtype
    assert_close(dx, expected)


def test_sum_of_seven_rows(dtype, rng, assert_close):
    x = rng.standard_normal((N, D)).astype(dtype)
    expected = np.sum(x, axis=0, keepdims=True)
    layer = Sum(axis=0)
    y = layer.forward(x)
    assert y.shape == (1, D) and y.dtype == dtype
    assert_close(y, expected)


def test_sum_backward_copies_dy_to_every_row(dtype, rng):
    x = rng.standard_normal((N, D)).astype(dtype)
    dy = rng.standard_normal((1, D)).astype(dtype)
    dy0 = dy.copy()
    layer = Sum(axis=0)
    layer.forward(x)
    dx = layer.backward(dy)
    assert dx.shape == (N, D) and dx.dtype == dtype
    for row in dx:
        assert np.array_equal(row, dy0[0])


def test_keepdims_shapes():
    """The nodes keep the summed axis (keepdims=True); plain np.sum drops it."""
    x = np.arange(N * D, dtype=np.float64).reshape(N, D)
    assert np.sum(x, axis=0).shape == (D,)
    assert np.sum(x, axis=0, keepdims=True).shape == (1, D)
    assert Sum(axis=0).forward(x).shape == (1, D)
    assert Sum(axis=1).forward(x).shape == (N, 1)
    repeat = Repeat(N, axis=0)
    repeat.forward(x[:1])
    assert repeat.backward(x).shape == (1, D)
    # The (1, D) result broadcasts back against x; a (D,) one does too, but a
    # (N, 1) row-sum only broadcasts because the axis was kept.
    assert (x - Sum(axis=1).forward(x)).shape == (N, D)
    with pytest.raises(ValueError):
        x - np.sum(x, axis=1)


def test_repeat_and_sum_are_adjoint(rng):
    """<Repeat(x), dy> == <x, Repeat.backward(dy)>, and the same for Sum."""
    # The inner products take copies of x and dy made before the layer sees them:
    # a layer that scaled its input in place would otherwise scale both sides alike.
    x = rng.standard_normal((1, D))
    dy = rng.standard_normal((N, D))
    x0, dy0 = x.copy(), dy.copy()
    repeat = Repeat(N, axis=0)
    lhs = np.sum(repeat.forward(x) * dy0)
    rhs = np.sum(x0 * repeat.backward(dy))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12)

    x = rng.standard_normal((N, D))
    dy = rng.standard_normal((1, D))
    x0, dy0 = x.copy(), dy.copy()
    total = Sum(axis=0)
    lhs = np.sum(total.forward(x) * dy0)
    rhs = np.sum(x0 * total.backward(dy))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12)
