"""The garbage collector pauses while Numba compiles (kernels/_compile_gc.py)."""

import gc
import os
import warnings

import fastnn.kernels  # noqa: F401 (installs the pause)
import numba
import pytest
from numba.core import event

pytestmark = pytest.mark.skipif(numba.config.DISABLE_JIT, reason="about Numba's compiles; plain Python compiles nothing")


class _Record(event.Listener):
    """The collector's state at the start and at the end of each compile (both
    inside the outermost hold of the compiler lock)."""

    def __init__(self):
        self.enabled_while_compiling = []

    def on_start(self, ev):
        self.enabled_while_compiling.append(gc.isenabled())

    def on_end(self, ev):
        self.enabled_while_compiling.append(gc.isenabled())


def _compile_something_new(value):
    # A new function each call: its compile cannot come from the cache.
    @numba.njit
    def add(x):
        return x + value
    return add(1)


@pytest.fixture
def record():
    listener = _Record()
    with event.install_listener("numba:compile", listener):
        yield listener


def test_collector_is_off_while_compiling_and_on_after(record):
    assert gc.isenabled()
    assert _compile_something_new(2) == 3
    assert record.enabled_while_compiling and not any(record.enabled_while_compiling)
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_user_stays_off(record):
    gc.disable()
    try:
        assert _compile_something_new(3) == 4
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_failed_compile_turns_the_collector_back_on(record):
    @numba.njit
    def untypable(x):
        return x.no_such_attribute
    with pytest.raises(numba.core.errors.TypingError):
        untypable(1)
    assert gc.isenabled()


def test_a_hold_that_never_ended_leaves_the_collector_off_only_until_the_next_compile(record):
    from fastnn.kernels._compile_gc import PAUSE

    PAUSE.on_start(None)  # as for a wait on the lock that was interrupted: no end event follows
    assert not gc.isenabled()
    assert _compile_something_new(4) == 5
    assert gc.isenabled()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_a_fork_in_the_middle_of_a_compile_gives_a_child_with_the_collector_on():
    from fastnn.kernels._compile_gc import PAUSE

    PAUSE.on_start(None)  # as in the middle of a compile: the collector off
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns of a fork with threads running (BLAS's): the child only exits.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child: its status says whether the collector is on
            os._exit(0 if gc.isenabled() and not PAUSE.paused else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        PAUSE.paused = False
        gc.enable()
