"""Python's cyclic garbage collector pauses while Numba compiles or loads a kernel.

A compile allocates millions of short-lived objects, so the collector runs
full collections in the middle of it, and each walks every object Numba keeps
(its typing and target registries, hundreds of thousands): 0.94 s inside
collections in the spiral's first run (docs/performance.md).  Numba announces
every hold of its compiler lock (a compile, a load from the cache, and the
nested holds inside them) through its event API.  The collector goes off at a
hold's start, if it was on, and back on when a hold ends and the thread holds
the lock no more (Numba's own count of the nesting, so an event that never
ended cannot leave it off past the next hold's end); it then collects what the
compile left at its next turn.  This holds for every Numba compile in the
process, a user's own @njit too.
"""

import gc
import os

from numba.core import event
from numba.core.compiler_lock import global_compiler_lock


class PauseCollector(event.Listener):
    """The collector off from a compiler-lock hold's start to the end of the outermost one."""

    def __init__(self):
        self.paused = False  # whether this listener turned the collector off

    def on_start(self, event):
        if gc.isenabled():
            gc.disable()
            self.paused = True

    def on_end(self, event):
        if self.paused and not global_compiler_lock.is_locked():
            self.paused = False
            gc.enable()

    def after_fork_in_child(self):
        """A fork in the middle of a compile: the child's collector is on again."""
        if self.paused:
            self.paused = False
            gc.enable()


PAUSE = PauseCollector()


def install():
    """Listen to the compiler lock (kernels/__init__.py calls this once)."""
    event.register("numba:compiler_lock", PAUSE)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=PAUSE.after_fork_in_child)
