"""The book's layers (common/layers.py) on Numba kernels, with the same interface.

Every layer has ``params`` (the very arrays passed in) and ``grads`` (allocated
once; every backward writes into them in place), ``forward`` and ``backward``.
Outputs are new arrays, as in the book, so a caller may keep them.

The layers live one family per file in fastnn/nn/ (dense: MatMul, Affine;
activations: Sigmoid, Softmax; losses: SoftmaxWithLoss, SigmoidWithLoss;
nodes: Repeat, Sum; dropout; embedding); the machinery they share is in
fastnn/_core/.

The book's common/layers.py has no ``__all__``, so its star import also hands
out what it imported itself: ``np``, ``GPU``, ``softmax`` and
``cross_entropy_error``; book scripts (ch04/skip_gram.py) rely on that, so
this module hands out the same.
"""

from .functions import cross_entropy_error, softmax
from .nn.activations import Sigmoid, Softmax
from .nn.dense import Affine, MatMul
from .nn.dropout import Dropout
from .nn.embedding import Embedding
from .nn.losses import SigmoidWithLoss, SoftmaxWithLoss
from .nn.nodes import Repeat, Sum
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
