"""The book's ch04/negative_sampling_layer.py: EmbeddingDot, UnigramSampler, NegativeSamplingLoss.

Same constructors and results.  Where fastnn differs: NegativeSamplingLoss
holds W once in ``params`` (the book lists it sample_size + 1 times, one dense
gradient each, which the Trainer's remove_duplicate then adds up; fastnn writes
that sum directly), and its ``forward`` also takes targets of shape (N, C), C
target columns sharing one h (what the book's SkipGram does with C layers).
"""

import numpy as np

from ._core import inputs as check
from ._core.grads import grad_target, store_grad
from ._core.ids import check_ran, indices, weight
from .kernels import embedding as embed_kernels
from .kernels import negative_sampling as loss_kernels
from .kernels import sampling as sample_kernels


def _hidden(h, W, where):
    """h as a C-contiguous (N, H) array of W's dtype."""
    return check.batch(h, where, "h", W.shape[1], W.dtype)


class EmbeddingDot:
    """out[n] = W[idx[n]] . h[n].

    Args: W (V, H).  forward(h (N, H), idx (N,)) -> (N,); backward(dout (N,)) -> dh (N, H),
    writing dW (zeros, plus dout[n] * h[n] at row idx[n]) into ``grads[0]``.
    Attributes: params [W], grads [dW], cache (h, target_W).
    """

    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.cache = None
        self._idx = None

    def forward(self, h, idx):
        W = weight(self.params[0], "EmbeddingDot.forward")
        h = _hidden(h, W, "EmbeddingDot.forward")
        idx = indices(idx, W.shape[0], "EmbeddingDot.forward", ndim=1)
        if idx.shape[0] != h.shape[0]:
            raise ValueError(f"EmbeddingDot.forward: idx has shape {idx.shape}; expected ({h.shape[0]},), one id per row of h")
        n, H = h.shape
        target_W = np.empty((n, H), W.dtype)
        out = np.empty(n, W.dtype)
        embed_kernels.embedding_dot_forward(W, idx.reshape(n, 1), h, target_W.reshape(n, 1, H), out.reshape(n, 1))
        self.cache = (h, target_W)
        self._idx = idx
        return out

    def backward(self, dout):
        h, target_W = check.saved(self.cache, "EmbeddingDot.backward")
        n, H = h.shape
        dout = check.same_shape(dout, (n,), "EmbeddingDot.backward", "dout", h.dtype)
        dW = _grad(self.grads[0], self.params[0], h.dtype, "EmbeddingDot.backward")
        dh = np.empty((n, H), h.dtype)
        bad = embed_kernels.embedding_dot_backward(dout.reshape(n, 1), h, target_W.reshape(n, 1, H),
                                                   self._idx.reshape(n, 1), dW, dh)
        check_ran(bad, self._idx, dW.shape[0], "EmbeddingDot.backward")
        store_grad(self.grads[0], dW)
        return dh


def _grad(dW, W, dtype, where):
    """Where backward writes dW: grads[0] itself, or a temporary when it is not a C array of W's dtype."""
    return grad_target(dW, np.shape(W), dtype, where, "grads[0]", "like params[0] (W)")


class UnigramSampler:
    """Negative samples: for each target, sample_size distinct word ids other than the
    target, drawn with probability proportional to count ** power (``word_p``).

    Draws come from numpy's global random state (``np.random.seed`` repeats them);
    the law is the book's ``np.random.choice(..., replace=False, p)`` with the target
    excluded, though not its exact draws.  Word ids run over ``range(vocab_size)``,
    vocab_size being the largest id in corpus plus one.
    """

    def __init__(self, corpus, power, sample_size):
        corpus = indices(corpus, np.iinfo(np.int64).max, "UnigramSampler", "corpus", ndim=1)
        if corpus.size == 0:
            raise ValueError("UnigramSampler: corpus is empty; expected word ids")
        if not isinstance(sample_size, (int, np.integer)) or isinstance(sample_size, bool) or sample_size < 0:
            raise ValueError(f"UnigramSampler: sample_size is {sample_size!r}; expected a non-negative integer")
        self.sample_size = int(sample_size)
        counts = np.bincount(corpus).astype(np.float64)
        self.vocab_size = counts.size
        word_p = np.power(counts, power)
        self.word_p = word_p / np.sum(word_p)
        if not np.all(np.isfinite(self.word_p)):
            raise ValueError(f"UnigramSampler: power {power!r} gives weights that are not finite numbers")
        self._cdf = np.cumsum(self.word_p)
        self._positive = int(np.count_nonzero(self.word_p))

    def get_negative_sample(self, target):
        """(N, sample_size) int32 word ids for target (N,) word ids."""
        where = "UnigramSampler.get_negative_sample"
        target = indices(target, self.vocab_size, where, "target", ndim=1)
        S = self.sample_size
        if target.size and self._positive - 1 < S:
            available = self._positive - (self.word_p[target] > 0)
            if np.any(available < S):
                raise ValueError(f"{where}: only {int(available.min())} words besides a target have a non-zero "
                                 f"probability; expected at least sample_size = {S}")
        out = np.empty((target.size, S), np.int32)
        row = col = 0
        while row < target.size:
            wanted = (target.size - row) * S - col
            uniforms = np.random.random_sample(wanted + wanted // 8 + 8)  # a few spare for redraws
            row, col, _ = sample_kernels.fill_negative_samples(self._cdf, target, uniforms, out, row, col)
        return out


class NegativeSamplingLoss:
    """The binary loss of the target against sample_size negatives drawn by a UnigramSampler.

    Args: W (V, H), corpus (word ids), power=0.75, sample_size=5.  forward(h (N, H),
    target (N,) or (N, C)) -> the loss, summed over the target and negative columns
    of each mean over rows, as the book's; backward(dout=1) -> dh (N, H), writing dW
    into ``grads[0]``.  Attributes: params [W], grads [dW], sampler, sample_size.
    """

    def __init__(self, W, corpus, power=0.75, sample_size=5, *, _grad=None):
        self.sample_size = sample_size
        self.sampler = UnigramSampler(corpus, power, sample_size)
        self.params = [W]
        self.grads = [np.zeros_like(W) if _grad is None else _grad]  # models pass a view of their one buffer
        self._cache = None
        self._rows = self._scores = self._y = None

    def forward(self, h, target):
        where = "NegativeSamplingLoss.forward"
        W = weight(self.params[0], where)
        h = _hidden(h, W, where)
        target = indices(target, min(W.shape[0], self.sampler.vocab_size), where, "target")
        if target.ndim not in (1, 2) or target.shape[0] != h.shape[0]:
            raise ValueError(f"{where}: target has shape {target.shape}; expected ({h.shape[0]},) or "
                             f"({h.shape[0]}, C), one row per row of h")
        n, H = h.shape
        columns = 1 if target.ndim == 1 else target.shape[1]
        group = self.sample_size + 1
        negatives = self.sampler.get_negative_sample(target.reshape(-1))
        idx = np.empty((n, columns, group), np.int64)
        idx[:, :, 0] = target.reshape(n, columns)
        idx[:, :, 1:] = negatives.reshape(n, columns, group - 1)
        idx = idx.reshape(n, columns * group)
        K = idx.shape[1]
        if self._rows is None or self._rows.shape != (n, K, H) or self._rows.dtype is not W.dtype:
            self._rows = np.empty((n, K, H), W.dtype)
            self._scores = np.empty((n, K), W.dtype)
        y = np.empty((n, K), W.dtype)
        # negatives are drawn from the sampler's vocabulary: a W with fewer rows is caught here
        bad = embed_kernels.embedding_dot_forward(W, idx, h, self._rows, self._scores)
        check_ran(bad, idx, W.shape[0], where, "target or negative sample")
        loss = loss_kernels.binary_losses_forward(self._scores, group, y)
        self._cache = (h, idx, y)
        return W.dtype.type(loss)

    def backward(self, dout=1):
        where = "NegativeSamplingLoss.backward"
        h, idx, y = check.saved(self._cache, where)
        if isinstance(dout, (bool, np.bool_)) or not isinstance(dout, (int, float, np.integer, np.floating)):
            raise TypeError(f"{where}: dout is {dout!r}; expected a number (the loss's upstream gradient)")
        dW = _grad(self.grads[0], self.params[0], h.dtype, where)
        dscores = np.empty(y.shape, y.dtype)
        loss_kernels.binary_losses_backward(y, self.sample_size + 1, float(dout), dscores)
        dh = np.empty(h.shape, h.dtype)
        bad = embed_kernels.embedding_dot_backward(dscores, h, self._rows, idx, dW, dh)
        check_ran(bad, idx, dW.shape[0], where, "target or negative sample")
        store_grad(self.grads[0], dW)
        return dh
