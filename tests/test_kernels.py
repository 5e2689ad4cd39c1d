"""The matrix-product, activation and repeat/sum kernels, called directly, against tests/reference.py.

Output arguments are filled with NaN before the call, so a kernel that does not
write every element fails (kernel_outputs.py).  The 2-D kernels that index by
(i, j) are also run on F-ordered, strided and read-only inputs; the flat
elementwise kernels take C-contiguous arrays by contract (the layers make sure)
and are run on C-ordered and read-only ones.  fast_exp has its own tests
(test_fast_exp.py); softmax and the losses are in test_loss_kernels.py, the
optimizers' updates in test_update_kernels.py.
"""

import numpy as np
import pytest
import reference as ref
from fastnn.kernels import (
    activation,
    affine,
    blas,
    matmul,
    repeat_sum,
)
from kernel_outputs import (
    ANY_LAYOUT,
    FLAT_LAYOUT,
    GEMM_IDS,
    GEMM_SHAPES,
    check_written,
    nan_out,
)

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
