"""The book's chapter 8 models (ch08/attention_seq2seq.py): AttentionEncoder,
AttentionDecoder, AttentionSeq2seq.

Same constructors, weight initialisation (the same np.random.randn calls in the
same order, so a seeded model starts from the book's weights), layers, params
order, forward, backward and generate.  The attention is fastnn's TimeAttention
(one fused kernel per forward and per backward); ``generate`` runs the encoder
of one question as one kernel call and the greedy decoder as another
(kernels/attention_generate.py), and leaves the decoder's LSTM state and
attention weights where the book's do.
"""

import numpy as np

from ..attention import TimeAttention
from ..kernels.attention_generate import (
    attention_encode,
    attention_generate_batch,
    attention_greedy_decode,
)
from ..time_layers import TimeAffine, TimeEmbedding, TimeLSTM
from ._generate_args import (
    check_ids,
    check_lstm_params,
    questions_of,
    sample_size_of,
    start_id_of,
    start_ids_for,
)
from .seq2seq import Encoder, Seq2seq


def _float_dtype(dtype):
    """The dtype generate computes in: dtype if it is a float, else float64."""
    return dtype if dtype.kind == "f" else np.dtype(np.float64)


class AttentionEncoder(Encoder):
    """The chapter 7 Encoder returning every state: forward(xs (N, T)) -> hs (N, T, H);
    backward(dhs (N, T, H)) -> the embedding's gradient (the book returns it too)."""

    def forward(self, xs):
        hs = self.lstm.forward(self.embed.forward(xs))
        self.hs = hs
        return hs

    def backward(self, dhs):
        return self.embed.backward(self.lstm.backward(dhs))

    def encode_one(self, xs):
        """The states (1, T, H) of one question xs (1, T), as forward gives, in one kernel call
        (the layers' caches and ``hs`` are left as they were)."""
        ids = np.asarray(xs)
        if ids.ndim != 2 or ids.shape[0] != 1:
            raise ValueError(f"AttentionEncoder.encode_one: xs has shape {ids.shape}; expected (1, T), one question")
        embed_W, Wx, Wh, b = self.params
        table = embed_W @ Wx + b
        dtype = _float_dtype(table.dtype)
        hs = np.empty((ids.shape[1], Wh.shape[0]), dtype)
        attention_encode(np.asarray(table, dtype), np.asarray(Wh, dtype), ids[0], hs)
        return hs[None]


class AttentionDecoder:
    """TimeEmbedding -> TimeLSTM (stateful, from the encoder's last state) -> TimeAttention
    over the encoder's states -> TimeAffine of [context, LSTM state] (W (2H, V)).

    forward(xs (N, T), enc_hs (N, Te, H)) -> scores (N, T, V); backward(dscore) ->
    denc_hs (N, Te, H), the attention's gradient plus the LSTM's dh at the last
    encoder step; generate(enc_hs (1, Te, H), start_id, sample_size) -> ids.
    Attributes: embed, lstm, attention, affine, params, grads.
    """

    def __init__(self, vocab_size, wordvec_size, hidden_size):
        V, D, H = vocab_size, wordvec_size, hidden_size
        rn = np.random.randn
        embed_W = (rn(V, D) / 100).astype('f')
        lstm_Wx = (rn(D, 4 * H) / np.sqrt(D)).astype('f')
        lstm_Wh = (rn(H, 4 * H) / np.sqrt(H)).astype('f')
        lstm_b = np.zeros(4 * H).astype('f')
        affine_W = (rn(2 * H, V) / np.sqrt(2 * H)).astype('f')
        affine_b = np.zeros(V).astype('f')
        self.embed = TimeEmbedding(embed_W)
        self.lstm = TimeLSTM(lstm_Wx, lstm_Wh, lstm_b, stateful=True)
        self.attention = TimeAttention()
        self.affine = TimeAffine(affine_W, affine_b)
        self.params, self.grads = [], []
        for layer in (self.embed, self.lstm, self.attention, self.affine):
            self.params += layer.params
            self.grads += layer.grads
        self._H = None

    def _enc_last(self, enc_hs, where):
        enc_hs = np.asarray(enc_hs)
        H = self.lstm.params[1].shape[0]
        if enc_hs.ndim != 3 or enc_hs.shape[1] == 0 or enc_hs.shape[2] != H:
            raise ValueError(f"{where}: enc_hs has shape {enc_hs.shape}; expected (N, Te, {H}) with Te >= 1, "
                             "the encoder's states")
        return enc_hs, enc_hs[:, -1]

    def forward(self, xs, enc_hs):
        enc_hs, h = self._enc_last(enc_hs, "AttentionDecoder.forward")
        self.lstm.set_state(h)
        dec_hs = self.lstm.forward(self.embed.forward(xs))
        c = self.attention.forward(enc_hs, dec_hs)
        score = self.affine.forward(np.concatenate((c, dec_hs), axis=2))
        self._H = dec_hs.shape[2]
        return score

    def backward(self, dscore):
        if self._H is None:
            raise ValueError("AttentionDecoder.backward: called before forward")
        H = self._H
        dout = self.affine.backward(dscore)
        denc_hs, ddec_hs = self.attention.backward(dout[:, :, :H])
        ddec_hs += dout[:, :, H:]
        dout = self.lstm.backward(ddec_hs)
        denc_hs[:, -1] += self.lstm.dh
        self.embed.backward(dout)
        return denc_hs

    def generate(self, enc_hs, start_id, sample_size):
        """Greedy ids (a list of sample_size ints) for one question's encoder states (1, Te, H)."""
        where = "AttentionDecoder.generate"
        check_lstm_params(self.params, where, affine_h_blocks=2)  # the Affine reads [context, h]
        sample_size = sample_size_of(sample_size, where)
        start_id = start_id_of(start_id, self.params[0].shape[0], where)
        enc_hs, h = self._enc_last(enc_hs, where)
        if enc_hs.shape[0] != 1:
            raise ValueError(f"{where}: enc_hs has shape {enc_hs.shape}; expected (1, Te, H), one question")
        embed_W, Wx, Wh, b, affine_W, affine_b = self.params
        dtype = _float_dtype(np.result_type(embed_W, Wx, Wh, b, affine_W, affine_b, enc_hs))
        table = np.asarray(embed_W @ Wx + b, dtype)  # the embedding and input projection of every id
        enc = np.array(enc_hs[0], dtype)
        h_state = np.array(h[0], dtype)
        c_state = np.zeros_like(h_state)
        weights = np.empty((sample_size, enc.shape[0]), dtype)
        out = np.empty(sample_size, np.int64)
        attention_greedy_decode(table, np.asarray(Wh, dtype), enc, np.asarray(affine_W, dtype),
                                np.asarray(affine_b, dtype), h_state, c_state, start_id, weights, out)
        # where the book's loop leaves its layers: the LSTM's state and the last step's weights
        self.lstm.set_state(h_state.reshape(1, -1), c_state.reshape(1, -1))
        if sample_size:
            self.attention.attention_weights = [weights[-1:]]
        return out.tolist()


class AttentionSeq2seq(Seq2seq):
    """AttentionEncoder + AttentionDecoder + TimeSoftmaxWithLoss (the Seq2seq interface).

    forward(xs (N, Tx), ts (N, Tt)) -> loss; backward(dout=1) -> the encoder's
    embedding gradient; generate(xs (1, Tx), start_id, sample_size) -> ids.
    Attributes: encoder, decoder, softmax, params, grads; save_params / load_params.
    """

    ENCODER, DECODER = AttentionEncoder, AttentionDecoder

    def generate(self, xs, start_id, sample_size):
        ids = np.asarray(xs)
        if ids.ndim != 2 or ids.shape[0] != 1:
            raise ValueError(f"AttentionSeq2seq.generate: xs has shape {ids.shape}; "
                             "expected (1, T), one question as the book's generate")
        where = "AttentionSeq2seq.generate"
        check_lstm_params(self.encoder.params, f"{where} (encoder)")
        sample_size_of(sample_size, where)
        start_id = start_id_of(start_id, self.decoder.params[0].shape[0], where)
        check_ids(ids, self.encoder.params[0].shape[0], where, "xs")
        return self.decoder.generate(self.encoder.encode_one(ids), start_id, sample_size)

    def generate_batch(self, xs, start_ids, sample_size):
        """generate for every question of xs (N, T) in one call: an (N, sample_size)
        int64 array whose row i holds the ids generate(xs[[i]], start_ids[i], sample_size)
        returns (the same bits: each question runs through generate's own kernel code).

        fastnn's own (the book generates one question at a time): an evaluation of
        a whole test set, the questions spread over every core.  start_ids is one
        id per question or a single id for all.  Unlike generate, the layers' state
        and attention weights are left as they were.
        """
        where = "AttentionSeq2seq.generate_batch"
        check_lstm_params(self.encoder.params, f"{where} (encoder)")
        check_lstm_params(self.decoder.params, f"{where} (decoder)", affine_h_blocks=2)
        ids = questions_of(xs, where)
        check_ids(ids, self.encoder.params[0].shape[0], where, "xs")
        starts = start_ids_for(start_ids, ids.shape[0], where)
        check_ids(starts, self.decoder.params[0].shape[0], where, "start_ids")
        sample_size = sample_size_of(sample_size, where)
        enc_embed, enc_Wx, enc_Wh, enc_b = self.encoder.params
        dec_embed, dec_Wx, dec_Wh, dec_b, affine_W, affine_b = self.decoder.params
        # The dtypes generate computes in: the encoder's (encode_one), then the
        # decoder's, which takes in the encoder's states (AttentionDecoder.generate).
        enc_table = enc_embed @ enc_Wx + enc_b
        enc_dtype = _float_dtype(enc_table.dtype)
        dtype = _float_dtype(np.result_type(dec_embed, dec_Wx, dec_Wh, dec_b, affine_W, affine_b, enc_dtype))
        if dtype != enc_dtype:  # the kernel runs one dtype: one generate per question, the state kept
            return self._generate_each(ids, starts, sample_size)
        out = np.empty((ids.shape[0], sample_size), np.int64)
        attention_generate_batch(np.asarray(enc_table, dtype), np.asarray(enc_Wh, dtype),
                                 np.asarray(dec_embed @ dec_Wx + dec_b, dtype), np.asarray(dec_Wh, dtype),
                                 np.asarray(affine_W, dtype), np.asarray(affine_b, dtype), ids, starts, out)
        return out

    def _generate_each(self, ids, starts, sample_size):
        """generate_batch by one generate per question, leaving the decoder's state as it was."""
        lstm, attention = self.decoder.lstm, self.decoder.attention
        kept = (lstm.h, lstm.c, attention.attention_weights)
        try:
            rows = [self.generate(ids[i:i + 1], starts[i], sample_size) for i in range(ids.shape[0])]
        finally:
            lstm.h, lstm.c = kept[0], kept[1]
            attention.attention_weights = kept[2]
        return np.array(rows, np.int64).reshape(ids.shape[0], sample_size)
