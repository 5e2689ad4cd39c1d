"""A faster exit for fastnn's programs: gc.freeze() once the kernels are ready.

With Numba loaded, each collection that the interpreter's shutdown makes while
it clears the modules walks Numba's typing and target registries, hundreds of
thousands of objects: 0.2-0.3 s of every run (docs/performance.md).  Frozen
objects are left out of every later collection.  Only the programs freeze, and
only what is alive once their kernels are ready (modules, the program's own data
and model), never the library on import: a frozen object that later becomes
garbage in a reference cycle is never collected, and one alive at exit never has
its finalizer run, which a user's objects may need (an open file in a cycle
would lose its buffered writes).
"""

import gc


def freeze_what_is_loaded():
    """Leave every object alive now out of all later garbage collections."""
    gc.freeze()
