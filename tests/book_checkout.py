"""Where the tests find the book's own repository: $FASTNN_BOOK_DIR, a checkout
(work tree) of https://github.com/oreilly-japan/deep-learning-from-scratch-2.

Only the few tests that run against the book's code or data use it; without the
variable, or with a folder that lacks the files they read, they skip and say
how to run them.
"""

import os
from pathlib import Path

import pytest

ENV = "FASTNN_BOOK_DIR"
HOW = ("set FASTNN_BOOK_DIR to a checkout of oreilly-japan/deep-learning-from-scratch-2 "
       "(git clone https://github.com/oreilly-japan/deep-learning-from-scratch-2)")


def book_dir(*needed):
    """The checkout's folder (a Path), holding every file in `needed` (paths inside
    the repository, e.g. "dataset/sequence.py"); otherwise the calling test skips."""
    value = os.environ.get(ENV, "")
    if not value:
        pytest.skip(f"{ENV} is not set: {HOW}")
    root = Path(value).expanduser()
    if not root.is_dir():
        pytest.skip(f"{ENV}={value} is not a folder: {HOW}")
    missing = [name for name in needed if not (root / name).is_file()]
    if missing:
        pytest.skip(f"{ENV}={value} has no {', '.join(missing)}: {HOW}")
    return root
