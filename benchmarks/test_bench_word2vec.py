"""Chapter 4's word2vec: one CBOW training step, and Embedding's scatter-add.

Groups (numpy beside fastnn in each; the CBOW group also has ``torch``,
benchmarks/torch_word2vec.py, where torch is installed):

- ``cbow_step|float32|V10000 H100 W5 N100 S5``: one step of the book's
  ch04/train.py at its sizes (vocabulary 10,000 as PTB's, hidden 100, window 5,
  batch 100, 5 negatives, Adam): forward, backward, the Trainer's
  remove_duplicate, Adam.  ``numpy`` is benchmarks/book_word2vec.py (the book's
  model, sampler, merge and Adam op for op), ``fastnn`` is fastnn.models.CBOW
  with fastnn's remove_duplicate and Adam.  Batches cycle through a fixed set
  drawn from a Zipf-distributed corpus of PTB's vocabulary.
- ``embedding_backward|float32|...``: the book's Embedding.backward
  (``dW[...] = 0; np.add.at``) against fastnn's Embedding.backward, and
  ``scatter_add|...``: np.add.at alone against the scatter-add kernel alone,
  for several index patterns.

``python -m benchmarks.test_bench_word2vec`` times the same pairs in
alternation (benchmarks/alternating.py) and prints the ratios: on a shared
machine that is the figure to quote.
"""

import sys

import numpy as np
import pytest
from fastnn.kernels import embedding as kernels

from fastnn.models import CBOW
from fastnn.nn.embedding import Embedding
from fastnn.optimizer import Adam
from fastnn.trainer import remove_duplicate

from . import book_word2vec as book
from .test_bench_lstm import _threads

V, H, WINDOW, BATCH = 10_000, 100, 5, 100
CBOW_GROUP = f"cbow_step|float32|V{V} H{H} W{WINDOW} N{BATCH} S5"


def zipf_corpus(n_words=200_000, vocab=V, seed=0):
    """Word ids with PTB-like frequencies (rank r drawn with weight 1/r), every id present."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, vocab + 1)
    drawn = rng.choice(vocab, size=n_words - vocab, p=weights / weights.sum())
    return np.concatenate([np.arange(vocab), drawn])


def batches(corpus, count=16, seed=1):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        centre = rng.integers(WINDOW, corpus.size - WINDOW, BATCH)
        offsets = np.concatenate([np.arange(-WINDOW, 0), np.arange(1, WINDOW + 1)])
        out.append((corpus[centre[:, None] + offsets], corpus[centre]))
    return out


def steppers(seed=0):
    """(numpy step, fastnn step): each call trains on the next batch of a fixed cycle."""
    corpus = zipf_corpus()
    data = batches(corpus)
    np.random.seed(seed)
    numpy_model = book.CBOW(V, H, WINDOW, corpus)
    np.random.seed(seed)
    fastnn_model = CBOW(V, H, WINDOW, corpus)
    numpy_opt, fastnn_opt = book.Adam(), Adam()
    counters = [0, 0]

    def numpy_step():
        contexts, target = data[counters[0] % len(data)]
        counters[0] += 1
        return book.train_step(numpy_model, numpy_opt, contexts, target)

    def fastnn_step():
        contexts, target = data[counters[1] % len(data)]
        counters[1] += 1
        loss = fastnn_model.forward(contexts, target)
        fastnn_model.backward()
        fastnn_opt.update(*remove_duplicate(fastnn_model.params, fastnn_model.grads))
        return loss

    return numpy_step, fastnn_step


@pytest.fixture(scope="module")
def cbow_steppers():
    numpy_step, fastnn_step = steppers()
    # Same weights, one step each (different negatives): the losses agree to the sampling noise.
    a, b = float(numpy_step()), float(fastnn_step())
    assert abs(a - b) < 0.05 * a, (a, b)
    return numpy_step, fastnn_step


def torch_stepper(seed=0):
    """The torch member's step (benchmarks/torch_word2vec.py), from the book model's seeded
    weights and sampler, its first forward and backward checked against the book's."""
    from . import torch_word2vec as tw

    tw.set_threads(_threads())
    corpus = zipf_corpus()
    data = batches(corpus)
    np.random.seed(seed)
    ref = book.CBOW(V, H, WINDOW, corpus)
    model = tw.CBOW(ref.params[0], ref.params[-1], ref.ns_loss.sampler.word_p)
    contexts, target = data[0]
    negatives = ref.ns_loss.sampler.get_negative_sample(target)
    ref.ns_loss.negatives = negatives
    expected = float(ref.forward(contexts, target))
    ref.backward()
    _, expected_grads = book.remove_duplicate(ref.params, ref.grads)
    loss, grads = tw.first_gradients(model, contexts, target, negatives)
    assert abs(loss - expected) <= 1e-4 * abs(expected), (loss, expected)
    for ours, theirs in zip(grads, expected_grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4 * float(np.abs(theirs).max()))
    return tw.stepper(model, data)


@pytest.mark.parametrize("member", ["numpy", "fastnn", "torch"])
def test_cbow_step(benchmark, cbow_steppers, member):
    benchmark.group = CBOW_GROUP
    if member == "torch":
        pytest.importorskip("torch")
        step = torch_stepper()
    else:
        step = cbow_steppers[0 if member == "numpy" else 1]
    benchmark.pedantic(step, rounds=20 if member == "numpy" else 100, warmup_rounds=1)


PATTERNS = {
    "random": lambda rng, n: rng.integers(0, V, n),
    "sorted": lambda rng, n: np.sort(rng.integers(0, V, n)),
    "repeated": lambda rng, n: rng.integers(0, 20, n),  # frequent words, as in CBOW's contexts
    "all_same": lambda rng, n: np.zeros(n, np.int64),
}


def embedding_pairs(pattern, rows=BATCH * 2 * WINDOW):
    """((numpy backward, fastnn backward), (np.add.at, scatter-add kernel)) for one index pattern."""
    rng = np.random.default_rng(0)
    idx = PATTERNS[pattern](rng, rows)
    W = rng.standard_normal((V, H)).astype(np.float32)
    dout = rng.standard_normal((rows, H)).astype(np.float32)
    numpy_layer, fastnn_layer = book.Embedding(W), Embedding(W)
    numpy_layer.forward(idx)
    fastnn_layer.forward(idx)
    acc_numpy, acc_fastnn = np.zeros_like(W), np.zeros_like(W)
    backward = (lambda: numpy_layer.backward(dout), lambda: fastnn_layer.backward(dout))
    scatter = (lambda: np.add.at(acc_numpy, idx, dout), lambda: kernels.scatter_add(dout, idx, acc_fastnn))
    for fn in backward + scatter:
        fn()
    np.testing.assert_allclose(fastnn_layer.grads[0], numpy_layer.grads[0], rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(acc_fastnn, acc_numpy, rtol=1e-6, atol=1e-5)
    return backward, scatter


@pytest.mark.parametrize("pattern", sorted(PATTERNS))
@pytest.mark.parametrize("kind", ["embedding_backward", "scatter_add"])
@pytest.mark.parametrize("member", ["numpy", "fastnn"])
def test_embedding(benchmark, pattern, kind, member):
    backward, scatter = embedding_pairs(pattern)
    pair = backward if kind == "embedding_backward" else scatter
    benchmark.group = f"{kind}|float32|{BATCH * 2 * WINDOW}x{H} into {V}x{H}, {pattern}"
    benchmark(pair[0 if member == "numpy" else 1])


def main():
    """Time every pair in alternation and print numpy / fastnn."""
    import os

    from .alternating import time_alternately

    print(f"load average at start: {os.getloadavg()}")
    numpy_step, fastnn_step = steppers()
    groups = [(CBOW_GROUP, numpy_step, fastnn_step, 20.0)]
    try:
        import torch
    except ImportError:
        print("torch not installed: no torch member", file=sys.stderr)
    else:
        groups.append((f"{CBOW_GROUP} torch {torch.__version__} ({_threads()} threads) vs fastnn",
                       torch_stepper(), fastnn_step, 20.0))
    for pattern in sorted(PATTERNS):
        backward, scatter = embedding_pairs(pattern)
        groups.append((f"embedding_backward|{pattern}", *backward, 2.0))
        groups.append((f"scatter_add|{pattern}", *scatter, 2.0))
    for group, numpy_fn, fastnn_fn, seconds in groups:
        r = time_alternately(numpy_fn, fastnn_fn, block_seconds=0.002, group_seconds=seconds)
        member = "torch" if " torch " in group else "numpy"
        print(f"{group:45s} {member} {r.numpy * 1e3:9.3f} ms  fastnn {r.fastnn * 1e3:8.3f} ms  "
              f"{r.speedup:6.1f}x ({r.speedup_q1:.1f}-{r.speedup_q3:.1f}, {r.rounds} rounds)", flush=True)
    print(f"load average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
