"""The book's optimizers (common/optimizer.py): update(params, grads) in place.

Each update checks the two lists, then runs one kernel per parameter, or a
single kernel for all of them when the params tile one buffer end to end and
the grads another (as fastnn.models lays them out): a call into a kernel costs
more than updating the spiral net's 43 numbers.  State arrays (velocity,
squared-gradient sums, moments) are made on the first update, one per
parameter, as in the book, and are views of one buffer for the same reason.
"""

import math
import operator
import sys  # noqa: F401 (the book's star import gives it too)

import numpy as np

from ._core import inputs as check
from ._core.dispatch import Kernel
from ._core.flat import views_of_one_buffer
from .kernels import optimizers as kernels
from .np import GPU  # noqa: F401 (the book's star import gives it too)


def _work_dtype(p):
    """The native float32/float64 dtype an update of p computes in (float16 in float32)."""
    return check.FLOAT32 if p.dtype.itemsize <= 4 else check.FLOAT64


def _check_pairs(params, grads, where):
    """Check params and grads pair up; return [(param, grad as a C array of the param's work dtype)]."""
    if len(params) != len(grads):
        raise ValueError(f"{where}: got {len(params)} params and {len(grads)} grads; expected one grad per param")
    pairs = []
    for i, (p, g) in enumerate(zip(params, grads)):
        if type(p) is not np.ndarray or p.dtype.kind != "f" or p.dtype.itemsize > 8:
            raise TypeError(
                f"{where}: params[{i}] is {type(p).__name__} of dtype {getattr(p, 'dtype', None)}; "
                "expected a float32 or float64 numpy array (updated in place; float16 and byte-swapped floats are converted)"
            )
        if not p.flags.writeable:
            raise ValueError(f"{where}: params[{i}] is read-only; expected a writeable array (updated in place)")
        dtype = _work_dtype(p)
        if type(g) is not np.ndarray or g.dtype is not dtype or not g.flags.c_contiguous:
            g = check.operand(g, dtype, where, f"grads[{i}]")
        if g.shape != p.shape:
            raise ValueError(f"{where}: grads[{i}] has shape {g.shape}; expected {p.shape} like params[{i}]")
        pairs.append((p, g))
    return pairs


def _tiled_buffer(arrays):
    """The 1-D buffer that `arrays` cover end to end, in order, or None."""
    base = arrays[0].base if arrays else None
    if type(base) is not np.ndarray or base.ndim != 1 or not base.flags.c_contiguous:
        return None
    address, end = base.ctypes.data, 0
    for a in arrays:
        if (a.base is not base or a.dtype is not base.dtype or not a.flags.c_contiguous
                or a.ctypes.data != address + end * a.itemsize):
            return None
        end += a.size
    return base if end == base.size else None


class _Plan:
    """How to update one (params, grads) list pair, worked out once.

    A training loop passes the same arrays every step; while every array is the
    very object checked before, the checks are skipped.  ``flat`` is the pair of
    buffers (params, grads) when one kernel call can update everything.
    """

    def __init__(self, params=(), grads=(), pairs=(), flat=None):
        self.params, self.grads, self.pairs, self.flat = params, grads, pairs, flat

    def matches(self, params, grads):
        # The plan holds the arrays, so no other array can be one of them.  A
        # param made read-only since must be refused again, not written.  (A
        # plain loop: tuples of ids and a generator cost 1.6 us a step.)
        if len(params) != len(self.params) or len(grads) != len(self.grads):
            return False
        for p, known in zip(params, self.params):
            if p is not known or not p.flags.writeable:
                return False
        return all(map(operator.is_, grads, self.grads))

    @classmethod
    def make(cls, params, grads, where):
        pairs = _check_pairs(params, grads, where)
        if not all(g is grads[i] and p.flags.c_contiguous and p.dtype is g.dtype for i, (p, g) in enumerate(pairs)):
            return cls(pairs=pairs)  # conversions or odd layouts: nothing to remember
        flat_params, flat_grads = _tiled_buffer(params), _tiled_buffer(grads)
        flat = (flat_params, flat_grads) if flat_params is not None and flat_grads is not None else None
        return cls(tuple(params), tuple(grads), pairs, flat)


def _zeros_like_each(params):
    """Zero arrays shaped like each param, in its work dtype; views of one buffer
    when the dtypes agree (so one kernel can sweep them)."""
    dtypes = {_work_dtype(p) for p in params}
    if len(dtypes) > 1:
        return [np.zeros(p.shape, _work_dtype(p)) for p in params]
    dtype = dtypes.pop() if dtypes else check.FLOAT64
    return views_of_one_buffer([p.shape for p in params], dtype)[1]


def _run(kernel, param, *args):
    """One update kernel on param in place.

    A param that is not a C-contiguous native float32/float64 array is updated
    through a working copy in its work dtype, written back after, as numpy's
    in-place ``p -= ...`` would.
    """
    if param.flags.c_contiguous and param.dtype is args[0].dtype:
        kernel(param, *args)
    else:
        work = np.ascontiguousarray(param, dtype=args[0].dtype)
        kernel(work, *args)
        param[...] = work


class _Optimizer:
    """update(params, grads): check, then run KERNEL with the state arrays and hyper-parameters.

    Subclasses name their state lists in STATE (the book's attribute names) and
    give their hyper-parameters, in the kernel's order, from hyper().
    """

    KERNEL = None  # a _core.dispatch.Kernel: the update, serial or on all cores for large params
    STATE = ()

    def __init__(self):
        self._plan = _Plan()
        self._tiles = {}
        # (plan, state snapshot, [(size, args)]): the checked calls, to repeat;
        # KERNEL.pick(size) chooses serial or parallel at each call.
        self._ready = None
        for name in self.STATE:
            setattr(self, name, None)

    def update(self, params, grads):
        ready = self._ready
        if ready is not None and ready[0].matches(params, grads) and self._states_are(ready[1]):
            hyper = self.hyper()
            pick = self.KERNEL.pick
            for size, args in ready[2]:
                pick(size)(*args, *hyper)
            return
        self._update_checked(params, grads)

    def _update_checked(self, params, grads):
        where = f"{type(self).__name__}.update"
        plan = self._plan if self._plan.matches(params, grads) else _Plan.make(params, grads, where)
        self._plan = plan
        states = [self._state(name, params, where) for name in self.STATE]
        hyper = self.hyper()
        self._ready = None
        calls = None
        if plan.flat is not None:
            flat_states = [self._tiled_state(name, state) for name, state in zip(self.STATE, states)]
            if all(buffer is not None for buffer in flat_states):
                flat_params, flat_grads = plan.flat
                calls = [(flat_params.size, (flat_params, flat_grads, *flat_states))]
        if calls is None:
            if not plan.params:  # conversions or odd layouts: working copies, nothing to remember
                for i, (p, g) in enumerate(plan.pairs):
                    _run(self.KERNEL.pick(p.size), p, g, *[s[i] for s in states], *hyper)
                return
            # Every pair is a native C-contiguous param with its own grad: one call each,
            # on flat views, so that a kernel compiles once per dtype, not per number of axes.
            calls = [(p.size, tuple(a.reshape(-1) for a in (p, g, *[s[i] for s in states])))
                     for i, (p, g) in enumerate(plan.pairs)]
        for size, args in calls:
            self.KERNEL.pick(size)(*args, *hyper)
        snapshot = tuple((name, state, tuple(state)) for name, state in zip(self.STATE, states))
        self._ready = (plan, snapshot, calls)

    def _states_are(self, snapshot):
        """True while every state list is the one (holding the arrays) the one-call path was made with."""
        for name, state, arrays in snapshot:
            current = getattr(self, name)
            if current is not state or len(current) != len(arrays) or not all(map(operator.is_, current, arrays)):
                return False
        return True

    def _state(self, name, params, where):
        """The state list `name`, made on the first update, checked against params after."""
        state = getattr(self, name)
        if state is None:
            state = _zeros_like_each(params)
            setattr(self, name, state)
            return state
        if len(state) != len(params):
            raise ValueError(f"{where}: got {len(params)} params; this optimizer's state holds {len(state)}")
        for i, (p, s) in enumerate(zip(params, state)):
            # The kernels write the state in place, element by element: it must
            # be an array of the param's shape (or a user may have replaced it).
            if type(s) is not np.ndarray:
                raise TypeError(f"{where}: {name}[{i}] is {type(s).__name__}; expected a numpy array "
                                f"of shape {p.shape} (this optimizer's state for params[{i}])")
            if not (s.flags.c_contiguous and s.flags.writeable):
                raise ValueError(f"{where}: {name}[{i}] is not a writeable C-contiguous array; expected one "
                                 f"(this optimizer's state for params[{i}], updated in place)")
            if s.shape != p.shape or s.dtype != _work_dtype(p):
                raise ValueError(
                    f"{where}: params[{i}] has shape {p.shape} and dtype {p.dtype}, but this optimizer's state "
                    f"for it was made for {s.shape} {s.dtype}; use a new optimizer for a different model"
                )
        return state

    def _tiled_state(self, name, state):
        """The buffer that the state list tiles (None if a user put other arrays in it)."""
        known, buffer = self._tiles.get(name, ((), None))
        if len(known) != len(state) or not all(map(operator.is_, state, known)):
            buffer = _tiled_buffer(state)
            self._tiles[name] = (tuple(state), buffer)
        return buffer

    def hyper(self):
        raise NotImplementedError


class SGD(_Optimizer):
    """Stochastic gradient descent: param -= lr * grad."""

    KERNEL = Kernel(kernels.sgd_update, kernels.sgd_update_parallel)

    def __init__(self, lr=0.01):
        super().__init__()
        self.lr = lr

    def hyper(self):
        return (self.lr,)


class Momentum(_Optimizer):
    """Momentum SGD: v = momentum * v - lr * grad; param += v."""

    KERNEL = Kernel(kernels.momentum_update, kernels.momentum_update_parallel)
    STATE = ("v",)

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__()
        self.lr = lr
        self.momentum = momentum

    def hyper(self):
        return self.lr, self.momentum


class Nesterov(Momentum):
    """Nesterov's accelerated gradient (http://arxiv.org/abs/1212.0901), as the book writes it:
    Momentum's hyperparameters and state, another update (so, unlike the book's, it is a
    Momentum subclass)."""

    KERNEL = Kernel(kernels.nesterov_update, kernels.nesterov_update_parallel)


class AdaGrad(_Optimizer):
    """AdaGrad: h += grad**2; param -= lr * grad / (sqrt(h) + 1e-7)."""

    KERNEL = Kernel(kernels.adagrad_update, kernels.adagrad_update_parallel)
    STATE = ("h",)

    def __init__(self, lr=0.01):
        super().__init__()
        self.lr = lr

    def hyper(self):
        return (self.lr,)


class RMSprop(_Optimizer):
    """RMSprop: h = decay * h + (1 - decay) * grad**2; param -= lr * grad / (sqrt(h) + 1e-7)."""

    KERNEL = Kernel(kernels.rmsprop_update, kernels.rmsprop_update_parallel)
    STATE = ("h",)

    def __init__(self, lr=0.01, decay_rate=0.99):
        super().__init__()
        self.lr = lr
        self.decay_rate = decay_rate

    def hyper(self):
        return self.lr, self.decay_rate


class Adam(_Optimizer):
    """Adam (http://arxiv.org/abs/1412.6980v8) with the book's bias-corrected step."""

    KERNEL = Kernel(kernels.adam_update, kernels.adam_update_parallel)
    STATE = ("m", "v")

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        super().__init__()
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0

    def hyper(self):
        """Advances the step count (called once per update, after the checks passed)."""
        self.iter += 1
        lr_t = self.lr * math.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter)
        return lr_t, self.beta1, self.beta2
