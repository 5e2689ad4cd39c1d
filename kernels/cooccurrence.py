"""Co-occurrence counts of a corpus of word ids (the book's create_co_matrix).

counts[w, v] is the number of times word v stands within ``window`` positions
of an occurrence of word w (both sides, not counting the position itself), so
counts is symmetric.  Shapes: corpus (n,) integer ids in [0, V); counts (V, V)
int32, C-contiguous, filled with zeros by the caller or holding earlier counts
to add to.

``co_occurrence`` is the public entry: it checks every operand, and the id
range before any count is written, then runs the jitted loops.  Each pair of
positions at distance d <= window adds one to counts[a, b] and one to
counts[b, a]; the book visits the same pairs from both ends.

The counts are scattered over a V x V matrix (400 MB at PTB's vocabulary of
10,000): incremented in corpus order, nearly every one is a cache and TLB
miss.  So the pairs are first written, grouped by blocks of 2**shift rows, as
int32 offsets into their block (a pass in corpus order, each block's cursor
hot in cache), and then each block's increments land in a few hundred KB that
stay in L2.  The blocks are disjoint, so they run in parallel with no two
threads writing one element, and the counts do not depend on the thread
count.  Measured on the Zipf corpus of PTB's shape (process CPU time, loaded
machine): 50-70 ms for the counting against 80-105 ms incremented in corpus
order; the first touch of the 400 MB of fresh zero pages costs as much again.
The grouping takes 4 bytes per pair visit, at most CHUNK_PAIRS at a time.
"""

import numpy as np
from numba import njit, prange

from ._checks import BadArgument, Overlap, ShapeMismatch
from ._config import KERNEL, PARALLEL

# Below this many pair visits (len(corpus) * window) one thread does it all:
# starting the thread pool costs more than it saves.
PARALLEL_MIN_PAIRS = 1 << 16

# The rows of a block fill at most this many bytes of counts (half of L2 here).
BLOCK_BYTES = 1 << 18

# Pairs grouped at a time: bounds the int32 offsets to 16 MB whatever the corpus.
CHUNK_PAIRS = 1 << 22

INT32_MAX = 2**31 - 1


@njit(**KERNEL)
def _first_bad_id(corpus, vocab_size):
    """Index of the first id outside [0, vocab_size), or -1 when all are in range."""
    for i in range(corpus.size):
        w = corpus[i]
        if w < 0 or w >= vocab_size:
            return i
    return -1


@njit(**KERNEL)
def _neighbours(p, n, window):
    """How many positions lie within `window` of position p in a corpus of n words."""
    return min(window, p) + min(window, n - 1 - p)


@njit(**KERNEL)
def _bucket_pairs(corpus, window, v, shift, p0, p1):
    """The pairs (a, b) of positions [p0, p1) as in-block offsets (a % R) * V + b,
    grouped by row block a >> shift (R = 2**shift rows make a block).

    Returns (offsets, starts): block k's pairs are offsets[starts[k]:starts[k + 1]].
    Each block's share is counted from the corpus first (a word at position p
    has _neighbours(p) partners), so every pair is written once, in its place.
    """
    n = corpus.size
    n_blocks = ((v - 1) >> shift) + 1
    starts = np.zeros(n_blocks + 1, np.int64)
    for p in range(p0, p1):
        starts[(corpus[p] >> shift) + 1] += _neighbours(p, n, window)
    for k in range(n_blocks):
        starts[k + 1] += starts[k]
    offsets = np.empty(starts[n_blocks], np.int32)
    cursor = starts[:n_blocks].copy()
    mask = (1 << shift) - 1
    for p in range(p0, p1):
        a = corpus[p]
        k = a >> shift
        row = (a & mask) * v
        c = cursor[k]
        for d in range(1, min(window, p) + 1):
            offsets[c] = row + corpus[p - d]
            c += 1
        for d in range(1, min(window, n - 1 - p) + 1):
            offsets[c] = row + corpus[p + d]
            c += 1
        cursor[k] = c
    return offsets, starts


@njit(**KERNEL)
def _add_block(flat, offsets, lo, hi):
    for i in range(lo, hi):
        flat[offsets[i]] += 1


@njit(**KERNEL)
def _count_all(corpus, window, counts, shift, chunk):
    """Every pair within `window`, both directions, on one thread, `chunk` positions at a time."""
    v = counts.shape[0]
    flat = counts.reshape(-1)
    block = (1 << shift) * v
    for p0 in range(0, corpus.size, chunk):
        offsets, starts = _bucket_pairs(corpus, window, v, shift, p0, min(p0 + chunk, corpus.size))
        for k in range(starts.size - 1):
            _add_block(flat[k * block:], offsets, starts[k], starts[k + 1])


@njit(**PARALLEL)
def _count_parallel(corpus, window, counts, shift, chunk):
    """As _count_all, the row blocks' increments in parallel (each block is one thread's)."""
    v = counts.shape[0]
    flat = counts.reshape(-1)
    block = (1 << shift) * v
    for p0 in range(0, corpus.size, chunk):
        offsets, starts = _bucket_pairs(corpus, window, v, shift, p0, min(p0 + chunk, corpus.size))
        for k in prange(starts.size - 1):
            _add_block(flat[k * block:], offsets, starts[k], starts[k + 1])


def block_shift(vocab_size):
    """log2 of the rows per block: the largest power of two whose rows fit BLOCK_BYTES."""
    shift = 0
    while (2 << shift) * vocab_size * 4 <= BLOCK_BYTES:
        shift += 1
    return shift


def check_shift(shift, vocab_size, where):
    """`shift` if a block's in-block offsets fit int32, else ValueError."""
    if (isinstance(shift, (bool, np.bool_)) or not isinstance(shift, (int, np.integer))
            or not 0 <= shift <= 30 or min(1 << shift, vocab_size) * vocab_size > INT32_MAX):
        raise ValueError(f"{where}: shift is {shift!r}; expected 0 <= shift <= 30 with "
                         f"min(2**shift, V) * V < 2**31 (V = {vocab_size})")
    return int(shift)


def co_occurrence(corpus, window, counts, parallel=None, shift=None):
    """Add the co-occurrence counts of `corpus` within `window` to `counts`.

    IN: corpus (n,) int32 or int64 ids in [0, V); window >= 0.
    OUT: counts (V, V) int32, C-contiguous, writeable, not overlapping corpus.
    parallel: None chooses by size; True or False forces it.
    Raises ValueError (nothing written) for any operand that does not fit.
    """
    where = "co_occurrence"
    if not isinstance(corpus, np.ndarray) or corpus.dtype not in (np.int32, np.int64):
        raise ValueError(
            f"{where}: corpus must be an int32 or int64 ndarray; found "
            f"{type(corpus).__name__} of dtype {getattr(corpus, 'dtype', None)}"
        )
    if corpus.ndim != 1:
        raise ValueError(f"{where}: corpus has shape {corpus.shape}; expected a 1-D sequence of word ids")
    if not isinstance(counts, np.ndarray) or counts.dtype != np.int32:
        raise ValueError(f"{where}: counts must be an int32 ndarray; found {getattr(counts, 'dtype', type(counts))}")
    if counts.ndim != 2:
        raise BadArgument(where, "counts", f"{counts.ndim}-D with shape {counts.shape}", "a square (V, V) matrix")
    if counts.shape[0] != counts.shape[1]:
        raise ShapeMismatch(where, "counts", counts.shape, (counts.shape[0],) * 2, "a square (V, V) matrix")
    if not counts.flags.c_contiguous or not counts.flags.writeable:
        raise ValueError(f"{where}: counts must be C-contiguous and writeable")
    if np.may_share_memory(counts, corpus):
        raise Overlap(where, "counts", "corpus")
    if isinstance(window, (bool, np.bool_)) or not isinstance(window, (int, np.integer)) or window < 0:
        raise ValueError(f"{where}: window is {window!r}; expected an integer >= 0")
    vocab_size = counts.shape[0]
    bad = _first_bad_id(corpus, vocab_size)
    if bad >= 0:
        raise ValueError(
            f"{where}: corpus[{bad}] is {int(corpus[bad])}, outside the vocabulary [0, {vocab_size})"
        )
    window = min(int(window), max(corpus.size - 1, 0))
    if window == 0:
        return
    corpus = np.ascontiguousarray(corpus)
    shift = block_shift(vocab_size) if shift is None else check_shift(shift, vocab_size, where)
    chunk = max(1, CHUNK_PAIRS // (2 * window))
    if parallel is None:
        parallel = corpus.size * window >= PARALLEL_MIN_PAIRS and vocab_size > (1 << shift)
    if parallel:
        _count_parallel(corpus, window, counts, shift, chunk)
    else:
        _count_all(corpus, window, counts, shift, chunk)
