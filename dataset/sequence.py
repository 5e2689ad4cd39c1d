"""Chapter 7-8's character data sets, as the book's dataset/sequence.py loads them.

load_data('addition.txt' | 'date.txt', seed=1984) returns ((x_train, t_train),
(x_test, t_test)): each line ``question_answer`` split at its first ``_`` (the
answer keeps the ``_``, the decoder's start mark), every character an id of one
vocabulary shared by all files loaded so far (get_vocab() gives it: char_to_id,
id_to_char), the rows shuffled after ``numpy.random.seed(seed)`` (the book
seeds numpy's global generator here, and its scripts rely on that), the last
tenth held out.  The book's arrays and vocabulary for the book's files.

Where a file is looked for, in order: the folder passed as ``data_dir=``, else
the one in the environment variable ``FASTNN_SEQUENCE_DIR``; the book's own
dataset/ folder when a script runs through ``python -m fastnn.book``; the
per-user cache, ``$XDG_CACHE_HOME/fastnn/sequence`` (``~/.cache/...``).  A file
found nowhere raises SequenceNotFoundError (a FileNotFoundError) in one line
saying how to make it (the book prints 'No file' and returns None).

make(data_dir=None, seed=0) writes both files in the book's formats, so nobody
needs the book's copies; ``python -m fastnn.dataset.sequence [--dir D] [--seed S]``
does the same from a shell:

- addition.txt: 50,000 distinct problems ``a+b`` (a, b of 1 to 3 digits; a+b
  and b+a count as one), left-aligned in 7 characters, then ``_`` and the sum
  left-aligned in 4: ``16+75  _91  ``.
- date.txt: 50,000 dates between 1970 and 2017 written as people write them
  (``September 27, 1994``, ``sep 27, 1994``, ``TUESDAY, SEPTEMBER 27, 1994``,
  ``9/27/94``, ...), left-aligned in 29 characters, then ``_`` and the ISO
  form: ``9/27/94                      _1994-09-27``.
"""

import argparse
import datetime
import os
import sys
from pathlib import Path

import numpy

from ._atomic import write_atomically

ENV_DIR = "FASTNN_SEQUENCE_DIR"
NAMES = ("addition.txt", "date.txt")
SIZE = 50000

id_to_char = {}
char_to_id = {}


class SequenceNotFoundError(FileNotFoundError):
    """A data file of chapters 7-8 is in none of the folders searched."""


def cache_dir():
    """The per-user folder make() writes to by default."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "fastnn" / "sequence"


def _book_dataset_dir():
    """The book's dataset/ folder when it is the imported `dataset` package (fastnn.book runs)."""
    package = sys.modules.get("dataset")
    paths = list(getattr(package, "__path__", None) or [])
    return Path(paths[0]).resolve() if paths else None


def search_dirs(data_dir=None):
    """The folders load_data looks in, in order."""
    named = data_dir if data_dir is not None else os.environ.get(ENV_DIR) or None
    folders = [Path(named).expanduser()] if named is not None else []
    book = _book_dataset_dir()
    return folders + ([book] if book is not None else []) + [cache_dir()]


def find_file(file_name, data_dir=None):
    """The path of `file_name` in the first folder of search_dirs() that has it."""
    if not isinstance(file_name, (str, os.PathLike)):
        raise TypeError(f"load_data: file_name is {type(file_name).__name__}; expected a file name like 'addition.txt'")
    if os.path.dirname(os.fspath(file_name)) and os.path.isfile(file_name):
        return Path(file_name)
    folders = search_dirs(data_dir)
    for folder in folders:
        if (folder / file_name).is_file():
            return folder / file_name
    how = "python -m fastnn.dataset.sequence" + (f" --dir {folders[0]}" if folders[0] != cache_dir() else "")
    raise SequenceNotFoundError(
        f"no {file_name} in {', '.join(map(str, folders))}; make addition.txt and date.txt with `{how}` "
        "(or fastnn.dataset.sequence.make()), or copy the book's dataset files there")


def _update_vocab(text):
    for char in text:
        if char not in char_to_id:
            new_id = len(char_to_id)
            char_to_id[char] = new_id
            id_to_char[new_id] = char


def parse(lines, where="load_data"):
    """Questions and answers of the file's lines (answers start with '_'), checked to be rectangular."""
    questions, answers = [], []
    for number, line in enumerate(lines, 1):
        line = line.removesuffix("\n")
        cut = line.find("_")
        if cut < 0:
            raise ValueError(f"{where}: line {number} {line!r} has no '_'; expected 'question_answer'")
        questions.append(line[:cut])
        answers.append(line[cut:])
    if not questions:
        raise ValueError(f"{where}: the file has no lines; expected lines 'question_answer'")
    for name, texts in (("question", questions), ("answer", answers)):
        width = len(texts[0])
        for number, text in enumerate(texts, 1):
            if len(text) != width:
                raise ValueError(f"{where}: line {number} has a {name} of {len(text)} characters; expected "
                                 f"{width} like line 1 (every line padded to the same widths)")
    return questions, answers


def load_data(file_name="addition.txt", seed=1984, data_dir=None):
    """((x_train, t_train), (x_test, t_test)) of the file, as the book's load_data (see the module doc)."""
    path = find_file(file_name, data_dir)
    if path.parent.resolve() == cache_dir().resolve():  # one line, so that nobody mistakes these for the book's
        print(f"load_data: reading {path}, which fastnn.dataset.sequence made from a seed, not the book's "
              f"questions (the book's {os.fspath(file_name)} is read from data_dir, ${ENV_DIR} or the book's "
              "dataset/ folder)", file=sys.stderr)
    with open(path, encoding="utf-8") as f:
        questions, answers = parse(f, f"load_data({os.fspath(file_name)!r})")
    for q, a in zip(questions, answers):
        _update_vocab(q)
        _update_vocab(a)
    x = numpy.array([[char_to_id[c] for c in q] for q in questions], dtype=int)
    t = numpy.array([[char_to_id[c] for c in a] for a in answers], dtype=int)

    indices = numpy.arange(len(x))
    if seed is not None:
        numpy.random.seed(seed)
    numpy.random.shuffle(indices)
    x, t = x[indices], t[indices]

    split_at = len(x) - len(x) // 10
    return (x[:split_at], t[:split_at]), (x[split_at:], t[split_at:])


def get_vocab():
    """(char_to_id, id_to_char) of every file loaded so far (the dicts themselves, as the book's)."""
    return char_to_id, id_to_char


# ---------------------------------------------------------------- making the files

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FIRST_DAY, LAST_DAY = datetime.date(1970, 1, 1), datetime.date(2017, 12, 31)
ADDITION_WIDTHS = (7, 4)  # 'ddd+ddd', then '_' and up to 4 digits (999 + 999 = 1998)
DATE_WIDTH = 29  # 'wednesday, september 30, 2009'


def addition_lines(rng, size=SIZE):
    """`size` lines of distinct problems a+b (1 to 3 digits each; a+b and b+a are one problem)."""
    seen, lines = set(), []
    while len(lines) < size:
        # a number of 1-3 random digits (leading zeros dropped), drawn a block at a time
        lengths = rng.randint(1, 4, (2 * size, 2))
        numbers = rng.randint(0, 1000, (2 * size, 2)) % 10 ** lengths
        for a, b in numbers.tolist():
            if len(lines) == size or (min(a, b), max(a, b)) in seen:
                continue
            seen.add((min(a, b), max(a, b)))
            lines.append(f"{f'{a}+{b}':<{ADDITION_WIDTHS[0]}}_{a + b:<{ADDITION_WIDTHS[1]}}\n")
    return lines


def human_date(day, style, short, case):
    """How a person writes `day` (a datetime.date): style 0 'May 3, 1999' (short: 'Sep'),
    1 with the weekday, 2 '5/3/99'; case 0 as is, 1 lower, 2 upper."""
    if style == 2:
        return f"{day.month}/{day.day}/{day.year % 100:02d}"
    month = MONTHS[day.month - 1]
    text = f"{month[:3] if short and style == 0 else month} {day.day}, {day.year}"
    if style == 1:
        text = f"{DAYS[day.weekday()]}, {text}"
    return (text, text.lower(), text.upper())[case]


def date_lines(rng, size=SIZE):
    """`size` lines 'human date_ISO date', days drawn uniformly from 1970-2017."""
    span = (LAST_DAY - FIRST_DAY).days + 1
    offsets = rng.randint(0, span, size).tolist()
    styles = rng.choice(3, size, p=(0.5, 0.2, 0.3)).tolist()
    shorts = (rng.random_sample(size) < 0.35).tolist()
    cases = rng.choice(3, size, p=(0.5, 0.25, 0.25)).tolist()
    lines = []
    for offset, style, short, case in zip(offsets, styles, shorts, cases):
        day = FIRST_DAY + datetime.timedelta(days=offset)
        lines.append(f"{human_date(day, style, short, case):<{DATE_WIDTH}}_{day.isoformat()}\n")
    return lines


def _write(path, lines):
    """Write atomically: a reader never sees half a file."""
    write_atomically(path, lambda f: f.writelines(lines))


def make(data_dir=None, seed=0, size=SIZE):
    """Write addition.txt and date.txt (size lines each) into data_dir (default: the cache); return their paths."""
    if isinstance(seed, bool) or not isinstance(seed, (int, numpy.integer)) or not 0 <= seed < 2**32:
        raise ValueError(f"make: seed is {seed!r}; expected an integer in [0, 2**32)")
    if isinstance(size, bool) or not isinstance(size, (int, numpy.integer)) or not 1 <= size <= 200000:
        raise ValueError(f"make: size is {size!r}; expected an integer in [1, 200000] (addition has ~500,000 problems)")
    folder = Path(data_dir).expanduser() if data_dir is not None else cache_dir()
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"make: data_dir {str(folder)!r} is a file; expected a folder")
    paths = (folder / NAMES[0], folder / NAMES[1])
    _write(paths[0], addition_lines(numpy.random.RandomState(seed), size))
    _write(paths[1], date_lines(numpy.random.RandomState(seed + 1 if seed + 1 < 2**32 else 0), size))
    return paths


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m fastnn.dataset.sequence",
                                     description="Write chapter 7-8's addition.txt and date.txt.")
    parser.add_argument("--dir", default=None, help=f"folder to write to (default {cache_dir()})")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        paths = make(args.dir, args.seed)
    except (ValueError, OSError) as error:
        parser.error(str(error))
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
