"""The book's chapter 8 AttentionSeq2seq in plain numpy, done the way the book's
code does it: the numpy member of benchmarks/test_bench_attention.py and the
oracle of tests/test_attention_seq2seq.py.

Written here from the book's equations and its per-step structure: the
attention builds one Attention object (weights, then weighted sum) per decoder
step; each product is a broadcast multiply of (N, T, H) arrays followed by a
sum, the weights' softmax is the Softmax layer's (max subtracted, exp, divided
by the sum; backward y * (dy - sum(y * dy))).  The encoder and decoder LSTMs,
embeddings, affine and loss are benchmarks/book_lstm.py and book_rnnlm.py.
The training step is the book's Trainer's: forward, backward,
remove_duplicate, clip_grads, Adam.
"""

import numpy as np

from .book_lstm import BookTimeLSTM
from .book_rnnlm import BookTimeAffine, BookTimeEmbedding, BookTimeSoftmaxWithLoss, clip_grads, remove_duplicate


def _softmax(s):
    s = s - s.max(axis=1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=1, keepdims=True)


class BookAttention:
    """One decoder step's attention: weights a = softmax(hs . h), context c = sum_t a_t hs_t."""

    def forward(self, hs, h):
        N, T, H = hs.shape
        hr = h.reshape(N, 1, H)
        a = _softmax(np.sum(hs * hr, axis=2))  # AttentionWeight
        ar = a.reshape(N, T, 1)
        c = np.sum(hs * ar, axis=1)  # WeightSum
        self.cache = (hs, hr, ar, a)
        self.attention_weight = a
        return c

    def backward(self, dc):
        hs, hr, ar, a = self.cache
        N, T, H = hs.shape
        dt = dc.reshape(N, 1, H).repeat(T, axis=1)  # WeightSum's backward
        dhs0 = dt * ar
        da = np.sum(dt * hs, axis=2)
        ds = a * da  # the Softmax layer's backward
        ds -= a * np.sum(ds, axis=1, keepdims=True)
        dt = ds.reshape(N, T, 1).repeat(H, axis=2)  # AttentionWeight's backward
        dhs1 = dt * hr
        dh = np.sum(dt * hs, axis=1)
        return dhs0 + dhs1, dh


class BookTimeAttention:
    def forward(self, hs_enc, hs_dec):
        N, T, H = hs_dec.shape
        out = np.empty_like(hs_dec)
        self.layers, self.attention_weights = [], []
        for t in range(T):
            layer = BookAttention()
            out[:, t, :] = layer.forward(hs_enc, hs_dec[:, t, :])
            self.layers.append(layer)
            self.attention_weights.append(layer.attention_weight)
        return out

    def backward(self, dout):
        N, T, H = dout.shape
        dhs_enc = 0
        dhs_dec = np.empty_like(dout)
        for t in range(T):
            dhs, dh = self.layers[t].backward(dout[:, t, :])
            dhs_enc += dhs
            dhs_dec[:, t, :] = dh
        return dhs_enc, dhs_dec


def _lstm(rn, D, H, stateful):
    Wx = (rn(D, 4 * H) / np.sqrt(D)).astype('f')
    Wh = (rn(H, 4 * H) / np.sqrt(H)).astype('f')
    return BookTimeLSTM(Wx, Wh, np.zeros(4 * H).astype('f'), stateful=stateful)


class BookAttentionEncoder:
    def __init__(self, V, D, H):
        rn = np.random.randn
        self.embed = BookTimeEmbedding((rn(V, D) / 100).astype('f'))
        self.lstm = _lstm(rn, D, H, stateful=False)
        self.params = self.embed.params + self.lstm.params
        self.grads = self.embed.grads + self.lstm.grads

    def forward(self, xs):
        return self.lstm.forward(self.embed.forward(xs))

    def backward(self, dhs):
        self.embed.backward(self.lstm.backward(dhs))


class BookAttentionDecoder:
    def __init__(self, V, D, H):
        rn = np.random.randn
        self.embed = BookTimeEmbedding((rn(V, D) / 100).astype('f'))
        self.lstm = _lstm(rn, D, H, stateful=True)
        self.attention = BookTimeAttention()
        self.affine = BookTimeAffine((rn(2 * H, V) / np.sqrt(2 * H)).astype('f'), np.zeros(V).astype('f'))
        self.params, self.grads = [], []
        for layer in (self.embed, self.lstm, self.affine):
            self.params += layer.params
            self.grads += layer.grads

    def _step(self, xs, enc_hs):
        dec_hs = self.lstm.forward(self.embed.forward(xs))
        c = self.attention.forward(enc_hs, dec_hs)
        return self.affine.forward(np.concatenate((c, dec_hs), axis=2))

    def forward(self, xs, enc_hs):
        self.lstm.set_state(enc_hs[:, -1])
        return self._step(xs, enc_hs)

    def backward(self, dscore):
        dout = self.affine.backward(dscore)
        H = dout.shape[2] // 2
        denc_hs, ddec_hs1 = self.attention.backward(dout[:, :, :H])
        dout = self.lstm.backward(dout[:, :, H:] + ddec_hs1)
        denc_hs[:, -1] += self.lstm.dh
        self.embed.backward(dout)
        return denc_hs

    def generate(self, enc_hs, start_id, sample_size):
        sampled, sample_id = [], start_id
        self.lstm.set_state(enc_hs[:, -1])
        for _ in range(sample_size):
            score = self._step(np.array([[sample_id]]), enc_hs)
            sample_id = int(np.argmax(score.flatten()))
            sampled.append(sample_id)
        return sampled


class BookAttentionSeq2seq:
    def __init__(self, V, D, H):
        self.encoder = BookAttentionEncoder(V, D, H)
        self.decoder = BookAttentionDecoder(V, D, H)
        self.softmax = BookTimeSoftmaxWithLoss()
        self.params = self.encoder.params + self.decoder.params
        self.grads = self.encoder.grads + self.decoder.grads

    def forward(self, xs, ts):
        enc_hs = self.encoder.forward(xs)
        score = self.decoder.forward(ts[:, :-1], enc_hs)
        return self.softmax.forward(score, ts[:, 1:])

    def backward(self, dout=1):
        self.encoder.backward(self.decoder.backward(self.softmax.backward(dout)))

    def generate(self, xs, start_id, sample_size):
        return self.decoder.generate(self.encoder.forward(xs), start_id, sample_size)


class BookAdam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2, self.iter = lr, beta1, beta2, 0
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


def train_step(model, optimizer, xs, ts, max_grad=5.0):
    """One of the book's Trainer.fit iterations; returns the loss."""
    loss = model.forward(xs, ts)
    model.backward()
    params, grads = remove_duplicate(model.params, model.grads)
    if max_grad is not None:
        clip_grads(grads, max_grad)
    optimizer.update(params, grads)
    return loss
