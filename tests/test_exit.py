"""What importing fastnn does at exit: collect, then freeze what is left (fastnn/__init__.py)."""

import subprocess
import sys

import pytest

# Registered before fastnn is imported, so it runs after fastnn's exit handler (atexit runs
# the last registered first): it sees what that handler left.
OBSERVER = """
import atexit, gc
atexit.register(lambda: print("frozen", gc.get_freeze_count() > 0))
"""

GARBAGE_CYCLE = """
class Noisy:
    def __del__(self):
        print("finalized")
a, b = Noisy(), Noisy()
a.other, b.other = b, a
import gc
gc.disable()  # only the exit handler's collection can find the cycle now
del a, b
"""


def _run(code):
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split("\n")


@pytest.mark.parametrize("module", ["fastnn", "fastnn.layers"])
def test_objects_alive_at_exit_are_frozen(module):
    assert "frozen True" in _run(OBSERVER + f"import {module}\n")


def test_without_fastnn_nothing_is_frozen():
    assert "frozen False" in _run(OBSERVER)


def test_garbage_left_at_exit_is_still_finalized():
    """The handler collects before it freezes: a cycle dropped before exit has its
    __del__ run, as the shutdown's own collections would have run it."""
    out = _run("import fastnn\n" + GARBAGE_CYCLE)
    assert out.count("finalized") == 2
