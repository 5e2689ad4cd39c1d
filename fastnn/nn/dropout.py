"""The book's Dropout layer (common/layers.py, http://arxiv.org/abs/1207.0580)."""

import numpy as np

from .._core import inputs as check
from ..kernels import dropout as kernels


class Dropout:
    """Training: out = x * mask with mask = np.random.rand(*x.shape) > dropout_ratio
    (the same random draws as the book, so a seeded run matches it); evaluation
    (train_flg=False): out = x * (1 - dropout_ratio).

    forward(x, train_flg=True) on any shape; backward(dout) -> dout * mask.
    Attributes: params [], grads [], dropout_ratio, mask (bool, x's shape).
    """

    def __init__(self, dropout_ratio=0.5):
        self.params, self.grads = [], []
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        x = check.float_operand(x, "Dropout.forward", "x")
        ratio = self._ratio()
        if not train_flg:
            return x * x.dtype.type(1.0 - ratio)
        u = np.random.rand(*x.shape)
        mask = np.empty(x.shape, np.bool_)
        out = np.empty(x.shape, x.dtype)
        kernels.dropout_forward(x, u, ratio, mask, out)
        self.mask = mask
        return out

    def backward(self, dout):
        mask = check.saved(self.mask, "Dropout.backward")
        dout = check.float_operand(dout, "Dropout.backward", "dout")
        if dout.shape != mask.shape:
            raise ValueError(f"Dropout.backward: dout has shape {dout.shape}; expected {mask.shape} like forward's x")
        dx = np.empty(dout.shape, dout.dtype)
        kernels.dropout_backward(dout, mask, dx)
        return dx

    def _ratio(self):
        ratio = self.dropout_ratio
        if isinstance(ratio, (bool, np.bool_)) or not isinstance(ratio, (int, float, np.integer, np.floating)):
            raise TypeError(f"Dropout.forward: dropout_ratio is {ratio!r}; expected a number in [0, 1]")
        if not 0 <= ratio <= 1:
            raise ValueError(f"Dropout.forward: dropout_ratio is {ratio}; expected a number in [0, 1]")
        return float(ratio)
