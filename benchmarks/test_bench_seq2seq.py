"""PeekySeq2seq on the addition task: the book's numpy beside fastnn (and PyTorch
eager, where torch is installed).

Groups (members ``numpy``: benchmarks/book_seq2seq.py, the book's model and
Trainer step; ``fastnn``: fastnn.models.PeekySeq2seq; ``torch``, step only:
benchmarks/torch_models.py's PeekySeq2seq in torch.nn with torch.optim.Adam,
as many threads as numpy's BLAS):

- ``peeky_seq2seq_step|float32|128x7->5``: one training step at the book's
  chapter 7 sizes (batch 128, wordvec 16, hidden 128, vocabulary 13, questions
  of 7 characters, answers of 5): forward, backward, remove_duplicate,
  clip_grads(5.0), Adam;
- ``peeky_seq2seq_generate|float32|1x7->4``: generate on one question (the
  unit of the book's evaluation loop, run 5,000 times an epoch).

All members start from the same weights; before timing, the first step's loss
and params and the generated ids are compared with numpy's.  torch's Adam is
not the book's (the book folds the bias correction into lr and adds 1e-7
outside the square root), so for torch the first step's loss, its clipped
gradients before the update, and the params after one torch Adam update with
the eps that makes it the book's first step are compared (the timed step uses
torch's default Adam).
``python -m benchmarks.test_bench_seq2seq`` times the members in alternation
(benchmarks/alternating.py); on a loaded machine run it with
OPENBLAS_NUM_THREADS=1 (OpenBLAS's spinning threads otherwise take the cores).
"""

import os
import sys

import numpy as np
import pytest

from fastnn.models import PeekySeq2seq
from fastnn.optimizer import Adam
from fastnn.trainer import remove_duplicate
from fastnn.util import clip_grads

from . import book_seq2seq as book
from .cases import label
from .test_bench_lstm import _threads

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


def torch_stepper():
    """(step, model): the torch member, from the weights fastnn_model() starts with."""
    from . import torch_models as tm

    tm.set_threads(_threads())
    xs, ts = batch()
    model = tm.PeekySeq2seq(fastnn_model().params)
    return tm.stepper(model, tm.adam(model), xs, ts, MAX_GRAD), model


def assert_torch_first_step(model):
    """The torch model's first step against the book's (torch_models.assert_first_adam_step)."""
    from . import torch_models as tm

    theirs = book.BookSeq2seq(fastnn_model().params, peeky=True)
    tm.assert_first_adam_step(model, *batch(), MAX_GRAD, theirs, book.Adam(), book.remove_duplicate, book.clip_grads)


def generators(model, reference):
    xs, ts = batch(1)
    question, start = xs[[0]], int(ts[0, 0])
    return (lambda: reference.generate(question, start, TT - 1)), (lambda: model.generate(question, start, TT - 1))


@pytest.mark.parametrize("impl", ["numpy", "fastnn", "torch"])
def test_peeky_seq2seq_step(benchmark, impl):
    if impl == "torch":
        pytest.importorskip("torch")
    label(benchmark, "peeky_seq2seq_step", "float32", f"{N}x{TX}->{TT - 1}", f"{N}x{TX}->{TT - 1}", impl)
    if impl == "torch":
        step, model = torch_stepper()
        assert_torch_first_step(model)
        benchmark(step)
        return
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

    print(f"PeekySeq2seq, addition sizes, float32, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '-')} "
          f"({_threads()} BLAS/torch thread(s)), load average {os.getloadavg()[0]:.1f}")
    book_step, fastnn_step, theirs, ours = steppers()
    assert_same_step(book_step, fastnn_step, theirs, ours)
    model = fastnn_model()
    theirs_gen, ours_gen = generators(model, book.BookSeq2seq(model.params, peeky=True))
    assert ours_gen() == theirs_gen()
    groups = [("training step (batch 128)", "book numpy", book_step, fastnn_step),
              ("generate (one question)", "book numpy", theirs_gen, ours_gen)]
    try:
        import torch
        torch_step, torch_model = torch_stepper()
        assert_torch_first_step(torch_model)
        groups.insert(1, ("training step (batch 128)", f"torch {torch.__version__}", torch_step, fastnn_step))
    except ImportError:
        print("torch not installed: no torch member", file=sys.stderr)
    for what, name, rival, fastnn_fn in groups:
        r = time_alternately(rival, fastnn_fn, group_seconds=20.0, min_rounds=9)
        print(f"{what}: {name} {r.numpy * 1e3:.3f} ms | fastnn {r.fastnn * 1e3:.3f} ms | {name} / fastnn "
              f"{r.speedup:.2f}x (middle half {r.speedup_q1:.2f}-{r.speedup_q3:.2f}, {r.rounds} rounds)", flush=True)


if __name__ == "__main__":
    main()
