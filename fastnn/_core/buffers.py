"""Output arrays for the layers: a new array, or the array the same call
returned last time when nothing else refers to it any more.

Why: a large output (a 4096x1024 float64 one is 32 MiB) is a fresh mmap on
every np.empty, whose pages the OS must fault in and zero on first write: that
took 3.5 ms, longer than copying the array, and the layers spent half their time
there.  A small one costs less to reuse than to make: the reuse checks took
about 210 ns where np.empty took about 230 ns and the size test that used to
send small outputs to it another 130 ns; the spiral net's step, whose 30x10
outputs are all small, got about 5% faster (docs/design.md has the measurements).  Why it is safe: the array
is reused only when its reference count shows that the layer's own attribute
is its only holder (no caller kept it, no view of it exists) and no weak
reference to it exists either; whoever kept the last output, strongly or
weakly, never sees it change.

Reference counts are CPython's implementation detail, and their meaning has
changed between versions (3.14 counts stack references differently; numpy's
own temporary elision broke on it).  So reuse is on only where a self-test at
import confirms how counts behave AND the version is one this project has
tested (TESTED_VERSIONS), never on another version, a free-threaded build or
another interpreter: there every output is a new array, with the same values.
"""

import sys
import sysconfig
import weakref

import numpy as np

# CPython versions whose reference counting this project has tested reuse on.
TESTED_VERSIONS = ((3, 10), (3, 11), (3, 12), (3, 13))

_new = np.empty  # a new output array (one name lookup fewer than np.empty)


def _probe(previous):
    return sys.getrefcount(previous)


class _Holder:
    pass


def _count_self_test():
    """(count of an array held by one attribute, whether counts behave as output() assumes).

    Measured, not assumed: the count of the call's own references differs
    between versions.  The assumption: one more holder (a local name, a view,
    a list) adds exactly one, and dropping it takes it away again.  Measured
    with no trace or profile function set: one that reads a frame's locals
    (an argument logger, a debugger stopped here) holds one more reference to
    each, and a count learnt under it would later let output() reuse an
    array a caller still holds.  A tracer set while training only adds
    references, which turns reuse off, never on.  A C-level profiler
    (cProfile's, before Python 3.12) stays on: it reads no locals, and what
    sys.getprofile() gives for it is no function that sys.setprofile could
    put back (doing so broke `python -m cProfile` on the next call).
    """
    trace, profile = sys.gettrace(), sys.getprofile()
    profile = profile if callable(profile) else None  # only a Python function is swapped out
    sys.settrace(None)
    if profile is not None:
        sys.setprofile(None)
    try:
        return _counts()
    finally:
        sys.settrace(trace)
        if profile is not None:
            sys.setprofile(profile)


def _counts():
    holder = _Holder()
    holder.array = np.empty(1)
    alone = _probe(holder.array)
    extra = holder.array
    with_local = _probe(holder.array)
    del extra
    view = holder.array[:]
    with_view = _probe(holder.array)
    del view
    in_list = [holder.array]
    with_list = _probe(holder.array)
    del in_list
    again = _probe(holder.array)
    consistent = with_local == with_view == with_list == alone + 1 and again == alone and alone >= 2
    return alone, consistent


def _gil_disabled():
    """Whether this is a free-threaded build (reference counts are biased and deferred there)."""
    if sysconfig.get_config_var("Py_GIL_DISABLED"):
        return True
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    return is_gil_enabled is not None and not is_gil_enabled()


def reuse_is_safe(implementation, version, gil_disabled, counts_as_expected):
    """Whether output() may reuse arrays on this interpreter: CPython, a tested
    version, the GIL in place, and the import-time self-test passed."""
    return (implementation == "cpython" and tuple(version[:2]) in TESTED_VERSIONS
            and not gil_disabled and counts_as_expected)


_ONE_HOLDER, _COUNTS_AS_EXPECTED = _count_self_test()
REUSE = reuse_is_safe(sys.implementation.name, sys.version_info, _gil_disabled(), _COUNTS_AS_EXPECTED)


def output(previous, shape, dtype, _count=sys.getrefcount, _weak_count=weakref.getweakrefcount, _array=np.ndarray):
    """An array of `shape` and `dtype` to write an output into.

    `previous` is what this call site returned last time (or None), passed
    straight from the one layer attribute that keeps it (no local alias: that
    would count as a holder).  It is returned when reuse is on (REUSE), it is
    a plain array that owns its memory (not a view: a caller may hold what it
    views; not a subclass), held by that attribute alone and by no weak
    reference, and of this shape and dtype; otherwise a new array.
    """
    # The cheap refusals first; the trailing arguments are bound once, since a
    # global or module attribute lookup costs more on each of the spiral net's
    # eight calls a step.
    if (type(previous) is _array and _count(previous) == _ONE_HOLDER and REUSE and previous.base is None
            and previous.dtype is dtype and previous.shape == shape and not _weak_count(previous)):
        return previous
    return _new(shape, dtype)
