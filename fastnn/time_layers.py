"""The book's common/time_layers.py: ``from fastnn.time_layers import *`` gives
what the book's star import gives (np, GPU, the layers and functions it
re-exports, and every time layer).  The classes live in fastnn/nn/, one file per layer family.
"""

import numpy as np

from .functions import cross_entropy_error, sigmoid, softmax
from .layers import Affine, MatMul, Sigmoid, SigmoidWithLoss, Softmax, SoftmaxWithLoss
from .nn.dropout import Dropout
from .nn.embedding import Embedding
from .nn.time_affine import Simple_TimeAffine, TimeAffine
from .nn.time_dropout import TimeDropout
from .nn.time_embedding import TimeEmbedding
from .nn.time_gru import GRU, TimeGRU
from .nn.time_loss import Simple_TimeSoftmaxWithLoss, TimeSigmoidWithLoss, TimeSoftmaxWithLoss
from .nn.time_lstm import LSTM, TimeBiLSTM, TimeLSTM
from .nn.time_rnn import RNN, TimeRNN

GPU = False  # the book's common.config flag: fastnn runs on the CPU

__all__ = [
    "np", "GPU", "softmax", "sigmoid", "cross_entropy_error",
    "MatMul", "Affine", "Softmax", "SoftmaxWithLoss", "Sigmoid", "SigmoidWithLoss",
    "Dropout", "Embedding",
    "RNN", "TimeRNN", "LSTM", "TimeLSTM", "GRU", "TimeGRU", "TimeBiLSTM",
    "TimeEmbedding", "TimeAffine", "TimeSoftmaxWithLoss",
    "TimeSigmoidWithLoss", "TimeDropout", "Simple_TimeAffine", "Simple_TimeSoftmaxWithLoss",
]
