"""The book's chapter 7 models in plain numpy, done the way ch07/seq2seq.py and
ch07/peeky_seq2seq.py do it: the numpy member of benchmarks/test_bench_seq2seq.py
and the oracle of tests/test_seq2seq_models.py.

Written here from the book's equations on the book-style numpy layers of
benchmarks/book_rnnlm.py (an Embedding and an LSTM cell per time step, ...):

  encoder:  h = last state of LSTM(embed(xs))            (state starts at 0)
  decoder:  scores = Affine(LSTM(embed(ts[:, :-1])) from state (h, 0))
  peeky:    LSTM input [h, embed(x_t)], Affine input [h, LSTM out_t]
  loss:     mean softmax cross-entropy of scores against ts[:, 1:]
  backward: the decoder's gradient of h (LSTM's dh, plus for peeky the sum over
            steps of h's share of the LSTM and Affine inputs) fed to the
            encoder's last step
  generate: greedy, one character at a time through the layers, N = 1.

A training step is the book's Trainer's: forward, backward, remove_duplicate,
clip_grads(max_grad), Adam.update.
"""

import numpy as np

from .book_lstm import BookTimeLSTM
from .book_numpy import Adam, clip_grads, remove_duplicate
from .book_rnnlm import BookTimeAffine, BookTimeEmbedding, BookTimeSoftmaxWithLoss


def _collect(obj, layers):
    obj.params, obj.grads = [], []
    for layer in layers:
        obj.params += layer.params
        obj.grads += layer.grads


class BookEncoder:
    def __init__(self, embed_W, Wx, Wh, b):
        self.embed = BookTimeEmbedding(embed_W)
        self.lstm = BookTimeLSTM(Wx, Wh, b, stateful=False)
        _collect(self, (self.embed, self.lstm))

    def forward(self, xs):
        self.hs = self.lstm.forward(self.embed.forward(xs))
        return self.hs[:, -1, :]

    def backward(self, dh):
        dhs = np.zeros_like(self.hs)
        dhs[:, -1, :] = dh
        self.embed.backward(self.lstm.backward(dhs))


class BookDecoder:
    peeky = False

    def __init__(self, embed_W, Wx, Wh, b, affine_W, affine_b):
        self.embed = BookTimeEmbedding(embed_W)
        self.lstm = BookTimeLSTM(Wx, Wh, b, stateful=True)
        self.affine = BookTimeAffine(affine_W, affine_b)
        _collect(self, (self.embed, self.lstm, self.affine))

    def _peek(self, out, h):
        if not self.peeky:
            return out
        N, T, _ = out.shape
        hs = np.repeat(h, T, axis=0).reshape(N, T, h.shape[1])
        return np.concatenate((hs, out), axis=2)

    def forward(self, xs, h):
        self.lstm.set_state(h)
        self.H = h.shape[1]
        out = self.lstm.forward(self._peek(self.embed.forward(xs), h))
        return self.affine.forward(self._peek(out, h))

    def backward(self, dscore):
        dout = self.affine.backward(dscore)
        if not self.peeky:
            self.embed.backward(self.lstm.backward(dout))
            return self.lstm.dh
        H = self.H
        dlstm = self.lstm.backward(dout[:, :, H:])
        self.embed.backward(dlstm[:, :, H:])
        return self.lstm.dh + np.sum(dout[:, :, :H] + dlstm[:, :, :H], axis=1)

    def generate(self, h, start_id, sample_size):
        sampled, word = [], start_id
        self.lstm.set_state(h)
        for _ in range(sample_size):
            x = np.array(word).reshape((1, 1))
            out = self.lstm.forward(self._peek(self.embed.forward(x), h))
            score = self.affine.forward(self._peek(out, h))
            word = int(np.argmax(score.flatten()))
            sampled.append(word)
        return sampled


class BookPeekyDecoder(BookDecoder):
    peeky = True


class BookSeq2seq:
    """Built from the params of a fastnn Seq2seq or PeekySeq2seq (copied), in the same order."""

    def __init__(self, params, peeky=False):
        params = [p.copy() for p in params]
        self.encoder = BookEncoder(*params[:4])
        self.decoder = (BookPeekyDecoder if peeky else BookDecoder)(*params[4:])
        self.softmax = BookTimeSoftmaxWithLoss()
        self.params = self.encoder.params + self.decoder.params
        self.grads = self.encoder.grads + self.decoder.grads

    def forward(self, xs, ts):
        h = self.encoder.forward(xs)
        score = self.decoder.forward(ts[:, :-1], h)
        return self.softmax.forward(score, ts[:, 1:])

    def backward(self, dout=1):
        self.encoder.backward(self.decoder.backward(self.softmax.backward(dout)))

    def generate(self, xs, start_id, sample_size):
        return self.decoder.generate(self.encoder.forward(xs), start_id, sample_size)


def train_step(model, optimizer, xs, ts, max_grad=5.0):
    """One step of the book's Trainer.fit; returns the loss."""
    loss = model.forward(xs, ts)
    model.backward()
    params, grads = remove_duplicate(model.params, model.grads)
    clip_grads(grads, max_grad)
    optimizer.update(params, grads)
    return loss


__all__ = ["BookSeq2seq", "Adam", "train_step"]
