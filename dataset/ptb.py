"""The Penn Treebank corpus as the book's dataset/ptb.py loads it.

load_data('train' | 'test' | 'valid') returns (corpus, word_to_id, id_to_word):
the words of the split's file, line ends turned into '<eos>', as int ids
(np.int_) of a vocabulary built from the training file in order of first
appearance: the book's arrays and dictionaries for the same files.

Where the text files are looked for, in order:

1. the folder passed as ``data_dir=``, else the one in the environment
   variable ``FASTNN_PTB_DIR``;
   (then the folders of ``SEARCH_DIRS``: the book's dataset/ folder when a
   script runs through ``python -m fastnn.book``);
2. the per-user cache folder, ``$XDG_CACHE_HOME/fastnn/ptb`` (by default
   ``~/.cache/fastnn/ptb``);
3. the book's download address, into the cache folder, only for missing files.

With no network, PTBNotFoundError (a FileNotFoundError) says in one line which
files are needed and where to put them.  Tokenised corpora are cached as .npy
files in the cache folder, keyed by the text files' path, size and time, so a
changed file is read again; the book writes its .npy/.pkl beside its script.
"""

import hashlib
import os
import urllib.request
from pathlib import Path

import numpy as np

from ._atomic import write_atomically

URL_BASE = "https://raw.githubusercontent.com/tomsercu/lstm/master/data/"
FILES = {"train": "ptb.train.txt", "test": "ptb.test.txt", "valid": "ptb.valid.txt"}
ENV_DIR = "FASTNN_PTB_DIR"
EOS = "<eos>"
DOWNLOAD_TIMEOUT = 30  # seconds


class PTBNotFoundError(FileNotFoundError):
    """A PTB text file is neither in the named folder nor in the cache, and downloading failed."""


def cache_dir():
    """The per-user folder for downloaded files and tokenised corpora."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "fastnn" / "ptb"


# More folders to look in after the named one and before the cache.
# ``python -m fastnn.book`` adds the book's own dataset/ folder here, so a
# reader's earlier downloads there are used.
SEARCH_DIRS = []


def _named_dir(data_dir):
    named = data_dir if data_dir is not None else os.environ.get(ENV_DIR) or None
    return None if named is None else Path(named).expanduser()


def _download(name, folder):
    """Fetch URL_BASE + name into folder (atomically); return the reason on failure."""
    print("Downloading " + name + " ... ")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(URL_BASE + name, timeout=DOWNLOAD_TIMEOUT) as response:
            data = response.read()
        write_atomically(folder / name, lambda f: f.write(data), binary=True)
    except (OSError, ValueError) as error:  # URLError, HTTPError and timeouts are OSErrors
        return str(getattr(error, "reason", None) or error)
    print("Done")
    return None


def find_files(names, data_dir=None):
    """Paths of the named PTB text files, downloading the missing ones into the cache."""
    named, cache = _named_dir(data_dir), cache_dir()
    folders = [f for f in (named, *map(Path, SEARCH_DIRS), cache) if f is not None]
    paths, missing, reason = {}, [], None
    for name in names:
        found = next((f / name for f in folders if (f / name).is_file()), None)
        if found is None and reason is None:  # after one failed download, try no more
            reason = _download(name, cache)
            found = None if reason else cache / name
        if found is None:
            missing.append(name)
        else:
            paths[name] = found
    if missing:
        where = " or ".join(str(f) for f in folders)
        raise PTBNotFoundError(
            f"PTB data: {', '.join(missing)} not found in {where} and could not be downloaded from "
            f"{URL_BASE} ({reason}); download {', '.join(names)} from there into {named or cache} "
            f"(or pass data_dir=, or set {ENV_DIR})"
        )
    return [paths[name] for name in names]


def _words(path):
    with open(path, encoding="utf-8") as f:
        return f.read().replace("\n", EOS).strip().split()


def _cache_file(kind, *paths):
    """A cache file name that changes when any of the text files changes."""
    key = hashlib.sha1()
    for path in paths:
        stat = path.stat()
        key.update(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns};".encode())
    return cache_dir() / f"ptb.{kind}.{key.hexdigest()[:16]}.npy"


def _load_cached(path):
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None


def _save_cached(path, array):
    """Save to the cache if it can be written; a cache is never required."""
    try:
        write_atomically(path, lambda f: np.save(f, array, allow_pickle=False), binary=True)
    except OSError:
        pass


def load_vocab(data_dir=None):
    """(word_to_id, id_to_word) of the training file, ids in order of first appearance."""
    (train,) = find_files([FILES["train"]], data_dir)
    cached = _cache_file("vocab", train)
    words = _load_cached(cached)
    if words is None:
        words = np.array(list(dict.fromkeys(_words(train))))
        _save_cached(cached, words)
    id_to_word = dict(enumerate(words.tolist()))
    return {w: i for i, w in id_to_word.items()}, id_to_word


def load_data(data_type="train", data_dir=None):
    """(corpus, word_to_id, id_to_word) of one split: 'train', 'test', 'valid' (or 'val')."""
    if data_type == "val":
        data_type = "valid"
    if data_type not in FILES:
        raise ValueError(f"ptb.load_data: data_type is {data_type!r}; expected 'train', 'test' or 'valid'")
    names = [FILES["train"]] + ([FILES[data_type]] if data_type != "train" else [])
    paths = find_files(names, data_dir)
    word_to_id, id_to_word = load_vocab(data_dir)
    cached = _cache_file(data_type, *paths)
    corpus = _load_cached(cached)
    if corpus is None:
        words = _words(paths[-1])
        try:
            corpus = np.fromiter(map(word_to_id.__getitem__, words), dtype=np.int_, count=len(words))
        except KeyError as error:
            raise ValueError(
                f"ptb.load_data: the word {error.args[0]!r} of {paths[-1]} is not in the vocabulary of "
                f"{paths[0]} (the test and valid files use the training file's words)"
            ) from None
        _save_cached(cached, corpus)
    return corpus, word_to_id, id_to_word
