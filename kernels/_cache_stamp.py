"""Numba's cache, made to notice a change in any kernel file, not only the defining one.

Numba stamps a function's cached machine code with a hash of the file that
defines it, and loads the code while that file is unchanged.  A kernel inlines
helpers from other files (kernels/_checks.py, fast_exp.py, _greedy_step.py,
...) and links the kernels it calls, so after a change to one of those, the
kernels in the unchanged files came back from the cache with the old helper
inside: on 2026-11-29 the seq2seq decoders kept their old argmax after
_greedy_step.first_max changed, and gave other ids.  A `git pull` into the
editable install the README describes, or an upgrade, would do the same.

``salt_cache_of(folder)`` makes every function defined in a .py file of
`folder` carry, beside Numba's own stamp, a hash of all the .py files there,
so a change to any of them makes every kernel of the folder compile afresh
(once; the next run loads the new code).  It does this with a locator class
per Numba locator, placed first in Numba's list (numba.core.caching), each
declining any file outside the folder.  If Numba's caching module is not laid
out as it was in 0.68 (this uses CacheImpl._locator_classes), or
NUMBA_CACHE_LOCATOR_CLASSES overrides the locators, nothing changes and the
advice in docs/contract.md (clear the cache after editing) stands.

The locators also note in ``cache_folders`` each cache folder they give Numba,
so that kernels/_cache_repair.py knows which cache files are the kernels'.
"""

import hashlib
import os
from pathlib import Path

cache_folders = set()  # the folders Numba caches the salted functions in (get_cache_path)


def folder_digest(folder):
    """A hash of the names and contents of the .py files in folder."""
    h = hashlib.sha256()
    for path in sorted(Path(folder).glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def salt_cache_of(folder):
    """Stamp the cached code of every function defined in `folder` with folder_digest(folder);
    returns whether Numba took the locators."""
    try:
        from numba.core import caching, config
        locators = caching.CacheImpl._locator_classes
    except (ImportError, AttributeError):
        return False
    if getattr(config, "CACHE_LOCATOR_CLASSES", None) or not isinstance(locators, list):
        return False
    folder = os.path.realpath(folder)
    digest = folder_digest(folder)
    salted = [_salted(base, folder, digest) for base in locators if not getattr(base, "_fastnn_folder", None)]
    locators[:0] = salted
    return True


def _salted(base, folder, digest):
    """A subclass of Numba's locator `base` for the files of `folder` only, whose stamp adds `digest`."""

    def from_function(cls, py_func, py_file):
        if os.path.dirname(os.path.realpath(py_file)) != folder:
            return None
        locator = super(salted, cls).from_function(py_func, py_file)
        if locator is not None:
            cache_folders.add(locator.get_cache_path())
        return locator

    def get_source_stamp(self):
        return super(salted, self).get_source_stamp(), digest

    salted = type(f"Salted{base.__name__}", (base,), {
        "_fastnn_folder": folder,
        "from_function": classmethod(from_function),
        "get_source_stamp": get_source_stamp,
    })
    return salted
