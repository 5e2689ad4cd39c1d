"""Embedding (gather, scatter-add) and its kernels against numpy's W[idx] and np.add.at."""

import numpy as np
import pytest
from fastnn.kernels import embedding as kernels

from fastnn.nn.embedding import Embedding

DTYPES = [np.float32, np.float64]
INDEX_PATTERNS = {
    "distinct": lambda rng, V, n: rng.permutation(V)[:n],
    "repeated": lambda rng, V, n: rng.integers(0, 3, n),
    "all_same": lambda rng, V, n: np.full(n, V - 1),
    "random": lambda rng, V, n: rng.integers(0, V, n),
    "sorted": lambda rng, V, n: np.sort(rng.integers(0, V, n)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("pattern", sorted(INDEX_PATTERNS))
@pytest.mark.parametrize("idx_dtype", [np.int32, np.int64, np.uint16])
def test_forward_and_backward_equal_numpy(dtype, pattern, idx_dtype):
    rng = np.random.default_rng(0)
    V, H, n = 20, 7, 15
    W = rng.standard_normal((V, H)).astype(dtype)
    idx = INDEX_PATTERNS[pattern](rng, V, n).astype(idx_dtype)
    layer = Embedding(W)
    dW = layer.grads[0]
    dW[...] = 5  # stale values the backward must overwrite
    out = layer.forward(idx)
    assert out.dtype == dtype
    np.testing.assert_array_equal(out, W[idx])
    dout = rng.standard_normal((n, H)).astype(dtype)
    assert layer.backward(dout) is None
    expected = np.zeros((V, H), dtype)
    np.add.at(expected, idx.astype(np.int64), dout)
    assert layer.grads[0] is dW
    np.testing.assert_array_equal(dW, expected)  # same order of additions: the same bits


def test_ids_of_any_shape_and_empty():
    W = np.arange(12.0).reshape(4, 3)
    layer = Embedding(W)
    idx = np.array([[0, 3], [3, 1]])
    np.testing.assert_array_equal(layer.forward(idx), W[idx])
    layer.backward(np.ones((2, 2, 3)))
    np.testing.assert_array_equal(layer.grads[0][:, 0], [1, 1, 0, 2])
    assert layer.forward(np.array([], dtype=np.int64)).shape == (0, 3)
    layer.backward(np.zeros((0, 3)))
    assert not layer.grads[0].any()
    np.testing.assert_array_equal(layer.forward(2), W[2])


def test_numerical_gradient_float64():
    rng = np.random.default_rng(1)
    W = rng.standard_normal((6, 4))
    idx = np.array([1, 4, 1, 0, 1])
    R = rng.standard_normal((5, 4))
    layer = Embedding(W)

    def loss():
        return float(np.sum(layer.forward(idx) * R))

    loss()
    layer.backward(R)
    numeric = np.zeros_like(W)
    eps = 1e-6
    for i in np.ndindex(W.shape):
        keep = W[i]
        W[i] = keep + eps
        up = loss()
        W[i] = keep - eps
        down = loss()
        W[i] = keep
        numeric[i] = (up - down) / (2 * eps)
    np.testing.assert_allclose(layer.grads[0], numeric, rtol=1e-7, atol=1e-8)


BAD_INPUTS = [
    ("forward", np.array([0, 6]), IndexError, r"Embedding.forward: idx\[1\] is 6; expected word ids in \[0, 6\)"),
    ("forward", np.array([[0, 1], [-1, 2]]), IndexError, r"idx\[1, 0\] is -1"),
    ("forward", np.array([0, 2**40]), IndexError, r"is 1099511627776"),
    ("forward", np.array([3, 2**63 + 5], dtype=np.uint64), IndexError, r"idx\[1\] is 9223372036854775813"),
    ("forward", np.array([0.0, 1.0]), TypeError, "dtype float64; expected integer word ids"),
    ("forward", np.array([True, False]), TypeError, "dtype bool; expected integer word ids"),
    ("forward", None, TypeError, "idx is None"),
    ("backward", np.ones((3, 4)), ValueError, r"dout has shape \(3, 4\); expected \(2, 4\)"),
    ("backward", np.ones((2, 4), dtype=complex), TypeError, "dout has dtype complex128"),
]


@pytest.mark.parametrize("method, arg, error, message", BAD_INPUTS)
def test_bad_inputs_raise_and_change_nothing(method, arg, error, message):
    W = np.random.default_rng(2).standard_normal((6, 4))
    layer = Embedding(W)
    layer.forward(np.array([1, 2]))
    layer.backward(np.ones((2, 4)))
    saved = (W.copy(), layer.grads[0].copy(), layer.idx)
    with pytest.raises(error, match=message):
        getattr(layer, method)(arg)
    np.testing.assert_array_equal(W, saved[0])
    np.testing.assert_array_equal(layer.grads[0], saved[1])
    assert layer.idx is saved[2]


def test_backward_before_forward_and_bad_weights():
    with pytest.raises(ValueError, match="backward called before forward"):
        Embedding(np.zeros((3, 2))).backward(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="expected a 2-D numpy array"):
        Embedding(np.zeros(3)).forward(np.array([0]))
    with pytest.raises(TypeError, match="dtype int64; expected float32 or float64"):
        Embedding(np.zeros((3, 2), dtype=np.int64)).forward(np.array([0]))


@pytest.mark.parametrize("seed", range(20))
def test_kernels_never_touch_memory_for_bad_ids(seed):
    """Fuzz: any id outside [0, V) makes every kernel return its position and write nothing."""
    rng = np.random.default_rng(seed)
    V, H, n = int(rng.integers(1, 9)), int(rng.integers(1, 5)), int(rng.integers(1, 12))
    idx = rng.integers(0, V, n)
    bad_at = int(rng.integers(0, n))
    idx[bad_at] = rng.choice([-1, V, V + 1000, -(2**62), 2**62])
    W = rng.standard_normal((V, H))
    out = np.full((n, H), 7.0)
    dW = np.full((V, H), 7.0)
    assert kernels.embedding_forward(W, idx, out) == bad_at
    assert kernels.embedding_backward(out, idx, dW) == bad_at
    assert kernels.scatter_add(out, idx, dW) == bad_at
    ctx = idx.reshape(n, 1)
    assert kernels.embedding_mean_forward(W, ctx, out) == bad_at
    assert kernels.embedding_mean_backward(out, ctx, dW) == bad_at
    rows = np.full((n, 1, H), 7.0)
    scores = np.full((n, 1), 7.0)
    assert kernels.embedding_dot_forward(W, ctx, out, rows, scores) == bad_at
    dh = np.full((n, H), 7.0)
    assert kernels.embedding_dot_backward(scores, out, rows, ctx, dW, dh) == bad_at
    assert np.all(out == 7) and np.all(dW == 7) and np.all(rows == 7) and np.all(scores == 7) and np.all(dh == 7)


def test_kernels_reject_mismatched_shapes():
    W = np.zeros((4, 3))
    with pytest.raises(ValueError, match=r"embedding_forward: out has shape \(3, 3\); expected \(2, 3\)"):
        kernels.embedding_forward(W, np.array([0, 1]), np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"embedding_backward: dout has shape \(2, 2\); expected \(2, 3\)"):
        kernels.embedding_backward(np.zeros((2, 2)), np.array([0, 1]), W)
    with pytest.raises(ValueError, match=r"embedding_dot_forward: rows has shape \(2, 1, 2\); expected \(2, 1, 3\)"):
        kernels.embedding_dot_forward(W, np.zeros((2, 1), np.int64), np.zeros((2, 3)), np.zeros((2, 1, 2)), np.zeros((2, 1)))


@pytest.mark.parametrize("layout", ["F", "strided"])
def test_grads_of_another_layout_are_written_in_place(layout):
    W = np.asfortranarray(np.random.default_rng(4).standard_normal((5, 3)))
    layer = Embedding(W)
    if layout == "strided":
        layer.grads[0] = np.zeros((10, 6))[::2, ::2]
    dW = layer.grads[0]
    idx = np.array([4, 0, 4])
    np.testing.assert_array_equal(layer.forward(idx), W[idx])
    dout = np.ones((3, 3))
    layer.backward(dout)
    expected = np.zeros((5, 3))
    np.add.at(expected, idx, dout)
    assert layer.grads[0] is dW
    np.testing.assert_array_equal(dW, expected)


def test_replaced_weights_or_grads_of_the_wrong_shape_are_refused():
    layer = Embedding(np.zeros((5, 3)))
    layer.forward(np.array([4, 1]))
    layer.grads[0] = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"grads\[0\] has shape \(2, 3\); expected \(5, 3\)"):
        layer.backward(np.ones((2, 3)))
    layer.params[0] = np.zeros((3, 3))  # smaller W after forward: id 4 no longer fits
    layer.grads[0] = np.zeros((3, 3))
    with pytest.raises(IndexError, match=r"idx\[0\] is 4; expected word ids in \[0, 3\)"):
        layer.backward(np.ones((2, 3)))
    assert not layer.grads[0].any()
