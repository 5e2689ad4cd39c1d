"""The book's common/util.py: one place to import its functions from.

The functions live by topic (fastnn.words.corpus, fastnn.words.counts, fastnn.words.vectors)
and are re-exported here under the book's names, so ``from fastnn.util import
preprocess, create_co_matrix, ppmi, most_similar`` works as the book's import
does.  eval_perplexity (chapters 5-6) and eval_seq2seq (chapter 7) are here.  As the
book's module has no __all__, its star import also gives np, GPU, os and sys; so does
this one.
"""

import os
import sys

import numpy as np

from . import config
from .np import GPU
from .words.corpus import convert_one_hot, create_contexts_target, preprocess
from .words.counts import create_co_matrix, ppmi
from .words.vectors import analogy, cos_similarity, most_similar, normalize

config.check_cpu()

__all__ = [
    "GPU", "analogy", "clip_grads", "convert_one_hot", "cos_similarity", "create_co_matrix",
    "create_contexts_target", "eval_perplexity", "eval_seq2seq", "most_similar", "normalize",
    "np", "os", "ppmi", "preprocess", "sys", "to_cpu", "to_gpu",
]


def to_cpu(x):
    """x as a numpy array: an ndarray is returned as it is, a CuPy array copied to the host."""
    if isinstance(x, np.ndarray):
        return x
    if type(x).__module__.split(".")[0] == "cupy":
        return x.get()
    return np.asarray(x)


def to_gpu(x):
    """Not available: fastnn runs on the CPU (raises fastnn.config.GPUModeError)."""
    raise config.GPUModeError("to_gpu: " + config.MESSAGE)


def clip_grads(grads, max_norm):
    """Scale all grads in place so that their joint L2 norm is at most max_norm."""
    total_norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    rate = max_norm / (total_norm + 1e-6)
    if rate < 1:
        for g in grads:
            g *= rate


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


_COLORS = {"ok": "\033[92m", "fail": "\033[91m", "close": "\033[0m"}


def _as_text(ids, id_to_char):
    try:
        return "".join(id_to_char[int(i)] for i in ids)
    except KeyError as error:
        raise ValueError(f"eval_seq2seq: id {error.args[0]} is not in id_to_char; expected ids of the vocabulary") from None


def eval_seq2seq(model, question, correct, id_to_char, verbose=False, is_reverse=False):
    """1 if model.generate(question, correct[0], len(correct) - 1) is correct[1:], else 0.

    question (1, Tq) and correct (1, Tc) are id arrays (one test row each, as the
    book's x_test[[i]], t_test[[i]]); correct's first id is the decoder's start mark.

    With verbose it prints the book's four lines: ``Q`` and the question (turned back
    when the model read it reversed), ``T`` and the correct answer, the guess after a
    green ☑ or a red ☒ (``O`` / ``X`` on Windows, as the book), then ``---``.
    """
    correct = correct.flatten()
    if correct.size < 2:
        raise ValueError(f"eval_seq2seq: correct has {correct.size} ids; expected the start mark and the answer")
    start_id, correct = correct[0], correct[1:]
    guess = model.generate(question, start_id, len(correct))

    question = _as_text(question.flatten(), id_to_char)
    correct = _as_text(correct, id_to_char)
    guess = _as_text(guess, id_to_char)

    if verbose:
        if is_reverse:
            question = question[::-1]
        print("Q", question)
        print("T", correct)
        windows = os.name == "nt"
        if correct == guess:
            mark = "O" if windows else _COLORS["ok"] + "☑" + _COLORS["close"]
        else:
            mark = "X" if windows else _COLORS["fail"] + "☒" + _COLORS["close"]
        print(mark + " " + guess)
        print("---")
    return 1 if guess == correct else 0
