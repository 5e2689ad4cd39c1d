"""The book's recurrent language models: SimpleRnnlm (ch05/simple_rnnlm.py),
Rnnlm (ch06/rnnlm.py) and BetterRnnlm (ch06/better_rnnlm.py).

Same constructors, same weight initialisation (the same calls to numpy's
global np.random.randn, in the same order, so a seeded model starts from the
book's weights), same layers, params order and methods.
"""

import numpy as np

from ..base_model import BaseModel
from ..time_layers import TimeAffine, TimeDropout, TimeEmbedding, TimeRNN, TimeSoftmaxWithLoss


def _time_lstm():
    from ..time_layers import TimeLSTM  # written beside the other time layers (fastnn/nn/time_lstm.py)

    return TimeLSTM


class _LanguageModel(BaseModel):
    """Layers applied in order, then TimeSoftmaxWithLoss."""

    def _collect(self):
        self.params, self.grads = [], []
        for layer in self.layers:
            self.params += layer.params
            self.grads += layer.grads

    def predict(self, xs):
        for layer in self.layers:
            xs = layer.forward(xs)
        return xs

    def forward(self, xs, ts):
        return self.loss_layer.forward(self.predict(xs), ts)

    def backward(self, dout=1):
        dout = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout


class SimpleRnnlm(_LanguageModel):
    """TimeEmbedding -> TimeRNN (stateful) -> TimeAffine -> TimeSoftmaxWithLoss (chapter 5).

    Attributes: layers, loss_layer, rnn_layer, params, grads; reset_state().
    """

    def __init__(self, vocab_size, wordvec_size, hidden_size):
        V, D, H = vocab_size, wordvec_size, hidden_size
        rn = np.random.randn
        embed_W = (rn(V, D) / 100).astype('f')
        rnn_Wx = (rn(D, H) / np.sqrt(D)).astype('f')
        rnn_Wh = (rn(H, H) / np.sqrt(H)).astype('f')
        rnn_b = np.zeros(H).astype('f')
        affine_W = (rn(H, V) / np.sqrt(H)).astype('f')
        affine_b = np.zeros(V).astype('f')
        self.layers = [
            TimeEmbedding(embed_W),
            TimeRNN(rnn_Wx, rnn_Wh, rnn_b, stateful=True),
            TimeAffine(affine_W, affine_b),
        ]
        self.loss_layer = TimeSoftmaxWithLoss()
        self.rnn_layer = self.layers[1]
        self._collect()

    def reset_state(self):
        self.rnn_layer.reset_state()


class Rnnlm(_LanguageModel):
    """TimeEmbedding -> TimeLSTM (stateful) -> TimeAffine -> TimeSoftmaxWithLoss (chapter 6).

    Attributes: layers, loss_layer, lstm_layer, params, grads; predict(xs),
    reset_state(), save_params / load_params (BaseModel).
    """

    def __init__(self, vocab_size=10000, wordvec_size=100, hidden_size=100):
        V, D, H = vocab_size, wordvec_size, hidden_size
        rn = np.random.randn
        embed_W = (rn(V, D) / 100).astype('f')
        lstm_Wx = (rn(D, 4 * H) / np.sqrt(D)).astype('f')
        lstm_Wh = (rn(H, 4 * H) / np.sqrt(H)).astype('f')
        lstm_b = np.zeros(4 * H).astype('f')
        affine_W = (rn(H, V) / np.sqrt(H)).astype('f')
        affine_b = np.zeros(V).astype('f')
        self.layers = [
            TimeEmbedding(embed_W),
            _time_lstm()(lstm_Wx, lstm_Wh, lstm_b, stateful=True),
            TimeAffine(affine_W, affine_b),
        ]
        self.loss_layer = TimeSoftmaxWithLoss()
        self.lstm_layer = self.layers[1]
        self._collect()

    def reset_state(self):
        self.lstm_layer.reset_state()


class BetterRnnlm(_LanguageModel):
    """Two stateful TimeLSTM layers with TimeDropout before, between and after
    them, and the output weight tied to the embedding (TimeAffine(embed_W.T, b)).

    Attributes: layers, loss_layer, lstm_layers, drop_layers, params, grads;
    predict(xs, train_flg=False), forward(xs, ts, train_flg=True), reset_state().
    """

    def __init__(self, vocab_size=10000, wordvec_size=650, hidden_size=650, dropout_ratio=0.5):
        V, D, H = vocab_size, wordvec_size, hidden_size
        rn = np.random.randn
        embed_W = (rn(V, D) / 100).astype('f')
        lstm_Wx1 = (rn(D, 4 * H) / np.sqrt(D)).astype('f')
        lstm_Wh1 = (rn(H, 4 * H) / np.sqrt(H)).astype('f')
        lstm_b1 = np.zeros(4 * H).astype('f')
        lstm_Wx2 = (rn(H, 4 * H) / np.sqrt(H)).astype('f')
        lstm_Wh2 = (rn(H, 4 * H) / np.sqrt(H)).astype('f')
        lstm_b2 = np.zeros(4 * H).astype('f')
        affine_b = np.zeros(V).astype('f')
        TimeLSTM = _time_lstm()
        self.layers = [
            TimeEmbedding(embed_W),
            TimeDropout(dropout_ratio),
            TimeLSTM(lstm_Wx1, lstm_Wh1, lstm_b1, stateful=True),
            TimeDropout(dropout_ratio),
            TimeLSTM(lstm_Wx2, lstm_Wh2, lstm_b2, stateful=True),
            TimeDropout(dropout_ratio),
            TimeAffine(embed_W.T, affine_b),  # weight tying: the transposed view, never copied
        ]
        self.loss_layer = TimeSoftmaxWithLoss()
        self.lstm_layers = [self.layers[2], self.layers[4]]
        self.drop_layers = [self.layers[1], self.layers[3], self.layers[5]]
        self._collect()

    def predict(self, xs, train_flg=False):
        for layer in self.drop_layers:
            layer.train_flg = train_flg
        return super().predict(xs)

    def forward(self, xs, ts, train_flg=True):
        return self.loss_layer.forward(self.predict(xs, train_flg), ts)

    def reset_state(self):
        for layer in self.lstm_layers:
            layer.reset_state()
