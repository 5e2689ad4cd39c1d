"""fastnn.util's word functions against tests/reference_util.py (the book's formulas
written out in plain numpy): values, dtypes and printed text, on the book's chapter 2
example, on small and large random corpora, and the errors of bad input."""

import numpy as np
import pytest
import reference_util as ref

from fastnn import util

TEXT = "You say goodbye and I say hello."


def zipf_corpus(rng, n, vocab, dtype=np.int64):
    p = 1.0 / np.arange(1, vocab + 1)
    return rng.choice(vocab, size=n, p=p / p.sum()).astype(dtype)


def printed(capsys, fn, *args, **kwargs):
    capsys.readouterr()
    assert fn(*args, **kwargs) is None
    return capsys.readouterr().out.split("\n")[:-1]


# --- the book's chapter 2 example, every function --------------------------------

def test_example_preprocess():
    corpus, word_to_id, id_to_word = util.preprocess(TEXT)
    assert corpus.tolist() == [0, 1, 2, 3, 4, 1, 5, 6]
    assert corpus.dtype == np.array([1]).dtype
    assert word_to_id == {"you": 0, "say": 1, "goodbye": 2, "and": 3, "i": 4, "hello": 5, ".": 6}
    assert id_to_word == {i: w for w, i in word_to_id.items()}
    expected = ref.preprocess(TEXT)
    assert np.array_equal(corpus, expected[0]) and (word_to_id, id_to_word) == expected[1:]


def example():
    corpus, word_to_id, id_to_word = util.preprocess(TEXT)
    return corpus, word_to_id, id_to_word, util.create_co_matrix(corpus, len(word_to_id))


def test_example_co_matrix_and_ppmi():
    corpus, _, _, C = example()
    # each word's left and right neighbours, read off the sentence by hand
    assert C.tolist() == [
        [0, 1, 0, 0, 0, 0, 0],
        [1, 0, 1, 0, 1, 1, 0],
        [0, 1, 0, 1, 0, 0, 0],
        [0, 0, 1, 0, 1, 0, 0],
        [0, 1, 0, 1, 0, 0, 0],
        [0, 1, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 1, 0],
    ]
    assert C.dtype == np.int32
    W = util.ppmi(C)
    expected, _ = ref.ppmi(C)
    assert W.dtype == np.float32 and np.array_equal(W, expected)
    # N = 14 pairs; you-say: log2(1 * 14 / (1 * 4)) = log2(3.5)
    assert W[0, 1] == np.float32(np.log2(3.5 + 1e-8)) and W[0, 0] == 0


def test_example_ppmi_verbose_prints_the_books_lines(capsys):
    _, _, _, C = example()
    util.ppmi(C, verbose=True)
    _, lines = ref.ppmi(C, verbose=True)
    out = capsys.readouterr().out.splitlines()
    assert out == lines and len(lines) == 49 and lines[0] == "2.0% done" and lines[-1] == "100.0% done"


def test_example_similarity_and_most_similar(capsys):
    corpus, word_to_id, id_to_word, C = example()
    c0, c1 = C[word_to_id["you"]], C[word_to_id["i"]]
    sim = util.cos_similarity(c0, c1)
    assert type(sim) is type(ref.cos_similarity(c0, c1)) and sim == ref.cos_similarity(c0, c1)
    assert abs(sim - 1 / np.sqrt(2)) < 1e-7
    lines = printed(capsys, util.most_similar, "you", word_to_id, id_to_word, C, top=5)
    assert lines == ref.most_similar_lines("you", word_to_id, id_to_word, C, top=5)
    assert lines[:2] == ["", "[query] you"] and len(lines) == 7
    assert printed(capsys, util.most_similar, "cat", word_to_id, id_to_word, C) == ["cat is not found"]


def test_example_contexts_target_one_hot():
    corpus, word_to_id, _, _ = example()
    contexts, target = util.create_contexts_target(corpus, window_size=1)
    assert contexts.tolist() == [[0, 2], [1, 3], [2, 4], [3, 1], [4, 5], [1, 6]]
    assert target.tolist() == [1, 2, 3, 4, 1, 5]
    assert contexts.dtype == target.dtype == corpus.dtype
    vocab = len(word_to_id)
    t1, c1 = util.convert_one_hot(target, vocab), util.convert_one_hot(contexts, vocab)
    assert t1.shape == (6, 7) and c1.shape == (6, 2, 7) and t1.dtype == c1.dtype == np.int32
    assert np.array_equal(t1, ref.convert_one_hot(target, vocab))
    assert np.array_equal(c1, ref.convert_one_hot(contexts, vocab))


def test_example_analogy_and_normalize(capsys):
    corpus, word_to_id, id_to_word, C = example()
    U = np.linalg.svd(util.ppmi(C))[0]
    lines = printed(capsys, util.analogy, "you", "say", "i", word_to_id, id_to_word, U, top=3, answer="hello")
    assert lines == ref.analogy_lines("you", "say", "i", word_to_id, id_to_word, U, top=3, answer="hello")
    assert lines[1] == "[analogy] you:say = i:?" and lines[2].startswith("==>hello:")
    assert printed(capsys, util.analogy, "you", "cat", "i", word_to_id, id_to_word, U) == ["cat is not found"]
    x = U.astype(np.float32)
    expected = ref.normalize(x)
    assert util.normalize(x) is x and np.array_equal(x, expected)  # in place, as the book's


# --- random corpora, small and large ------------------------------------------------

@pytest.mark.parametrize("n, vocab", [(1, 1), (2, 3), (50, 7), (3000, 120), (20000, 300)])
@pytest.mark.parametrize("window", [0, 1, 2, 5])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint16])
def test_co_matrix_and_ppmi(rng, n, vocab, window, dtype):
    corpus = zipf_corpus(rng, n, vocab, dtype)
    C = util.create_co_matrix(corpus, vocab, window)
    expected = ref.create_co_matrix(corpus.astype(np.int64), vocab, window)
    assert C.dtype == np.int32 and np.array_equal(C, expected)
    assert np.array_equal(C, C.T)
    if vocab <= 120:
        assert np.array_equal(util.ppmi(C), ref.ppmi(C)[0])  # bit for bit: the book's loop
    assert np.array_equal(util.ppmi(C), ref.ppmi_vectorised(C))


def test_co_matrix_from_a_list():
    assert np.array_equal(util.create_co_matrix([0, 1, 1, 2], 3, 1), ref.create_co_matrix([0, 1, 1, 2], 3, 1))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float64, np.float32, np.uint8, np.bool_])
def test_ppmi_dtypes_and_layouts(rng, dtype, layout, make_layout):
    C = rng.integers(0, 3, (40, 40))
    C = (C + C.T).astype(dtype)
    C[5] = C[:, 5] = 0  # word 5 never seen: 0 / 0, which the book's max(0, nan) makes 0
    M = util.ppmi(make_layout(C, layout))
    expected = ref.ppmi(C.astype(np.int64) if dtype in (np.uint8, np.bool_) else C)[0]
    assert M.dtype == np.float32 and M.flags.c_contiguous
    if dtype == np.float32:  # the book sums a float32 matrix in float32; fastnn in float64
        np.testing.assert_allclose(M, expected, rtol=2e-6, atol=1e-6)
    else:
        assert np.array_equal(M, expected)
    assert np.all(M[5] == 0) and np.all(M[:, 5] == 0)


@pytest.mark.parametrize("verbose", [False, True])
def test_ppmi_allocates_nothing_vocab_squared_but_its_output(rng, verbose, capsys):
    import tracemalloc

    C = util.create_co_matrix(zipf_corpus(rng, 20000, 600), 600, 2)
    util.ppmi(C, verbose=verbose)  # every kernel it calls compiled before measuring
    tracemalloc.start()
    try:
        M = util.ppmi(C, verbose=verbose)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert M.nbytes <= peak < M.nbytes + 100 * 600  # the output and a few rows' worth
    assert np.array_equal(M, ref.ppmi_vectorised(C))


@pytest.mark.parametrize("eps", [1e-8, 0.0, 3.0, -1.0])
def test_ppmi_eps(rng, eps):
    C = rng.integers(0, 4, (30, 30)).astype(np.int32)
    C[:, 3] = 0  # a zero column: its cells are 0 / 0 whatever eps is
    assert np.array_equal(util.ppmi(C, eps=eps), ref.ppmi(C, eps=eps)[0])


@pytest.mark.parametrize("vocab", [1, 9, 10, 11, 101, 150])
def test_ppmi_verbose_lines_at_every_size(capsys, rng, vocab):
    C = rng.integers(0, 3, (vocab, vocab)).astype(np.int32)
    M = util.ppmi(C, verbose=True)
    expected, lines = ref.ppmi(C, verbose=True)
    assert capsys.readouterr().out.splitlines() == lines and np.array_equal(M, expected)


@pytest.mark.parametrize("window", [1, 2, 4])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
def test_contexts_target(rng, window, dtype):
    corpus = zipf_corpus(rng, 500, 50, dtype)
    contexts, target = util.create_contexts_target(corpus, window)
    exp_contexts, exp_target = ref.create_contexts_target(corpus, window)
    for got, exp in ((contexts, exp_contexts), (target, exp_target)):
        assert got.dtype == exp.dtype == dtype and np.array_equal(got, exp)
    assert not np.shares_memory(target, corpus) and not np.shares_memory(contexts, corpus)
    assert contexts.flags.c_contiguous


def test_contexts_target_too_short():
    contexts, target = util.create_contexts_target(np.arange(4), window_size=2)
    assert contexts.shape == (0, 4) and target.shape == (0,)


def test_one_hot_large(rng):
    ids = zipf_corpus(rng, (400), 1000).reshape(100, 4)
    assert np.array_equal(util.convert_one_hot(ids, 1000), ref.convert_one_hot(ids, 1000))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32])
def test_most_similar_and_analogy_print_the_books_text(capsys, rng, dtype, layout, make_layout):
    vocab = 400
    matrix = (rng.standard_normal((vocab, 20)) * 3).astype(dtype)
    matrix[7] = 0
    matrix = make_layout(matrix, layout)  # a zero row: similarity 0 (most_similar) and NaN (analogy skips it)
    word_to_id = {f"w{i}": i for i in range(vocab)}
    id_to_word = {i: w for w, i in word_to_id.items()}
    for query, top in (("w0", 5), ("w7", 3), ("w399", 0)):
        assert printed(capsys, util.most_similar, query, word_to_id, id_to_word, matrix, top=top) == \
            ref.most_similar_lines(query, word_to_id, id_to_word, matrix, top=top)
    if dtype != np.int32:
        with np.errstate(invalid="ignore"):
            got = printed(capsys, util.analogy, "w1", "w2", "w3", word_to_id, id_to_word, matrix, 4, "w5")
            assert got == ref.analogy_lines("w1", "w2", "w3", word_to_id, id_to_word, matrix, 4, "w5")


def test_normalize_vector_and_rows(rng):
    x = rng.standard_normal(10)
    assert np.array_equal(util.normalize(x.copy()), ref.normalize(x))
    m = rng.standard_normal((6, 4)).astype(np.float32)
    out = util.normalize(m)
    assert out is m and out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(m, axis=1), 1, rtol=1e-6)


def test_to_cpu_and_to_gpu():
    x = np.arange(3)
    assert util.to_cpu(x) is x
    assert np.array_equal(util.to_cpu([1, 2]), [1, 2])
    from fastnn.config import GPUModeError
    with pytest.raises(GPUModeError, match="runs on the CPU"):
        util.to_gpu(x)


# --- bad input: a clear error, nothing indexed ---------------------------------------

ERROR_INPUTS = [
    (util.preprocess, (b"bytes",), {}, TypeError, r"preprocess: text is a bytes; expected a str"),
    (util.create_co_matrix, (np.array([0, 5, 1]), 5), {}, ValueError,
     r"create_co_matrix: corpus\[1\] is 5, outside the vocabulary \[0, 5\)"),
    (util.create_co_matrix, (np.array([0, -1]), 5), {}, ValueError, r"corpus\[1\] is -1, outside"),
    (util.create_co_matrix, (np.array([0, 2**40], np.uint64), 5), {}, ValueError, r"corpus\[1\] is 1099511627776"),
    (util.create_co_matrix, (np.array([0.0, 1.0]), 5), {}, TypeError, r"corpus has dtype float64; expected integer"),
    (util.create_co_matrix, (np.zeros((2, 2), int), 5), {}, ValueError, r"corpus has shape \(2, 2\); expected a 1-D"),
    (util.create_co_matrix, (np.array([0, 1]), 5.0), {}, TypeError, r"vocab_size is 5.0 \(float\); expected an integer"),
    (util.create_co_matrix, (np.array([0, 1]), 5, -1), {}, ValueError, r"window_size is -1; expected an integer >= 0"),
    (util.create_co_matrix, (np.array([0, 1]), -2), {}, ValueError, r"vocab_size is -2"),
    (util.ppmi, (np.zeros((3, 4), np.int32),), {}, ValueError, r"ppmi: C has shape \(3, 4\); expected a square"),
    (util.ppmi, (np.zeros(3, np.int32),), {}, ValueError, r"ppmi: C has shape \(3,\)"),
    (util.ppmi, (np.array([["a"]]),), {}, TypeError, r"ppmi: C has dtype <U1"),
    (util.convert_one_hot, (np.array([0, 7]), 7), {}, ValueError, r"convert_one_hot: corpus\[1\] is 7, outside"),
    (util.convert_one_hot, (np.array([[0, 1], [-3, 2]]), 7), {}, ValueError, r"corpus\[\(1, 0\)\] is -3"),
    (util.convert_one_hot, (np.zeros((1, 1, 1), int), 7), {}, ValueError, r"expected a 1-D or 2-D array"),
    (util.create_contexts_target, (np.arange(5), 0), {}, ValueError, r"window_size is 0; expected an integer >= 1"),
    (util.create_contexts_target, (np.arange(5.0), 1), {}, TypeError, r"corpus has dtype float64"),
    (util.normalize, (np.arange(4),), {}, TypeError, r"normalize: x has dtype int64; expected a float array"),
    (util.normalize, (np.ones((2, 2, 2)),), {}, ValueError, r"normalize: x has shape \(2, 2, 2\)"),
    (util.most_similar, ("a", {"a": 0}, {0: "a", 1: "b"}, np.ones((1, 3))), {}, ValueError,
     r"most_similar: word_matrix has 1 rows; expected one for each of the 2 words"),
]


@pytest.mark.parametrize(
    "fn, args, kwargs, error, match", ERROR_INPUTS, ids=[f"{e[0].__name__}-{i}" for i, e in enumerate(ERROR_INPUTS)]
)
def test_error_inputs(fn, args, kwargs, error, match, capsys):
    with pytest.raises(error, match=match):
        fn(*args, **kwargs)
