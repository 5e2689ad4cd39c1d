"""Chapter 8's AttentionSeq2seq: one training step and one ``generate``, the book's
numpy beside fastnn (and, for the step, PyTorch eager where torch is installed).

Groups ``attention_seq2seq_step|float32|...`` and ``attention_generate|float32|...``.
One step is one of the book's Trainer iterations (forward, backward,
remove_duplicate, clip_grads(5.0), Adam) on the same batch each time; one
generate is the evaluation loop's unit (one question, the answer's length).
Members:

- ``numpy``: benchmarks/book_attention.py, the book's model and step done the book's way;
- ``fastnn``: fastnn.models.AttentionSeq2seq with fastnn's Adam and trainer helpers;
- ``torch`` (step only): benchmarks/torch_models.py's AttentionSeq2seq in torch.nn
  (dot-product attention with torch.bmm and softmax) with torch.optim.Adam, as
  many threads as numpy's BLAS.

All start from the same seeded weights; the first step's loss and updated
params (and the generated ids) are compared before timing.  torch's Adam is not
the book's (bias correction folded into lr, 1e-7 outside the square root), so
for torch the loss, the clipped gradients before the update and the params
after one torch Adam update with the eps that makes it the book's first step
are compared (the timed step uses torch's default Adam).  Sizes: the book's
date task (ch08/train.py: batch 128, wordvec 16, hidden 256; 29 input
characters, 11 output characters, a vocabulary of 59; marked slow) and a small
one.  ``python -m benchmarks.test_bench_attention`` times both members in
alternation (benchmarks/alternating.py) at the book's size.
"""

import sys

import numpy as np
import pytest

from fastnn.models import AttentionSeq2seq
from fastnn.optimizer import Adam
from fastnn.trainer import remove_duplicate
from fastnn.util import clip_grads

from . import book_attention as book
from .cases import label
from .test_bench_lstm import _threads

MAX_GRAD = 5.0
# (vocabulary, batch, input length, output length, wordvec, hidden)
BOOK = (59, 128, 29, 11, 16, 256)
SMALL = (13, 8, 7, 5, 8, 16)


def _name(shape):
    V, N, Tx, Tt, D, H = shape
    return f"V{V}xN{N}xTx{Tx}xTt{Tt}xD{D}xH{H}"


def batch(shape, seed=0):
    V, N, Tx, Tt, _, _ = shape
    rng = np.random.default_rng(seed)
    xs = rng.integers(0, V, (N, Tx)).astype('i')
    return xs[:, ::-1], rng.integers(0, V, (N, Tt)).astype('i')  # input reversed, as ch08/train.py


def make(impl, shape):
    """(step, model): a zero-argument training step and the model it updates."""
    V, _, _, _, D, H = shape
    xs, ts = batch(shape)
    np.random.seed(0)
    if impl == "numpy":
        model, opt = book.BookAttentionSeq2seq(V, D, H), book.BookAdam()
        return (lambda: book.train_step(model, opt, xs, ts, MAX_GRAD)), model
    model, opt = AttentionSeq2seq(V, D, H), Adam()

    def step():
        loss = model.forward(xs, ts)
        model.backward()
        params, grads = remove_duplicate(model.params, model.grads)
        clip_grads(grads, MAX_GRAD)
        opt.update(params, grads)
        return loss

    return step, model


def torch_make(shape):
    """(step, model): the torch member, from the book model's seeded weights."""
    from . import torch_models as tm

    tm.set_threads(_threads())
    xs, ts = batch(shape)
    model = tm.AttentionSeq2seq(make("numpy", shape)[1].params)
    return tm.stepper(model, tm.adam(model), xs, ts, MAX_GRAD), model


def assert_torch_first_step(model, shape):
    """The torch model's first step against the book's (torch_models.assert_first_adam_step)."""
    from . import torch_models as tm

    ref = make("numpy", shape)[1]
    tm.assert_first_adam_step(model, *batch(shape), MAX_GRAD, ref, book.BookAdam(), book.remove_duplicate,
                              book.clip_grads)


def make_generate(impl, shape):
    """A zero-argument generate of one question (start id 0), returning the ids."""
    V, _, _, Tt, D, H = shape
    xs = batch(shape)[0][:1]
    np.random.seed(0)
    model = book.BookAttentionSeq2seq(V, D, H) if impl == "numpy" else AttentionSeq2seq(V, D, H)
    return lambda: model.generate(xs, 0, Tt - 1)


def assert_same_first_step(fast, ref):
    (f_step, f_model), (b_step, b_model) = fast, ref
    f_loss, b_loss = f_step(), b_step()
    assert abs(f_loss - b_loss) <= 1e-5 * abs(b_loss), (f_loss, b_loss)
    for a, b in zip(f_model.params, b_model.params):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4 * float(np.abs(b).max()))


def _cases():
    yield pytest.param(SMALL, id=_name(SMALL))
    yield pytest.param(BOOK, id=_name(BOOK), marks=pytest.mark.slow)


@pytest.mark.parametrize("impl", ["numpy", "fastnn", "torch"])
@pytest.mark.parametrize("shape", list(_cases()))
def test_attention_seq2seq_step(benchmark, shape, impl):
    if impl == "torch":
        pytest.importorskip("torch")
    label(benchmark, "attention_seq2seq_step", "float32", _name(shape), _name(shape), impl)
    if impl == "torch":
        step, model = torch_make(shape)
        assert_torch_first_step(model, shape)
    elif impl == "numpy":
        step = make("numpy", shape)[0]
    else:
        fast = make("fastnn", shape)
        assert_same_first_step(fast, make("numpy", shape))
        step = fast[0]
    benchmark(step)


@pytest.mark.parametrize("impl", ["numpy", "fastnn"])
@pytest.mark.parametrize("shape", list(_cases()))
def test_attention_generate(benchmark, shape, impl):
    label(benchmark, "attention_generate", "float32", _name(shape), _name(shape), impl)
    generate = make_generate(impl, shape)
    if impl == "fastnn":
        assert generate() == make_generate("numpy", shape)()
    benchmark(generate)


def main():
    """Alternating timing at the book's size: ms per step and per generate, and the speed-ups."""
    import os

    from .alternating import time_alternately

    print(f"AttentionSeq2seq {_name(BOOK)} float32, load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores, {_threads()} BLAS/torch thread(s)")
    fast, ref = make("fastnn", BOOK), make("numpy", BOOK)
    assert_same_first_step(fast, ref)
    fast_gen, ref_gen = make_generate("fastnn", BOOK), make_generate("numpy", BOOK)
    assert fast_gen() == ref_gen()
    groups = [("step", "book numpy", ref[0], fast[0], 30.0), ("generate", "book numpy", ref_gen, fast_gen, 5.0)]
    try:
        import torch
        torch_step, torch_model = torch_make(BOOK)
        assert_torch_first_step(torch_model, BOOK)
        groups.insert(1, ("step", f"torch {torch.__version__}", torch_step, fast[0], 30.0))
    except ImportError:
        print("torch not installed: no torch member", file=sys.stderr)
    for what, name, rival, ours, seconds in groups:
        r = time_alternately(rival, ours, group_seconds=seconds, min_rounds=5)
        print(f"  {what}: {name} {r.numpy * 1e3:.2f} ms | fastnn {r.fastnn * 1e3:.2f} ms | "
              f"{name} / fastnn {r.speedup:.2f}x (middle half {r.speedup_q1:.2f}-{r.speedup_q3:.2f}, "
              f"{r.rounds} rounds)", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
