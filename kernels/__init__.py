"""fastnn's Numba kernels: pure functions that write into the output arrays they are given.

Importing the package first stamps the kernels' cached code with a hash of every
file here (_cache_stamp.py), so that a change to a helper in one file cannot
leave stale code in the cached kernels of another.
"""

import os

from ._cache_stamp import salt_cache_of

salt_cache_of(os.path.dirname(__file__))
