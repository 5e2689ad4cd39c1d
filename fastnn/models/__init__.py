"""The book's models, one file per chapter's family (ch01: two_layer_net; ch03-04: word2vec)."""

from .attention_seq2seq import AttentionDecoder, AttentionEncoder, AttentionSeq2seq
from .rnnlm import BetterRnnlm, Rnnlm, SimpleRnnlm
from .seq2seq import Decoder, Encoder, PeekyDecoder, PeekySeq2seq, Seq2seq
from .two_layer_net import TwoLayerNet
from .word2vec import CBOW, SimpleCBOW, SimpleSkipGram, SkipGram

__all__ = ["TwoLayerNet", "SimpleCBOW", "SimpleSkipGram", "CBOW", "SkipGram", "SimpleRnnlm", "Rnnlm", "BetterRnnlm",
           "Encoder", "Decoder", "Seq2seq", "PeekyDecoder", "PeekySeq2seq",
           "AttentionEncoder", "AttentionDecoder", "AttentionSeq2seq"]
