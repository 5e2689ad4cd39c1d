"""Sizes, inputs and the two members (numpy, fastnn) of every benchmark group.

Each builder takes a size name and a dtype and returns a ``Pair``: two
zero-argument callables over the same inputs, ``numpy`` (the book's own layer,
function or optimizer object, from benchmarks/book_numpy.py: the book's
common/ call for call) and ``fastnn`` (the drop-in class a user calls), each
with its own state, so either can be timed alone and the first call of each
can be compared with the other's.  A builder draws its inputs from
``np.random.default_rng(0)`` when it is called, never at import time.

Sizes (batch N, layer D -> H; nets D -> H -> O):

    tiny    N=30,   2 -> 10   (the spiral net 2 -> 10 -> 3, book ch. 1)
    medium  N=1000, 100 -> 100  (net 100 -> 100 -> 10)
    large   N=4096, 1024 -> 1024  (net 1024 -> 1024 -> 10)

Per-op shapes, from the layer D -> H of each size:

    matmul, affine            x (N, D) @ W (D, H)            "30x2@2x10"
    sigmoid, softmax,
    softmax-with-loss         x (N, H), labels (N,)          "30x10"
    sigmoid-with-loss         x (N*H,), labels (N*H,) 0/1    "300"
    repeat                    (1, H) -> (N, H), axis 0       "1x10->30x10"
    sum                       (N, H) -> (1, H), axis 0       "30x10->1x10"
    optimizer updates         params [W (D, H), b (H,)]      "2x10+10"

The pieces live beside this file: the sizes, tolerances, ``Pair`` and input
draws in benchmarks/case_common.py, the layers' builders in
benchmarks/case_layers.py, the optimizers' in benchmarks/case_optimizers.py.
Importers use this module only.
"""

import os
import sys

from .case_common import (
    DTYPES,
    RTOL,
    SIZE_NAMES,
    SIZES,
    Pair,
    Size,
    assert_close,
    assert_outputs_close,
)
from .case_layers import (
    affine_backward,
    affine_forward,
    matmul_backward,
    matmul_forward,
    repeat_backward,
    repeat_forward,
    sigmoid_backward,
    sigmoid_forward,
    sigmoid_with_loss_backward,
    sigmoid_with_loss_forward,
    softmax_backward,
    softmax_forward,
    softmax_with_loss_backward,
    softmax_with_loss_forward,
    sum_backward,
    sum_forward,
)
from .case_optimizers import (
    BOOK_OPTIMIZERS,
    OPTIMIZERS,
    _fastnn_state,
    book_state,
    optimizer_update,
)

# Every name the module had before it was split (_fastnn_state: benchmarks/test_bench_bandwidth.py).
__all__ = [
    "BOOK_OPTIMIZERS",
    "DTYPES",
    "OPS",
    "OPTIMIZERS",
    "RTOL",
    "SIZES",
    "SIZE_NAMES",
    "Pair",
    "Size",
    "_fastnn_state",
    "affine_backward",
    "affine_forward",
    "assert_close",
    "assert_outputs_close",
    "book_state",
    "label",
    "matmul_backward",
    "matmul_forward",
    "optimizer_update",
    "repeat_backward",
    "repeat_forward",
    "sigmoid_backward",
    "sigmoid_forward",
    "sigmoid_with_loss_backward",
    "sigmoid_with_loss_forward",
    "softmax_backward",
    "softmax_forward",
    "softmax_with_loss_backward",
    "softmax_with_loss_forward",
    "sum_backward",
    "sum_forward",
]

# tests/ on the path, for the test oracle tests/reference.py (benchmarks/test_book_numpy.py
# checks the timed baseline against it); nothing timed here uses it.
_TESTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests")
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)


# -- the table of ops ---------------------------------------------------------

# (op name, builder), in the order the report lists them.
OPS = [
    ("matmul.forward", matmul_forward),
    ("matmul.backward", matmul_backward),
    ("affine.forward", affine_forward),
    ("affine.backward", affine_backward),
    ("sigmoid.forward", sigmoid_forward),
    ("sigmoid.backward", sigmoid_backward),
    ("repeat.forward", repeat_forward),
    ("repeat.backward", repeat_backward),
    ("sum.forward", sum_forward),
    ("sum.backward", sum_backward),
    ("softmax.forward", softmax_forward),
    ("softmax.backward", softmax_backward),
    ("softmax_with_loss.forward", softmax_with_loss_forward),
    ("softmax_with_loss.backward", softmax_with_loss_backward),
    ("sigmoid_with_loss.forward", sigmoid_with_loss_forward),
    ("sigmoid_with_loss.backward", sigmoid_with_loss_backward),
] + [(f"{name}.update", optimizer_update(name)) for name in OPTIMIZERS]


def label(benchmark, op, dtype, shape, size, impl):
    """Put a member in its group, f"{op}|{dtype}|{shape}", and record what it is."""
    benchmark.group = f"{op}|{dtype}|{shape}"
    benchmark.extra_info.update(op=op, dtype=dtype, shape=shape, size=size, impl=impl)
