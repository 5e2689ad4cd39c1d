"""Python's cyclic garbage collector pauses while Numba compiles or loads a kernel.

A compile allocates millions of short-lived objects, so the collector runs its
full collections in the middle of it, and each walks every object Numba keeps
(its typing and target registries, hundreds of thousands): about 0.6 s of the
5.7 s that the spiral's first run spent importing and compiling
(docs/performance.md).  Numba announces every hold of its compiler lock (a
compile, a load from the cache, and the nested ones inside them) through its
event API; the collector is off from the outermost start to its end, then back
on as it was, and collects what the compile left at its next turn.
"""

import gc
import threading

from numba.core import event


class PauseCollector(event.Listener):
    """Turns the collector off while any compiler-lock event is open, and back on
    (if it was on) when the last one ends."""

    def __init__(self):
        self._lock = threading.Lock()
        self._open = 0
        self._was_enabled = False

    def on_start(self, event):
        with self._lock:
            if self._open == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._open += 1

    def on_end(self, event):
        with self._lock:
            self._open -= 1
            if self._open == 0 and self._was_enabled:
                gc.enable()


def install():
    """Listen to the compiler lock (once per process)."""
    event.register("numba:compiler_lock", PAUSE)


PAUSE = PauseCollector()
