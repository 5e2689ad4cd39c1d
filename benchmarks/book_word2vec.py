"""Chapter 4's word2vec in plain numpy, doing exactly what the book's code does.

Written from the book's formulas (common/layers.py's Embedding and
SigmoidWithLoss, ch04/negative_sampling_layer.py, ch04/cbow.py, skip_gram.py,
common/optimizer.py's Adam, common/trainer.py's remove_duplicate), op for op:
the same numpy calls, the same dtypes (the float64 that integer labels bring
into the backward included), the same dense gradients and the same per-row
sampler.  The benchmarks time it against fastnn; the tests use it as the
independent implementation fastnn's models must agree with.  ``negatives``
hooks let a test hand it the negative samples fastnn drew.
"""

import collections

import numpy as np


class Embedding:
    def __init__(self, W):
        self.params, self.grads = [W], [np.zeros_like(W)]
        self.idx = None

    def forward(self, idx):
        self.idx = idx
        return self.params[0][idx]

    def backward(self, dout):
        dW = self.grads[0]
        dW[...] = 0
        np.add.at(dW, self.idx, dout)


class SigmoidWithLoss:
    def __init__(self):
        self.params, self.grads = [], []
        self.y = self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = 1 / (1 + np.exp(-x))
        both = np.c_[1 - self.y, self.y]  # columns: label 0, label 1
        n = both.shape[0]
        return -np.sum(np.log(both[np.arange(n), t] + 1e-7)) / n

    def backward(self, dout=1):
        return (self.y - self.t) * dout / self.t.shape[0]


class EmbeddingDot:
    def __init__(self, W):
        self.embed = Embedding(W)
        self.params, self.grads = self.embed.params, self.embed.grads
        self.cache = None

    def forward(self, h, idx):
        rows = self.embed.forward(idx)
        self.cache = (h, rows)
        return np.sum(rows * h, axis=1)

    def backward(self, dout):
        h, rows = self.cache
        dout = dout.reshape(-1, 1)
        self.embed.backward(dout * h)
        return dout * rows


class UnigramSampler:
    def __init__(self, corpus, power, sample_size):
        self.sample_size = sample_size
        counts = collections.Counter(int(w) for w in corpus)
        self.vocab_size = len(counts)
        weights = np.array([counts[i] for i in range(self.vocab_size)], dtype=np.float64)
        weights = np.power(weights, power)
        self.word_p = weights / np.sum(weights)

    def get_negative_sample(self, target):
        out = np.zeros((target.shape[0], self.sample_size), dtype=np.int32)
        for i in range(target.shape[0]):
            p = self.word_p.copy()
            p[target[i]] = 0
            p /= p.sum()
            out[i, :] = np.random.choice(self.vocab_size, size=self.sample_size, replace=False, p=p)
        return out


class NegativeSamplingLoss:
    def __init__(self, W, corpus, power=0.75, sample_size=5):
        self.sample_size = sample_size
        self.sampler = UnigramSampler(corpus, power, sample_size)
        self.loss_layers = [SigmoidWithLoss() for _ in range(sample_size + 1)]
        self.embed_dot_layers = [EmbeddingDot(W) for _ in range(sample_size + 1)]
        self.params = [p for layer in self.embed_dot_layers for p in layer.params]
        self.grads = [g for layer in self.embed_dot_layers for g in layer.grads]
        self.negatives = None  # a test may set the next negative samples here

    def forward(self, h, target):
        n = target.shape[0]
        if self.negatives is None:
            negative = self.sampler.get_negative_sample(target)
        else:
            negative, self.negatives = self.negatives, None
        loss = self.loss_layers[0].forward(self.embed_dot_layers[0].forward(h, target), np.ones(n, dtype=np.int32))
        zeros = np.zeros(n, dtype=np.int32)
        for i in range(self.sample_size):
            score = self.embed_dot_layers[1 + i].forward(h, negative[:, i])
            loss += self.loss_layers[1 + i].forward(score, zeros)
        return loss

    def backward(self, dout=1):
        dh = 0
        for loss_layer, dot_layer in zip(self.loss_layers, self.embed_dot_layers):
            dh += dot_layer.backward(loss_layer.backward(dout))
        return dh


def _book_weights(V, H):
    return 0.01 * np.random.randn(V, H).astype('f'), 0.01 * np.random.randn(V, H).astype('f')


class CBOW:
    def __init__(self, vocab_size, hidden_size, window_size, corpus):
        W_in, W_out = _book_weights(vocab_size, hidden_size)
        self.in_layers = [Embedding(W_in) for _ in range(2 * window_size)]
        self.ns_loss = NegativeSamplingLoss(W_out, corpus, power=0.75, sample_size=5)
        self.params, self.grads = [], []
        for layer in self.in_layers + [self.ns_loss]:
            self.params += layer.params
            self.grads += layer.grads
        self.word_vecs = W_in

    def forward(self, contexts, target):
        h = 0
        for i, layer in enumerate(self.in_layers):
            h += layer.forward(contexts[:, i])
        h *= 1 / len(self.in_layers)
        return self.ns_loss.forward(h, target)

    def backward(self, dout=1):
        dout = self.ns_loss.backward(dout)
        dout *= 1 / len(self.in_layers)
        for layer in self.in_layers:
            layer.backward(dout)


class SkipGram:
    def __init__(self, vocab_size, hidden_size, window_size, corpus):
        W_in, W_out = _book_weights(vocab_size, hidden_size)
        self.in_layer = Embedding(W_in)
        self.loss_layers = [NegativeSamplingLoss(W_out, corpus, power=0.75, sample_size=5)
                            for _ in range(2 * window_size)]
        self.params, self.grads = [], []
        for layer in [self.in_layer] + self.loss_layers:
            self.params += layer.params
            self.grads += layer.grads
        self.word_vecs = W_in

    def forward(self, contexts, target):
        h = self.in_layer.forward(target)
        loss = 0
        for i, layer in enumerate(self.loss_layers):
            loss += layer.forward(h, contexts[:, i])
        return loss

    def backward(self, dout=1):
        dh = 0
        for layer in self.loss_layers:
            dh += layer.backward(dout)
        self.in_layer.backward(dh)


class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.iter = 0
        self.m = self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter)
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m += (1 - self.beta1) * (g - m)
            v += (1 - self.beta2) * (g ** 2 - v)
            p -= lr_t * m / (np.sqrt(v) + 1e-7)


def remove_duplicate(params, grads):
    """Shared weights once each, their grads summed into the first one's (in place)."""
    params, grads = params[:], grads[:]
    changed = True
    while changed:
        changed = False
        for i in range(len(params) - 1):
            for j in range(i + 1, len(params)):
                if params[i] is params[j]:
                    grads[i] += grads[j]
                elif (params[i].ndim == 2 and params[j].ndim == 2 and params[i].T.shape == params[j].shape
                      and np.all(params[j] == params[i].T)):
                    grads[i] += grads[j].T
                else:
                    continue
                del params[j], grads[j]
                changed = True
                break
            if changed:
                break
    return params, grads


def train_step(model, optimizer, contexts, target):
    """One iteration of the book's Trainer.fit: forward, backward, merge, Adam."""
    loss = model.forward(contexts, target)
    model.backward()
    params, grads = remove_duplicate(model.params, model.grads)
    optimizer.update(params, grads)
    return loss
