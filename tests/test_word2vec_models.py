"""The word2vec models against an independent numpy implementation of the book's.

ch04's CBOW and SkipGram are compared with benchmarks/book_word2vec.py (the
book's model op for op) over a few training steps from the same seed: same
initial weights, same batches, the negatives fastnn drew handed to the numpy
model, fastnn's Trainer merge and Adam on one side, the book's on the other.
ch03's models are compared with their formulas written out below.
"""

import numpy as np
import pytest

from benchmarks import book_word2vec as book
from fastnn.models import CBOW, SimpleCBOW, SimpleSkipGram, SkipGram
from fastnn.optimizer import Adam
from fastnn.trainer import remove_duplicate

V, H, WINDOW, N = 40, 8, 2, 12


def _corpus(seed=3):
    rng = np.random.default_rng(seed)
    return np.concatenate([np.arange(V), rng.integers(0, V, 400)])  # every id present, as in PTB


def _batch(rng):
    return rng.integers(0, V, (N, 2 * WINDOW)), rng.integers(0, V, N)


def _fastnn_negatives(model):
    """The negatives of fastnn's last forward, as (N, columns, sample_size)."""
    idx = model.ns_loss._cache[1]
    group = model.ns_loss.sample_size + 1
    return idx.reshape(idx.shape[0], -1, group)[:, :, 1:]


@pytest.mark.parametrize("name", ["cbow", "skipgram"])
def test_training_steps_match_the_books_numpy_model(name):
    fast_cls, book_cls = (CBOW, book.CBOW) if name == "cbow" else (SkipGram, book.SkipGram)
    corpus = _corpus()
    np.random.seed(7)
    fast = fast_cls(V, H, WINDOW, corpus)
    np.random.seed(7)
    ref = book_cls(V, H, WINDOW, corpus)
    assert fast.word_vecs.dtype == np.float32
    np.testing.assert_array_equal(fast.params[0], ref.params[0])  # the book's draws, in its order
    np.testing.assert_array_equal(fast.params[1], ref.params[-1])
    fast_opt, ref_opt = Adam(), book.Adam()
    rng = np.random.default_rng(11)
    for _ in range(4):
        contexts, target = _batch(rng)
        loss = fast.forward(contexts, target)
        negatives = _fastnn_negatives(fast)
        if name == "cbow":
            ref.ns_loss.negatives = negatives[:, 0, :]
        else:
            for c, layer in enumerate(ref.loss_layers):
                layer.negatives = negatives[:, c, :]
        ref_loss = ref.forward(contexts, target)
        assert loss.dtype == np.float32
        assert abs(float(loss) - float(ref_loss)) <= 2e-5 * abs(float(ref_loss))
        fast.backward()
        ref.backward()
        fast_params, fast_grads = remove_duplicate(fast.params, fast.grads)
        ref_params, ref_grads = book.remove_duplicate(ref.params, ref.grads)
        assert len(ref_params) == len(fast_params) == 2
        for g, r in zip(fast_grads, ref_grads):
            assert g.dtype == np.float32
            np.testing.assert_allclose(g, r, rtol=0, atol=1e-5 * np.abs(r).max())
        fast_opt.update(fast_params, fast_grads)
        ref_opt.update(ref_params, ref_grads)
        for p, r in zip(fast_params, ref_params):
            # Adam divides by sqrt(v): a gradient that differs in its last bits moves a
            # weight by up to lr * (relative difference); 1e-6 of lr = 1e-3 is far below
            # one step (1e-3) and catches any wrong term.
            np.testing.assert_allclose(p, r, rtol=0, atol=1e-6)
    assert fast.word_vecs is fast.params[0]


def test_cbow_sees_a_changed_weight_and_writes_grads_in_place():
    np.random.seed(0)
    model = CBOW(V, H, WINDOW, _corpus())
    grads = list(model.grads)
    contexts, target = _batch(np.random.default_rng(0))
    model.forward(contexts, target)
    model.backward()
    assert all(a is b for a, b in zip(grads, model.grads))
    touched = np.unique(contexts)
    untouched = np.setdiff1d(np.arange(V), touched)
    assert np.all(model.grads[0][untouched] == 0) and np.any(model.grads[0][touched] != 0)


@pytest.mark.parametrize("smaller", ["rows", "width"])
def test_cbow_backward_refused_after_w_in_shrank_changes_no_grad(smaller):
    np.random.seed(0)
    model = CBOW(V, H, WINDOW, _corpus())
    contexts, target = _batch(np.random.default_rng(0))
    contexts[0, 0] = V - 1
    model.forward(contexts, target)
    shape = (V - 1, H) if smaller == "rows" else (V, H - 1)
    model.params[0] = np.zeros(shape, np.float32)  # replaced between forward and backward
    model.grads[0] = np.zeros(shape, np.float32)
    before = [g.copy() for g in model.grads]
    with pytest.raises(IndexError if smaller == "rows" else ValueError, match=r"^CBOW\.backward: "):
        model.backward()
    for g, b in zip(model.grads, before):
        np.testing.assert_array_equal(g, b)


def _one_hot(ids, n):
    return np.eye(n, dtype=np.int32)[ids]


def _softmax_loss(score, t):
    e = np.exp(score - score.max(axis=1, keepdims=True))
    y = e / e.sum(axis=1, keepdims=True)
    n = score.shape[0]
    return -np.sum(np.log(y[np.arange(n), t] + 1e-7)) / n, y


@pytest.mark.parametrize("name", ["simple_cbow", "simple_skipgram"])
def test_chapter3_models_match_their_formulas(name):
    rng = np.random.default_rng(5)
    ids = rng.integers(0, 7, (6, 3))
    contexts = _one_hot(ids[:, :2], 7)  # (N, 2, V) one-hot, as ch03/train.py builds them
    target_ids = ids[:, 2]
    target = _one_hot(target_ids, 7)
    np.random.seed(2)
    model = (SimpleCBOW if name == "simple_cbow" else SimpleSkipGram)(7, 5)
    np.random.seed(2)
    W_in = 0.01 * np.random.randn(7, 5).astype('f')
    W_out = 0.01 * np.random.randn(5, 7).astype('f')
    np.testing.assert_array_equal(model.params[0], W_in)
    loss = model.forward(contexts, target)
    model.backward()
    c0, c1, x = (np.array(a, dtype=np.float64) for a in (contexts[:, 0], contexts[:, 1], target))
    Wi, Wo = W_in.astype(np.float64), W_out.astype(np.float64)
    n = x.shape[0]
    if name == "simple_cbow":
        h = (c0 @ Wi + c1 @ Wi) * 0.5
        expected, y = _softmax_loss(h @ Wo, target_ids)
        ds = (y - x) / n
        dh = ds @ Wo.T * 0.5
        dWo, dWi = h.T @ ds, c0.T @ dh
        grads = [dWi, c1.T @ dh, dWo]
    else:
        h = x @ Wi
        s = h @ Wo
        l1, y = _softmax_loss(s, ids[:, 0])
        l2, _ = _softmax_loss(s, ids[:, 1])
        expected = l1 + l2
        ds = (2 * y - c0 - c1) / n
        dWo, dWi = h.T @ ds, x.T @ (ds @ Wo.T)
        grads = [dWi, dWo]
    assert abs(float(loss) - expected) <= 1e-5 * abs(expected)
    assert len(model.grads) == len(grads)
    for g, r in zip(model.grads, grads):
        np.testing.assert_allclose(g, r, rtol=0, atol=1e-5 * np.abs(r).max())


@pytest.mark.parametrize("cls", [CBOW, SkipGram])
def test_bad_batches_are_rejected_and_change_nothing(cls):
    np.random.seed(0)
    model = cls(V, H, WINDOW, _corpus())
    contexts, target = _batch(np.random.default_rng(1))
    model.forward(contexts, target)
    model.backward()
    before = [g.copy() for g in model.params + model.grads]
    bad_contexts = contexts.copy()
    bad_contexts[3, 1] = V
    cases = [
        ((bad_contexts, target), IndexError, r"contexts\[3, 1\] is 40; expected word ids in \[0, 40\)"),
        ((contexts, np.where(np.arange(N) == 2, -1, target)), IndexError, r"target\[2\] is -1"),
        ((contexts[:, :3], target), ValueError, r"expected \(N, 4\)"),
        ((contexts.astype(float), target), TypeError, "expected integer word ids"),
        ((contexts, target[:5]), ValueError, "target has shape"),
    ]
    for args, error, message in cases:
        with pytest.raises(error, match=message):
            model.forward(*args)
    model.backward()  # still the batch of the last good forward
    for a, b in zip(model.params + model.grads, before):
        np.testing.assert_array_equal(a, b)
