"""Every kernel of fastnn.kernels, called directly, against tests/reference.py.

Output arguments are filled with NaN before the call, so a kernel that does not
write every element fails; kernels return nothing, so the result can only be
in the array that was passed.  The 2-D kernels that index by (i, j) are also
run on F-ordered, strided and read-only inputs; the flat elementwise kernels
take C-contiguous arrays by contract (the layers make sure) and are run on
C-ordered and read-only ones.  fast_exp has its own tests (test_fast_exp.py).
"""

import numpy as np
import pytest
import reference as ref
from fastnn.kernels import (
    activation,
    affine,
    blas,
    matmul,
    optimizers,
    repeat_sum,
    sigmoid_loss,
    softmax_loss,
)

# (N, D, H): products for the loop path with few output columns (four rows
# at a time, and a remainder row) and with many (outer products), and one
# large enough for BLAS.
GEMM_SHAPES = [(5, 4, 3), (7, 3, 9), (64, 48, 40)]
GEMM_IDS = ["loop-narrow", "loop-wide", "blas"]
ANY_LAYOUT = ["C", "F", "strided", "readonly"]
FLAT_LAYOUT = ["C", "readonly"]

def nan_out(shape, dtype):
    return np.full(shape, np.nan, dtype)


def check_written(out, before_id, expected, dtype, assert_close):
    """`out` is the very array passed (same object) and holds the expected values."""
    assert id(out) == before_id
    assert not np.isnan(out).any(), "the kernel left elements of its output unwritten"
    assert_close(out, np.asarray(expected, dtype), dtype)


# ---------------------------------------------------------------- matmul, affine

def test_the_shapes_cover_both_loop_orders_and_blas():
    assert [matmul.is_small(*shape) for shape in GEMM_SHAPES] == [True, True, False]
    assert GEMM_SHAPES[0][2] < 8 <= GEMM_SHAPES[1][2]


def test_a_large_product_marks_blas_threads_as_spinning(monkeypatch):
    monkeypatch.setattr(blas, "_last_product_end", [-np.inf])
    assert not blas.threads_are_spinning()
    matmul.matmul_forward(np.ones((5, 4)), np.ones((4, 3)), np.empty((5, 3)))  # loops: no BLAS
    assert not blas.threads_are_spinning()
    matmul.matmul_forward(np.ones((64, 48)), np.ones((48, 40)), np.empty((64, 40)))
    assert blas.threads_are_spinning()
    blas._last_product_end[0] -= 2 * blas.SPIN_SECONDS
    assert not blas.threads_are_spinning()


@pytest.mark.parametrize("product", ["x @ W", "dout @ W.T", "x @ strided W", "x.T @ dout"])
@pytest.mark.parametrize("n, d, h", [(300, 100, 40), (1, 100, 40), (300, 100, 1)],
                         ids=["gemm", "one row", "one column"])
def test_blas_products_have_the_bits_of_the_books_np_dot(product, n, d, h, dtype, rng):
    """blas.dot picks np.matmul or np.dot by speed; either must give np.dot's result
    exactly, also where numpy turns to gemv (one row or column) or copies (no unit stride)."""
    x = rng.standard_normal((n, d)).astype(dtype)
    W = rng.standard_normal((d, h)).astype(dtype)
    dout = rng.standard_normal((n, h)).astype(dtype)
    W_strided = np.repeat(W, 2, axis=1)[:, ::2]
    a, b = {"x @ W": (x, W), "dout @ W.T": (dout, W.T), "x @ strided W": (x, W_strided),
            "x.T @ dout": (x.T, dout)}[product]
    out = nan_out((a.shape[0], b.shape[1]), dtype)
    blas.dot(a, b, out)
    assert np.array_equal(out, np.dot(a, b))


@pytest.mark.parametrize("shape", GEMM_SHAPES, ids=GEMM_IDS)
@pytest.mark.parametrize("layout", ANY_LAYOUT)
def test_matmul_forward(shape, layout, dtype, rng, make_layout, assert_close):
    n, d, h = shape
    x = rng.standard_normal((n, d)).astype(dtype)
    W = rng.standard_normal((d, h)).astype(dtype)
    out = nan_out((n, h), dtype)
    before = id(out)
    matmul.matmul_forward(make_layout(x, layout), make_layout(W, layout), out)
    check_written(out, before, ref.matmul_forward(x, W), dtype, assert_close)


@pytest.mark.parametrize("shape", GEMM_SHAPES, ids=GEMM_IDS)
@pytest.mark.parametrize("layout", ANY_LAYOUT)
def test_matmul_backward(shape, layout, dtype, rng, make_layout, assert_close):
    n, d, h = shape
    x = rng.standard_normal((n, d)).astype(dtype)
    W = rng.standard_normal((d, h)).astype(dtype)
    dout = rng.standard_normal((n, h)).astype(dtype)
    dx, dW = nan_out((n, d), dtype), nan_out((d, h), dtype)
    ids = id(dx), id(dW)
    matmul.matmul_backward(make_layout(dout, layout), make_layout(x, layout), make_layout(W, layout), dx, dW)
    dx_ref, dW_ref = ref.matmul_backward(dout, x, W)
    check_written(dx, ids[0], dx_ref, dtype, assert_close)
    check_written(dW, ids[1], dW_ref, dtype, assert_close)


def test_gemm_with_empty_inner_dimension_writes_zeros(dtype):
    out = nan_out((3, 2), dtype)
    matmul._gemm_loop(np.zeros((3, 0), dtype), np.zeros((0, 2), dtype), out)
    assert np.array_equal(out, np.zeros((3, 2), dtype))


@pytest.mark.parametrize("shape", GEMM_SHAPES, ids=GEMM_IDS)
@pytest.mark.parametrize("layout", ANY_LAYOUT)
def test_affine_forward(shape, layout, dtype, rng, make_layout, assert_close):
    n, d, h = shape
    x = rng.standard_normal((n, d)).astype(dtype)
    W = rng.standard_normal((d, h)).astype(dtype)
    b = rng.standard_normal(h).astype(dtype)
    out = nan_out((n, h), dtype)
    before = id(out)
    affine.affine_forward(make_layout(x, layout), make_layout(W, layout), make_layout(b, layout), out)
    check_written(out, before, ref.affine_forward(x, W, b), dtype, assert_close)


@pytest.mark.parametrize("shape", GEMM_SHAPES, ids=GEMM_IDS)
@pytest.mark.parametrize("layout", ANY_LAYOUT)
def test_affine_backward(shape, layout, dtype, rng, make_layout, assert_close):
    n, d, h = shape
    x = rng.standard_normal((n, d)).astype(dtype)
    W = rng.standard_normal((d, h)).astype(dtype)
    dout = rng.standard_normal((n, h)).astype(dtype)
    dx, dW, db = nan_out((n, d), dtype), nan_out((d, h), dtype), nan_out(h, dtype)
    ids = id(dx), id(dW), id(db)
    affine.affine_backward(make_layout(dout, layout), make_layout(x, layout), make_layout(W, layout), dx, dW, db)
    expected = ref.affine_backward(dout, x, W)
    for got, before, want in zip((dx, dW, db), ids, expected):
        check_written(got, before, want, dtype, assert_close)


# ---------------------------------------------------------------- activations

@pytest.mark.parametrize("layout", FLAT_LAYOUT)
@pytest.mark.parametrize("shape", [(7,), (6, 5), (2, 3, 4)])
def test_sigmoid_forward_backward(shape, layout, dtype, rng, make_layout, assert_close):
    x = (3 * rng.standard_normal(shape)).astype(dtype)
    dout = rng.standard_normal(shape).astype(dtype)
    y = nan_out(shape, dtype)
    before = id(y)
    activation.sigmoid_forward(make_layout(x, layout), y)
    check_written(y, before, ref.sigmoid(x), dtype, assert_close)

    dx = nan_out(shape, dtype)
    before = id(dx)
    activation.sigmoid_backward(make_layout(dout, layout), make_layout(y, layout), dx)
    check_written(dx, before, ref.sigmoid_backward(dout, y), dtype, assert_close)


def test_sigmoid_forward_saturates_without_nan(dtype):
    x = np.array([-1e4, -100.0, 0.0, 100.0, 1e4], dtype)
    y = nan_out(x.shape, dtype)
    activation.sigmoid_forward(x, y)
    assert np.array_equal(y, np.array([0, ref.sigmoid(x[1]), 0.5, 1, 1], dtype))


# ---------------------------------------------------------------- repeat and sum

@pytest.mark.parametrize("layout", ANY_LAYOUT)
@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("shape,n", [((1, 8), 7), ((3, 4), 2), ((2, 5), 1)])
def test_repeat_2d_and_its_adjoint(shape, n, axis, layout, dtype, rng, make_layout, assert_close):
    x = rng.standard_normal(shape).astype(dtype)
    out_shape = list(shape)
    out_shape[axis] *= n
    out = nan_out(out_shape, dtype)
    before = id(out)
    repeat_sum.repeat_2d(make_layout(x, layout), n, axis, out)
    check_written(out, before, ref.repeat_forward(x, n, axis), dtype, assert_close)

    dy = rng.standard_normal(out_shape).astype(dtype)
    dx = nan_out(shape, dtype)
    before = id(dx)
    repeat_sum.sum_runs_2d(make_layout(dy, layout), n, axis, dx)
    check_written(dx, before, ref.repeat_backward(dy, n, axis), dtype, assert_close)


@pytest.mark.parametrize("layout", ANY_LAYOUT)
@pytest.mark.parametrize("axis", [0, 1])
def test_sum_runs_2d_as_the_sum_node(axis, layout, dtype, rng, make_layout, assert_close):
    x = rng.standard_normal((7, 8)).astype(dtype)
    out_shape = (1, 8) if axis == 0 else (7, 1)
    out = nan_out(out_shape, dtype)
    before = id(out)
    repeat_sum.sum_runs_2d(make_layout(x, layout), x.shape[axis], axis, out)
    check_written(out, before, ref.sum_forward(x, axis), dtype, assert_close)

    dy = rng.standard_normal(out_shape).astype(dtype)
    dx = nan_out(x.shape, dtype)
    before = id(dx)
    repeat_sum.repeat_2d(make_layout(dy, layout), x.shape[axis], axis, dx)
    check_written(dx, before, ref.sum_backward(dy, x.shape[axis], axis), dtype, assert_close)


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


# ---------------------------------------------------------------- optimizer updates

STEPS = 4


def _opt_case(rng, dtype, shape=(5, 3)):
    param = rng.standard_normal(shape).astype(dtype)
    grads = [rng.standard_normal(shape).astype(dtype) for _ in range(STEPS)]
    return param, grads


@pytest.mark.parametrize(
    "name,n_state,hyper",
    [
        ("sgd", 0, {"lr": 0.1}),
        ("momentum", 1, {"lr": 0.1, "momentum": 0.9}),
        ("nesterov", 1, {"lr": 0.1, "momentum": 0.8}),
        ("adagrad", 1, {"lr": 0.1}),
        ("rmsprop", 1, {"lr": 0.1, "decay_rate": 0.95}),
    ],
)
def test_update_kernels(name, n_state, hyper, dtype, rng, assert_close):
    kernel = getattr(optimizers, f"{name}_update")
    oracle = getattr(ref, name)
    param, grads = _opt_case(rng, dtype)
    expected = param.copy()
    state = [np.zeros_like(param) for _ in range(n_state)]
    state_ref = [np.zeros_like(param) for _ in range(n_state)]
    param_id = id(param)
    for g in grads:
        kernel(param, g, *state, *hyper.values())
        oracle([expected], [g], *[[s] for s in state_ref], **hyper)
        assert id(param) == param_id
        assert_close(param, expected, dtype)
        for s, s_ref in zip(state, state_ref):
            assert_close(s, s_ref, dtype)
    assert not np.array_equal(param, _opt_case(np.random.default_rng(0), dtype)[0])


def test_adam_update_kernel_with_bias_correction(dtype, rng, assert_close):
    lr, beta1, beta2 = 0.01, 0.9, 0.999
    param, grads = _opt_case(rng, dtype)
    expected = param.copy()
    m, v = np.zeros_like(param), np.zeros_like(param)
    m_ref, v_ref = np.zeros_like(param), np.zeros_like(param)
    for it, g in enumerate(grads, start=1):
        lr_t = lr * np.sqrt(1.0 - beta2**it) / (1.0 - beta1**it)
        optimizers.adam_update(param, g, m, v, lr_t, beta1, beta2)
        ref.adam([expected], [g], [m_ref], [v_ref], it, lr, beta1, beta2)
        assert_close(param, expected, dtype)
        assert_close(m, m_ref, dtype)
        assert_close(v, v_ref, dtype)
