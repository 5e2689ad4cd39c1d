"""The book's word2vec models: SimpleCBOW, SimpleSkipGram (ch03), CBOW, SkipGram (ch04).

Weights are drawn as the book draws them (``0.01 * np.random.randn(...).astype('f')``,
W_in then W_out, from numpy's global generator).  The ch04 models list each
weight once in ``params`` ([W_in, W_out], the book lists W_in once per context
word and W_out once per sample, each with its own dense gradient that the
Trainer's remove_duplicate adds up); their grads hold those sums directly.  The
params tile one buffer and the grads another, so Adam updates both matrices in
one kernel call.
"""

import numpy as np

from .._core.flat import views_of_one_buffer
from .._core.grads import grad_target, store_grad
from .._core.ids import check_ran, indices, weight
from ..kernels import embedding as kernels
from ..layers import MatMul, SoftmaxWithLoss
from ..negative_sampling import NegativeSamplingLoss
from ..nn.embedding import Embedding


def _book_weights(*shapes):
    """The book's initial weights, one buffer for them and one for their grads."""
    drawn = [0.01 * np.random.randn(*shape).astype('f') for shape in shapes]
    _, params = views_of_one_buffer(shapes, np.float32)
    for p, w in zip(params, drawn):
        p[...] = w
    _, grads = views_of_one_buffer(shapes, np.float32)
    return params, grads


def _contexts(contexts, n_rows, columns, where):
    contexts = indices(contexts, n_rows, where, "contexts", ndim=2)
    if contexts.shape[1] != columns:
        raise ValueError(f"{where}: contexts has shape {contexts.shape}; expected (N, {columns}) "
                         f"(2 * window_size context words per target)")
    return contexts


class SimpleCBOW:
    """ch03's CBOW on one-hot inputs: two context words, MatMul(W_in) each, their mean,
    MatMul(W_out), SoftmaxWithLoss.  forward(contexts (N, 2, V), target (N, V) or (N,))."""

    def __init__(self, vocab_size, hidden_size):
        V, H = vocab_size, hidden_size
        W_in = 0.01 * np.random.randn(V, H).astype('f')
        W_out = 0.01 * np.random.randn(H, V).astype('f')
        self.in_layer0 = MatMul(W_in)
        self.in_layer1 = MatMul(W_in)
        self.out_layer = MatMul(W_out)
        self.loss_layer = SoftmaxWithLoss()
        self.params, self.grads = [], []
        for layer in (self.in_layer0, self.in_layer1, self.out_layer):
            self.params += layer.params
            self.grads += layer.grads
        self.word_vecs = W_in

    def forward(self, contexts, target):
        h0 = self.in_layer0.forward(contexts[:, 0])
        h1 = self.in_layer1.forward(contexts[:, 1])
        h = (h0 + h1) * 0.5
        return self.loss_layer.forward(self.out_layer.forward(h), target)

    def backward(self, dout=1):
        da = self.out_layer.backward(self.loss_layer.backward(dout))
        da *= 0.5
        self.in_layer1.backward(da)
        self.in_layer0.backward(da)


class SimpleSkipGram:
    """ch03's skip-gram on one-hot inputs: MatMul(W_in) of the target, MatMul(W_out),
    one SoftmaxWithLoss per context word (two).  forward(contexts (N, 2, ...), target)."""

    def __init__(self, vocab_size, hidden_size):
        V, H = vocab_size, hidden_size
        W_in = 0.01 * np.random.randn(V, H).astype('f')
        W_out = 0.01 * np.random.randn(H, V).astype('f')
        self.in_layer = MatMul(W_in)
        self.out_layer = MatMul(W_out)
        self.loss_layer1 = SoftmaxWithLoss()
        self.loss_layer2 = SoftmaxWithLoss()
        self.params = self.in_layer.params + self.out_layer.params
        self.grads = self.in_layer.grads + self.out_layer.grads
        self.word_vecs = W_in

    def forward(self, contexts, target):
        s = self.out_layer.forward(self.in_layer.forward(target))
        return self.loss_layer1.forward(s, contexts[:, 0]) + self.loss_layer2.forward(s, contexts[:, 1])

    def backward(self, dout=1):
        ds = self.loss_layer1.backward(dout) + self.loss_layer2.backward(dout)
        self.in_layer.backward(self.out_layer.backward(ds))


class CBOW:
    """ch04's CBOW: h = the mean of W_in's rows for the 2 * window_size context words,
    then NegativeSamplingLoss(W_out, corpus, power=0.75, sample_size=5) (the book's
    values; fastnn lets them be changed with the keywords ``power`` and ``sample_size``).

    forward(contexts (N, 2 * window_size) word ids, target (N,)) -> loss; backward(dout=1).
    Attributes: params [W_in, W_out], grads [dW_in, dW_out], ns_loss, word_vecs (W_in).
    """

    def __init__(self, vocab_size, hidden_size, window_size, corpus, *, power=0.75, sample_size=5):
        (W_in, W_out), (dW_in, dW_out) = _book_weights((vocab_size, hidden_size), (vocab_size, hidden_size))
        self.window_size = window_size
        self.ns_loss = NegativeSamplingLoss(W_out, corpus, power=power, sample_size=sample_size, _grad=dW_out)
        self.params, self.grads = [W_in, W_out], [dW_in, dW_out]
        self.word_vecs = W_in
        self._contexts = None

    def forward(self, contexts, target):
        W_in = weight(self.params[0], "CBOW.forward", "W_in")
        contexts = _contexts(contexts, W_in.shape[0], 2 * self.window_size, "CBOW.forward")
        h = np.empty((contexts.shape[0], W_in.shape[1]), W_in.dtype)
        kernels.embedding_mean_forward(W_in, contexts, h)
        loss = self.ns_loss.forward(h, target)
        self._contexts = contexts
        return loss

    def backward(self, dout=1):
        if self._contexts is None:
            raise ValueError("CBOW.backward: backward called before forward")
        W_in = self.params[0]
        dW_in = grad_target(self.grads[0], np.shape(W_in), W_in.dtype, "CBOW.backward", "grads[0]", "like params[0] (W_in)")
        # What the scatter into dW_in could refuse is checked before ns_loss.backward
        # writes grads[1], so a rejected call changes nothing (W_in may have been
        # replaced by a smaller or narrower one since forward).
        check_ran(kernels.first_bad_index(self._contexts, dW_in.shape[0]), self._contexts, dW_in.shape[0],
                  "CBOW.backward", "contexts")
        width = np.shape(self.params[1])[-1]
        if dW_in.shape[1] != width:
            raise ValueError(f"CBOW.backward: params[0] (W_in) has shape {dW_in.shape}; expected "
                             f"({dW_in.shape[0]}, {width}), as wide as params[1] (W_out)")
        dh = self.ns_loss.backward(dout)
        bad = kernels.embedding_mean_backward(dh, self._contexts, dW_in)
        check_ran(bad, self._contexts, dW_in.shape[0], "CBOW.backward", "contexts")
        store_grad(self.grads[0], dW_in)


class SkipGram:
    """ch04's skip-gram: h = W_in[target], then a negative-sampling loss for each of the
    2 * window_size context words (each with its own negatives), summed.

    forward(contexts (N, 2 * window_size), target (N,)) -> loss; backward(dout=1).
    Attributes: params [W_in, W_out], grads [dW_in, dW_out], in_layer, ns_loss, word_vecs.
    """

    def __init__(self, vocab_size, hidden_size, window_size, corpus, *, power=0.75, sample_size=5):
        (W_in, W_out), (dW_in, dW_out) = _book_weights((vocab_size, hidden_size), (vocab_size, hidden_size))
        self.window_size = window_size
        self.in_layer = Embedding(W_in, _grad=dW_in)
        self.ns_loss = NegativeSamplingLoss(W_out, corpus, power=power, sample_size=sample_size, _grad=dW_out)
        self.params, self.grads = [W_in, W_out], [dW_in, dW_out]
        self.word_vecs = W_in

    def forward(self, contexts, target):
        contexts = _contexts(contexts, self.params[1].shape[0], 2 * self.window_size, "SkipGram.forward")
        target = indices(target, self.params[0].shape[0], "SkipGram.forward", "target", ndim=1)
        if target.shape[0] != contexts.shape[0]:
            raise ValueError(f"SkipGram.forward: target has shape {target.shape}; expected ({contexts.shape[0]},) "
                             "like the rows of contexts")
        h = self.in_layer.forward(target)
        return self.ns_loss.forward(h, contexts)

    def backward(self, dout=1):
        self.in_layer.backward(self.ns_loss.backward(dout))
