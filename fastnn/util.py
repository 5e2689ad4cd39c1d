"""The book's common/util.py for chapters 1-4: one place to import them from.

The functions live by topic (fastnn.text, fastnn.word_stats, fastnn.word_vectors)
and are re-exported here under the book's names, so ``from fastnn.util import
preprocess, create_co_matrix, ppmi, most_similar`` works as the book's import
does.  eval_perplexity (chapters 5-6) lives in fastnn.perplexity, eval_seq2seq
(chapter 7) in fastnn.seq2seq_eval.  As the book's module has no __all__, its star
import also gives np, GPU, os and sys; so does this one.
"""

import os
import sys

import numpy as np

from . import config
from .np import GPU
from .perplexity import eval_perplexity
from .seq2seq_eval import eval_seq2seq  # chapter 7
from .text import convert_one_hot, create_contexts_target, preprocess
from .word_stats import create_co_matrix, ppmi
from .word_vectors import analogy, cos_similarity, most_similar, normalize

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
