"""create_co_matrix and ppmi: the book's loops beside fastnn's kernels.

The corpus is a Zipf sample (word k drawn with probability proportional to
1/k), the shape of the book's PTB training corpus: 929,589 words over a
vocabulary of 10,000, window 2 as in ch02/count_method_big.py.  Members of each
``"{op}|{dtype}|{shape}"`` group:

- ``numpy``: the book's code as tests/reference_util.py writes it out (a Python
  loop over the corpus; for ppmi a Python double loop over the V x V cells);
- ``fastnn``: fastnn.util.create_co_matrix / ppmi.

The book's ppmi at V = 10,000 is 10**8 turns of its loop (about ten minutes
here), so the PTB-size ppmi group holds fastnn alone and the group at
V = 1,000 (10**6 turns) holds both: the book's loop costs the same per cell at
any V, so its time at 10,000 is 100 times its time at 1,000.  The PTB sizes are
marked slow (the book's create_co_matrix alone takes seconds); the small size
runs in the default suite as a correctness run.  Each fastnn member's first
call compiles the kernels (not timed) and is compared with the oracle.
"""

import numpy as np
import pytest

import reference_util as ref
from fastnn import util

PTB_WORDS, PTB_VOCAB, WINDOW = 929_589, 10_000, 2
BOOK_PPMI_VOCAB = 1_000  # the largest V at which the book's ppmi loop is timed

SIZES = {
    "small": (20_000, 300),
    "ptb": (PTB_WORDS, PTB_VOCAB),
}

_CORPORA = {}


def zipf_corpus(n, vocab):
    """A seeded Zipf corpus, the same array for every member of a group."""
    if (n, vocab) not in _CORPORA:
        p = 1.0 / np.arange(1, vocab + 1)
        _CORPORA[(n, vocab)] = np.random.default_rng(0).choice(vocab, size=n, p=p / p.sum())
    return _CORPORA[(n, vocab)]


def label(benchmark, op, shape, size, impl):
    benchmark.group = f"{op}|int32|{shape}"
    benchmark.extra_info.update(op=op, dtype="int32", shape=shape, size=size, impl=impl)


def timed(benchmark, fn, *args, slow):
    """The book's loops at PTB size run for seconds: time those once."""
    if slow:
        return benchmark.pedantic(fn, args=args, rounds=1, iterations=1)
    return benchmark(fn, *args)


SIZE_PARAMS = [pytest.param("small", id="small"), pytest.param("ptb", id="ptb", marks=pytest.mark.slow)]


@pytest.mark.parametrize("impl", ["numpy", "fastnn"])
@pytest.mark.parametrize("size", SIZE_PARAMS)
def test_create_co_matrix(benchmark, size, impl):
    n, vocab = SIZES[size]
    corpus = zipf_corpus(n, vocab)
    label(benchmark, "create_co_matrix", f"{n}w-V{vocab}-win{WINDOW}", size, impl)
    if impl == "numpy":
        counts = timed(benchmark, ref.create_co_matrix, corpus, vocab, WINDOW, slow=size == "ptb")
    else:
        util.create_co_matrix(corpus[:100], vocab, WINDOW)  # compiles; not timed
        counts = benchmark(util.create_co_matrix, corpus, vocab, WINDOW)
    assert counts.dtype == np.int32
    assert np.array_equal(counts, ref.create_co_matrix_vectorised(corpus, vocab, WINDOW))


def ppmi_counts(size, vocab):
    n = SIZES[size][0]
    return ref.create_co_matrix_vectorised(zipf_corpus(n, vocab), vocab, WINDOW)


PPMI_CASES = [
    pytest.param("small", SIZES["small"][1], "numpy", id="small-numpy"),
    pytest.param("small", SIZES["small"][1], "fastnn", id="small-fastnn"),
    pytest.param("ptb", BOOK_PPMI_VOCAB, "numpy", id="ptb-V1000-numpy", marks=pytest.mark.slow),
    pytest.param("ptb", BOOK_PPMI_VOCAB, "fastnn", id="ptb-V1000-fastnn", marks=pytest.mark.slow),
    pytest.param("ptb", PTB_VOCAB, "fastnn", id="ptb-V10000-fastnn", marks=pytest.mark.slow),
]


@pytest.mark.parametrize(("size", "vocab", "impl"), PPMI_CASES)
def test_ppmi(benchmark, size, vocab, impl):
    C = ppmi_counts(size, vocab)
    label(benchmark, "ppmi", f"{SIZES[size][0]}w-V{vocab}", size, impl)
    if impl == "numpy":
        M = timed(benchmark, lambda c: ref.ppmi(c)[0], C, slow=size == "ptb")
    else:
        util.ppmi(C[:4, :4])  # compiles; not timed
        M = benchmark(util.ppmi, C)
    assert M.dtype == np.float32
    # bit for bit: the book's loop where it is quick, else the same formula on whole arrays
    expected = ref.ppmi(C)[0] if impl == "fastnn" and size == "small" else ref.ppmi_vectorised(C)
    assert np.array_equal(M, expected)
