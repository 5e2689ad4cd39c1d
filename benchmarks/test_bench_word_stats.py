"""create_co_matrix and ppmi: the book's loops beside fastnn's kernels.

The corpus is a Zipf sample (word k drawn with probability proportional to
1/k), the shape of the book's PTB training corpus: 929,589 words over a
vocabulary of 10,000, window 2 as in ch02/count_method_big.py.  Members of each
``"{op}|{dtype}|{shape}"`` group:

- ``numpy``: the book's code written out call for call in benchmarks/book_util.py (a Python
  loop over the corpus; for ppmi a Python double loop over the V x V cells);
- ``fastnn``: fastnn.util.create_co_matrix / ppmi.

The book's ppmi at V = 10,000 is 10**8 turns of its loop (about ten minutes
here), so the PTB-size ppmi group holds fastnn alone and the group at
V = 1,000 (10**6 turns) holds both: the book's loop costs the same per cell at
any V, so its time at 10,000 is 100 times its time at 1,000.  The PTB sizes are
marked slow (the book's create_co_matrix alone takes seconds); the small size
runs in the default suite as a correctness run.  Each fastnn member's first
call compiles the kernels (not timed) and is compared with the oracle.
``python -m benchmarks.test_bench_word_stats`` times the PTB-size pairs in
alternation instead (one book call, one fastnn call per round).

Measured on 2026-11-28 on the project's 2-core AMD EPYC machine, loaded by
other jobs (load average 6-11), book / fastnn:

- create_co_matrix, PTB size: pytest-benchmark medians 37.1 s / 0.52 s (71x)
  and 13.0 s / 0.42 s (31x); alternating, 5 rounds, 8.8 s / 0.33 s (25x).
  fastnn's time is the first touch of the fresh 400 MB matrix (about 45 ms
  of CPU, and THP compaction stalls of up to a second of wall time when the
  machine is busy) plus about 60 ms of CPU counting; wall time ran 2-3x its
  CPU time under that load.
- ppmi, V 1,000: medians 11.3 s / 73 ms (155x) and 4.43 s / 26 ms (167x);
  alternating 5.0 s / 16.7 ms (299x).  At V 10,000 fastnn took 1.87 s and
  0.64 s (medians), the book's loop 100 x 4.4-11.3 s, about 440-1130 s:
  roughly 600-1800x.
"""

import numpy as np
import pytest
import reference_util as ref  # noqa: E402

from fastnn import util

from . import book_util as book
from . import cases  # noqa: F401  (puts tests/ on sys.path)

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
        counts = timed(benchmark, book.create_co_matrix, corpus, vocab, WINDOW, slow=size == "ptb")
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
        M = timed(benchmark, book.ppmi, C, slow=size == "ptb")
    else:
        util.ppmi(C[:4, :4])  # compiles; not timed
        M = benchmark(util.ppmi, C)
    assert M.dtype == np.float32
    # bit for bit: the book's loop where it is quick, else the same formula on whole arrays
    expected = ref.ppmi(C)[0] if impl == "fastnn" and size == "small" else ref.ppmi_vectorised(C)
    assert np.array_equal(M, expected)


def main():
    """``python -m benchmarks.test_bench_word_stats``: the PTB-size ratios timed in alternation.

    Each round calls the book's function once and fastnn's once (order swapped
    every round), so a slow spell of the shared machine falls on both; the
    speed-up is the median of the rounds' ratios (benchmarks/alternating.py).
    """
    from .alternating import time_alternately

    corpus = zipf_corpus(PTB_WORDS, PTB_VOCAB)
    util.create_co_matrix(corpus[:100], PTB_VOCAB, WINDOW)
    C1000 = ppmi_counts("ptb", BOOK_PPMI_VOCAB)
    util.ppmi(C1000)
    groups = [
        ("create_co_matrix 929,589 words, V 10,000, window 2",
         lambda: book.create_co_matrix(corpus, PTB_VOCAB, WINDOW),
         lambda: util.create_co_matrix(corpus, PTB_VOCAB, WINDOW)),
        ("ppmi V 1,000 (the book's loop at V 10,000 is 100x this)",
         lambda: book.ppmi(C1000), lambda: util.ppmi(C1000)),
    ]
    for name, book_fn, fastnn_fn in groups:
        result = time_alternately(book_fn, fastnn_fn, group_seconds=0, min_rounds=5)
        print(f"{name}: book {result.numpy:.3f} s, fastnn {result.fastnn * 1e3:.1f} ms, speed-up "
              f"{result.speedup:.0f}x (middle half {result.speedup_q1:.0f}-{result.speedup_q3:.0f}x, "
              f"{result.rounds} rounds)", flush=True)


if __name__ == "__main__":
    main()
