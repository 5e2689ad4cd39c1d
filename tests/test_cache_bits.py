"""Every serial/parallel kernel pair gives the same bits compiled in the process
and loaded from Numba's cache, and an elementwise pair gives one set of bits
whichever twin runs.

A layer picks the parallel twin by size and, for elementwise work, by timing
(fastnn/_core/dispatch.py): if the twins disagreed, one run could differ from the
next.  A user's first run compiles the kernels and later runs load them from
the cache, and Numba optimises parallel code loaded from the cache otherwise
than fresh code: softmax_backward_parallel and nesterov_update_parallel each
gave other bits once loaded (kernels/_config.py).  tests/kernel_pair_bits.py
finds every pair the layers and optimizers use, so a new pair is covered (or
the test names it) without editing this file.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import kernel_pair_bits
import numba
import pytest

SCRIPT = Path(__file__).with_name("kernel_pair_bits.py")

pytestmark = [
    pytest.mark.slow,  # compiles every pair, both dtypes, into an empty cache: about 3 minutes
    pytest.mark.skipif(numba.config.DISABLE_JIT, reason="compares compiled code; plain Python has no cache"),
]


def _digests(cache):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=1200, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_pair_has_operands_to_run_on():
    pairs = kernel_pair_bits.kernel_pairs()
    assert len(pairs) >= 16
    assert sorted(set(pairs) - set(kernel_pair_bits.OPERANDS)) == []  # a new pair needs operands here
    assert sorted(set(kernel_pair_bits.OPERANDS) - set(pairs)) == []  # no operands for a pair that went


def test_pairs_give_the_same_bits_compiled_and_loaded_from_the_cache(tmp_path):
    compiled = _digests(tmp_path / "cache")  # an empty cache: compiles, then fills it
    loaded = _digests(tmp_path / "cache")  # loads everything from it
    # Each run did what it is named for (else the comparison below would compare nothing).
    assert compiled.pop("cache") == {"loaded": 0, "compiled": 64}  # 16 pairs, 2 twins, 2 dtypes
    # softmax_forward_parallel and softmax_cross_entropy_forward_parallel are never
    # cached (kernels/softmax_loss.py): each dtype is compiled again.
    assert loaded.pop("cache") == {"loaded": 60, "compiled": 4}
    assert compiled.keys() == loaded.keys() and len(compiled) >= 32
    differ = [name for name in compiled if compiled[name] != loaded[name]]
    assert differ == [], "compiled and loaded from the cache, these pairs gave other bits"
    for run, digests in (("compiled", compiled), ("loaded", loaded)):
        split = [name for name, d in digests.items() if d["elementwise"] and d["serial"] != d["parallel"]]
        assert split == [], f"{run}: the serial and parallel kernels of these elementwise pairs disagree"
