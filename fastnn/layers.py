"""The book's layers (common/layers.py) on Numba kernels, with the same interface.

Every layer has ``params`` (the very arrays passed in) and ``grads`` (allocated
once; every backward writes into them in place), ``forward`` and ``backward``.
Outputs are new arrays, as in the book, so a caller may keep them.

This module gathers the layers, one concept per file: dense.py (MatMul,
Affine), activations.py (Sigmoid, Softmax), losses.py (SoftmaxWithLoss,
SigmoidWithLoss), nodes.py (Repeat, Sum).  Shared machinery: _inputs.py
(checks), _buffers.py (output arrays), _grads.py (writing grads), _dispatch.py
(a kernel or its parallel twin).
"""

from .activations import Sigmoid, Softmax
from .dense import Affine, MatMul
from .dropout import Dropout
from .embedding import Embedding
from .losses import SigmoidWithLoss, SoftmaxWithLoss
from .nodes import Repeat, Sum

__all__ = [
    "Affine",
    "Dropout",
    "Embedding",
    "MatMul",
    "Repeat",
    "Sigmoid",
    "SigmoidWithLoss",
    "Softmax",
    "SoftmaxWithLoss",
    "Sum",
]
