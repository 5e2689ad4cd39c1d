"""Plain-numpy oracles of the book's common/util.py word functions (chapters 2-4).

Written from the book's formulas and loops, independently of fastnn's code:
these loop over positions and cells the way the book does, so they are also
the "numpy side" of benchmarks/test_bench_word_stats.py (as slow as the
book's).  Every arithmetic step is the book's, in the book's dtypes, so that
values and printed text can be compared exactly.
"""

import numpy as np


def preprocess(text):
    words = text.lower().replace(".", " .").split(" ")
    word_to_id, id_to_word = {}, {}
    ids = []
    for word in words:
        if word not in word_to_id:
            id_to_word[len(word_to_id)] = word
            word_to_id[word] = len(word_to_id)
        ids.append(word_to_id[word])
    return np.array(ids), word_to_id, id_to_word


def create_co_matrix(corpus, vocab_size, window_size=1):
    """Each position adds its neighbours within the window to its own row."""
    counts = np.zeros((vocab_size, vocab_size), dtype=np.int32)
    n = len(corpus)
    for pos in range(n):
        row = corpus[pos]
        for d in range(1, window_size + 1):
            if pos - d >= 0:
                counts[row, corpus[pos - d]] += 1
            if pos + d < n:
                counts[row, corpus[pos + d]] += 1
    return counts


def create_co_matrix_vectorised(corpus, vocab_size, window_size=1):
    """The same counts with np.add.at, one distance at a time (for large corpora)."""
    corpus = np.asarray(corpus)
    counts = np.zeros((vocab_size, vocab_size), dtype=np.int32)
    for d in range(1, min(window_size, len(corpus) - 1) + 1):
        np.add.at(counts, (corpus[:-d], corpus[d:]), 1)
        np.add.at(counts, (corpus[d:], corpus[:-d]), 1)
    return counts


def ppmi(C, verbose=False, eps=1e-8):
    """The book's double loop: one float64 PMI per cell, stored into float32.

    Returns (M, lines), lines being the progress lines the book prints.
    """
    M = np.zeros(C.shape, dtype=np.float32)
    N = np.sum(C)
    S = np.sum(C, axis=0)
    cells = C.shape[0] * C.shape[1]
    every = cells // 100 + 1
    lines = []
    done = 0
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(C.shape[0]):
            for j in range(C.shape[1]):
                value = np.log2(C[i, j] * N / (S[j] * S[i]) + eps)
                M[i, j] = max(0, value)
                done += 1
                if verbose and done % every == 0:
                    lines.append("%.1f%% done" % (100 * done / cells))
    return M, lines


def ppmi_vectorised(C, eps=1e-8):
    """The same formula on whole arrays (for matrices too large for the loop).

    float64 throughout; equal to the loop for integer C.
    """
    C = np.array(C, dtype=np.float64)
    S = C.sum(axis=0)
    N = S.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log2(C * N / np.outer(S, S) + eps)
    return np.where(pmi > 0, pmi, 0).astype(np.float32)


def cos_similarity(x, y, eps=1e-8):
    nx = x / (np.sqrt(np.sum(x ** 2)) + eps)
    ny = y / (np.sqrt(np.sum(y ** 2)) + eps)
    return np.dot(nx, ny)


def most_similar_lines(query, word_to_id, id_to_word, word_matrix, top=5):
    """The lines the book's most_similar prints (the text after each newline)."""
    if query not in word_to_id:
        return ["%s is not found" % query]
    lines = ["", "[query] " + query]
    q = word_matrix[word_to_id[query]]
    sims = np.zeros(len(id_to_word))
    for i in range(len(id_to_word)):
        sims[i] = cos_similarity(word_matrix[i], q)
    shown = 0
    for i in (-1 * sims).argsort():
        if id_to_word[i] == query:
            continue
        lines.append(" %s: %s" % (id_to_word[i], sims[i]))
        shown += 1
        if shown >= top:
            break
    return lines


def normalize(x):
    x = np.array(x)
    if x.ndim == 2:
        return x / np.sqrt((x * x).sum(1)).reshape(-1, 1)
    return x / np.sqrt((x * x).sum())


def analogy_lines(a, b, c, word_to_id, id_to_word, word_matrix, top=5, answer=None):
    for word in (a, b, c):
        if word not in word_to_id:
            return ["%s is not found" % word]
    lines = ["", "[analogy] " + a + ":" + b + " = " + c + ":?"]
    va, vb, vc = (word_matrix[word_to_id[w]] for w in (a, b, c))
    q = normalize(vb - va + vc)
    sims = np.dot(word_matrix, q)
    if answer is not None:
        lines.append("==>" + answer + ":" + str(np.dot(word_matrix[word_to_id[answer]], q)))
    shown = 0
    for i in (-1 * sims).argsort():
        if np.isnan(sims[i]) or id_to_word[i] in (a, b, c):
            continue
        lines.append(f" {id_to_word[i]}: {sims[i]}")
        shown += 1
        if shown >= top:
            break
    return lines


def convert_one_hot(corpus, vocab_size):
    corpus = np.asarray(corpus)
    one_hot = np.zeros(corpus.shape + (vocab_size,), dtype=np.int32)
    for index in np.ndindex(*corpus.shape):
        one_hot[index + (corpus[index],)] = 1
    return one_hot


def create_contexts_target(corpus, window_size=1):
    target = corpus[window_size:-window_size]
    contexts = [
        [corpus[pos + d] for d in range(-window_size, window_size + 1) if d != 0]
        for pos in range(window_size, len(corpus) - window_size)
    ]
    return np.array(contexts), np.array(target)
