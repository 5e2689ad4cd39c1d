"""PeekySeq2seq on the addition task: the book's numpy beside fastnn.

Groups (members ``numpy``: benchmarks/book_seq2seq.py, the book's model and
Trainer step; ``fastnn``: fastnn.models.PeekySeq2seq):

- ``peeky_seq2seq_step|float32|128x7->5``: one training step at the book's
  chapter 7 sizes (batch 128, wordvec 16, hidden 128, vocabulary 13, questions
  of 7 characters, answers of 5): forward, backward, remove_duplicate,
  clip_grads(5.0), Adam;
- ``peeky_seq2seq_generate|float32|1x7->4``: generate on one question (the
  unit of the book's evaluation loop, run 5,000 times an epoch).

Both members start from the same weights; before timing, the first step's loss
and params and the generated ids are compared with numpy's.
``python -m benchmarks.test_bench_seq2seq`` times the members in alternation
(benchmarks/alternating.py); on a loaded machine run it with
OPENBLAS_NUM_THREADS=1 (OpenBLAS's spinning threads otherwise take the cores).
"""

import os

import numpy as np
import pytest

from fastnn.models import PeekySeq2seq
from fastnn.optimizer import Adam
from fastnn.trainer import remove_duplicate
from fastnn.util import clip_grads

from . import book_seq2seq as book
from .cases import label

V, D, H, N, TX, TT = 13, 16, 128, 128, 7, 5
MAX_GRAD = 5.0


def batch(seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, V, (N, TX)), rng.integers(0, V, (N, TT))


def fastnn_model(seed=1984):
    np.random.seed(seed)
    return PeekySeq2seq(V, D, H)


def fastnn_stepper(model, xs, ts):
    optimizer = Adam()

    def step():
        loss = model.forward(xs, ts)
        model.backward()
        params, grads = remove_duplicate(model.params, model.grads)
        clip_grads(grads, MAX_GRAD)
        optimizer.update(params, grads)
        return loss

    return step


def book_stepper(model, xs, ts):
    optimizer = book.Adam()
    return lambda: book.train_step(model, optimizer, xs, ts, MAX_GRAD)


def steppers():
    xs, ts = batch()
    ours = fastnn_model()
    theirs = book.BookSeq2seq(ours.params, peeky=True)
    return book_stepper(theirs, xs, ts), fastnn_stepper(ours, xs, ts), theirs, ours


def assert_same_step(book_step, fastnn_step, theirs, ours):
    loss, expected = fastnn_step(), book_step()
    assert abs(loss - expected) <= 1e-5 * abs(expected)
    for p, e in zip(ours.params, theirs.params):
        np.testing.assert_allclose(p, e, rtol=1e-4, atol=1e-5)


def generators(model, reference):
    xs, ts = batch(1)
    question, start = xs[[0]], int(ts[0, 0])
    return (lambda: reference.generate(question, start, TT - 1)), (lambda: model.generate(question, start, TT - 1))


@pytest.mark.parametrize("impl", ["numpy", "fastnn"])
def test_peeky_seq2seq_step(benchmark, impl):
    label(benchmark, "peeky_seq2seq_step", "float32", f"{N}x{TX}->{TT - 1}", f"{N}x{TX}->{TT - 1}", impl)
    book_step, fastnn_step, theirs, ours = steppers()
    if impl == "fastnn":
        assert_same_step(book_step, fastnn_step, theirs, ours)
    benchmark(book_step if impl == "numpy" else fastnn_step)


@pytest.mark.parametrize("impl", ["numpy", "fastnn"])
def test_peeky_seq2seq_generate(benchmark, impl):
    label(benchmark, "peeky_seq2seq_generate", "float32", f"1x{TX}->{TT - 1}", f"1x{TX}->{TT - 1}", impl)
    model = fastnn_model()
    reference = book.BookSeq2seq(model.params, peeky=True)
    theirs, ours = generators(model, reference)
    if impl == "fastnn":
        assert ours() == theirs()
    benchmark(theirs if impl == "numpy" else ours)


def main():
    """Alternating timing of both groups; prints ms per call and the speed-ups."""
    from .alternating import time_alternately

    print(f"PeekySeq2seq, addition sizes, float32, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '-')}, "
          f"load average {os.getloadavg()[0]:.1f}")
    book_step, fastnn_step, theirs, ours = steppers()
    assert_same_step(book_step, fastnn_step, theirs, ours)
    model = fastnn_model()
    theirs_gen, ours_gen = generators(model, book.BookSeq2seq(model.params, peeky=True))
    assert ours_gen() == theirs_gen()
    for name, (numpy_fn, fastnn_fn) in {"training step (batch 128)": (book_step, fastnn_step),
                                        "generate (one question)": (theirs_gen, ours_gen)}.items():
        r = time_alternately(numpy_fn, fastnn_fn, group_seconds=20.0, min_rounds=9)
        print(f"{name}: book numpy {r.numpy * 1e3:.3f} ms | fastnn {r.fastnn * 1e3:.3f} ms | "
              f"{r.speedup:.2f}x (middle half {r.speedup_q1:.2f}-{r.speedup_q3:.2f}, {r.rounds} rounds)", flush=True)


if __name__ == "__main__":
    main()
