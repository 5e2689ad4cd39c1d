"""Negative sampling from a unigram distribution (the book's UnigramSampler).

Each row of ``out`` gets S distinct words, none equal to the row's target,
drawn one after another with probability proportional to ``p`` among the words
not yet taken: the law of the book's ``np.random.choice(V, S, replace=False,
p=p)`` with ``p[target] = 0``.  A draw is a uniform number mapped through the
cumulative sum of p (a binary search); a draw that hits the target or a word
already in the row is thrown away and drawn again, which leaves exactly the
renormalised distribution over the remaining words.

The uniform numbers come from the caller (numpy's global random state), so
``np.random.seed`` makes runs repeatable.  When they run out the kernel stops
and says where; the caller passes more and the kernel resumes at that row and
column, so no row is ever restarted (restarting would favour rows that need
fewer draws).
"""

from numba import njit

from ._checks import BadArgument, check_no_overlap, check_same_dtype, check_shape
from ._config import KERNEL


@njit(**KERNEL)
def _draw_word(cdf, u):
    """The word w with cdf[w-1] <= u * total < cdf[w] (searchsorted 'right'); len(cdf) if none."""
    x = u * cdf[cdf.size - 1]
    lo = 0
    hi = cdf.size
    while lo < hi:
        mid = (lo + hi) >> 1
        if cdf[mid] > x:
            hi = mid
        else:
            lo = mid + 1
    return lo


@njit(**KERNEL)
def fill_negative_samples(cdf, target, uniforms, out, row, col):
    """Fill out[row:, col:] (then whole rows) with negative samples.

    IN: cdf (V,) cumulative word weights, float64, non-decreasing, last > 0;
    target (R,) word ids in [0, V) (the caller checked them); uniforms (U,) in
    [0, 1).  OUT: out (R, S) word ids.  Returns (row, col, used): where it
    stopped (row == R when done) and how many uniforms it used.
    """
    k = "fill_negative_samples"
    R, S = out.shape
    check_shape(k, "target", target, (R,), "one id per row of out")
    check_same_dtype(k, "uniforms", uniforms, "cdf", cdf)
    check_no_overlap(k, "out", out, "cdf", cdf)
    check_no_overlap(k, "out", out, "target", target)
    check_no_overlap(k, "out", out, "uniforms", uniforms)
    if cdf.size == 0:
        raise BadArgument(k, "cdf", "empty", "one cumulative weight per word")
    if row < 0 or row > R:
        raise BadArgument(k, "row", row, "row in [0, R], R the rows of out")
    if col < 0 or (col > 0 and col >= S):
        raise BadArgument(k, "col", col, "col in [0, S), S the columns of out")
    V = cdf.size
    used = 0
    while row < R:
        t = target[row]
        while col < S:
            if used == uniforms.size:
                return row, col, used
            w = _draw_word(cdf, uniforms[used])
            used += 1
            if w >= V or w == t:
                continue  # u * total rounded up to total, or the target: draw again
            repeat = False
            for j in range(col):
                if out[row, j] == w:
                    repeat = True
                    break
            if repeat:
                continue
            out[row, col] = w
            col += 1
        row += 1
        col = 0
    return row, col, used
