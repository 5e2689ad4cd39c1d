"""The book's chapter 5-6 language models in plain numpy, done the way the book's
common/ code does it: the numpy member of benchmarks/test_bench_rnnlm.py and the
oracle of tests/test_rnnlm_models.py.

Written here from the book's equations and its per-step structure: TimeEmbedding
gathers one step at a time and, in backward, zeroes a full (V, D) gradient per
step before its np.add.at; TimeLSTM is benchmarks/book_lstm.py (a cell object per
step); TimeAffine is one product each way; TimeSoftmaxWithLoss takes the softmax
of all N*T rows, the log of each label's probability (no 1e-7), and masks the
label -1.  The training step is the book's RnnlmTrainer's: forward, backward,
remove_duplicate, clip_grads, SGD.
"""

import numpy as np

from .book_lstm import BookTimeLSTM


class BookTimeEmbedding:
    def __init__(self, W):
        self.params, self.grads = [W], [np.zeros_like(W)]
        self.idx = None

    def forward(self, xs):
        N, T = xs.shape
        W = self.params[0]
        out = np.empty((N, T, W.shape[1]), dtype='f')
        self.step_grads = []  # the book makes an Embedding layer, with its own (V, D) grad, per step
        for t in range(T):
            out[:, t, :] = W[xs[:, t]]
            self.step_grads.append(np.zeros_like(W))
        self.idx = xs
        return out

    def backward(self, dout):
        grad = 0
        for t, dW in enumerate(self.step_grads):
            dW[...] = 0
            np.add.at(dW, self.idx[:, t], dout[:, t, :])
            grad += dW
        self.grads[0][...] = grad


class BookTimeRNN:
    """The book's TimeRNN: one tanh cell per step, weight gradients summed step by step."""

    def __init__(self, Wx, Wh, b, stateful=False):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.h, self.dh, self.stateful = None, None, stateful

    def forward(self, xs):
        Wx, Wh, b = self.params
        N, T, _ = xs.shape
        hs = np.empty((N, T, Wh.shape[0]), dtype='f')
        if not self.stateful or self.h is None:
            self.h = np.zeros((N, Wh.shape[0]), dtype='f')
        self.cache = []
        for t in range(T):
            h_prev = self.h
            self.h = np.tanh(np.dot(h_prev, Wh) + np.dot(xs[:, t], Wx) + b)
            self.cache.append((xs[:, t], h_prev, self.h))
            hs[:, t] = self.h
        return hs

    def backward(self, dhs):
        Wx, Wh, _ = self.params
        N, T, _ = dhs.shape
        dxs = np.empty((N, T, Wx.shape[0]), dtype='f')
        dh, sums = 0, [0, 0, 0]
        for t in reversed(range(T)):
            x, h_prev, h_next = self.cache[t]
            dt = (dhs[:, t] + dh) * (1 - h_next ** 2)
            sums[0] += np.dot(x.T, dt)
            sums[1] += np.dot(h_prev.T, dt)
            sums[2] += np.sum(dt, axis=0)
            dxs[:, t] = np.dot(dt, Wx.T)
            dh = np.dot(dt, Wh.T)
        for k, g in enumerate(sums):
            self.grads[k][...] = g
        self.dh = dh
        return dxs

    def reset_state(self):
        self.h = None


class BookTimeAffine:
    def __init__(self, W, b):
        self.params, self.grads = [W, b], [np.zeros_like(W), np.zeros_like(b)]

    def forward(self, x):
        N, T, D = x.shape
        W, b = self.params
        self.x = x
        return (np.dot(x.reshape(N * T, -1), W) + b).reshape(N, T, -1)

    def backward(self, dout):
        N, T, D = self.x.shape
        W = self.params[0]
        dout = dout.reshape(N * T, -1)
        rx = self.x.reshape(N * T, -1)
        self.grads[0][...] = np.dot(rx.T, dout)
        self.grads[1][...] = np.sum(dout, axis=0)
        return np.dot(dout, W.T).reshape(N, T, D)


class BookTimeSoftmaxWithLoss:
    def forward(self, xs, ts):
        N, T, V = xs.shape
        mask = (ts != -1).reshape(N * T)
        x = xs.reshape(N * T, V)
        x = x - x.max(axis=1, keepdims=True)
        ys = np.exp(x)
        ys /= ys.sum(axis=1, keepdims=True)
        ts = ts.reshape(N * T)
        ls = np.log(ys[np.arange(N * T), ts])
        ls *= mask
        loss = -np.sum(ls)
        loss /= mask.sum()
        self.cache = (ts, ys, mask, (N, T, V))
        return loss

    def backward(self, dout=1):
        ts, ys, mask, (N, T, V) = self.cache
        dx = ys
        dx[np.arange(N * T), ts] -= 1
        dx *= dout
        dx /= mask.sum()
        dx *= mask[:, np.newaxis]
        return dx.reshape((N, T, V))


class BookTimeDropout:
    def __init__(self, ratio):
        self.ratio, self.train_flg, self.params, self.grads = ratio, True, [], []

    def forward(self, xs):
        if not self.train_flg:
            return xs
        self.mask = (np.random.rand(*xs.shape) > self.ratio).astype(np.float32) * (1 / (1.0 - self.ratio))
        return xs * self.mask

    def backward(self, dout):
        return dout * self.mask


class _BookModel:
    def _collect(self):
        self.params, self.grads = [], []
        for layer in self.layers:
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, xs, ts):
        for layer in self.layers:
            xs = layer.forward(xs)
        return self.loss_layer.forward(xs, ts)

    def backward(self, dout=1):
        dout = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)


class BookSimpleRnnlm(_BookModel):
    def __init__(self, V, D, H):
        rn = np.random.randn
        embed_W = (rn(V, D) / 100).astype('f')
        Wx = (rn(D, H) / np.sqrt(D)).astype('f')
        Wh = (rn(H, H) / np.sqrt(H)).astype('f')
        b = np.zeros(H).astype('f')
        affine_W = (rn(H, V) / np.sqrt(H)).astype('f')
        self.layers = [BookTimeEmbedding(embed_W), BookTimeRNN(Wx, Wh, b, stateful=True),
                       BookTimeAffine(affine_W, np.zeros(V).astype('f'))]
        self.loss_layer = BookTimeSoftmaxWithLoss()
        self._collect()


class BookRnnlm(_BookModel):
    def __init__(self, V=10000, D=100, H=100):
        rn = np.random.randn
        embed_W = (rn(V, D) / 100).astype('f')
        Wx = (rn(D, 4 * H) / np.sqrt(D)).astype('f')
        Wh = (rn(H, 4 * H) / np.sqrt(H)).astype('f')
        b = np.zeros(4 * H).astype('f')
        affine_W = (rn(H, V) / np.sqrt(H)).astype('f')
        self.layers = [BookTimeEmbedding(embed_W), BookTimeLSTM(Wx, Wh, b, stateful=True),
                       BookTimeAffine(affine_W, np.zeros(V).astype('f'))]
        self.loss_layer = BookTimeSoftmaxWithLoss()
        self._collect()


class BookBetterRnnlm(_BookModel):
    def __init__(self, V=10000, D=650, H=650, dropout_ratio=0.5):
        rn = np.random.randn
        embed_W = (rn(V, D) / 100).astype('f')
        Wx1 = (rn(D, 4 * H) / np.sqrt(D)).astype('f')
        Wh1 = (rn(H, 4 * H) / np.sqrt(H)).astype('f')
        b1 = np.zeros(4 * H).astype('f')
        Wx2 = (rn(H, 4 * H) / np.sqrt(H)).astype('f')
        Wh2 = (rn(H, 4 * H) / np.sqrt(H)).astype('f')
        b2 = np.zeros(4 * H).astype('f')
        self.layers = [BookTimeEmbedding(embed_W), BookTimeDropout(dropout_ratio),
                       BookTimeLSTM(Wx1, Wh1, b1, stateful=True), BookTimeDropout(dropout_ratio),
                       BookTimeLSTM(Wx2, Wh2, b2, stateful=True), BookTimeDropout(dropout_ratio),
                       BookTimeAffine(embed_W.T, np.zeros(V).astype('f'))]
        self.loss_layer = BookTimeSoftmaxWithLoss()
        self._collect()


def remove_duplicate(params, grads):
    """The book's: merge a param that appears twice (or as another's transpose)."""
    params, grads = params[:], grads[:]
    while True:
        find_flg = False
        L = len(params)
        for i in range(L - 1):
            for j in range(i + 1, L):
                if params[i] is params[j]:
                    grads[i] += grads[j]
                    find_flg = True
                    params.pop(j)
                    grads.pop(j)
                elif params[i].ndim == 2 and params[j].ndim == 2 and \
                        params[i].T.shape == params[j].shape and np.all(params[j] == params[i].T):
                    grads[i] += grads[j].T
                    find_flg = True
                    params.pop(j)
                    grads.pop(j)
                if find_flg:
                    break
            if find_flg:
                break
        if not find_flg:
            break
    return params, grads


def clip_grads(grads, max_norm):
    total_norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    rate = max_norm / (total_norm + 1e-6)
    if rate < 1:
        for g in grads:
            g *= rate


def train_step(model, xs, ts, lr, max_grad=None):
    """One of RnnlmTrainer.fit's iterations with SGD(lr); returns the loss."""
    loss = model.forward(xs, ts)
    model.backward()
    params, grads = remove_duplicate(model.params, model.grads)
    if max_grad is not None:
        clip_grads(grads, max_grad)
    for p, g in zip(params, grads):
        p -= lr * g
    return loss


def batches(corpus, batch_size, time_size, n_steps):
    """The book's RnnlmTrainer batches: xs = corpus[:-1], ts = corpus[1:], batch_size
    streams read time_size words a step, carrying on across steps."""
    xs, ts = corpus[:-1], corpus[1:]
    jump = len(xs) // batch_size
    for step in range(n_steps):
        pos = (np.arange(batch_size)[:, None] * jump + step * time_size + np.arange(time_size)) % len(xs)
        yield xs[pos].astype('i'), ts[pos].astype('i')
