"""fastnn.dataset.sequence: the book's loader behaviour, where files are looked
for, and make()'s files (their format, their content, parsed both ways)."""

import datetime
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from book_checkout import book_dir
from fastnn.dataset import sequence

DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%A, %B %d, %Y", "%m/%d/%y")


@pytest.fixture(autouse=True)
def fresh_vocab(monkeypatch, tmp_path):
    """Every test starts from an empty vocabulary and an empty cache folder."""
    sequence.char_to_id.clear()
    sequence.id_to_char.clear()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(sequence.ENV_DIR, raising=False)
    yield
    sequence.char_to_id.clear()
    sequence.id_to_char.clear()


def book_loader(path, seed=1984):
    """The book's load_data, written again here from its steps: split each line
    at its first '_', drop the last character (the line end), ids in order of
    first appearance over question then answer, numpy's global shuffle after
    seed(seed), the last tenth held out."""
    questions, answers = [], []
    with open(path) as lines:
        for line in lines:
            questions.append(line[:line.find("_")])
            answers.append(line[line.find("_"):-1])
    char_to_id = {}
    for q, a in zip(questions, answers):
        for c in q + a:
            char_to_id.setdefault(c, len(char_to_id))
    x = np.array([[char_to_id[c] for c in q] for q in questions])
    t = np.array([[char_to_id[c] for c in a] for a in answers])
    indices = np.arange(len(x))
    np.random.seed(seed)
    np.random.shuffle(indices)
    x, t = x[indices], t[indices]
    cut = len(x) - len(x) // 10
    return (x[:cut], t[:cut]), (x[cut:], t[cut:]), char_to_id


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("made")
    sequence.make(folder, seed=7, size=3000)
    return folder


def _same(loaded, expected):
    (x, t), (xt, tt) = loaded
    (ex, et), (ext, ett), _ = expected
    for a, b in ((x, ex), (t, et), (xt, ext), (tt, ett)):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == np.dtype(int)


@pytest.mark.parametrize("name", sequence.NAMES)
def test_made_files_load_as_the_book_loads_them(made, name):
    loaded = sequence.load_data(name, data_dir=made)
    expected = book_loader(made / name)
    _same(loaded, expected)
    assert sequence.get_vocab()[0] == expected[2]
    assert len(loaded[0][0]) == 2700 and len(loaded[1][0]) == 300


@pytest.mark.slow
@pytest.mark.parametrize("name", sequence.NAMES)
def test_the_books_files_load_as_the_book_loads_them(name):
    """The book's own data files ($FASTNN_BOOK_DIR/dataset, see tests/book_checkout.py), read in place."""
    folder = book_dir(f"dataset/{name}") / "dataset"
    _same(sequence.load_data(name, data_dir=folder), book_loader(folder / name))
    sequence.char_to_id.clear()
    sequence.id_to_char.clear()
    # the book's first line, as its ch07/show_addition_dataset.py prints it
    (x, t), _ = sequence.load_data(name, data_dir=folder)
    assert x.shape[0] == 45000


def test_vocabulary_is_shared_across_files_and_seeds_numpy(made):
    sequence.load_data("addition.txt", data_dir=made)
    n_addition = len(sequence.char_to_id)
    assert n_addition == 13  # digits, '+', ' ', '_'
    sequence.load_data("date.txt", data_dir=made, seed=3)
    char_to_id, id_to_char = sequence.get_vocab()
    assert len(char_to_id) > n_addition and all(id_to_char[i] == c for c, i in char_to_id.items())
    # the book seeds numpy's global generator in load_data, and its scripts rely on it
    after = np.random.rand()
    np.random.seed(3)
    np.random.shuffle(np.arange(3000))
    assert np.random.rand() == after


def test_addition_file_format(made):
    lines = (made / "addition.txt").read_text().split("\n")
    assert lines[-1] == "" and len(lines) == 3001
    pairs = set()
    for line in lines[:-1]:
        assert len(line) == 12 and line[7] == "_"
        a, b = map(int, line[:7].split("+"))
        assert line[:7] == f"{a}+{b}".ljust(7) and 0 <= a <= 999 and 0 <= b <= 999
        assert line[8:] == str(a + b).ljust(4)
        pairs.add((min(a, b), max(a, b)))
    assert len(pairs) == 3000  # a+b and b+a count as one problem


def _parse_date(text):
    for form in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, form).date()
        except ValueError:
            pass
    raise AssertionError(f"{text!r} is in none of the formats")


def test_date_file_format(made):
    lines = (made / "date.txt").read_text().split("\n")[:-1]
    assert len(lines) == 3000
    styles = set()
    for line in lines:
        assert len(line) == 40 and line[29] == "_"
        human, iso = line[:29].rstrip(), line[30:]
        day = datetime.date.fromisoformat(iso)
        assert datetime.date(1970, 1, 1) <= day <= datetime.date(2017, 12, 31)
        assert _parse_date(human.title() if "/" not in human else human) == day
        first = human.split(" ")[0]
        styles.add(("/" in human, "," in first, human.isupper(), human.islower(), len(first)))
    assert len(styles) >= 8  # numeric, with weekday, upper, lower, title, short months ...


def test_make_is_seeded(tmp_path):
    a = sequence.make(tmp_path / "a", seed=1, size=200)
    b = sequence.make(tmp_path / "b", seed=1, size=200)
    c = sequence.make(tmp_path / "c", seed=2, size=200)
    for x, y, z in zip(a, b, c):
        assert x.read_text() == y.read_text() != z.read_text()


def test_search_order(made, tmp_path, monkeypatch):
    sequence.make(sequence.cache_dir(), seed=1, size=100)  # the cache: the last place looked in
    assert sequence.find_file("date.txt") == sequence.cache_dir() / "date.txt"
    monkeypatch.setenv(sequence.ENV_DIR, str(made))
    assert sequence.find_file("date.txt") == made / "date.txt"
    assert sequence.find_file("date.txt", data_dir=sequence.cache_dir()) == sequence.cache_dir() / "date.txt"
    (x, _), _ = sequence.load_data("addition.txt")
    assert len(x) == 2700


def test_missing_file_is_one_clear_line(tmp_path):
    missing = r"no date.txt in .*python -m fastnn.dataset.sequence"
    with pytest.raises(sequence.SequenceNotFoundError, match=missing) as e:
        sequence.load_data("date.txt", data_dir=tmp_path / "none")
    assert "\n" not in str(e.value) and isinstance(e.value, FileNotFoundError)
    assert sequence.get_vocab() == ({}, {})


@pytest.mark.parametrize("text, match", [
    ("12+3   _15  \n1+2 3\n", "line 2 '1\\+2 3' has no '_'"),
    ("12+3   _15  \n1+2  _3   \n", "line 2 has a question of 5 characters; expected 7"),
    ("", "the file has no lines"),
])
def test_bad_file(tmp_path, text, match):
    (tmp_path / "addition.txt").write_text(text)
    with pytest.raises(ValueError, match=match):
        sequence.load_data("addition.txt", data_dir=tmp_path)
    assert sequence.get_vocab() == ({}, {})


@pytest.mark.parametrize("kwargs, match", [
    ({"seed": -1}, "seed is -1"), ({"seed": 1.5}, "seed is 1.5"), ({"size": 0}, "size is 0"),
])
def test_make_bad_arguments(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        sequence.make(tmp_path / "x", **kwargs)
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_make_from_a_shell(tmp_path):
    out = subprocess.run([sys.executable, "-m", "fastnn.dataset.sequence", "--dir", str(tmp_path), "--seed", "3"],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == [str(tmp_path / "addition.txt"), str(tmp_path / "date.txt")]
    assert len((tmp_path / "date.txt").read_text().splitlines()) == 50000


@pytest.mark.slow
def test_the_books_own_loader_reads_made_files(made, tmp_path):
    """The book's dataset/sequence.py itself ($FASTNN_BOOK_DIR), run on make()'s files, gives load_data's arrays."""
    source = (book_dir("dataset/sequence.py") / "dataset" / "sequence.py").read_text(encoding="utf-8")
    for name in sequence.NAMES:
        (tmp_path / name).write_text((made / name).read_text())
    book = {"__file__": str(tmp_path / "sequence.py"), "__name__": "book_sequence"}
    exec(compile(source, "book_sequence.py", "exec"), book)
    for name in sequence.NAMES:
        with warnings.catch_warnings():  # the book's load_data leaves its open file to the garbage collector
            warnings.simplefilter("ignore", ResourceWarning)
            expected = book["load_data"](name)
        loaded = sequence.load_data(name, data_dir=made)
        for a, b in zip([*loaded[0], *loaded[1]], [*expected[0], *expected[1]]):
            np.testing.assert_array_equal(a, b)
    assert sequence.get_vocab() == book["get_vocab"]()


def test_reading_made_files_from_the_cache_says_so(made, monkeypatch, capsys):
    """Files that fastnn made in its cache are not the book's questions: one line on stderr says so."""
    monkeypatch.delenv(sequence.ENV_DIR, raising=False)
    sequence.make(sequence.cache_dir(), seed=1, size=100)
    sequence.load_data("addition.txt")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "which fastnn.dataset.sequence made from a seed, not the book's questions" in err
    sequence.load_data("addition.txt", data_dir=made)  # a folder named by the user: nothing said
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_made_files_get_the_permissions_open_would_give(tmp_path, umask):
    """Not mkstemp's 0o600: a data set made by one user is readable by the others (umask 022)."""
    previous = os.umask(umask)
    try:
        paths = sequence.make(tmp_path, size=10)
    finally:
        os.umask(previous)
    for path in paths:
        assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["addition.txt", "date.txt"]  # no .part file left


def test_an_interrupted_write_leaves_no_file(tmp_path):
    from fastnn.dataset._atomic import write_atomically

    def fail(file):
        file.write("half")
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        write_atomically(tmp_path / "date.txt", fail)
    assert list(tmp_path.iterdir()) == []
