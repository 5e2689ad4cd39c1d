"""fastnn.dataset.ptb: the book's corpus and vocabulary for the same files, where the
files are looked for, the cache, downloading, and the one-line error with no network.

No test touches the network: the files are small corpora written here, the
download address is a file:// folder or a closed local port.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from fastnn.dataset import ptb

TRAIN = " the cat sat on the mat \n a dog sat N \n\n the end <unk> \n"
TEST = " the dog sat \n on the cat \n"
VALID = " a mat \n"


def book_way(train_text, split_text):
    """The book's recipe: line ends become <eos>, split on whitespace, ids by first appearance."""
    words = train_text.replace("\n", "<eos>").strip().split()
    word_to_id = {}
    for w in words:
        if w not in word_to_id:
            word_to_id[w] = len(word_to_id)
    corpus = np.array([word_to_id[w] for w in split_text.replace("\n", "<eos>").strip().split()])
    return corpus, word_to_id, {i: w for w, i in word_to_id.items()}


def write_ptb(folder, train=TRAIN, test=TEST, valid=VALID):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("ptb.train.txt", train), ("ptb.test.txt", test), ("ptb.valid.txt", valid)):
        (folder / name).write_text(text)
    return folder


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """Every test gets its own cache folder and no FASTNN_PTB_DIR, and never the real address."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(ptb.ENV_DIR, raising=False)
    monkeypatch.setattr(ptb, "URL_BASE", "http://127.0.0.1:9/")
    return tmp_path / "xdg" / "fastnn" / "ptb"


def assert_same(got, expected):
    corpus, word_to_id, id_to_word = got
    assert corpus.dtype == expected[0].dtype and np.array_equal(corpus, expected[0])
    assert word_to_id == expected[1] and id_to_word == expected[2]
    assert list(word_to_id) == list(expected[1])  # the same order of first appearance


@pytest.mark.parametrize("split, text", [("train", TRAIN), ("test", TEST), ("valid", VALID), ("val", VALID)])
def test_same_as_the_books_recipe(tmp_path, split, text):
    data = write_ptb(tmp_path / "data")
    got = ptb.load_data(split, data_dir=data)
    assert_same(got, book_way(TRAIN, text))
    assert got[2][0] == "the" and "<eos>" in got[1]


def test_environment_variable_then_cache_folder(tmp_path, monkeypatch, private_cache):
    write_ptb(tmp_path / "env")
    monkeypatch.setenv(ptb.ENV_DIR, str(tmp_path / "env"))
    assert_same(ptb.load_data("test"), book_way(TRAIN, TEST))
    monkeypatch.delenv(ptb.ENV_DIR)
    write_ptb(private_cache, train=" x y \n", test=" y \n")
    assert_same(ptb.load_data("test"), book_way(" x y \n", " y \n"))


def test_named_folder_comes_first(tmp_path, private_cache):
    write_ptb(private_cache, train=" x y \n")
    write_ptb(tmp_path / "mine")
    assert_same(ptb.load_data("train", data_dir=tmp_path / "mine"), book_way(TRAIN, TRAIN))


def test_cache_is_used_and_refreshed_when_a_file_changes(tmp_path, private_cache):
    data = write_ptb(tmp_path / "data")
    ptb.load_data("test", data_dir=data)
    cached = sorted(p.name for p in private_cache.glob("*.npy"))
    assert len(cached) == 2 and any(".vocab." in n for n in cached) and any(".test." in n for n in cached)
    (data / "ptb.test.txt").write_text(" cat cat N \n")
    os.utime(data / "ptb.test.txt", ns=(1, 1))  # a different time stamp, whatever the clock
    assert_same(ptb.load_data("test", data_dir=data), book_way(TRAIN, " cat cat N \n"))
    assert_same(ptb.load_data("test", data_dir=data), book_way(TRAIN, " cat cat N \n"))  # from the cache


def test_downloads_missing_files_into_the_cache(tmp_path, monkeypatch, private_cache, capsys):
    source = write_ptb(tmp_path / "server")
    monkeypatch.setattr(ptb, "URL_BASE", source.as_uri() + "/")
    assert_same(ptb.load_data("valid"), book_way(TRAIN, VALID))
    assert (private_cache / "ptb.train.txt").read_text() == TRAIN
    assert (private_cache / "ptb.valid.txt").read_text() == VALID
    assert not (private_cache / "ptb.test.txt").exists()  # only what was needed
    out = capsys.readouterr().out
    assert "Downloading ptb.train.txt ... " in out and "Done" in out


def test_no_network_is_one_clear_line(tmp_path, private_cache, capsys):
    with pytest.raises(ptb.PTBNotFoundError) as info:
        ptb.load_data("test", data_dir=tmp_path / "empty")
    message = str(info.value)
    assert "\n" not in message and isinstance(info.value, FileNotFoundError)
    for part in ("ptb.train.txt", "ptb.test.txt", str(tmp_path / "empty"), str(private_cache), "data_dir=", ptb.ENV_DIR):
        assert part in message
    assert info.value.__cause__ is None and info.value.__suppress_context__ is False
    assert info.value.__context__ is None  # no URLError chained to it
    assert capsys.readouterr().out.count("Downloading") == 1  # one failed attempt, then no more


def test_no_network_from_a_script(tmp_path):
    script = textwrap.dedent("""
        from fastnn.dataset import ptb
        ptb.URL_BASE = "http://127.0.0.1:9/"
        ptb.load_data("train")
    """)
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "xdg"))
    env.pop(ptb.ENV_DIR, None)
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "URLError" not in proc.stderr and "During handling" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("fastnn.dataset.ptb.PTBNotFoundError: PTB data: ptb.train.txt not found in ")


def test_bad_split_and_unknown_word(tmp_path):
    data = write_ptb(tmp_path / "data", test=" the zebra \n")
    with pytest.raises(ValueError, match=r"data_type is 'dev'; expected 'train', 'test' or 'valid'"):
        ptb.load_data("dev", data_dir=data)
    with pytest.raises(ValueError, match=r"the word 'zebra' of .*ptb.test.txt is not in the vocabulary"):
        ptb.load_data("test", data_dir=data)


def test_unwritable_cache_still_loads(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    data = write_ptb(tmp_path / "data")
    assert_same(ptb.load_data("train", data_dir=data), book_way(TRAIN, TRAIN))
