"""The contract user code relies on.

- ``layer.params`` holds the very arrays passed in.
- ``layer.grads`` arrays are allocated once; every backward writes into them in
  place, so a model that collected ``self.grads += layer.grads`` at
  construction sees every update.
- Optimizers update the params arrays in place.
- TwoLayerNet's params and grads are its layers' arrays.
- Trainer.fit merges shared weights as the book's remove_duplicate does (the
  same array twice, or a transposed tied weight), summing their grads, and
  clips gradients with max_grad as the book's clip_grads does.
"""

import numpy as np
import pytest
import reference as ref

from fastnn.layers import Affine, MatMul, Sigmoid, SoftmaxWithLoss
from fastnn.models import TwoLayerNet
from fastnn.optimizer import SGD, Adam
from fastnn.trainer import Trainer, remove_duplicate
from fastnn.util import clip_grads


class BookStyleNet:
    """A model written the way the book writes them: grads collected once at construction."""

    def __init__(self, W1, b1, W2):
        self.layers = [Affine(W1, b1), Sigmoid(), MatMul(W2)]
        self.loss_layer = SoftmaxWithLoss()
        self.params, self.grads = [], []
        for layer in self.layers:
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, x, t):
        for layer in self.layers:
            x = layer.forward(x)
        return self.loss_layer.forward(x, t)

    def backward(self, dout=1):
        dout = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout


def _book_style_net(rng, dtype, layout="C", make_layout=None):
    W1 = rng.standard_normal((2, 4)).astype(dtype)
    b1 = rng.standard_normal(4).astype(dtype)
    W2 = rng.standard_normal((4, 3)).astype(dtype)
    if make_layout is not None:
        W1, b1, W2 = (make_layout(a, layout) for a in (W1, b1, W2))
    return BookStyleNet(W1, b1, W2), [W1, b1, W2]


def _reference_grads(params, x, t):
    """dW1, db1, dW2 of the BookStyleNet by the plain-numpy reference."""
    W1, b1, W2 = (np.asarray(p) for p in params)
    h = ref.sigmoid(ref.affine_forward(x, W1, b1))
    score = ref.matmul_forward(h, W2)
    _, y, t_idx = ref.softmax_with_loss_forward(score, t)
    dscore = ref.softmax_with_loss_backward(y, t_idx)
    dh, dW2 = ref.matmul_backward(dscore, h, W2)
    _, dW1, db1 = ref.affine_backward(ref.sigmoid_backward(dh, h), x, W1)
    return [dW1, db1, dW2]


def test_params_are_the_arrays_passed_in(rng):
    W, b = rng.standard_normal((3, 2)), rng.standard_normal(2)
    affine, matmul = Affine(W, b), MatMul(W)
    assert affine.params[0] is W and affine.params[1] is b and matmul.params[0] is W
    affine.forward(rng.standard_normal((5, 3)))
    affine.backward(rng.standard_normal((5, 2)))
    assert affine.params[0] is W and affine.params[1] is b


# F-ordered and strided params take the wrappers' copy-in path: the grads must
# still be the same objects afterwards.
@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_model_grads_see_every_backward(layout, dtype, rng, make_layout, assert_close):
    model, params = _book_style_net(rng, dtype, layout, make_layout)
    grads = list(model.grads)
    layer_grads = model.layers[0].grads + model.layers[2].grads
    assert all(g is lg for g, lg in zip(grads, layer_grads))
    assert all(not g.any() for g in grads)
    previous = None
    for _step in range(3):
        x = rng.standard_normal((5, 2)).astype(dtype)
        t = rng.integers(0, 3, 5)
        model.forward(x, t)
        model.backward()
        assert all(g is mg for g, mg in zip(grads, model.grads))
        assert all(g is lg for g, lg in zip(grads, model.layers[0].grads + model.layers[2].grads))
        for g, p, e in zip(grads, params, _reference_grads(params, x.astype(np.float64), t)):
            assert g.dtype == p.dtype and g.shape == p.shape
            assert_close(g, e.astype(dtype), dtype, scale=max(1.0, float(np.abs(e).max())))
        current = [g.copy() for g in grads]
        if previous is not None:
            assert all(not np.array_equal(c, p) for c, p in zip(current, previous))
        previous = current


def test_grads_keep_their_arrays_when_the_input_dtype_differs(rng, assert_close):
    """float64 x through float32 weights: the float64 grads are stored into the float32 arrays."""
    W, b = rng.standard_normal((3, 2)).astype(np.float32), np.zeros(2, np.float32)
    layer = Affine(W, b)
    dW, db = layer.grads
    x, dout = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    layer.forward(x)
    layer.backward(dout)
    assert layer.grads[0] is dW and layer.grads[1] is db
    assert dW.dtype == np.float32 and db.dtype == np.float32
    _, dW_ref, db_ref = ref.affine_backward(dout, x, W.astype(np.float64))
    assert_close(dW, dW_ref.astype(np.float32))
    assert_close(db, db_ref.astype(np.float32))


@pytest.mark.parametrize("opt", [SGD(lr=0.5), Adam(lr=0.01)], ids=["SGD", "Adam"])
def test_optimizer_updates_the_layers_params_in_place(opt, rng):
    model, params = _book_style_net(rng, np.float64)
    before = [p.copy() for p in params]
    x, t = rng.standard_normal((5, 2)), rng.integers(0, 3, 5)
    loss0 = model.forward(x, t)
    for _ in range(3):
        model.forward(x, t)
        model.backward()
        opt.update(model.params, model.grads)
    assert all(p is q for p, q in zip(model.params, params))
    assert model.layers[0].params[0] is params[0] and model.layers[2].params[0] is params[2]
    assert all(not np.array_equal(p, b) for p, b in zip(params, before))
    # The layers compute with the updated arrays: the loss went down.
    assert model.forward(x, t) < loss0


def test_two_layer_net_params_are_its_layers_arrays(dtype):
    np.random.seed(3)
    model = TwoLayerNet(2, 5, 3, dtype=dtype)
    affine1, _, affine2 = model.layers
    expected_params = affine1.params + affine2.params
    expected_grads = affine1.grads + affine2.grads
    assert len(model.params) == 4 and len(model.grads) == 4
    assert all(p is q for p, q in zip(model.params, expected_params))
    assert all(g is h for g, h in zip(model.grads, expected_grads))
    assert [p.dtype for p in model.params] == [dtype] * 4
    assert [p.shape for p in model.params] == [(2, 5), (5,), (5, 3), (3,)]
    x = np.random.randn(6, 2).astype(dtype)
    t = np.eye(3, dtype=np.int32)[[0, 1, 2, 0, 1, 2]]
    loss = model.forward(x, t)
    assert type(loss) is dtype.type
    dx = model.backward()
    assert dx.dtype == dtype and dx.shape == x.shape
    assert all(g is h for g, h in zip(model.grads, expected_grads))
    assert all(g.any() for g in model.grads)
    SGD(lr=0.1).update(model.params, model.grads)
    assert all(p is q for p, q in zip(model.params, affine1.params + affine2.params))


# ---------------------------------------------------------------- Trainer: shared weights and clipping

class FixedGradModel:
    """A model whose backward writes fixed values into its grads (in place, like a layer)."""

    def __init__(self, params, grad_values):
        self.params = params
        self.grads = [np.zeros(np.shape(g)) for g in grad_values]
        self.grad_values = grad_values
        self.calls = 0

    def forward(self, x, t):
        self.calls += 1
        return np.float64(1.0)

    def backward(self, dout=1):
        for g, v in zip(self.grads, self.grad_values):
            g[...] = v


def _one_step(model, max_grad=None, lr=0.5):
    """One SGD step through Trainer.fit: one epoch of 4 samples in one batch."""
    np.random.seed(0)
    trainer = Trainer(model, SGD(lr=lr))
    trainer.fit(np.zeros((4, 1)), np.zeros(4, np.int64), max_epoch=1, batch_size=4, max_grad=max_grad, eval_interval=None)
    assert model.calls == 1
    return trainer


def test_fit_merges_the_same_array_used_twice(rng, assert_close):
    W, b = rng.standard_normal((3, 2)), rng.standard_normal(2)
    g = [rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal((3, 2))]
    W0, b0 = W.copy(), b.copy()
    model = FixedGradModel([W, b, W], g)
    _one_step(model, lr=0.5)
    # For SGD two separate updates of the same array would give the same W; the merged
    # grad below, and the clipping test further down, show the merge itself.
    assert_close(W, W0 - 0.5 * (g[0] + g[2]))
    assert_close(b, b0 - 0.5 * g[1])
    assert len(model.params) == 3 and model.params[0] is model.params[2] is W
    # As in the book, the merge adds into the first grad array in place.
    assert_close(model.grads[0], g[0] + g[2])


def test_fit_merges_a_transposed_tied_weight(rng, assert_close):
    """Weight tying as in the book's later chapters: the second use is W.T (a view)."""
    W, b = rng.standard_normal((3, 2)), rng.standard_normal(2)
    tied = W.T
    g = [rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal((2, 3))]
    W0 = W.copy()
    model = FixedGradModel([W, b, tied], g)
    _one_step(model, lr=0.5)
    # Without the merge, SGD would update the shared memory twice, through W and through W.T:
    # the same result for SGD, so check the merged grad itself, and that W moved once.
    assert_close(W, W0 - 0.5 * (g[0] + g[2].T))
    assert np.shares_memory(tied, W) and np.array_equal(tied, W.T)
    assert_close(model.grads[0], g[0] + g[2].T)


def test_fit_gives_the_optimizer_one_entry_per_distinct_array(rng):
    """With Adam the merge matters: one state array per distinct param, not per use."""
    W, b = rng.standard_normal((3, 2)), rng.standard_normal(2)
    g = [rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal((2, 3))]
    model = FixedGradModel([W, b, W.T], g)
    np.random.seed(0)
    trainer = Trainer(model, Adam(lr=0.1))
    W0 = W.copy()
    trainer.fit(np.zeros((4, 1)), np.zeros(4, np.int64), max_epoch=1, batch_size=4, eval_interval=None)
    assert len(trainer.optimizer.m) == 2
    assert trainer.optimizer.m[0].shape == (3, 2)
    merged = g[0] + g[2].T
    # Adam's first step is about lr * sign(grad): once, not twice.
    step = 0.1 * merged / (np.abs(merged) + 1e-7 / np.sqrt(1 - 0.999))
    np.testing.assert_allclose(W, W0 - step, rtol=1e-12, atol=1e-14)


def test_remove_duplicate_as_the_book_does(rng, assert_close):
    W, b, U = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal((2, 2))
    V = W.T.copy()  # equal to W.T by value: the book merges it too
    grads = [rng.standard_normal(p.shape) for p in (W, b, W, V, U, U.T)]
    expected0 = grads[0] + grads[2] + grads[3].T
    expected4 = grads[4] + grads[5].T
    model_params = [W, b, W, V, U, U.T]
    model_grads = list(grads)
    params, merged = remove_duplicate(model_params, model_grads)
    assert [id(p) for p in params] == [id(W), id(b), id(U)]
    assert merged[0] is grads[0] and merged[1] is grads[1] and merged[2] is grads[4]
    assert_close(merged[0], expected0)
    assert_close(merged[2], expected4)
    # The model's own lists are left as they were.
    assert len(model_params) == 6 and len(model_grads) == 6


def test_remove_duplicate_leaves_distinct_weights_alone(rng):
    A, B = rng.standard_normal((2, 2)), rng.standard_normal((2, 2))
    C = A.copy()  # equal to A, but not A's transpose and not the same array
    params, grads = [A, B, C], [np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 2))]
    kept, kept_grads = remove_duplicate(params, grads)
    assert [id(p) for p in kept] == [id(A), id(B), id(C)]
    assert all(np.array_equal(g, np.ones((2, 2))) for g in kept_grads)


def _book_clip(grads, max_norm):
    """The book's clip_grads, written out: the expected scale factor."""
    total = np.sqrt(sum(np.sum(g**2) for g in grads))
    rate = max_norm / (total + 1e-6)
    return min(rate, 1.0)


def test_clip_grads_scales_in_place(rng, assert_close):
    grads = [rng.standard_normal((3, 2)), rng.standard_normal(4)]
    before = [g.copy() for g in grads]
    ids = [id(g) for g in grads]
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    clip_grads(grads, norm / 4)
    assert [id(g) for g in grads] == ids
    rate = _book_clip(before, norm / 4)
    assert 0.24 < rate < 0.26
    for g, b in zip(grads, before):
        assert_close(g, b * rate)
    # The clipped norm is max_norm, short by the book's 1e-6 in the denominator.
    assert_close(np.sqrt(sum(np.sum(g**2) for g in grads)), np.float64(norm / 4 * norm / (norm + 1e-6)))
    # Below the threshold nothing changes.
    kept = [g.copy() for g in grads]
    clip_grads(grads, 10 * norm)
    assert all(np.array_equal(g, k) for g, k in zip(grads, kept))


@pytest.mark.parametrize("max_grad", [None, 0.5, 100.0])
def test_fit_clips_the_merged_grads(max_grad, rng, assert_close):
    W, b = rng.standard_normal((3, 2)), rng.standard_normal(2)
    g = [rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal((3, 2))]
    W0, b0 = W.copy(), b.copy()
    model = FixedGradModel([W, b, W], g)
    _one_step(model, max_grad=max_grad, lr=1.0)
    merged = [g[0] + g[2], g[1]]
    # The norm is taken over the distinct params only, after merging, as the book does.
    rate = 1.0 if max_grad is None else _book_clip(merged, max_grad)
    if max_grad == 0.5:
        assert rate < 0.5
    assert_close(W, W0 - rate * merged[0])
    assert_close(b, b0 - rate * merged[1])


def test_fit_accepts_numpy_integer_sizes(rng):
    W = rng.standard_normal((3, 2))
    g = [rng.standard_normal((3, 2))]
    W0 = W.copy()
    model = FixedGradModel([W], g)
    np.random.seed(0)
    Trainer(model, SGD(lr=1.0)).fit(
        np.zeros((4, 1)), np.zeros(4, np.int64), max_epoch=np.int64(1), batch_size=np.int64(4), eval_interval=None
    )
    assert model.calls == 1
    np.testing.assert_allclose(W, W0 - g[0], rtol=1e-15)


def test_the_transposed_weight_test_answers_as_numpys_all(rng):
    """remove_duplicate's shortcut (fastnn.trainer._transposed_equal) against the book's
    ``np.all(a.T == b)``: copies, tied views, a NaN in a tied view, a first or a last
    element that differs, empty, mismatched and 1-D arrays."""
    from fastnn.trainer import _transposed_equal

    W = rng.standard_normal((4, 3)).astype(np.float32)
    nan_W = W.copy()
    nan_W[2, 1] = np.nan
    first, last = W.T.copy(), W.T.copy()
    first[0, 0] += 1
    last[-1, -1] += 1
    cases = [(W, W.T), (W, W.T.copy()), (nan_W, nan_W.T), (W, first), (W, last), (W, W),
             (np.zeros((0, 3)), np.zeros((3, 0))), (W, W[:3].T), (W[0], W[0]),
             (W.astype(np.float64), W.T), (np.arange(6).reshape(2, 3), np.arange(6).reshape(2, 3).T)]
    for a, b in cases:
        expected = a.ndim == 2 and b.ndim == 2 and a.T.shape == b.shape and bool(np.all(b == a.T))
        assert _transposed_equal(a, b) == expected, (a, b)
