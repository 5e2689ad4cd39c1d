"""Output arrays for the layers: a new array, or, for a large output, the array
the same call returned last time when nothing else refers to it any more.

Why: a large output (a 4096x1024 float64 one is 32 MiB) is a fresh mmap on
every np.empty, whose pages the OS must fault in and zero on first write: that
took 3.5 ms, longer than copying the array, and the layers spent half their time
there.  Why it is safe: the array is reused only when its reference count shows
that the layer's own attributes are its only holders, so no caller kept it and
no view of it exists; whoever kept the last output never sees it change.
"""

import sys

import numpy as np

# Below this many elements malloc recycles freed memory itself.
REUSE_MIN_ELEMENTS = 1 << 18

_new = np.empty  # a new output array (one name lookup fewer than np.empty)


def _probe(previous):
    return sys.getrefcount(previous)


class _Holder:
    pass


def _references_of_one_holder():
    """What _probe (and output, which reads the count the same way) sees for an
    array held by one attribute: measured, not assumed, because the count of
    the call's own references differs between Python versions."""
    holder = _Holder()
    holder.array = np.empty(1)
    return _probe(holder.array)


_ONE_HOLDER = _references_of_one_holder()


def output(previous, shape, dtype):
    """An array of `shape` and `dtype` to write an output into.

    `previous` is what this call site returned last time (or None), passed
    straight from the one layer attribute that keeps it (no local alias: that
    would count as a holder).  It is returned when it is large enough to be
    worth it (REUSE_MIN_ELEMENTS), of the same shape and dtype, and held by
    that attribute alone; otherwise a new array.
    """
    # Small outputs first, and in as few steps as possible: the spiral net's
    # layers come through here seven times a training step.
    if previous is None or previous.size < REUSE_MIN_ELEMENTS:
        return _new(shape, dtype)
    if previous.shape == shape and previous.dtype is dtype and sys.getrefcount(previous) == _ONE_HOLDER:
        return previous
    return _new(shape, dtype)
