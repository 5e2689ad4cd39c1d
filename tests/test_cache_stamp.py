"""A change to a helper in one kernel file reaches the cached kernels of the others
(kernels/_cache_stamp.py).

Numba stamps cached code with the defining file only: a kernel whose file did
not change came back from the cache with the old helper inlined.  The test
builds a two-file package the way kernels/ is built (a helper inlined from one
file into a cached function of another, the folder salted by its __init__),
runs it, edits the helper, and runs it again in a new process on the same
cache.
"""

import os
import subprocess
import sys
import textwrap

import numba
import pytest
from fastnn.kernels import _cache_stamp

pytestmark = pytest.mark.skipif(numba.config.DISABLE_JIT, reason="about Numba's cache of compiled code")

INIT = """
import os
from fastnn.kernels._cache_stamp import salt_cache_of
SALTED = salt_cache_of(os.path.dirname(__file__)) if os.environ.get("SALT") == "1" else False
"""
HELPER = """
from numba import njit
@njit(inline="always", cache=True)
def offset():
    return {value}
"""
CALLER = """
from numba import njit
from .helper import offset
@njit(cache=True)
def shifted(x):
    return x + offset()
"""


def _package(tmp_path, value):
    package = tmp_path / "stamped_pkg"
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text(INIT)
    (package / "helper.py").write_text(textwrap.dedent(HELPER.format(value=value)))
    (package / "caller.py").write_text(CALLER)
    return package


def _run(tmp_path, salt):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache"), "SALT": salt, "PYTHONPATH": str(tmp_path)}
    code = "import stamped_pkg; from stamped_pkg.caller import shifted; print(stamped_pkg.SALTED, shifted(1))"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.parametrize("salt", ["1", "0"], ids=["salted", "numba-alone"])
def test_an_edited_helper_reaches_a_cached_caller_in_another_file(tmp_path, salt):
    _package(tmp_path, 10)
    assert _run(tmp_path, salt) == [str(salt == "1"), "11"]  # compiled, then cached
    assert _run(tmp_path, salt) == [str(salt == "1"), "11"]  # loaded
    _package(tmp_path, 20)  # the helper's file changes, the caller's does not
    # Salted, the caller compiles afresh; Numba alone loads the stale code (what the salt is for).
    assert _run(tmp_path, salt) == [str(salt == "1"), "21" if salt == "1" else "11"]


def test_the_digest_covers_every_file_of_the_folder(tmp_path):
    package = _package(tmp_path, 10)
    first = _cache_stamp.folder_digest(package)
    assert _cache_stamp.folder_digest(package) == first
    (package / "helper.py").write_text(textwrap.dedent(HELPER.format(value=11)))
    assert _cache_stamp.folder_digest(package) != first


def test_fastnns_own_kernels_are_salted():
    from fastnn.kernels import activation

    locator = activation.sigmoid_forward._cache._impl.locator
    assert locator._fastnn_folder == os.path.realpath(os.path.dirname(activation.__file__))
    assert locator.get_source_stamp()[1] == _cache_stamp.folder_digest(os.path.dirname(activation.__file__))
