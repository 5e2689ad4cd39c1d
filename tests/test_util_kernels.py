"""The co-occurrence and PPMI kernels called directly: every code path (serial,
parallel, each block size) against the oracle, and every operand check, with
nothing written when a call is rejected."""

import numpy as np
import pytest
import reference_util as ref
from fastnn.kernels import cooccurrence, ppmi


def zipf_corpus(rng, n, vocab, dtype=np.int64):
    p = 1.0 / np.arange(1, vocab + 1)
    return rng.choice(vocab, size=n, p=p / p.sum()).astype(dtype)


@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("shift", [0, 1, 3, 12])
@pytest.mark.parametrize("n, vocab, window", [(0, 4, 2), (1, 4, 2), (5, 3, 9), (700, 37, 3), (4000, 130, 2)])
def test_co_occurrence_paths(rng, parallel, shift, n, vocab, window):
    corpus = zipf_corpus(rng, n, vocab, np.int32 if n % 2 else np.int64)
    counts = np.zeros((vocab, vocab), np.int32)
    cooccurrence.co_occurrence(corpus, window, counts, parallel=parallel, shift=shift)
    assert np.array_equal(counts, ref.create_co_matrix(corpus, vocab, window))


@pytest.mark.parametrize("parallel", [False, True])
def test_co_occurrence_in_chunks(rng, monkeypatch, parallel):
    """A corpus grouped a few positions at a time counts the same."""
    monkeypatch.setattr(cooccurrence, "CHUNK_PAIRS", 10)
    corpus = zipf_corpus(rng, 301, 25)
    counts = np.zeros((25, 25), np.int32)
    cooccurrence.co_occurrence(corpus, 3, counts, parallel=parallel, shift=2)
    assert np.array_equal(counts, ref.create_co_matrix(corpus, 25, 3))


def test_co_occurrence_adds_to_counts_and_reads_strided_corpus(rng):
    base = zipf_corpus(rng, 600, 20)
    corpus = base[::2]  # a strided view
    counts = np.ones((20, 20), np.int32)
    cooccurrence.co_occurrence(corpus, 2, counts)
    assert np.array_equal(counts, 1 + ref.create_co_matrix(np.array(corpus), 20, 2))


def test_block_shift_fits_the_block_bytes():
    for vocab in (1, 7, 1000, 10_000, 100_000):
        shift = cooccurrence.block_shift(vocab)
        assert (1 << shift) * vocab * 4 <= max(cooccurrence.BLOCK_BYTES, vocab * 4)
        assert (2 << shift) * vocab * 4 > cooccurrence.BLOCK_BYTES


@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float32, np.float64])
def test_ppmi_rows_paths(rng, parallel, dtype):
    C = rng.integers(0, 5, (60, 60))
    C = (C * (rng.random((60, 60)) < 0.2)).astype(dtype)
    C[:, 4] = 0  # an odd column (sum 0)
    C[9] = 0
    sums = np.empty(60, ppmi.sum_dtype(C.dtype))
    ppmi.column_sums(C, sums)
    assert np.array_equal(sums, C.sum(axis=0))
    out = np.full((60, 60), -7, np.float32)
    ppmi.ppmi_rows(C, sums, 1e-8, out, 10, 25, parallel=parallel)
    assert np.all(out[:10] == -7) and np.all(out[25:] == -7)  # only rows [10, 25) written
    expected = ref.ppmi(C.astype(np.float64 if dtype == np.float32 else dtype))[0]
    assert np.array_equal(out[10:25], expected[10:25])


def test_ppmi_nonfinite_counts():
    C = np.array([[1.0, np.inf, 0.0], [np.inf, 0.0, np.nan], [0.0, np.nan, 2.0]])
    sums = np.empty(3)
    ppmi.column_sums(C, sums)
    out = np.empty((3, 3), np.float32)
    with np.errstate(invalid="ignore", divide="ignore"):
        ppmi.ppmi_rows(C, sums, 1e-8, out)
    assert np.array_equal(out, ref.ppmi(C)[0])


def readonly(a):
    a.setflags(write=False)
    return a


def bad_co_occurrence_calls():
    ok_corpus = np.array([0, 1, 2, 1])
    ok_counts = lambda: np.zeros((3, 3), np.int32)  # noqa: E731
    big = np.zeros((3, 3), np.int32)
    return [
        ("float corpus", lambda: (np.array([0.0, 1.0]), 1, ok_counts()), r"corpus must be an int32 or int64 ndarray"),
        ("list corpus", lambda: ([0, 1], 1, ok_counts()), r"found list"),
        ("2-D corpus", lambda: (np.zeros((2, 2), np.int64), 1, ok_counts()), r"corpus has shape \(2, 2\)"),
        ("id too large", lambda: (np.array([0, 1, 3]), 1, ok_counts()), r"corpus\[2\] is 3, outside the vocabulary \[0, 3\)"),
        ("negative id", lambda: (np.array([-1, 1]), 1, ok_counts()), r"corpus\[0\] is -1"),
        ("int64 counts", lambda: (ok_corpus, 1, np.zeros((3, 3), np.int64)), r"counts must be an int32 ndarray"),
        ("non-square counts", lambda: (ok_corpus, 1, np.zeros((3, 4), np.int32)), r"counts has shape \(3, 4\)"),
        ("F-order counts", lambda: (ok_corpus, 1, np.zeros((3, 3), np.int32, order="F")), r"C-contiguous"),
        ("read-only counts", lambda: (ok_corpus, 1, readonly(ok_counts())), r"C-contiguous and writeable"),
        ("overlap", lambda: (big.reshape(-1)[:4], 1, big), r"counts overlaps corpus"),
        ("negative window", lambda: (ok_corpus, -1, ok_counts()), r"window is -1"),
        ("float window", lambda: (ok_corpus, 1.0, ok_counts()), r"window is 1.0"),
    ]


@pytest.mark.parametrize("shift", [-1, 31, 1.0, True])
def test_co_occurrence_rejects_a_bad_shift(shift):
    counts = np.zeros((3, 3), np.int32)
    with pytest.raises(ValueError, match=r"shift is .*; expected 0 <= shift <= 30"):
        cooccurrence.co_occurrence(np.array([0, 1, 2]), 1, counts, shift=shift)
    assert not counts.any()


def test_shift_whose_offsets_overflow_int32_is_rejected():
    assert cooccurrence.check_shift(15, 50_000, "k") == 15  # 32,768 rows of 50,000: below 2**31
    with pytest.raises(ValueError, match=r"k: shift is 16; .*V = 50000"):
        cooccurrence.check_shift(16, 50_000, "k")  # 50,000 rows of 50,000 pass 2**31 elements
    assert cooccurrence.check_shift(30, 3, "k") == 30  # a block never holds more than V rows


@pytest.mark.parametrize("name, make, match", bad_co_occurrence_calls(), ids=lambda v: v if isinstance(v, str) else "")
def test_co_occurrence_rejects(name, make, match):
    corpus, window, counts = make()
    before = counts.copy()
    with pytest.raises(ValueError, match=match):
        cooccurrence.co_occurrence(corpus, window, counts)
    assert np.array_equal(counts, before)


def bad_ppmi_calls():
    C = np.ones((3, 3), np.int32)
    S = np.full(3, 3, np.int64)
    out = lambda: np.zeros((3, 3), np.float32)  # noqa: E731
    return [
        ("uint8 counts", lambda: (C.astype(np.uint8), S, out(), 0, 3), r"counts must be an ndarray of int32"),
        ("non-square", lambda: (np.ones((3, 4), np.int32), S, out(), 0, 3), r"counts has shape \(3, 4\)"),
        ("short sums", lambda: (C, S[:2], out(), 0, 3), r"ppmi_rows: sums has shape \(2,\); expected \(3,\)"),
        ("float64 out", lambda: (C, S, np.zeros((3, 3)), 0, 3), r"ppmi_rows: out has dtype float64; expected float32"),
        ("small out", lambda: (C, S, np.zeros((2, 3), np.float32), 0, 3), r"out has shape \(2, 3\); expected \(3, 3\)"),
        ("F out", lambda: (C, S, np.zeros((3, 3), np.float32, order="F"), 0, 3), r"out is not C-contiguous"),
        ("read-only out", lambda: (C, S, readonly(out()), 0, 3), r"out is read-only"),
        ("rows past the end", lambda: (C, S, out(), 0, 4), r"rows \[0, 4\) are not within \[0, 3\]"),
        ("negative start", lambda: (C, S, out(), -1, 2), r"rows \[-1, 2\)"),
        ("float start", lambda: (C, S, out(), 0.0, 2), r"start is 0.0"),
    ]


@pytest.mark.parametrize("name, make, match", bad_ppmi_calls(), ids=lambda v: v if isinstance(v, str) else "")
def test_ppmi_rows_rejects(name, make, match):
    counts, sums, out, start, stop = make()
    before = out.copy()
    with pytest.raises((ValueError, TypeError), match=match):  # TypeError for a wrong dtype
        ppmi.ppmi_rows(counts, sums, 1e-8, out, start, stop)
    assert np.array_equal(out, before)


def test_ppmi_rows_rejects_overlap():
    buf = np.zeros((3, 3), np.float32)
    with pytest.raises(ValueError, match="ppmi_rows: out overlaps sums in memory"):
        ppmi.ppmi_rows(np.ones((3, 3), np.float32), buf[0], 1e-8, buf)
    counts = np.ones((3, 3), np.float32)
    with pytest.raises(ValueError, match="ppmi_rows: out overlaps counts in memory"):
        ppmi.ppmi_rows(counts, np.ones(3), 1e-8, counts)


def test_column_sums_rejects():
    C = np.ones((3, 3), np.int32)
    with pytest.raises(TypeError, match=r"column_sums: sums has dtype float64; expected int64"):
        ppmi.column_sums(C, np.empty(3))
    with pytest.raises(ValueError, match=r"column_sums: sums has shape \(2,\); expected \(3,\)"):
        ppmi.column_sums(C, np.empty(2, np.int64))
    with pytest.raises(ValueError, match="column_sums: sums overlaps counts in memory"):
        D = np.ones((3, 3))
        ppmi.column_sums(D, D[0])


def test_fuzz_never_writes_out_of_bounds(rng):
    """Random corpora with ids around the edges of the vocabulary: either the exact counts
    or a ValueError and untouched counts (the BOUNDSCHECK CI run watches the indexing)."""
    for _ in range(200):
        vocab = int(rng.integers(1, 12))
        corpus = rng.integers(-2, vocab + 2, int(rng.integers(0, 30)))
        counts = np.zeros((vocab, vocab), np.int32)
        window = int(rng.integers(0, 4))
        if corpus.size and (corpus.min() < 0 or corpus.max() >= vocab):
            with pytest.raises(ValueError, match="outside the vocabulary"):
                cooccurrence.co_occurrence(corpus, window, counts, parallel=bool(rng.integers(2)))
            assert not counts.any()
        else:
            cooccurrence.co_occurrence(corpus, window, counts, parallel=bool(rng.integers(2)))
            assert np.array_equal(counts, ref.create_co_matrix(corpus, vocab, window))
