"""``from fastnn.X import *`` gives at least what the book's ``from common.X import *`` gives.

The book's modules have no ``__all__``, so their star imports also hand out what
they imported themselves (np, GPU, sys, ...), and the book's scripts rely on it
(ch04/skip_gram.py uses np after ``from common.layers import *`` alone).

The lists below are the public names (no leading underscore) that each star
import of the book's common/ package binds, as printed by running
``from common.X import *`` in a checkout of the book's repository
(oreilly-japan/deep-learning-from-scratch-2, GPU = False).
"""

import importlib

import pytest

BOOK_STAR_NAMES = {
    "layers": ["Affine", "Dropout", "Embedding", "GPU", "MatMul", "Sigmoid", "SigmoidWithLoss", "Softmax",
               "SoftmaxWithLoss", "cross_entropy_error", "np", "softmax"],
    "functions": ["GPU", "cross_entropy_error", "np", "relu", "sigmoid", "softmax"],
    "time_layers": ["Affine", "Dropout", "Embedding", "GPU", "GRU", "LSTM", "MatMul", "RNN", "Sigmoid",
                    "SigmoidWithLoss", "Simple_TimeAffine", "Simple_TimeSoftmaxWithLoss", "Softmax",
                    "SoftmaxWithLoss", "TimeAffine", "TimeBiLSTM", "TimeDropout", "TimeEmbedding", "TimeGRU",
                    "TimeLSTM", "TimeRNN", "TimeSigmoidWithLoss", "TimeSoftmaxWithLoss", "cross_entropy_error",
                    "np", "sigmoid", "softmax"],
    "util": ["GPU", "analogy", "clip_grads", "convert_one_hot", "cos_similarity", "create_co_matrix",
             "create_contexts_target", "eval_perplexity", "eval_seq2seq", "most_similar", "normalize", "np", "os",
             "ppmi", "preprocess", "sys", "to_cpu", "to_gpu"],
    "optimizer": ["AdaGrad", "Adam", "GPU", "Momentum", "Nesterov", "RMSprop", "SGD", "np", "sys"],
    "trainer": ["GPU", "RnnlmTrainer", "Trainer", "clip_grads", "np", "numpy", "plt", "remove_duplicate", "sys",
                "time"],
}

# Names fastnn does not hand out on purpose, with the reason.
NOT_GIVEN = {
    # matplotlib is optional in fastnn: trainer imports it only when plot() draws.
    "trainer": {"plt"},
}


def star_names(module_name):
    namespace = {}
    exec(f"from {module_name} import *", namespace)  # noqa: S102 (the very statement under test)
    return namespace


@pytest.mark.parametrize("module", sorted(BOOK_STAR_NAMES))
def test_star_import_gives_the_books_names(module):
    namespace = star_names(f"fastnn.{module}")
    expected = set(BOOK_STAR_NAMES[module]) - NOT_GIVEN.get(module, set())
    missing = sorted(expected - set(namespace))
    assert not missing, f"from fastnn.{module} import * lacks {missing}"


@pytest.mark.parametrize("module", sorted(BOOK_STAR_NAMES))
def test_star_import_binds_the_same_objects_as_the_module(module):
    namespace = star_names(f"fastnn.{module}")
    mod = importlib.import_module(f"fastnn.{module}")
    for name in set(BOOK_STAR_NAMES[module]) - NOT_GIVEN.get(module, set()):
        assert namespace[name] is getattr(mod, name)


def test_np_and_gpu_are_numpy_and_false():
    import numpy

    for module in BOOK_STAR_NAMES:
        namespace = star_names(f"fastnn.{module}")
        assert namespace["np"] is numpy
        assert namespace["GPU"] is False


def test_layers_star_import_keeps_fastnn_extras():
    namespace = star_names("fastnn.layers")
    assert {"Repeat", "Sum"} <= set(namespace)
