"""Every kernel-backed op, forward and backward apart, and every optimizer's update.

Each group ``"{op}|{dtype}|{shape}"`` holds two members, ``numpy`` (the book's
own layer, function or optimizer, benchmarks/book_numpy.py, its
``self.grads[i][...] = d`` copies included) and ``fastnn`` (the layer or
optimizer class a user calls), at the sizes tiny / medium / large of
benchmarks/cases.py, in float32 and float64.

The fastnn member records in ``extra_info["kernel"]`` whether its calls ran
fastnn's serial kernel or the parallel twin (benchmarks/kernel_probe.py),
probed on one call before and one after the timed calls: an op timed alone
may run the parallel kernel where a training step runs the serial one.

Before anything is timed, the fastnn member makes its first call (compiling
the kernels for this dtype, so JIT time is never counted) and that call's
outputs are compared with the numpy member's first call on the same inputs.
With ``--benchmark-disable`` each timed body runs once, so the suite is a
correctness run.
"""

import pytest

from .cases import DTYPES, OPS, SIZE_NAMES, assert_outputs_close, label
from .kernel_probe import kernel_of, summary

CASES = [
    pytest.param(op, build, dtype, size, id=f"{op}-{dtype}-{size}")
    for op, build in OPS
    for dtype in DTYPES
    for size in SIZE_NAMES
]


@pytest.mark.parametrize("impl", ["numpy", "fastnn"])
@pytest.mark.parametrize(("op", "build", "dtype", "size"), CASES)
def test_op(benchmark, op, build, dtype, size, impl):
    pair = build(size, dtype)
    label(benchmark, op, dtype, pair.shape, size, impl)
    if impl == "numpy":
        pair.numpy()  # one untimed call, as the fastnn member gets
        result = benchmark(pair.numpy)
        assert len(result) == len(pair.names)
    else:
        expected = pair.numpy()
        first = pair.fastnn()  # compiles for this dtype; not timed
        assert_outputs_close(first, expected, dtype, [f"{op} {name}" for name in pair.names])
        before = kernel_of(pair.fastnn)
        result = benchmark(pair.fastnn)
        assert len(result) == len(pair.names)
        benchmark.extra_info["kernel"] = summary(before, kernel_of(pair.fastnn))
