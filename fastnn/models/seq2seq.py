"""The book's chapter 7 models: Encoder, Decoder, Seq2seq (ch07/seq2seq.py) and
PeekyDecoder, PeekySeq2seq (ch07/peeky_seq2seq.py).

Same constructors, weight initialisation (the same np.random.randn calls in the
same order, so a seeded model starts from the book's weights), layers, params
order, forward and backward.  ``generate`` gives the book's ids; for the one
question it is given it runs the encoder and the greedy decoder each as one
kernel call (kernels/seq2seq_generate.py) instead of one layer call per
character, and it leaves the decoder's LSTM state where the book's does.
PeekyDecoder's LSTM makes the peeked h's share of its input projection once
per batch, not once per step (models/_peeky_lstm.py).
"""

import numpy as np

from ..base_model import BaseModel
from ..kernels.seq2seq_generate import (
    lstm_encode,
    lstm_encode_batch,
    lstm_greedy_decode,
    lstm_greedy_decode_batch,
)
from ..time_layers import TimeAffine, TimeEmbedding, TimeLSTM, TimeSoftmaxWithLoss
from ._generate_args import (
    check_ids,
    check_lstm_params,
    questions_of,
    sample_size_of,
    start_id_of,
    start_ids_for,
)
from ._peeky_lstm import PeekyLSTMRun


def _lstm_weights(rn, D, H):
    Wx = (rn(D, 4 * H) / np.sqrt(D)).astype('f')
    Wh = (rn(H, 4 * H) / np.sqrt(H)).astype('f')
    return Wx, Wh, np.zeros(4 * H).astype('f')


def _one_question(xs, where):
    ids = np.asarray(xs)
    if ids.ndim != 2 or ids.shape[0] != 1:
        raise ValueError(f"{where}: xs has shape {ids.shape}; expected (1, T), one question as the book's generate")
    return ids.reshape(-1)


def _state_vector(h, where, H, dtype):
    h = np.asarray(h)
    if h.shape not in ((1, H), (H,)):
        raise ValueError(f"{where}: h has shape {h.shape}; expected (1, {H}), the encoder's state for one question")
    return np.array(h.reshape(H), dtype=dtype)


class Encoder:
    """TimeEmbedding -> TimeLSTM (not stateful); forward(xs (N, T)) -> the last h (N, H).

    backward(dh (N, H)) feeds dh to the last step only.  Attributes: embed, lstm,
    params, grads, hs (the forward's (N, T, H) states).
    """

    def __init__(self, vocab_size, wordvec_size, hidden_size):
        V, D, H = vocab_size, wordvec_size, hidden_size
        rn = np.random.randn
        embed_W = (rn(V, D) / 100).astype('f')
        self.embed = TimeEmbedding(embed_W)
        self.lstm = TimeLSTM(*_lstm_weights(rn, D, H), stateful=False)
        self.params = self.embed.params + self.lstm.params
        self.grads = self.embed.grads + self.lstm.grads
        self.hs = None

    def forward(self, xs):
        hs = self.lstm.forward(self.embed.forward(xs))
        self.hs = hs
        return hs[:, -1, :]

    def backward(self, dh):
        if self.hs is None:
            raise ValueError("Encoder.backward: called before forward")
        dhs = np.zeros_like(self.hs)
        dhs[:, -1, :] = dh
        return self.embed.backward(self.lstm.backward(dhs))

    def encode_one(self, xs):
        """The last h (1, H) for one question xs (1, T), as forward gives, in one kernel call."""
        ids = _one_question(xs, "Encoder.generate")
        embed_W, Wx, Wh, b = self.params
        table = embed_W @ Wx + b
        h = np.zeros(Wh.shape[0], table.dtype)
        c = np.zeros_like(h)
        lstm_encode(table, np.asarray(Wh, table.dtype), ids, h, c)
        return h.reshape(1, -1)

    def encode_batch(self, xs):
        """encode_one for every question (row) of xs (N, T) in one call: the last h's (N, H)."""
        ids = np.asarray(xs)
        embed_W, Wx, Wh, b = self.params
        table = embed_W @ Wx + b
        h = np.zeros((ids.shape[0] if ids.ndim == 2 else 0, Wh.shape[0]), table.dtype)
        c = np.zeros_like(h)
        lstm_encode_batch(table, np.asarray(Wh, table.dtype), ids, h, c)
        return h


class Decoder:
    """TimeEmbedding -> TimeLSTM (stateful, starting from the encoder's h) -> TimeAffine.

    forward(xs (N, T), h (N, H)) -> scores (N, T, V); backward(dscore) -> dh, the
    gradient of h (the LSTM's dh); generate(h, start_id, sample_size) -> ids.
    """

    _PEEKED = False  # whether the LSTM and Affine also read the encoder's h (PeekyDecoder)

    def __init__(self, vocab_size, wordvec_size, hidden_size):
        V, D, H = vocab_size, wordvec_size, hidden_size
        rn = np.random.randn
        embed_W = (rn(V, D) / 100).astype('f')
        lstm_weights = _lstm_weights(rn, D, H)
        affine_W = (rn(H, V) / np.sqrt(H)).astype('f')
        affine_b = np.zeros(V).astype('f')
        self.embed = TimeEmbedding(embed_W)
        self.lstm = TimeLSTM(*lstm_weights, stateful=True)
        self.affine = TimeAffine(affine_W, affine_b)
        self.params, self.grads = [], []
        for layer in (self.embed, self.lstm, self.affine):
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, xs, h):
        self.lstm.set_state(h)
        return self.affine.forward(self.lstm.forward(self.embed.forward(xs)))

    def backward(self, dscore):
        dout = self.lstm.backward(self.affine.backward(dscore))
        self.embed.backward(dout)
        return self.lstm.dh

    def _check_params(self, where):
        """The params' shapes against each other; the peeky decoder's Wx and Affine also read h."""
        check_lstm_params(self.params, where, self._PEEKED, 2 if self._PEEKED else 1)

    def _tables(self, h):
        """(table, const, Waff, score_const) for one question's h, as the generate kernels take them."""
        table, affine_W = self._shared_tables()
        const, score_const = self._question_tables(h, table.dtype)
        return table, const, affine_W, score_const

    def _shared_tables(self):
        """(table, Waff): what every question decodes with (the embedding folded into the input projection)."""
        embed_W, Wx, Wh, b, affine_W, affine_b = self.params
        return embed_W @ Wx + b, affine_W

    def _question_tables(self, h, dtype):
        """(const, score_const): what one question's h adds to the gates and the scores (nothing here)."""
        b, affine_b = self.params[3], self.params[5]
        return np.zeros_like(b, dtype), affine_b

    def generate(self, h, start_id, sample_size):
        """Greedy ids (a list of sample_size ints) from the encoder's h (1, H)."""
        where = f"{type(self).__name__}.generate"
        self._check_params(where)
        sample_size = sample_size_of(sample_size, where)
        start_id = start_id_of(start_id, self.params[0].shape[0], where)
        Wh = self.params[2]
        table, const, affine_W, affine_b = self._tables(h)
        dtype = table.dtype
        h_state = _state_vector(h, where, Wh.shape[0], dtype)
        c_state = np.zeros_like(h_state)
        out = np.empty(sample_size, np.int64)
        lstm_greedy_decode(table, np.asarray(const, dtype), np.asarray(Wh, dtype), np.asarray(affine_W, dtype),
                           np.asarray(affine_b, dtype), h_state, c_state, start_id, out)
        self.lstm.set_state(h_state.reshape(1, -1), c_state.reshape(1, -1))
        return out.tolist()

    def generate_batch(self, h, start_ids, sample_size):
        """generate for every row of the encoder's h (N, H) in one call: ids (N, sample_size).
        The shared table is made once; what a question's h adds (the peeky decoder's
        constants) is made per question as generate makes it, so each row gets the
        ids generate gives it."""
        where = f"{type(self).__name__}.generate_batch"
        self._check_params(where)
        Wh = self.params[2]
        h = np.asarray(h)
        if h.ndim != 2 or h.shape[1] != Wh.shape[0] or h.dtype.kind not in "biuf":
            raise ValueError(f"{where}: h has shape {h.shape} and dtype {h.dtype}; expected states "
                             f"(N, {Wh.shape[0]}) of numbers, the encoder's last h of each question")
        sample_size = sample_size_of(sample_size, where)
        starts = start_ids_for(start_ids, h.shape[0], where)
        check_ids(starts, self.params[0].shape[0], where, "start_ids")
        table, affine_W = self._shared_tables()
        dtype = table.dtype
        per_question = [self._question_tables(h[q:q + 1], dtype) for q in range(h.shape[0])]
        const = np.empty((h.shape[0], table.shape[1]), dtype)
        score_const = np.empty((h.shape[0], np.shape(affine_W)[1]), dtype)
        for q, (c_q, s_q) in enumerate(per_question):  # shapes: check_lstm_params
            const[q], score_const[q] = c_q, s_q
        h_state = np.array(h, dtype)
        c_state = np.zeros_like(h_state)
        out = np.empty((h.shape[0], sample_size), np.int64)
        lstm_greedy_decode_batch(table, const, np.asarray(Wh, dtype), np.asarray(affine_W, dtype), score_const,
                                 h_state, c_state, starts, out)
        return out


class Seq2seq(BaseModel):
    """Encoder + Decoder + TimeSoftmaxWithLoss.

    forward(xs (N, Tx), ts (N, Tt)) -> loss: the decoder reads ts[:, :-1] and is
    scored on ts[:, 1:]; backward(dout=1) runs the decoder, then the encoder from
    the decoder's dh.  generate(xs (1, Tx), start_id, sample_size) -> ids.
    Attributes: encoder, decoder, softmax, params, grads; save_params / load_params.
    """

    # The pair a subclass swaps for its own (PeekySeq2seq, AttentionSeq2seq); the rest is the same.
    ENCODER, DECODER = Encoder, Decoder

    def __init__(self, vocab_size, wordvec_size, hidden_size):
        V, D, H = vocab_size, wordvec_size, hidden_size
        self.encoder = self.ENCODER(V, D, H)
        self.decoder = self.DECODER(V, D, H)
        self.softmax = TimeSoftmaxWithLoss()
        self.params = self.encoder.params + self.decoder.params
        self.grads = self.encoder.grads + self.decoder.grads

    def forward(self, xs, ts):
        ts = np.asarray(ts)
        if ts.ndim != 2 or ts.shape[1] < 2:
            raise ValueError(f"{type(self).__name__}.forward: ts has shape {ts.shape}; "
                             "expected (N, T) with T >= 2 (the decoder's inputs ts[:, :-1], targets ts[:, 1:])")
        h = self.encoder.forward(xs)
        score = self.decoder.forward(ts[:, :-1], h)
        return self.softmax.forward(score, ts[:, 1:])

    def backward(self, dout=1):
        dh = self.decoder.backward(self.softmax.backward(dout))
        return self.encoder.backward(dh)

    def generate(self, xs, start_id, sample_size):
        where = f"{type(self).__name__}.generate"
        check_lstm_params(self.encoder.params, f"{where} (encoder)")
        start_id_of(start_id, self.decoder.params[0].shape[0], where)  # before the encoder runs
        check_ids(np.asarray(xs), self.encoder.params[0].shape[0], where, "xs")
        h = self.encoder.encode_one(xs)
        return self.decoder.generate(h, start_id, sample_size)

    def generate_batch(self, xs, start_ids, sample_size):
        """generate for every question of xs (N, T) in one call: an (N, sample_size)
        int64 array whose row i holds the ids generate(xs[[i]], start_ids[i], sample_size)
        returns (the same bits: each question runs through generate's own kernels).

        fastnn's own (the book generates one question at a time): an evaluation of
        a whole test set, the questions spread over every core.  start_ids is one id
        per question or a single id for all.  Unlike generate, the layers' state is
        left as it was.
        """
        where = f"{type(self).__name__}.generate_batch"
        check_lstm_params(self.encoder.params, f"{where} (encoder)")
        ids = questions_of(xs, where)
        check_ids(ids, self.encoder.params[0].shape[0], where, "xs")
        starts = start_ids_for(start_ids, ids.shape[0], where)
        check_ids(starts, self.decoder.params[0].shape[0], where, "start_ids")
        return self.decoder.generate_batch(self.encoder.encode_batch(ids), starts, sample_size_of(sample_size, where))


class PeekyDecoder(Decoder):
    """A Decoder whose LSTM and Affine also read the encoder's h at every step.

    The LSTM's input is [h, embedding] (Wx (H + D, 4H)), the Affine's [h, LSTM out]
    (W (2H, V)); backward sums h's gradients from every step into dh.
    """

    _PEEKED = True

    def __init__(self, vocab_size, wordvec_size, hidden_size):
        V, D, H = vocab_size, wordvec_size, hidden_size
        rn = np.random.randn
        embed_W = (rn(V, D) / 100).astype('f')
        lstm_Wx = (rn(H + D, 4 * H) / np.sqrt(H + D)).astype('f')
        lstm_Wh = (rn(H, 4 * H) / np.sqrt(H)).astype('f')
        lstm_b = np.zeros(4 * H).astype('f')
        affine_W = (rn(H + H, V) / np.sqrt(H + H)).astype('f')
        affine_b = np.zeros(V).astype('f')
        self.embed = TimeEmbedding(embed_W)
        self.lstm = TimeLSTM(lstm_Wx, lstm_Wh, lstm_b, stateful=True)
        self.affine = TimeAffine(affine_W, affine_b)
        self.params, self.grads = [], []
        for layer in (self.embed, self.lstm, self.affine):
            self.params += layer.params
            self.grads += layer.grads
        self.cache = None

    def forward(self, xs, h):
        h = np.asarray(h)
        self.lstm.set_state(h)  # the book's checks of h, and its state attributes
        out = self.embed.forward(xs)
        N, T, D = out.shape
        H = h.shape[1]
        run = PeekyLSTMRun(self.lstm, out, h)  # [h, e_t] @ Wx with h's half made once
        out = run.forward()
        hs = np.broadcast_to(h[:, None, :].astype(out.dtype, copy=False), (N, T, H))
        score = self.affine.forward(np.concatenate((hs, out), axis=2))
        self.cache = H
        self._run = run
        return score

    def backward(self, dscore):
        if self.cache is None:
            raise ValueError("PeekyDecoder.backward: called before forward")
        H = self.cache
        dout = self.affine.backward(dscore)
        dembed, dh_inputs = self._run.backward(dout[:, :, H:])
        self.embed.backward(dembed)
        return self.lstm.dh + dout[:, :, :H].sum(axis=1) + dh_inputs

    def _shared_tables(self):
        embed_W, Wx, Wh, b, affine_W, affine_b = self.params
        H = Wh.shape[0]
        return embed_W @ Wx[H:], affine_W[H:]

    def _question_tables(self, h, dtype):
        embed_W, Wx, Wh, b, affine_W, affine_b = self.params
        H = Wh.shape[0]
        h = _state_vector(h, "PeekyDecoder.generate", H, np.result_type(embed_W, Wx))
        const = h @ Wx[:H] + b  # the peeked h's share of the gates, the same at every step
        return const, h @ affine_W[:H] + affine_b


class PeekySeq2seq(Seq2seq):
    """Seq2seq with a PeekyDecoder (same methods and attributes)."""

    DECODER = PeekyDecoder
