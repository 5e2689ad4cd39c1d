"""Large elementwise and reduction ops against a plain array copy (issue 5, goal 3).

Each group ``"bandwidth.{op}|{dtype}|4096x1024"`` holds two members over arrays
of the suite's large size (batch 4096, width 1024: 4M elements, 16 MB in
float32, 32 MB in float64):

- ``copy``: ``np.copyto(dst, src)`` of one such array into a pre-allocated one,
  the yardstick: 2 arrays' worth of bytes (read src, write dst);
- ``fastnn``: the drop-in layer or optimizer call a user makes, output
  allocation and input checks included.

Every member records in ``benchmark.extra_info["bytes"]`` the least memory
traffic its call must make (each array read or written once), so the report
(benchmarks/report.py, "Bandwidth against a plain copy") can turn medians into
GB/s and compare fastnn's with the copy's from the same run.

Before timing, the fastnn member's first call (which compiles the kernels)
is compared with the book's (benchmarks/book_numpy.py) on the same inputs, so with
``--benchmark-disable`` this file is a correctness run.
"""

import numpy as np
import pytest

from . import cases
from .cases import DTYPES, SIZES, assert_outputs_close
from .kernel_probe import kernel_of, summary

SIZE = "large"
ROWS, COLS = SIZES[SIZE].batch, SIZES[SIZE].hidden
SHAPE = f"{ROWS}x{COLS}"


def _traffic(dtype, *, arrays=0, rows=0, labels=0):
    """Bytes moved by reading or writing `arrays` (ROWS, COLS) arrays, `rows` (1, COLS) rows and `labels` int64 labels."""
    itemsize = np.dtype(dtype).itemsize
    return (arrays * ROWS * COLS + rows * COLS) * itemsize + labels * np.dtype(np.int64).itemsize


def _layer(builder, **traffic):
    """A layer op from cases.py at the large size, with the bytes it must move."""

    def build(dtype):
        return builder(SIZE, dtype), _traffic(dtype, **traffic)

    return build


def _update_one_param(name):
    """The `name` optimizer's update of one (ROWS, COLS) param.

    cases.optimizer_update uses a layer's [W (1024, 1024), b (1024,)]; here the
    param is the same size as every other op of this file.  Repeated timed
    calls drift the param (the grad is fixed, values stay finite); only the
    first call is compared with the book's update from the same start.
    """
    state_arrays = len(cases.BOOK_OPTIMIZERS[name][1])

    def build(dtype):
        rng = np.random.default_rng(0)
        param = (0.01 * rng.standard_normal((ROWS, COLS))).astype(dtype)
        grads = [(0.1 * rng.standard_normal((ROWS, COLS))).astype(dtype)]
        cls, hyper = cases.OPTIMIZERS[name]
        book, fast = cases.BOOK_OPTIMIZERS[name][0](**hyper), cls(**hyper)
        book_params, fast_params = [param.copy()], [param.copy()]

        def numpy_way():
            book.update(book_params, grads)
            return (*book_params, *cases.book_state(name, book))

        def fastnn_way():
            fast.update(fast_params, grads)
            return (*fast_params, *cases._fastnn_state(fast))

        names = ("param",) + tuple(f"state{i}" for i in range(state_arrays))
        pair = cases.Pair(SHAPE, numpy=numpy_way, fastnn=fastnn_way, names=names)
        # Read param, grad and each state array; write param and each state array.
        return pair, _traffic(dtype, arrays=2 + 2 * state_arrays + 1)

    return build


# (op, builder of (Pair, bytes) for a dtype), in the order the report lists them.
OPS = [
    # read x, write y
    ("sigmoid.forward", _layer(cases.sigmoid_forward, arrays=2)),
    # read dout and y, write dx
    ("sigmoid.backward", _layer(cases.sigmoid_backward, arrays=3)),
    # (1, D) -> (N, D): read one row, write N rows
    ("repeat.forward", _layer(cases.repeat_forward, arrays=1, rows=1)),
    # (N, D) -> (1, D): read N rows, write one row
    ("repeat.backward", _layer(cases.repeat_backward, arrays=1, rows=1)),
    ("sum.forward", _layer(cases.sum_forward, arrays=1, rows=1)),
    ("sum.backward", _layer(cases.sum_backward, arrays=1, rows=1)),
    # read x, write y
    ("softmax.forward", _layer(cases.softmax_forward, arrays=2)),
    # read x and the N labels, write y
    ("softmax_with_loss.forward", _layer(cases.softmax_with_loss_forward, arrays=2, labels=ROWS)),
    ("sgd.update", _update_one_param("sgd")),
    ("momentum.update", _update_one_param("momentum")),
    ("adam.update", _update_one_param("adam")),
]

CASES = [pytest.param(op, build, dtype, id=f"{op}-{dtype}") for op, build in OPS for dtype in DTYPES]


def label(benchmark, op, dtype, impl, nbytes):
    benchmark.group = f"bandwidth.{op}|{dtype}|{SHAPE}"
    benchmark.extra_info.update(
        kind="bandwidth", op=f"bandwidth.{op}", dtype=dtype, shape=SHAPE, size=SIZE, impl=impl, bytes=nbytes,
    )


@pytest.mark.parametrize("impl", ["copy", "fastnn"])
@pytest.mark.parametrize(("op", "build", "dtype"), CASES)
def test_bandwidth(benchmark, op, build, dtype, impl):
    if impl == "copy":
        rng = np.random.default_rng(0)
        src = rng.standard_normal((ROWS, COLS)).astype(dtype)
        dst = np.zeros_like(src)
        label(benchmark, op, dtype, impl, src.nbytes + dst.nbytes)
        np.copyto(dst, src)  # one untimed call, as the fastnn member gets (pages touched)
        assert np.array_equal(dst, src)
        dst[...] = 0
        benchmark(np.copyto, dst, src)
        assert np.array_equal(dst, src), "np.copyto left dst different from src"
        return
    pair, nbytes = build(dtype)
    assert SHAPE in pair.shape, f"{op}: cases.py's large size is {pair.shape}, expected arrays of {SHAPE}"
    label(benchmark, op, dtype, impl, nbytes)
    expected = pair.numpy()
    first = pair.fastnn()  # compiles the kernels for this dtype; not timed
    assert_outputs_close(first, expected, dtype, [f"{op} {name}" for name in pair.names])
    before = kernel_of(pair.fastnn)
    result = benchmark(pair.fastnn)
    assert len(result) == len(pair.names)
    benchmark.extra_info["kernel"] = summary(before, kernel_of(pair.fastnn))  # serial or parallel
