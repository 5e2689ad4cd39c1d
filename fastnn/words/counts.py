"""Count-based word vectors: the book's create_co_matrix and ppmi, on Numba kernels.

Both give the book's values and dtypes (int32 counts, float32 PPMI).  Where the
book loops in Python over every position of the corpus and every cell of the
V x V matrix, these run kernels/cooccurrence.py and kernels/ppmi.py: at PTB's
size (929,589 words, vocabulary 10,000) the book's ppmi is 10**8 iterations of
its loop body.
"""

import numpy as np

from fastnn.kernels import cooccurrence
from fastnn.kernels import ppmi as ppmi_kernels

from .corpus import count_argument, word_ids


def create_co_matrix(corpus, vocab_size, window_size=1):
    """The co-occurrence matrix (vocab_size, vocab_size) int32 of `corpus`.

    C[w, v] counts the times word v stands within `window_size` positions of
    word w.  corpus: 1-D integer ids in [0, vocab_size) (checked before use).
    """
    where = "create_co_matrix"
    vocab_size = count_argument(vocab_size, where, "vocab_size")
    window_size = count_argument(window_size, where, "window_size")
    ids = word_ids(corpus, where, vocab_size=vocab_size)
    counts = np.zeros((vocab_size, vocab_size), dtype=np.int32)
    cooccurrence.co_occurrence(ids, window_size, counts)
    return counts


def _count_matrix(C, where):
    """C as an array the kernel takes, converted only when its dtype needs it."""
    found = C if isinstance(C, np.ndarray) else np.asarray(C)
    if found.dtype.kind not in "biuf":
        raise TypeError(f"{where}: C has dtype {found.dtype}; expected a matrix of counts (numbers)")
    if found.ndim != 2 or found.shape[0] != found.shape[1]:
        raise ValueError(f"{where}: C has shape {found.shape}; expected a square co-occurrence matrix (V, V)")
    if found.dtype in ppmi_kernels.COUNT_DTYPES:
        return found
    # bools and small ints count as integers, float16 as float32
    return found.astype(np.float32 if found.dtype.kind == "f" and found.dtype.itemsize < 4
                        else np.float64 if found.dtype.kind == "f" else np.int64)


def _progress_marks(total):
    """The element counts after which the book's ppmi prints a line: multiples of total//100 + 1."""
    step = total // 100 + 1
    return range(step, total + 1, step)


def ppmi(C, verbose=False, eps=1e-8):
    """The positive PMI matrix of the co-occurrence matrix C, float32 (V, V).

    M[i, j] = max(0, log2(C[i, j] * N / (S[j] * S[i]) + eps)), N the sum of C,
    S its column sums: the book's values bit for bit for integer C (its
    float C sums in float64 here; the book sums in C's dtype).  verbose prints
    the book's progress lines ('1.0% done', ...), each when its part of the
    matrix is done.  Makes no V x V array besides the result.
    """
    where = "ppmi"
    counts = _count_matrix(C, where)
    v = counts.shape[0]
    sums = np.empty(v, ppmi_kernels.sum_dtype(counts.dtype))
    ppmi_kernels.column_sums(counts, sums)
    out = np.empty((v, v), dtype=np.float32)
    if not verbose or v == 0:
        ppmi_kernels.ppmi_rows(counts, sums, eps, out)
        return out
    total = v * v
    done_rows = 0
    for mark in _progress_marks(total):
        rows = (mark - 1) // v + 1  # the row holding element number `mark`
        if rows > done_rows:
            ppmi_kernels.ppmi_rows(counts, sums, eps, out, done_rows, rows)
            done_rows = rows
        print("%.1f%% done" % (100 * mark / total))
    ppmi_kernels.ppmi_rows(counts, sums, eps, out, done_rows, v)
    return out
