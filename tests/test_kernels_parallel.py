"""Every ``*_parallel`` kernel, called directly, against tests/reference.py.

The parallel kernels cut their work into blocks (kernels/_config.py's
BLOCK_ELEMENTS, or bands of rows or columns sized from it); the sizes here
cross several block boundaries and end in a partial block (3 blocks + 5), with
rows of odd widths, so a block that starts or ends one element off, or a last
block that is dropped, fails.  (Kept beside test_kernels.py, which holds the
serial kernels, to keep each file readable.)
"""

import numpy as np
import pytest
import reference as ref
from fastnn.kernels import activation, optimizers, repeat_sum, softmax_loss
from fastnn.kernels._config import BLOCK_ELEMENTS as BLOCK
from fastnn.kernels.repeat_sum import BAND_COLUMNS

WIDTH = 7  # odd: bands of rows are BLOCK // WIDTH rows, not a power of two
ROWS = 3 * (BLOCK // WIDTH) + 5  # three bands of rows and a partial one
FLAT_SHAPES = [(3 * BLOCK + 5,), (WIDTH, (3 * BLOCK + 5) // WIDTH + 1)]


def nan_out(shape, dtype):
    return np.full(shape, np.nan, dtype)


def filled(out, expected, dtype, assert_close):
    assert not np.isnan(out).any(), "the kernel left elements of its output unwritten"
    assert_close(out, np.asarray(expected, dtype), dtype)


def test_the_sizes_cross_block_boundaries():
    assert all(np.prod(s) > 3 * BLOCK and np.prod(s) % BLOCK for s in FLAT_SHAPES)
    assert ROWS > 3 * (BLOCK // WIDTH) and ROWS % (BLOCK // WIDTH)


@pytest.mark.parametrize("shape", FLAT_SHAPES, ids=["flat", "rows"])
def test_sigmoid_parallel(shape, dtype, rng, assert_close):
    x = (3 * rng.standard_normal(shape)).astype(dtype)
    y = nan_out(shape, dtype)
    activation.sigmoid_forward_parallel(x, y)
    filled(y, ref.sigmoid(x), dtype, assert_close)
    dout = rng.standard_normal(shape).astype(dtype)
    dx = nan_out(shape, dtype)
    activation.sigmoid_backward_parallel(dout, y, dx)
    filled(dx, ref.sigmoid_backward(dout, y), dtype, assert_close)


def test_softmax_parallel(dtype, rng, assert_close):
    x = (4 * rng.standard_normal((ROWS, WIDTH))).astype(dtype)
    y = nan_out(x.shape, dtype)
    softmax_loss.softmax_forward_parallel(x, y)
    filled(y, ref.softmax(x), dtype, assert_close)
    dout = rng.standard_normal(x.shape).astype(dtype)
    dx = nan_out(x.shape, dtype)
    softmax_loss.softmax_backward_parallel(y, dout, dx)
    filled(dx, ref.softmax_backward(dout, y), dtype, assert_close)


@pytest.mark.parametrize("one_hot", [False, True], ids=["index", "onehot"])
def test_softmax_cross_entropy_parallel(one_hot, dtype, rng, assert_close):
    x = (2 * rng.standard_normal((ROWS, WIDTH))).astype(dtype)
    idx = rng.integers(0, WIDTH, ROWS)
    t = np.eye(WIDTH, dtype=np.int32)[idx] if one_hot else idx
    y = nan_out(x.shape, dtype)
    loss, bad = softmax_loss.softmax_cross_entropy_forward_parallel(x, t, y)
    loss_ref, y_ref, _ = ref.softmax_with_loss_forward(x, idx)
    assert bad == -1
    filled(y, y_ref, dtype, assert_close)
    assert_close(np.asarray(loss, dtype), loss_ref, dtype)
    dx = nan_out(x.shape, dtype)
    softmax_loss.softmax_cross_entropy_backward_parallel(y, t, 0.5, dx, ROWS)
    filled(dx, ref.softmax_with_loss_backward(y, idx, 0.5), dtype, assert_close)


def test_softmax_cross_entropy_parallel_names_a_bad_label_in_a_later_band(dtype):
    x = np.zeros((ROWS, WIDTH), dtype)
    t = np.zeros(ROWS, np.int64)
    t[ROWS - 2] = WIDTH  # in the last, partial band
    loss, bad = softmax_loss.softmax_cross_entropy_forward_parallel(x, t, nan_out(x.shape, dtype))
    assert bad == ROWS - 2 and np.isnan(loss)


# (x's shape, n, axis): Repeat's bands of whole output rows (axis 0) or of
# input rows (axis 1), and the Sum node's three ways: partial sums over bands
# of rows (one run of all rows), bands of BAND_COLUMNS columns, bands of rows.
REPEATS = [((BLOCK // 9 + 5, 9), 3, 0), ((3 * (BLOCK // 27) + 5, 9), 3, 1)]
SUMS = [((3 * (BLOCK // 9) + 5, 9), 3 * (BLOCK // 9) + 5, 0),
        ((6, 3 * BAND_COLUMNS + 5), 2, 0),
        ((3 * (BLOCK // 27) + 5, 27), 3, 1)]


@pytest.mark.parametrize("shape,n,axis", REPEATS, ids=["axis0", "axis1"])
def test_repeat_2d_parallel_and_its_adjoint(shape, n, axis, dtype, rng, assert_close):
    x = rng.standard_normal(shape).astype(dtype)
    long = list(shape)
    long[axis] *= n
    out = nan_out(long, dtype)
    repeat_sum.repeat_2d_parallel(x, n, axis, out)
    filled(out, ref.repeat_forward(x, n, axis), dtype, assert_close)
    dy = rng.standard_normal(long).astype(dtype)
    dx = nan_out(shape, dtype)
    repeat_sum.sum_runs_2d_parallel(dy, n, axis, dx)
    filled(dx, ref.repeat_backward(dy, n, axis), dtype, assert_close)


@pytest.mark.parametrize("shape,n,axis", SUMS, ids=["one-run", "column-bands", "row-bands"])
def test_sum_runs_2d_parallel(shape, n, axis, dtype, rng, assert_close):
    x = rng.standard_normal(shape).astype(dtype)
    short = list(shape)
    short[axis] //= n
    out = nan_out(short, dtype)
    repeat_sum.sum_runs_2d_parallel(x, n, axis, out)
    filled(out, ref.repeat_backward(x, n, axis), dtype, assert_close)


OPTIMIZERS = [("sgd", 0, {"lr": 0.1}), ("momentum", 1, {"lr": 0.1, "momentum": 0.9}),
              ("nesterov", 1, {"lr": 0.1, "momentum": 0.8}), ("adagrad", 1, {"lr": 0.1}),
              ("rmsprop", 1, {"lr": 0.1, "decay_rate": 0.95})]


@pytest.mark.parametrize("shape", FLAT_SHAPES, ids=["flat", "rows"])
@pytest.mark.parametrize("name,n_state,hyper", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_update_parallel(name, n_state, hyper, shape, dtype, rng, assert_close):
    kernel = getattr(optimizers, f"{name}_update_parallel")
    param = rng.standard_normal(shape).astype(dtype)
    expected = param.copy()  # the reference updates its own copy, never the array under test
    state = [np.zeros(shape, dtype) for _ in range(n_state)]
    state_ref = [np.zeros(shape, dtype) for _ in range(n_state)]
    for _ in range(2):
        g = rng.standard_normal(shape).astype(dtype)
        kernel(param, g, *state, *hyper.values())
        getattr(ref, name)([expected], [g], *[[s] for s in state_ref], **hyper)
    assert not np.shares_memory(param, expected)
    assert_close(param, expected, dtype)
    for s, s_ref in zip(state, state_ref):
        assert_close(s, s_ref, dtype)


@pytest.mark.parametrize("shape", FLAT_SHAPES, ids=["flat", "rows"])
def test_adam_update_parallel(shape, dtype, rng, assert_close):
    lr, beta1, beta2 = 0.01, 0.9, 0.999
    param = rng.standard_normal(shape).astype(dtype)
    expected = param.copy()
    m, v = np.zeros(shape, dtype), np.zeros(shape, dtype)
    m_ref, v_ref = np.zeros(shape, dtype), np.zeros(shape, dtype)
    for it in (1, 2):
        g = rng.standard_normal(shape).astype(dtype)
        lr_t = lr * np.sqrt(1.0 - beta2**it) / (1.0 - beta1**it)
        optimizers.adam_update_parallel(param, g, m, v, lr_t, beta1, beta2)
        ref.adam([expected], [g], [m_ref], [v_ref], it, lr, beta1, beta2)
    assert_close(param, expected, dtype)
    assert_close(m, m_ref, dtype)
    assert_close(v, v_ref, dtype)
