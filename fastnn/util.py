"""Helpers from the book's common/util.py that training needs."""

import numpy as np

from .perplexity import eval_perplexity  # noqa: F401  (the book keeps it in common/util.py)


def clip_grads(grads, max_norm):
    """Scale all grads in place so that their joint L2 norm is at most max_norm."""
    total_norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    rate = max_norm / (total_norm + 1e-6)
    if rate < 1:
        for g in grads:
            g *= rate
