"""A damaged Numba cache never stops a run (kernels/_cache_repair.py).

An interrupted write or a full disk leaves a cache file empty or cut short;
Numba 0.68 then raised from its unpickling (EOFError, pickle.UnpicklingError)
and the spiral script ended in a traceback (numba#10434).  Now a kernel whose
index (.nbi) or code (.nbc) cannot be read is compiled again, one line on
stderr says so, and Numba's save writes the file afresh.

The quick tests damage the files of Numba's own cache-file object in a folder
of the kernels' (every damage, both files) and of another folder (still an
error).  The slow ones run the spiral training in new processes: two cold runs
at once on one empty cache; a filled cache with every code file damaged, and
with one index file cut to 10 bytes, trains to the same numbers and is loaded
whole by the next run.
"""

import builtins
import os
import pickle
import random
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numba
import pytest
from fastnn.kernels import _cache_repair, _cache_stamp
from numba.core.caching import IndexDataCacheFile

JIT = pytest.mark.skipif(numba.config.DISABLE_JIT, reason="about Numba's cache of compiled code")

MESSAGE = re.compile(r"^fastnn: unreadable Numba cache entry in (?P<folder>.+) \((?P<file>[^ ]+\.nb[ic]), "
                     r"(?P<error>\w+)(: .*)?\), recompiling (?P<kernel>[\w.]+)$")

# What an interrupted write or a full disk leaves, and garbage: random bytes raise
# UnpicklingError 95 times in 100, the others what the samples below raise.
DAMAGE = {
    "empty": lambda data: b"",
    "truncated": lambda data: data[:10],
    "random-bytes": lambda data: random.Random(len(data)).randbytes(len(data)),
    "ValueError": lambda data: b"\x82\x05.",  # an unregistered extension code
    "UnicodeDecodeError": lambda data: b"X\x02\x00\x00\x00\xff\xfe.",
    "OverflowError": lambda data: b"\x8d" + (2**64 - 1).to_bytes(8, "little"),
    "MemoryError": lambda data: b"\x8e" + (2**62).to_bytes(8, "little"),
    "TypeError": lambda data: b"K\x01\x98",
}

BASE = "layer.kernel-7.py311"


@pytest.fixture
def own_folder(tmp_path):
    """A cache folder counted as one of the kernels' (as _cache_stamp's locators count theirs)."""
    folder = tmp_path / "kernels_cache"
    folder.mkdir()
    _cache_stamp.cache_folders.add(str(folder))
    yield folder
    _cache_stamp.cache_folders.discard(str(folder))


def _filled(folder):
    cache_file = IndexDataCacheFile(cache_path=str(folder), filename_base=BASE, source_stamp="stamp")
    cache_file.save("sig-a", ("code", "a"))
    cache_file.save("sig-b", ("code", "b"))
    return cache_file


def test_the_readers_are_wrapped_for_the_kernels_folders():
    assert IndexDataCacheFile._load_index._fastnn_folders is _cache_stamp.cache_folders
    assert IndexDataCacheFile._load_data._fastnn_folders is _cache_stamp.cache_folders
    # A second call wraps nothing twice.
    assert _cache_repair.recompile_unreadable_entries(_cache_stamp.cache_folders)
    assert not hasattr(IndexDataCacheFile._load_index.__wrapped__, "_fastnn_folders")


def test_a_numba_laid_out_otherwise_is_left_alone(monkeypatch):
    monkeypatch.delattr(IndexDataCacheFile, "_load_data")
    assert not _cache_repair.recompile_unreadable_entries(set())


@JIT
def test_the_kernels_cache_folder_is_counted():
    from fastnn.kernels import activation

    assert activation.sigmoid_forward._cache.cache_path in _cache_stamp.cache_folders


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("which", ["nbi", "nbc"], ids=["index", "code"])
def test_an_unreadable_file_is_a_miss_then_written_afresh(own_folder, which, damage, capsys):
    cache_file = _filled(own_folder)
    path = own_folder / (f"{BASE}.nbi" if which == "nbi" else f"{BASE}.1.nbc")
    path.write_bytes(DAMAGE[damage](path.read_bytes()))
    if damage in ("ValueError", "UnicodeDecodeError", "OverflowError", "MemoryError", "TypeError"):
        with pytest.raises(getattr(builtins, damage)):  # the sample raises what it is named after
            pickle.loads(path.read_bytes())

    assert cache_file.load("sig-a") is None  # a miss: Numba compiles
    assert cache_file.load("sig-a") is None
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines  # once per file
    said = MESSAGE.match(lines[0])
    assert said, lines[0]
    assert (said["folder"], said["file"], said["kernel"]) == (str(own_folder), path.name, "layer.kernel")

    cache_file.save("sig-a", ("code", "a"))  # Numba's save after the compile reads the index again
    assert cache_file.load("sig-a") == ("code", "a")
    # The other signature: still there when its code was intact, a miss when the index was lost.
    assert cache_file.load("sig-b") == (None if which == "nbi" else ("code", "b"))
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("damage", ["empty", "truncated", "random-bytes"])
@pytest.mark.parametrize("which", ["nbi", "nbc"], ids=["index", "code"])
def test_another_folders_damaged_cache_still_raises(tmp_path, which, damage, capsys):
    cache_file = _filled(tmp_path)
    path = tmp_path / (f"{BASE}.nbi" if which == "nbi" else f"{BASE}.1.nbc")
    path.write_bytes(DAMAGE[damage](path.read_bytes()))
    with pytest.raises((EOFError, pickle.UnpicklingError)):
        cache_file.load("sig-a")
    assert capsys.readouterr().err == ""


# --- The spiral training in new processes -------------------------------------------

TRAIN = textwrap.dedent("""
    import hashlib
    from fastnn import spiral
    model, trainer, x, t, _ = spiral.train(spiral.parse_args(["--no-plots", "--epochs", "20"]))
    params = hashlib.sha256(b"".join(p.tobytes() for p in model.params)).hexdigest()
    print("result", repr(trainer.loss_list), repr(spiral.accuracy(model, x, t)), params)
""")


def _start(cache):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "MPLBACKEND": "Agg"}
    return subprocess.Popen([sys.executable, "-c", TRAIN], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _train(cache):
    """(kernels phrase, result line, stderr) of a training on `cache`, asserting it succeeded."""
    proc = _start(cache)
    out, err = proc.communicate(timeout=600)
    return _outcome(proc, out, err)


def _outcome(proc, out, err):
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err
    lines = out.splitlines()
    assert lines[0].startswith("kernels ready in ") and lines[-1].startswith("result "), out
    return lines[0].split(": ", 1)[1], lines[-1], err


def _all_loaded(phrase):
    return re.fullmatch(r"\d+ loaded from Numba's cache", phrase) is not None


@JIT
@pytest.mark.slow
def test_two_cold_runs_at_once_share_one_empty_cache(tmp_path):
    cache = tmp_path / "cache"
    procs = [_start(cache) for _ in range(2)]
    runs = [_outcome(proc, *proc.communicate(timeout=600)) for proc in procs]
    assert runs[0][1] == runs[1][1]
    # Each says it compiles, unless the other had already cached a kernel when it looked.
    assert all(err == "" or (err.startswith("fastnn: first run: ") and err.count("\n") == 1)
               for _, _, err in runs), runs
    phrase, result, err = _train(cache)  # what they wrote loads
    assert _all_loaded(phrase) and result == runs[0][1] and err == "", (phrase, err)


def _damage_every_code_file(cache):
    kinds = ["empty", "truncated", "random-bytes"]
    paths = sorted(cache.glob("*/*.nbc"))
    for i, path in enumerate(paths):
        path.write_bytes(DAMAGE[kinds[i % 3]](path.read_bytes()))
    return paths


def _damage_one_index_file(cache):
    paths = sorted(cache.glob("*/activation.sigmoid_forward-*.nbi"))
    assert len(paths) == 1, paths
    paths[0].write_bytes(paths[0].read_bytes()[:10])
    return paths


@JIT
@pytest.mark.slow
def test_a_damaged_cache_is_compiled_again_and_written_afresh(tmp_path):
    filled = tmp_path / "filled"
    _, undamaged, _ = _train(filled)
    for damage in (_damage_every_code_file, _damage_one_index_file):
        cache = tmp_path / damage.__name__
        shutil.copytree(filled, cache)
        damaged = damage(cache)

        phrase, result, err = _train(cache)
        assert result == undamaged, damage.__name__
        said = [MESSAGE.match(line) for line in err.splitlines()]
        assert said and all(said), err
        files = [Path(m["folder"], m["file"]) for m in said]
        assert len(files) == len(set(files)), err  # once per file
        assert set(files) <= set(damaged), err
        if len(damaged) == 1:
            assert files == damaged and said[0]["kernel"] == "activation.sigmoid_forward"
            assert re.match(r"\d+ loaded from Numba's cache, the others compiled", phrase), phrase

        phrase, result, err = _train(cache)  # the next run loads every kernel, no word of damage
        assert _all_loaded(phrase) and result == undamaged and err == "", (damage.__name__, phrase, err)
