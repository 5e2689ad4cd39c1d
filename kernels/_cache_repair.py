"""An unreadable entry in Numba's cache of fastnn's kernels is compiled afresh, not a crash.

An interrupted write or a full disk can leave a cached kernel's index
(``<file>.<kernel>-<line>.pyXY.nbi``) or code (``....pyXY.<n>.nbc``) empty or
cut short, and Numba 0.68 then stops the run with the error its unpickling
raised (numba#10434; the open numba#10656 catches the same errors in Numba).
Tried on 2026-12-05 with numba 0.68.1: an empty file raises EOFError, a file cut
to any length EOFError or pickle.UnpicklingError ("pickle data was truncated"),
random bytes UnpicklingError ("invalid load key", 95 in 100), ValueError or
UnicodeDecodeError, OverflowError, MemoryError (a huge length) or TypeError.

``recompile_unreadable_entries(folders)`` wraps Numba's two readers of a cache
file, IndexDataCacheFile._load_index and _load_data, so that for a cache folder
in `folders` (the ones kernels/_cache_stamp.py's locators give Numba for the
kernels) these errors count as a miss: one line on stderr per file, then Numba
compiles the kernel and its save writes a new index and code file over the
damaged ones (its save reads the index again, and gets an empty one).  A cache
of any other function raises as before.  If Numba's caching module is laid out
otherwise, nothing changes and a damaged cache is cleared by hand.
"""

import functools
import pickle
import sys

UNREADABLE = (EOFError, pickle.UnpicklingError, ValueError, OverflowError, MemoryError, TypeError)

_reported = set()  # (folder, file) already named on stderr: Numba's save reads a damaged index again


def recompile_unreadable_entries(folders):
    """Make an unreadable cache file in one of `folders` (a set, read on each load, so it may
    still grow) a miss; returns whether Numba's caching module took the change."""
    try:
        from numba.core.caching import IndexDataCacheFile as cache_file
        load_index, load_data = cache_file._load_index, cache_file._load_data
    except (ImportError, AttributeError):
        return False
    if getattr(load_index, "_fastnn_folders", None) is not None:
        return load_index._fastnn_folders is folders
    cache_file._load_index = _as_miss(load_index, folders, dict)
    cache_file._load_data = _as_miss(load_data, folders, lambda: None)
    return True


def _as_miss(read, folders, miss):
    """Numba's reader `read`, returning a new `miss()` (an empty index: Numba's save fills it
    in) where it met an unreadable file of `folders`."""

    @functools.wraps(read)
    def reader(self, *args):
        try:
            return read(self, *args)
        except UNREADABLE as error:
            if getattr(self, "_cache_path", None) not in folders:
                raise
            _report(self, args[0] if args else getattr(self, "_index_name", ""), error)
            return miss()

    reader._fastnn_folders = folders
    return reader


def _report(cache_file, name, error):
    """One line on stderr, the first time this process meets the file `name` of `cache_file` unreadable."""
    folder = cache_file._cache_path
    if (folder, name) in _reported:
        return
    _reported.add((folder, name))
    kernel = str(getattr(cache_file, "_index_name", name)).rsplit("-", 1)[0]  # file.qualname-line.pyXY.nbi
    why = " ".join(f"{type(error).__name__}: {error}".split()).rstrip(":")[:100]
    if sys.stderr is not None:
        print(f"fastnn: unreadable Numba cache entry in {folder} ({name}, {why}), recompiling {kernel}",
              file=sys.stderr, flush=True)
