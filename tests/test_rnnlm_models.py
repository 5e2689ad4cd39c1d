"""The chapter 5-6 language models against the book's model in plain numpy
(benchmarks/book_rnnlm.py): seeded training over hundreds of steps."""

import numpy as np
import pytest

from benchmarks import book_rnnlm as book
from fastnn.models import BetterRnnlm, Rnnlm, SimpleRnnlm
from fastnn.trainer import remove_duplicate
from fastnn.util import clip_grads


def _corpus(n=2000, vocab=40, seed=1):
    rng = np.random.default_rng(seed)
    corpus = rng.integers(0, vocab, n)
    corpus[1::2] = (corpus[::2][: len(corpus[1::2])] * 7 + 3) % vocab  # something to learn
    return corpus


def _train(model, corpus, lr, max_grad, n_steps, batch_size=10, time_size=5):
    losses = []
    for xs, ts in book.batches(corpus, batch_size, time_size, n_steps):
        loss = model.forward(xs, ts)
        model.backward()
        params, grads = remove_duplicate(model.params, model.grads)
        if max_grad is not None:
            clip_grads(grads, max_grad)
        for p, g in zip(params, grads):
            p -= lr * g
        losses.append(float(loss))
    return losses


def _book(model, corpus, lr, max_grad, n_steps):
    return [float(book.train_step(model, xs, ts, lr, max_grad))
            for xs, ts in book.batches(corpus, 10, 5, n_steps)]


@pytest.mark.long_as_python
@pytest.mark.parametrize("fast_cls, book_cls, args, lr, max_grad", [
    (SimpleRnnlm, book.BookSimpleRnnlm, (40, 12, 12), 1.0, None),
    (Rnnlm, book.BookRnnlm, (40, 12, 12), 1.0, 0.25),
])
def test_seeded_training_matches_the_books_model(fast_cls, book_cls, args, lr, max_grad):
    corpus = _corpus()
    np.random.seed(0)
    fast = fast_cls(*args)
    np.random.seed(0)
    ref = book_cls(*args)
    assert all(np.array_equal(a, b) for a, b in zip(fast.params, ref.params))  # the book's init draws
    fast_losses = _train(fast, corpus, lr, max_grad, 300)
    book_losses = _book(ref, corpus, lr, max_grad, 300)
    np.testing.assert_allclose(fast_losses, book_losses, rtol=1e-6)
    assert np.mean(book_losses[-20:]) < 0.85 * book_losses[0]  # it learned something
    for a, b in zip(fast.params, ref.params):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4 * float(np.abs(b).max()))


def test_better_rnnlm_with_dropout_and_tied_weights_matches_the_book():
    corpus = _corpus()
    np.random.seed(0)
    fast = BetterRnnlm(40, 12, 12, 0.3)
    np.random.seed(0)
    ref = book.BookBetterRnnlm(40, 12, 12, 0.3)
    assert np.shares_memory(fast.params[0], fast.params[-2])  # embed_W and its transposed view
    np.random.seed(5)
    fast_losses = _train(fast, corpus, 1.0, 0.25, 100)
    np.random.seed(5)
    book_losses = _book(ref, corpus, 1.0, 0.25, 100)
    np.testing.assert_allclose(fast_losses, book_losses, rtol=1e-6)
    for a, b in zip(fast.params, ref.params):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4 * float(np.abs(b).max()))
    fast.reset_state()
    xs = corpus[:10].reshape(2, 5)
    assert fast.predict(xs).shape == (2, 5, 40)
    assert all(not layer.train_flg for layer in fast.drop_layers)
