"""The book's TimeDropout (common/time_layers.py): inverted dropout over sequences."""

import numpy as np

from .._core import inputs as check
from ..kernels.time_dropout import time_dropout_forward


class TimeDropout:
    """Training (train_flg True): out = xs * mask, mask = (np.random.rand(*xs.shape) >
    dropout_ratio) / (1 - dropout_ratio), drawn with the book's call so a seeded run
    is the book's run.  Evaluation (train_flg False): xs unchanged.

    forward(xs) on any shape; backward(dout) -> dout * mask.  Attributes: params [],
    grads [], dropout_ratio, mask (xs's float dtype), train_flg.
    """

    def __init__(self, dropout_ratio=0.5):
        self.params, self.grads = [], []
        self.dropout_ratio = dropout_ratio
        self.mask = None
        self.train_flg = True

    def forward(self, xs):
        xs = check.float_operand(xs, "TimeDropout.forward", "xs")
        if not self.train_flg:
            return xs
        ratio = self.dropout_ratio
        if isinstance(ratio, (bool, np.bool_)) or not isinstance(ratio, (int, float, np.integer, np.floating)):
            raise TypeError(f"TimeDropout.forward: dropout_ratio is {ratio!r}; expected a number in [0, 1)")
        if not 0 <= ratio < 1:
            raise ValueError(f"TimeDropout.forward: dropout_ratio is {ratio}; expected a number in [0, 1)")
        u = np.random.rand(*xs.shape)
        mask = np.empty(xs.shape, xs.dtype)
        out = np.empty(xs.shape, xs.dtype)
        time_dropout_forward(xs, u, float(ratio), 1 / (1.0 - ratio), mask, out)
        self.mask = mask
        return out

    def backward(self, dout):
        mask = check.saved(self.mask, "TimeDropout.backward")
        dout = check.operand(dout, mask.dtype, "TimeDropout.backward", "dout")
        if dout.shape != mask.shape:
            raise ValueError(f"TimeDropout.backward: dout has shape {dout.shape}; expected {mask.shape} like forward's xs")
        return dout * mask
