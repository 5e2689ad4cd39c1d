"""The book's layers (common/layers.py) on Numba kernels, with the same interface.

Every layer has ``params`` (the very arrays passed in) and ``grads`` (allocated
once; every backward writes into them in place), ``forward`` and ``backward``.
Outputs are new arrays, as in the book, so a caller may keep them.

This module gathers the layers, one concept per file: dense.py (MatMul,
Affine), activations.py (Sigmoid, Softmax), losses.py (SoftmaxWithLoss,
SigmoidWithLoss), nodes.py (Repeat, Sum).  Shared machinery: _inputs.py
(checks), _buffers.py (output arrays), _grads.py (writing grads), _dispatch.py
(a kernel or its parallel twin).

The book's common/layers.py has no ``__all__``, so its star import also hands
out what it imported itself: ``np``, ``GPU``, ``softmax`` and
``cross_entropy_error``; book scripts (ch04/skip_gram.py) rely on that, so
this module hands out the same.
"""

from .activations import Sigmoid, Softmax
from .dense import Affine, MatMul
from .dropout import Dropout
from .embedding import Embedding
from .functions import cross_entropy_error, softmax
from .losses import SigmoidWithLoss, SoftmaxWithLoss
from .nodes import Repeat, Sum
from .np import GPU, np

__all__ = [
    "Affine",
    "Dropout",
    "Embedding",
    "GPU",
    "MatMul",
    "Repeat",
    "Sigmoid",
    "SigmoidWithLoss",
    "Softmax",
    "SoftmaxWithLoss",
    "Sum",
    "cross_entropy_error",
    "np",
    "softmax",
]
