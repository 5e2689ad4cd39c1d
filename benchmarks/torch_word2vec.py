"""Chapter 4's CBOW with negative sampling in PyTorch eager, written as a PyTorch
user would write it, for the ``torch`` member of benchmarks/test_bench_word2vec.py.
Imports torch: that file imports this module only where it needs it.

The same math as the book's ch04 CBOW: h is the mean of the context words'
W_in rows; the target's W_out row scores h with label 1 and ``sample_size``
negatives' rows with label 0; each is a sigmoid cross-entropy averaged over
the batch, and the loss is their sum.  Both embeddings give dense gradients
(``sparse=False``, the default) and Adam updates them densely, as the book's
Adam does.  Negatives are drawn as the book's sampler draws them (unigram
counts to the power 0.75, the target excluded, no repeats within a row), with
``torch.multinomial`` over one probability row per target.
"""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .torch_models import ids, set_threads  # noqa: F401 (set_threads: for the bench file)


class CBOW(nn.Module):
    """forward(contexts (N, 2*window) ids, target (N,) ids, negatives (N, S) or None) -> loss."""

    def __init__(self, W_in, W_out, word_p, sample_size=5):
        super().__init__()
        self.embed_in = nn.Embedding.from_pretrained(torch.from_numpy(np.array(W_in, np.float32)), freeze=False)
        self.embed_out = nn.Embedding.from_pretrained(torch.from_numpy(np.array(W_out, np.float32)), freeze=False)
        self.register_buffer("word_p", torch.from_numpy(np.asarray(word_p, np.float64)))
        self.sample_size = sample_size

    def negatives(self, target):
        p = self.word_p.expand(target.shape[0], -1).clone()
        p[torch.arange(target.shape[0]), target] = 0  # the target is never its own negative
        return torch.multinomial(p, self.sample_size, replacement=False)

    def forward(self, contexts, target, negatives=None):
        if negatives is None:
            negatives = self.negatives(target)
        h = self.embed_in(contexts).mean(dim=1)
        positive = (self.embed_out(target) * h).sum(dim=1)
        negative = (self.embed_out(negatives) * h.unsqueeze(1)).sum(dim=2)
        n = target.shape[0]
        return (F.binary_cross_entropy_with_logits(positive, torch.ones_like(positive))
                + F.binary_cross_entropy_with_logits(negative, torch.zeros_like(negative), reduction="sum") / n)

    def book_grads(self):
        """[dW_in, dW_out] as numpy arrays (the book's merged gradients' layout)."""
        return [self.embed_in.weight.grad.numpy().copy(), self.embed_out.weight.grad.numpy().copy()]


def stepper(model, batches, lr=0.001):
    """One iteration of the book's Trainer.fit for ch04 (forward, backward, Adam; no clipping),
    cycling through `batches` [(contexts, target)] as the numpy and fastnn members do."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    data = [(ids(c), ids(t)) for c, t in batches]
    counter = [0]

    def step():
        contexts, target = data[counter[0] % len(data)]
        counter[0] += 1
        optimizer.zero_grad()
        loss = model(contexts, target)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def first_gradients(model, contexts, target, negatives):
    """(loss, [dW_in, dW_out]) of one forward and backward with the given negatives."""
    for p in model.parameters():
        p.grad = None
    loss = model(ids(contexts), ids(target), ids(negatives))
    loss.backward()
    return loss.item(), model.book_grads()
