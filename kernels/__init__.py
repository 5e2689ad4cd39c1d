"""fastnn's Numba kernels: pure functions that write into the output arrays they are given.

Importing the package first stamps the kernels' cached code with a hash of every
file here (_cache_stamp.py), so that a change to a helper in one file cannot
leave stale code in the cached kernels of another, and makes an unreadable
cache file of a kernel (an interrupted write, a full disk) a miss that is
compiled and written afresh rather than an error (_cache_repair.py).  And
Python's garbage collector pauses while Numba compiles (_compile_gc.py).
"""

import os

from . import _compile_gc
from ._cache_repair import recompile_unreadable_entries
from ._cache_stamp import cache_folders, salt_cache_of

_compile_gc.install()

if salt_cache_of(os.path.dirname(__file__)):
    recompile_unreadable_entries(cache_folders)
