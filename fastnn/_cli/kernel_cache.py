"""How a script's kernels got ready: loaded from Numba's cache, compiled, or both.

The scripts run a small piece of training before the real one (a warm-up) and
print ``kernels ready in 4.20 s: 31 loaded from Numba's cache``, so that the
half minute a first run spends compiling is said, not silent.
"""

import os
import sys
import time

import numpy as np


def _kernels():
    """Numba's dispatchers of every kernel module loaded so far."""
    from numba.core.dispatcher import Dispatcher

    prefix = __name__.split(".")[0] + ".kernels"  # fastnn.kernels
    modules = [m for name, m in list(sys.modules.items()) if name == prefix or name.startswith(prefix + ".")]
    return {id(f): f for m in modules for f in vars(m).values() if isinstance(f, Dispatcher)}.values()


def _cache_counts(kernels=None):
    """(signatures loaded from Numba's cache, signatures compiled) over `kernels`
    (Numba dispatchers; default: every kernel loaded so far).

    A kernel compiled on a cold cache also compiles the helpers it calls, so the
    second count is more than the number of kernels a run uses; the first is not.
    """
    kernels = _kernels() if kernels is None else kernels
    return (sum(sum(k.stats.cache_hits.values()) for k in kernels),
            sum(sum(k.stats.cache_misses.values()) for k in kernels))


# What a first run's compile took on this project's 2-core machine (see
# docs/performance.md), said before a first run starts compiling.
FIRST_RUN_SECONDS = {"spiral": 5, "rnnlm": 8, "seq2seq": 15}


def cache_is_empty():
    """Whether Numba's cache holds no fastnn kernel yet: a first run, which compiles them all."""
    if os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0"):
        return False
    from ..kernels import affine

    folder = getattr(getattr(affine.affine_forward_small, "_cache", None), "_cache_path", None)
    try:
        return folder is not None and not any(name.endswith(".nbi") for name in os.listdir(folder))
    except OSError:  # no folder yet
        return True


def warm(run, first_run_seconds=None):
    """Call run() (a piece of training that uses the kernels the script will use);
    return the seconds it took and a phrase saying how the kernels got ready.

    On a first run, first says on stderr that the kernels compile once and
    about how long that takes (first_run_seconds, measured on a 2-core machine).
    numpy's random state is left as it was, whatever run() draws: a seeded run
    is the same with or without the warm-up.
    """
    if first_run_seconds is not None and cache_is_empty():
        print(f"fastnn: first run: compiling the kernels once, about {first_run_seconds} s on 2 cores; "
              "later runs load them from Numba's cache", file=sys.stderr, flush=True)
    loaded, compiled = _cache_counts()
    state = np.random.get_state()
    start = time.perf_counter()
    try:
        run()
    finally:
        np.random.set_state(state)
    seconds = time.perf_counter() - start
    now_loaded, now_compiled = _cache_counts()
    loaded, compiled = now_loaded - loaded, now_compiled - compiled
    if os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0"):
        how = "none compiled, NUMBA_DISABLE_JIT runs them as plain Python"
    elif compiled == 0 and loaded == 0:
        how = "all were already loaded in this process"
    elif compiled == 0:
        how = f"{loaded} loaded from Numba's cache"
    elif loaded == 0:
        how = "compiled, as on a first run (Numba's cache keeps them for the next runs)"
    else:
        how = f"{loaded} loaded from Numba's cache, the others compiled (new, or changed since they were cached)"
    return seconds, how
