"""The book's models, one file per chapter's family.

ch01: two_layer_net; ch03-04: word2vec; ch05-06: rnnlm; ch07: seq2seq;
ch08: attention_seq2seq.  Each model is imported on first use (PEP 562), so a
chapter-1 script does not load the recurrent layers and their kernels.
"""

import importlib

_MODULE_OF = {
    "TwoLayerNet": "two_layer_net",
    "SimpleCBOW": "word2vec", "SimpleSkipGram": "word2vec", "CBOW": "word2vec", "SkipGram": "word2vec",
    "SimpleRnnlm": "rnnlm", "Rnnlm": "rnnlm", "BetterRnnlm": "rnnlm",
    "Encoder": "seq2seq", "Decoder": "seq2seq", "Seq2seq": "seq2seq",
    "PeekyDecoder": "seq2seq", "PeekySeq2seq": "seq2seq",
    "AttentionEncoder": "attention_seq2seq", "AttentionDecoder": "attention_seq2seq",
    "AttentionSeq2seq": "attention_seq2seq",
}
__all__ = list(_MODULE_OF)


def __getattr__(name):
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_MODULE_OF[name]}", __name__), name)


def __dir__():
    return sorted([*globals(), *__all__])
