"""The book's create_co_matrix and ppmi (common/util.py), written out call for
call as the timed numpy side of benchmarks/test_bench_word_stats.py.

Unlike the test oracle in tests/reference_util.py, nothing here is added for
the tests' sake: no np.errstate around the loop, and the progress counter is
advanced only when verbose is set, as the book does.
"""

import numpy as np


def create_co_matrix(corpus, vocab_size, window_size=1):
    corpus_size = len(corpus)
    co_matrix = np.zeros((vocab_size, vocab_size), dtype=np.int32)
    for idx, word_id in enumerate(corpus):
        for i in range(1, window_size + 1):
            left, right = idx - i, idx + i
            if left >= 0:
                co_matrix[word_id, corpus[left]] += 1
            if right < corpus_size:
                co_matrix[word_id, corpus[right]] += 1
    return co_matrix


def ppmi(C, verbose=False, eps=1e-8):
    M = np.zeros_like(C, dtype=np.float32)
    N = np.sum(C)
    S = np.sum(C, axis=0)
    total = C.shape[0] * C.shape[1]
    cnt = 0
    for i in range(C.shape[0]):
        for j in range(C.shape[1]):
            pmi = np.log2(C[i, j] * N / (S[j] * S[i]) + eps)
            M[i, j] = max(0, pmi)
            if verbose:
                cnt += 1
                if cnt % (total // 100 + 1) == 0:
                    print("%.1f%% done" % (100 * cnt / total))
    return M
