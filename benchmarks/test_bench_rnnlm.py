"""One training step of the chapter 6 language models: the book's numpy beside
fastnn (and PyTorch eager, where torch is installed).

Groups ``rnnlm_step|float32|...`` and ``better_rnnlm_step|float32|...``; one call
is one of RnnlmTrainer's iterations (forward, backward, remove_duplicate,
clip_grads(0.25), SGD(lr 20)), on the same batch each time.  Members:

- ``numpy``: benchmarks/book_rnnlm.py, the book's model and step done the book's way;
- ``fastnn``: fastnn.models.Rnnlm / BetterRnnlm with fastnn's trainer helpers and SGD;
- ``torch``: the same model in torch.nn (benchmarks/torch_models.py: Embedding,
  LSTM, Dropout, Linear, cross-entropy, clip_grad_norm_, SGD) from the same
  weights, with as many threads as numpy's BLAS (OPENBLAS_NUM_THREADS).

All start from the same seeded weights; the first step's loss and updated
params are compared with the book's before timing (BetterRnnlm's torch member
with dropout off on both sides: torch draws other masks).  Sizes: the book's (vocabulary 10,000,
batch 20, 35 steps; Rnnlm hidden 100, BetterRnnlm hidden 650; marked slow) and
a small one.  ``python -m benchmarks.test_bench_rnnlm`` times them in
alternation at the book's sizes and prints GFLOP/s beside the products alone.
"""

import os
import sys

import numpy as np
import pytest

from fastnn.models import BetterRnnlm, Rnnlm
from fastnn.optimizer import SGD
from fastnn.trainer import remove_duplicate
from fastnn.util import clip_grads

from . import book_rnnlm as book
from .cases import label
from .test_bench_lstm import _threads

LR, MAX_GRAD = 20.0, 0.25
BOOK = (10000, 20, 35, 100)
BOOK_BETTER = (10000, 20, 35, 650)
SMALL = (500, 8, 10, 32)


def _name(shape):
    V, N, T, H = shape
    return f"V{V}xN{N}xT{T}xH{H}"


def batch(shape, seed=0):
    V, N, T, _ = shape
    rng = np.random.default_rng(seed)
    return rng.integers(0, V, (N, T)).astype('i'), rng.integers(0, V, (N, T)).astype('i')


def make(kind, impl, shape):
    """(step, model): a zero-argument training step and the model it updates."""
    V, _, _, H = shape
    xs, ts = batch(shape)
    np.random.seed(0)
    if impl == "numpy":
        model = book.BookRnnlm(V, H, H) if kind == "rnnlm" else book.BookBetterRnnlm(V, H, H)

        def step():
            if kind == "better":
                np.random.seed(1)
            return book.train_step(model, xs, ts, LR, MAX_GRAD)

        return step, model
    model = Rnnlm(V, H, H) if kind == "rnnlm" else BetterRnnlm(V, H, H)
    opt = SGD(LR)

    def step():
        if kind == "better":
            np.random.seed(1)
        loss = model.forward(xs, ts)
        model.backward()
        params, grads = remove_duplicate(model.params, model.grads)
        clip_grads(grads, MAX_GRAD)
        opt.update(params, grads)
        return loss

    return step, model


def torch_make(kind, shape):
    """(step, model): the step in torch.nn (benchmarks/torch_models.py), from the
    book model's seeded weights, torch given numpy's BLAS thread count."""
    from . import torch_models as tm

    tm.set_threads(_threads())
    V, _, _, H = shape
    xs, ts = batch(shape)
    np.random.seed(0)
    ref = book.BookRnnlm(V, H, H) if kind == "rnnlm" else book.BookBetterRnnlm(V, H, H)
    model = (tm.Rnnlm if kind == "rnnlm" else tm.BetterRnnlm)(*ref.params)
    return tm.stepper(model, tm.sgd(model, LR), xs, ts, MAX_GRAD), model


def assert_torch_first_step(kind, shape):
    """torch's first step against the book's: the loss within 1e-4 relative and the
    params after SGD.  torch draws other dropout masks than the book, so BetterRnnlm
    is compared with dropout off on both sides (torch's eval(), the book's ratio 0), then put
    back in training mode.  Returns the torch step, to go on timing."""
    from . import torch_models as tm

    step, model = torch_make(kind, shape)
    ref_step, ref = make(kind, "numpy", shape)
    if kind == "better":
        model.eval()
        for layer in ref.layers:
            if isinstance(layer, book.BookTimeDropout):
                layer.ratio = 0.0  # masks of ones (the book's backward needs a mask)
    tm.assert_loss_close(step(), ref_step())
    tm.assert_arrays_close(model.book_params(), ref.params)
    model.train()
    return step


def assert_same_first_step(fast, ref):
    (f_step, f_model), (b_step, b_model) = fast, ref
    f_loss, b_loss = f_step(), b_step()
    assert abs(f_loss - b_loss) <= 1e-5 * abs(b_loss), (f_loss, b_loss)
    for a, b in zip(f_model.params, b_model.params):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4 * float(np.abs(b).max()))


def _cases():
    yield pytest.param("rnnlm", SMALL, id="rnnlm-" + _name(SMALL))
    yield pytest.param("better", SMALL, id="better-" + _name(SMALL))
    yield pytest.param("rnnlm", BOOK, id="rnnlm-" + _name(BOOK), marks=pytest.mark.slow)
    yield pytest.param("better", BOOK_BETTER, id="better-" + _name(BOOK_BETTER), marks=pytest.mark.slow)


@pytest.mark.parametrize("impl", ["numpy", "fastnn", "torch"])
@pytest.mark.parametrize("kind, shape", list(_cases()))
def test_rnnlm_step(benchmark, kind, shape, impl):
    op = "rnnlm_step" if kind == "rnnlm" else "better_rnnlm_step"
    if impl == "torch":
        pytest.importorskip("torch")
    label(benchmark, op, "float32", _name(shape), _name(shape), impl)
    if impl == "numpy":
        step = make(kind, "numpy", shape)[0]
    elif impl == "fastnn":
        fast = make(kind, "fastnn", shape)
        assert_same_first_step(fast, make(kind, "numpy", shape))
        step = fast[0]
    else:
        step = assert_torch_first_step(kind, shape)
    benchmark(step)


def product_flops(kind, shape):
    """2 x multiply-adds of the products of one step (the same on every side)."""
    V, N, T, H = shape
    rows = N * T
    lstm = 2 * rows * 4 * H * (3 * H + 3 * H)
    return lstm * (1 if kind == "rnnlm" else 2) + 2 * 3 * rows * H * V


def blas_only(kind, shape):
    """The step's products alone (np.matmul / np.dot into preallocated arrays), nothing
    else: the machine's BLAS rate for the same shapes."""
    V, N, T, H = shape
    rng = np.random.default_rng(2)
    rows = N * T
    f = np.float32
    x = rng.standard_normal((rows, H)).astype(f)
    W, Wh = rng.standard_normal((H, V)).astype(f), rng.standard_normal((H, 4 * H)).astype(f)
    Wx = rng.standard_normal((H, 4 * H)).astype(f)
    d = rng.standard_normal((rows, V)).astype(f)
    g = rng.standard_normal((rows, 4 * H)).astype(f)
    out, dx, dW = np.empty((rows, V), f), np.empty((rows, H), f), np.empty((H, V), f)
    gh, dh, dWx = np.empty((N, 4 * H), f), np.empty((N, H), f), np.empty((H, 4 * H), f)
    layers = 1 if kind == "rnnlm" else 2

    def step():
        for _ in range(layers):
            np.matmul(x, Wx, out=g)
            for t in range(T):
                np.matmul(x[t * N:(t + 1) * N], Wh, out=gh)
            for t in range(T):
                np.matmul(g[t * N:(t + 1) * N], Wh.T, out=dh)
            np.matmul(g, Wx.T, out=dx)
            np.dot(x.T, g, out=dWx)
            np.dot(x.T, g, out=dWx)
        np.matmul(x, W, out=out)
        np.matmul(d, W.T, out=dx)
        np.dot(x.T, d, out=dW)

    return step


def main(kinds=("rnnlm", "better")):
    """Alternating timing at the book's sizes: ms per step, speed-ups, GFLOP/s."""
    from .alternating import time_alternately

    for kind in kinds:
        shape = BOOK if kind == "rnnlm" else BOOK_BETTER
        fast, ref = make(kind, "fastnn", shape), make(kind, "numpy", shape)
        assert_same_first_step(fast, ref)
        flops = product_flops(kind, shape)
        rivals = [("book numpy", ref[0]), ("the products alone", blas_only(kind, shape))]
        try:
            import torch
            rivals.append((f"torch {torch.__version__}", assert_torch_first_step(kind, shape)))
        except ImportError:
            print("torch not installed: no torch member", file=sys.stderr)
        print(f"{kind} step {_name(shape)} float32, {flops / 1e9:.2f} GFLOP of products a step, "
              f"{_threads()} BLAS/torch thread(s), load average {os.getloadavg()[0]:.1f}")
        for name, rival in rivals:
            r = time_alternately(rival, fast[0], group_seconds=30.0, min_rounds=5)
            print(f"  {name}: {r.numpy * 1e3:.1f} ms | fastnn {r.fastnn * 1e3:.1f} ms "
                  f"({flops / r.fastnn / 1e9:.1f} GFLOP/s) | {name} / fastnn {r.speedup:.2f}x "
                  f"(middle half {r.speedup_q1:.2f}-{r.speedup_q3:.2f}, {r.rounds} rounds)")


PTB_TRAIN_WORDS = 929_589  # the size of PTB's training corpus, vocabulary 10,000


def synthetic_corpus(n=PTB_TRAIN_WORDS, vocab=10000, seed=0):
    """Word ids of PTB's size, Zipf-distributed like real text (a fixed seed)."""
    rng = np.random.default_rng(seed)
    ranks = rng.zipf(1.1, n) - 1
    return np.where(ranks < vocab, ranks, rng.integers(0, vocab, n)).astype(np.int64)


def epoch(kind="rnnlm", max_steps=None):
    """Wall time of one epoch of ch06's train_rnnlm.py (or the better model's) on a
    synthetic PTB-sized corpus, the book's numpy and fastnn one after the other."""
    import time

    from fastnn.trainer import RnnlmTrainer

    V, N, T, H = BOOK if kind == "rnnlm" else BOOK_BETTER
    corpus = synthetic_corpus()
    xs, ts = corpus[:-1], corpus[1:]
    steps = len(xs) // (N * T) if max_steps is None else max_steps
    np.random.seed(0)
    ref = book.BookRnnlm(V, H, H) if kind == "rnnlm" else book.BookBetterRnnlm(V, H, H)
    start = time.perf_counter()
    for bx, bt in book.batches(corpus, N, T, steps):
        book.train_step(ref, bx, bt, LR, MAX_GRAD)
    book_seconds = time.perf_counter() - start
    np.random.seed(0)
    model = Rnnlm(V, H, H) if kind == "rnnlm" else BetterRnnlm(V, H, H)
    trainer = RnnlmTrainer(model, SGD(LR))
    start = time.perf_counter()
    trainer.fit(xs[: steps * N * T + 1], ts[: steps * N * T + 1], 1, N, T, MAX_GRAD, eval_interval=None)
    fast_seconds = time.perf_counter() - start
    print(f"{kind}: one epoch ({steps} steps) book numpy {book_seconds:.1f} s, fastnn {fast_seconds:.1f} s, "
          f"{book_seconds / fast_seconds:.2f}x")


if __name__ == "__main__":
    if sys.argv[1:2] == ["epoch"]:
        epoch(*(sys.argv[2:3] or ["rnnlm"]), *(int(a) for a in sys.argv[3:4]))
    else:
        main(sys.argv[1:] or ("rnnlm", "better"))
