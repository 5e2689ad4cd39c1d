"""One epoch of the book's ch04/train.py on a synthetic corpus of PTB's size, wall time.

``python -m benchmarks.word2vec_epoch --which fastnn`` (or ``book``): a corpus
of 929,589 Zipf-distributed word ids over a vocabulary of 10,000 (PTB's
training set has those sizes), window 5, hidden 100, batch 100, CBOW, Adam,
one epoch through the Trainer (the book's loop), printing the wall time of
fit() and the time per step.  ``--max-iters N`` stops after N steps (the
book's numpy epoch takes many minutes), and the epoch time is then given as
that rate times the epoch's steps, marked as an extrapolation.
"""

import argparse
import contextlib
import io
import os
import sys
import time

import numpy as np

from .test_bench_word2vec import zipf_corpus

PTB_WORDS, PTB_VOCAB = 929_589, 10_000


def run(which, max_iters=None, seed=0):
    if which == "book":
        from . import book_word2vec as book

        def step_fn(model, optimizer, contexts, target):
            return book.train_step(model, optimizer, contexts, target)

        model_cls, optimizer = book.CBOW, book.Adam()
    else:
        from fastnn.models import CBOW
        from fastnn.optimizer import Adam
        from fastnn.trainer import remove_duplicate

        def step_fn(model, optimizer, contexts, target):
            loss = model.forward(contexts, target)
            model.backward()
            optimizer.update(*remove_duplicate(model.params, model.grads))
            return loss

        model_cls, optimizer = CBOW, Adam()
    from fastnn.util import create_contexts_target

    corpus = zipf_corpus(PTB_WORDS, PTB_VOCAB, seed)
    contexts, target = create_contexts_target(corpus, 5)
    np.random.seed(seed)
    model = model_cls(PTB_VOCAB, 100, 5, corpus)
    steps = target.size // 100
    todo = steps if max_iters is None else min(steps, max_iters)
    order = np.random.permutation(target.size)  # the Trainer's shuffle
    step_fn(model, optimizer, contexts[order[:100]], target[order[:100]])  # kernels compiled before timing
    started = time.perf_counter()
    for i in range(todo):
        batch = order[i * 100:(i + 1) * 100]
        step_fn(model, optimizer, contexts[batch], target[batch])
    seconds = time.perf_counter() - started
    return steps, todo, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.word2vec_epoch", description=__doc__.split("\n\n")[0])
    parser.add_argument("--which", choices=["book", "fastnn"], required=True)
    parser.add_argument("--max-iters", type=int, help="stop after this many steps and extrapolate")
    args = parser.parse_args(argv)
    load = os.getloadavg()
    with contextlib.redirect_stdout(io.StringIO()):
        steps, done, seconds = run(args.which, args.max_iters)
    per_step = seconds / done
    kind = "measured" if done == steps else f"extrapolated from {done} steps"
    print(f"{args.which}: {done} steps in {seconds:.1f} s, {per_step * 1e3:.2f} ms a step; epoch of {steps} steps: "
          f"{per_step * steps:.0f} s ({kind}); load average {load[0]:.1f} -> {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
