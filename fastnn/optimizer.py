"""The book's optimizers (common/optimizer.py): update(params, grads) in place.

Each update checks the two lists once, then makes one kernel call per
parameter.  State arrays (velocity, squared-gradient sums, moments) are made on
the first update, one per parameter, as in the book.
"""

import math
import operator

import numpy as np

from . import _inputs as check
from .kernels import optimizers as kernels
from .kernels._config import PARALLEL_MIN_ELEMENTS

_SGD = (kernels.sgd_update, kernels.sgd_update_parallel)
_MOMENTUM = (kernels.momentum_update, kernels.momentum_update_parallel)
_NESTEROV = (kernels.nesterov_update, kernels.nesterov_update_parallel)
_ADAGRAD = (kernels.adagrad_update, kernels.adagrad_update_parallel)
_RMSPROP = (kernels.rmsprop_update, kernels.rmsprop_update_parallel)
_ADAM = (kernels.adam_update, kernels.adam_update_parallel)


def _pairs(params, grads, where):
    """Check params and grads pair up; return [(param, grad as a C array of param's dtype)]."""
    if len(params) != len(grads):
        raise ValueError(f"{where}: got {len(params)} params and {len(grads)} grads; expected one grad per param")
    pairs = []
    for i, (p, g) in enumerate(zip(params, grads)):
        if type(p) is not np.ndarray or p.dtype.kind != "f" or p.dtype.itemsize not in (4, 8) or not p.dtype.isnative:
            raise TypeError(
                f"{where}: params[{i}] is {type(p).__name__} of dtype {getattr(p, 'dtype', None)}; "
                "expected a float32 or float64 numpy array (updated in place)"
            )
        if not p.flags.writeable:
            raise ValueError(f"{where}: params[{i}] is read-only; expected a writeable array (updated in place)")
        if type(g) is not np.ndarray or g.dtype is not p.dtype or not g.flags.c_contiguous:
            g = check.operand(g, p.dtype, where, f"grads[{i}]")
        if g.shape != p.shape:
            raise ValueError(f"{where}: grads[{i}] has shape {g.shape}; expected {p.shape} like params[{i}]")
        pairs.append((p, g))
    return pairs


class _CheckedPairs:
    """Remembers the last (params, grads) lists that passed the checks.

    A training loop passes the same arrays every step; when every array is
    the very object checked before (and needed no conversion), the checks and
    the pairing are skipped.  Any other call is checked in full.
    """

    def __init__(self):
        self.params = self.grads = self.pairs = ()

    def get(self, params, grads, where):
        if (len(params) == len(self.params) and len(grads) == len(self.grads)
                and all(map(operator.is_, params, self.params))
                and all(map(operator.is_, grads, self.grads))):
            return self.pairs
        pairs = _pairs(params, grads, where)
        if all(g is grads[i] and p.flags.c_contiguous for i, (p, g) in enumerate(pairs)):
            self.params, self.grads, self.pairs = tuple(params), tuple(grads), pairs
        else:
            self.params = self.grads = self.pairs = ()
        return pairs


def _state(existing, params, where, count=1):
    """The per-parameter state arrays, made on first use, checked against params after."""
    if existing is None:
        return [[np.zeros(p.shape, p.dtype) for p in params] for _ in range(count)]
    if len(existing[0]) != len(params):
        raise ValueError(f"{where}: got {len(params)} params; this optimizer's state holds {len(existing[0])}")
    for i, (p, s) in enumerate(zip(params, existing[0])):
        if s.shape != p.shape or s.dtype != p.dtype:
            raise ValueError(
                f"{where}: params[{i}] has shape {p.shape} and dtype {p.dtype}, but this optimizer's state "
                f"for it was made for {s.shape} {s.dtype}; use a new optimizer for a different model"
            )
    return existing


def _apply(kernels_, param, *args):
    """Run an update kernel on param in place (through a C-contiguous copy if it is not one).

    kernels_ is the (serial, parallel) pair; large params take the parallel one.
    """
    kernel = kernels_[param.size >= PARALLEL_MIN_ELEMENTS]
    if param.flags.c_contiguous:
        kernel(param, *args)
    else:
        work = np.ascontiguousarray(param)
        kernel(work, *args)
        param[...] = work


class SGD:
    """Stochastic gradient descent: param -= lr * grad."""

    def __init__(self, lr=0.01):
        self.lr = lr
        self._checked = _CheckedPairs()

    def update(self, params, grads):
        lr = self.lr
        for p, g in self._checked.get(params, grads, "SGD.update"):
            if p.size < PARALLEL_MIN_ELEMENTS and p.flags.c_contiguous:
                kernels.sgd_update(p, g, lr)
            else:
                _apply(_SGD, p, g, lr)


class Momentum:
    """Momentum SGD: v = momentum * v - lr * grad; param += v."""

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self._checked = _CheckedPairs()
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        pairs = self._checked.get(params, grads, "Momentum.update")
        self.v, = _state(None if self.v is None else [self.v], params, "Momentum.update")
        for (p, g), v in zip(pairs, self.v):
            _apply(_MOMENTUM, p, g, v, self.lr, self.momentum)


class Nesterov:
    """Nesterov's accelerated gradient (http://arxiv.org/abs/1212.0901), as the book writes it."""

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self._checked = _CheckedPairs()
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        pairs = self._checked.get(params, grads, "Nesterov.update")
        self.v, = _state(None if self.v is None else [self.v], params, "Nesterov.update")
        for (p, g), v in zip(pairs, self.v):
            _apply(_NESTEROV, p, g, v, self.lr, self.momentum)


class AdaGrad:
    """AdaGrad: h += grad**2; param -= lr * grad / (sqrt(h) + 1e-7)."""

    def __init__(self, lr=0.01):
        self.lr = lr
        self._checked = _CheckedPairs()
        self.h = None

    def update(self, params, grads):
        pairs = self._checked.get(params, grads, "AdaGrad.update")
        self.h, = _state(None if self.h is None else [self.h], params, "AdaGrad.update")
        for (p, g), h in zip(pairs, self.h):
            _apply(_ADAGRAD, p, g, h, self.lr)


class RMSprop:
    """RMSprop: h = decay * h + (1 - decay) * grad**2; param -= lr * grad / (sqrt(h) + 1e-7)."""

    def __init__(self, lr=0.01, decay_rate=0.99):
        self.lr = lr
        self._checked = _CheckedPairs()
        self.decay_rate = decay_rate
        self.h = None

    def update(self, params, grads):
        pairs = self._checked.get(params, grads, "RMSprop.update")
        self.h, = _state(None if self.h is None else [self.h], params, "RMSprop.update")
        for (p, g), h in zip(pairs, self.h):
            _apply(_RMSPROP, p, g, h, self.lr, self.decay_rate)


class Adam:
    """Adam (http://arxiv.org/abs/1412.6980v8) with the book's bias-corrected step."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr = lr
        self._checked = _CheckedPairs()
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m = None
        self.v = None

    def update(self, params, grads):
        pairs = self._checked.get(params, grads, "Adam.update")
        state = None if self.m is None else [self.m, self.v]
        self.m, self.v = _state(state, params, "Adam.update", count=2)
        self.iter += 1
        lr_t = self.lr * math.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter)
        for (p, g), m, v in zip(pairs, self.m, self.v):
            _apply(_ADAM, p, g, m, v, lr_t, self.beta1, self.beta2)
