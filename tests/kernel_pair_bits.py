"""The bits every serial/parallel kernel pair gives, for tests/test_cache_bits.py.

Run as a script, it finds every ``_dispatch.Kernel`` the layers and optimizers
use, runs its serial and its parallel kernel on the same operands (several
blocks long, rows of odd widths, so that vector loops have remainders), and
prints one JSON object: for each pair, a digest of what each kernel wrote and
returned.  The test runs it twice on one empty Numba cache: the first run
compiles, the second loads from the cache.  Numba's fastmath ``reassoc`` lets
LLVM choose the order of a sum when it compiles, and a kernel loaded from the
cache once summed in another order than when compiled in the process
(softmax_backward_parallel, 2026-11-28).
"""

import hashlib
import inspect
import json
import sys

import numpy as np

from fastnn import optimizer
from fastnn._cli.kernel_cache import _cache_counts
from fastnn._core.dispatch import Kernel
from fastnn.nn import activations, losses, nodes, time_loss

MODULES = (activations, losses, nodes, time_loss, optimizer)


def kernel_pairs():
    """{serial kernel's name: Kernel} for every pair the layers and optimizers choose from."""
    pairs = {}
    for module in MODULES:
        for value in vars(module).values():
            if inspect.isclass(value) and isinstance(getattr(value, "KERNEL", None), Kernel):
                value = value.KERNEL  # an optimizer's update
            if isinstance(value, Kernel) and value.parallel is not None:
                pairs[value.serial.__name__] = value
    return pairs


ROWS, WIDTH = 67, 1003  # 67,201 elements: four blocks of kernels/_config.BLOCK_ELEMENTS and a part


def _labels(rng, rows, width):
    return rng.integers(0, width, rows)


def _softmax_rows(rng, dtype):
    x = (3 * rng.standard_normal((ROWS, WIDTH))).astype(dtype)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return x, (e / e.sum(axis=1, keepdims=True)).astype(dtype)


def _update(rng, dtype, states):
    """param, grad and `states` state arrays of one flat optimizer buffer."""
    shape = (ROWS * WIDTH,)
    param, grad = rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype)
    return [param, grad] + [np.abs(rng.standard_normal(shape)).astype(dtype) for _ in range(states)]


# serial kernel's name -> rng, dtype -> (arguments, indices of the arguments it writes)
OPERANDS = {
    "sigmoid_forward": lambda rng, d: ([_softmax_rows(rng, d)[0], np.empty((ROWS, WIDTH), d)], [1]),
    "sigmoid_backward": lambda rng, d: ([*_softmax_rows(rng, d), np.empty((ROWS, WIDTH), d)], [2]),
    "softmax_forward": lambda rng, d: ([_softmax_rows(rng, d)[0], np.empty((ROWS, WIDTH), d)], [1]),
    "softmax_backward": lambda rng, d: ([*_softmax_rows(rng, d)[::-1], np.empty((ROWS, WIDTH), d)], [2]),
    "softmax_cross_entropy_forward": lambda rng, d: (
        [_softmax_rows(rng, d)[0], _labels(rng, ROWS, WIDTH), np.empty((ROWS, WIDTH), d)], [2]),
    "softmax_cross_entropy_backward": lambda rng, d: (
        [_softmax_rows(rng, d)[1], _labels(rng, ROWS, WIDTH), 0.7, np.empty((ROWS, WIDTH), d), ROWS], [3]),
    "time_softmax_loss_forward_grad": lambda rng, d: (
        [_softmax_rows(rng, d)[0], _labels(rng, ROWS, WIDTH), -1, ROWS,
         np.empty((ROWS, WIDTH), d), np.empty((ROWS, WIDTH), d)], [4, 5]),
    "time_softmax_loss_backward": lambda rng, d: (
        [_softmax_rows(rng, d)[1], _labels(rng, ROWS, WIDTH), -1, 0.7, ROWS, np.empty((ROWS, WIDTH), d)], [5]),
    "repeat_2d": lambda rng, d: ([rng.standard_normal((ROWS, WIDTH)).astype(d), 3, 0,
                                  np.empty((3 * ROWS, WIDTH), d)], [3]),
    "sum_runs_2d": lambda rng, d: ([rng.standard_normal((ROWS, WIDTH)).astype(d), ROWS, 0,
                                    np.empty((1, WIDTH), d)], [3]),
    "sgd_update": lambda rng, d: (_update(rng, d, 0) + [0.1], [0]),
    "momentum_update": lambda rng, d: (_update(rng, d, 1) + [0.1, 0.9], [0, 2]),
    "nesterov_update": lambda rng, d: (_update(rng, d, 1) + [0.1, 0.9], [0, 2]),
    "adagrad_update": lambda rng, d: (_update(rng, d, 1) + [0.1], [0, 2]),
    "rmsprop_update": lambda rng, d: (_update(rng, d, 1) + [0.1, 0.99], [0, 2]),
    "adam_update": lambda rng, d: (_update(rng, d, 2) + [0.001, 0.9, 0.999], [0, 2, 3]),
}


def digest(kernel, make, dtype):
    """A digest of everything `kernel` wrote and returned on operands made by `make`."""
    args, written = make(np.random.default_rng(7), dtype)
    returned = kernel(*args)
    h = hashlib.sha256()
    for i in written:
        h.update(np.ascontiguousarray(args[i]).tobytes())
    h.update(repr(returned).encode())
    return h.hexdigest()[:16]


def main(names=()):
    """Print the digests; `names` (serial kernels' names) limits the run to those pairs."""
    result = {}
    for name, pair in sorted(kernel_pairs().items()):
        if names and name not in names:
            continue
        if name not in OPERANDS:
            result[name] = None  # the test names the pair that has no operands here
            continue
        for dtype in (np.float32, np.float64):
            result[f"{name} {np.dtype(dtype)}"] = {
                "elementwise": pair.elementwise,
                "serial": digest(pair.serial, OPERANDS[name], dtype),
                "parallel": digest(pair.parallel, OPERANDS[name], dtype),
            }
    loaded, compiled = _cache_counts([k for pair in kernel_pairs().values() for k in (pair.serial, pair.parallel)])
    result["cache"] = {"loaded": loaded, "compiled": compiled}
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
