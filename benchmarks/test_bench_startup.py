"""Start-up: wall time of the whole spiral training as a new process.

Group ``"startup|float64|<steps>"``, three members, each a fresh ``python``
process training the book's ch. 1 net for 300 epochs:

- ``numpy``: ``python benchmarks/numpy_spiral.py`` (the book's train.py in
  plain numpy; imports no Numba);
- ``fastnn-cold``: ``python -m fastnn.spiral --no-plots`` with
  ``NUMBA_CACHE_DIR`` set to a new empty folder, so every kernel is compiled;
- ``fastnn-warm``: the same with a cache folder an earlier run has filled.

Each process must print the golden accuracy of the book's own run
(tests/data/spiral_train_ch01.npz).  The cold run must write its cache into
NUMBA_CACHE_DIR, and the warm run must not rewrite a single cache file (a
kernel that misses the cache every run would).  Few rounds, via
``benchmark.pedantic``; marked ``startup`` so ``-m "not startup"`` skips them.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from . import numpy_spiral
from .cases import label

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "data" / "spiral_train_ch01.npz"
SPIRAL = [sys.executable, "-m", "fastnn.spiral", "--no-plots"]
NUMPY_SPIRAL = [sys.executable, str(Path(numpy_spiral.__file__).resolve())]
GROUP_SHAPE = "3000 steps 30x(2-10-3)"
ROUNDS = {"numpy": 5, "fastnn-cold": 3, "fastnn-warm": 5}


def golden_accuracy():
    with np.load(GOLDEN) as record:
        return float(record["accuracy"])


def run(cmd, cwd, cache_dir=None):
    """Run cmd to completion; return its accuracy line's value."""
    env = dict(os.environ)
    env.pop("NUMBA_DISABLE_JIT", None)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = str(cache_dir)
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    found = re.search(r"^accuracy (\S+)$", proc.stdout, re.MULTILINE)
    assert found, f"no accuracy line in the output of {' '.join(cmd)}:\n{proc.stdout[-2000:]}"
    return float(found.group(1))


def cache_files(folder):
    """{path: mtime} of Numba's index (.nbi) and data (.nbc) files under folder."""
    return {p: p.stat().st_mtime_ns for p in Path(folder).rglob("*") if p.suffix in (".nbi", ".nbc")}


def test_numpy_spiral_is_the_books_run():
    """The numpy baseline reproduces the recorded run of the book's train.py."""
    model, loss_list, accuracy, steps, _ = numpy_spiral.train(verbose=False)
    with np.load(GOLDEN) as record:
        np.testing.assert_allclose(loss_list, record["loss_list"], rtol=1e-12)
        for p, name in zip(model.params, ("W1", "b1", "W2", "b2")):
            np.testing.assert_allclose(p, record[name], rtol=1e-12, atol=1e-12 * np.max(np.abs(record[name])))
        assert accuracy == float(record["accuracy"])
    assert steps == 3000


@pytest.fixture(scope="module")
def filled_caches():
    """Cache folders cold runs have filled, newest last (the warm member reuses one)."""
    return []


@pytest.mark.startup
def test_startup_numpy(benchmark, tmp_path):
    label(benchmark, "startup", "float64", GROUP_SHAPE, "tiny", "numpy")
    accuracy = benchmark.pedantic(run, args=(NUMPY_SPIRAL, tmp_path), rounds=ROUNDS["numpy"])
    assert accuracy == golden_accuracy()


@pytest.mark.startup
def test_startup_fastnn_cold(benchmark, tmp_path, fresh_dir, filled_caches):
    label(benchmark, "startup", "float64", GROUP_SHAPE, "tiny", "fastnn-cold")

    def setup():
        folder = fresh_dir()
        assert not cache_files(folder)
        filled_caches.append(folder)
        return (SPIRAL, tmp_path), {"cache_dir": folder}

    accuracy = benchmark.pedantic(run, setup=setup, rounds=ROUNDS["fastnn-cold"])
    assert accuracy == golden_accuracy()
    written = cache_files(filled_caches[-1])
    assert any(p.suffix == ".nbi" for p in written), "Numba wrote no cache index into NUMBA_CACHE_DIR"


@pytest.mark.startup
def test_startup_fastnn_warm(benchmark, tmp_path, fresh_dir, filled_caches):
    label(benchmark, "startup", "float64", GROUP_SHAPE, "tiny", "fastnn-warm")
    if filled_caches:
        folder = filled_caches[-1]
    else:
        folder = fresh_dir()
        assert run(SPIRAL, tmp_path, folder) == golden_accuracy()
    before = cache_files(folder)
    assert before, "the cold run left no cache files in NUMBA_CACHE_DIR"
    accuracy = benchmark.pedantic(run, args=(SPIRAL, tmp_path), kwargs={"cache_dir": folder},
                                  rounds=ROUNDS["fastnn-warm"])
    assert accuracy == golden_accuracy()
    after = cache_files(folder)
    rewritten = sorted(str(p.relative_to(folder)) for p in after if before.get(p) != after[p])
    assert not rewritten, f"a warm start recompiled and rewrote: {rewritten}"
