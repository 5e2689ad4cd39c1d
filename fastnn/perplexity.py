"""The book's eval_perplexity (common/util.py)."""

import sys

import numpy as np


def eval_perplexity(model, corpus, batch_size=10, time_size=35):
    """exp(mean loss) of ``model`` over ``corpus`` read as the book reads it.

    The corpus is cut into batch_size streams (one every len(corpus)-1 // batch_size
    words) read time_size words at a time; model.forward(xs, ts, train_flg=False)
    is called (plain forward(xs, ts) for a model without that flag).  Prints
    'evaluating perplexity ...', then 'i / max_iters' on one line, as the book does.
    """
    print('evaluating perplexity ...')
    corpus = np.asarray(corpus)
    corpus_size = len(corpus)
    max_iters = (corpus_size - 1) // (batch_size * time_size)
    if max_iters < 1:
        raise ValueError(
            f"eval_perplexity: corpus has {corpus_size} words; expected more than "
            f"batch_size * time_size = {batch_size * time_size}"
        )
    jump = (corpus_size - 1) // batch_size
    streams = np.arange(batch_size)[:, None] * jump + np.arange(time_size)[None, :]
    total_loss = 0
    for iters in range(max_iters):
        positions = streams + iters * time_size
        xs = corpus[positions % corpus_size].astype(np.int32)
        ts = corpus[(positions + 1) % corpus_size].astype(np.int32)
        try:
            loss = model.forward(xs, ts, train_flg=False)
        except TypeError:
            loss = model.forward(xs, ts)
        total_loss += loss

        sys.stdout.write('\r%d / %d' % (iters, max_iters))
        sys.stdout.flush()

    print()
    return np.exp(total_loss / max_iters)
