"""Row gathers and scatter-adds of an embedding matrix (the book's Embedding).

W and dW are (V, H); idx holds row indices, flat (M,) or (N, C).  A gather
copies rows of W; a scatter-add zeroes dW and adds rows into it, repeated
indices summed (what the book does with ``dW[...] = 0; np.add.at(dW, idx, dout)``).

Every kernel scans its indices first and returns the position of the first one
outside [0, V) (or -1) without touching memory when it finds one, so no call
reads or writes outside an array.  The scatter-adds run on one thread: two rows
with the same index would race.
"""

from numba import njit

from ._checks import check_no_overlap, check_same_dtype, check_shape
from ._config import HELPER, KERNEL


@njit(**HELPER)
def _check_out(kernel, name, a, shape, why, ref_name, ref, idx):
    """a (written) has `shape` and ref's dtype, and overlaps neither ref nor idx."""
    check_shape(kernel, name, a, shape, why)
    check_same_dtype(kernel, name, a, ref_name, ref)
    check_no_overlap(kernel, name, a, ref_name, ref)
    check_no_overlap(kernel, name, a, "idx", idx)


@njit(**KERNEL)
def first_bad_index(idx, n_rows):
    """Position (in idx's flat C order) of the first index outside [0, n_rows), or -1."""
    flat = idx.reshape(-1)
    for i in range(flat.size):
        if flat[i] < 0 or flat[i] >= n_rows:
            return i
    return -1


@njit(**KERNEL)
def embedding_forward(W, idx, out):
    """out[m] = W[idx[m]].  IN: W (V, H), idx (M,).  OUT: out (M, H).  Returns -1 or a bad position."""
    _check_out("embedding_forward", "out", out, (idx.size, W.shape[1]), "(idx.size, W.shape[1])", "W", W, idx)
    bad = first_bad_index(idx, W.shape[0])
    if bad >= 0:
        return bad
    for m in range(idx.size):
        row = idx[m]
        for j in range(W.shape[1]):
            out[m, j] = W[row, j]
    return -1


@njit(**KERNEL)
def embedding_backward(dout, idx, dW):
    """dW = 0; dW[idx[m]] += dout[m].  IN: dout (M, H), idx (M,).  OUT: dW (V, H).  Returns -1 or a bad position."""
    k = "embedding_backward"
    check_shape(k, "dout", dout, (idx.size, dW.shape[1]), "(idx.size, dW.shape[1])")
    _check_out(k, "dW", dW, dW.shape, "", "dout", dout, idx)
    bad = first_bad_index(idx, dW.shape[0])
    if bad >= 0:
        return bad
    dW[:, :] = 0
    for m in range(idx.size):
        row = idx[m]
        for j in range(dW.shape[1]):
            dW[row, j] += dout[m, j]
    return -1


@njit(**KERNEL)
def embedding_mean_forward(W, idx, out):
    """out[n] = (W[idx[n, 0]] + ... + W[idx[n, C-1]]) * (1/C), summed in that order (the book's CBOW h).

    IN: W (V, H), idx (N, C).  OUT: out (N, H).  Returns -1 or a bad position.
    """
    _check_out("embedding_mean_forward", "out", out, (idx.shape[0], W.shape[1]), "(idx.shape[0], W.shape[1])",
               "W", W, idx)
    bad = first_bad_index(idx, W.shape[0])
    if bad >= 0:
        return bad
    # The book multiplies the float sum by the Python float 1/C, cast to W's dtype.
    scale = W.dtype.type(1.0 / idx.shape[1])
    H = W.shape[1]
    for n in range(idx.shape[0]):
        for j in range(H):
            out[n, j] = 0
        for c in range(idx.shape[1]):
            row = idx[n, c]
            for j in range(H):
                out[n, j] += W[row, j]
        for j in range(H):
            out[n, j] *= scale
    return -1


@njit(**KERNEL)
def embedding_mean_backward(dout, idx, dW):
    """dW = 0; dW[idx[n, c]] += dout[n] * (1/C) for every n, c.

    IN: dout (N, H), idx (N, C).  OUT: dW (V, H).  Returns -1 or a bad position.
    """
    k = "embedding_mean_backward"
    check_shape(k, "dout", dout, (idx.shape[0], dW.shape[1]), "(idx.shape[0], dW.shape[1])")
    _check_out(k, "dW", dW, dW.shape, "", "dout", dout, idx)
    bad = first_bad_index(idx, dW.shape[0])
    if bad >= 0:
        return bad
    scale = dW.dtype.type(1.0 / idx.shape[1])
    dW[:, :] = 0
    H = dW.shape[1]
    for n in range(idx.shape[0]):
        for c in range(idx.shape[1]):
            row = idx[n, c]
            for j in range(H):
                dW[row, j] += dout[n, j] * scale
    return -1


@njit(**KERNEL)
def embedding_dot_forward(W, idx, h, rows, out):
    """rows[n, k] = W[idx[n, k]]; out[n, k] = rows[n, k] . h[n] (the book's EmbeddingDot, K at once).

    IN: W (V, H), idx (N, K), h (N, H).  OUT: rows (N, K, H), out (N, K).  Returns -1 or a bad position.
    """
    k = "embedding_dot_forward"
    N, K = idx.shape
    H = W.shape[1]
    check_shape(k, "h", h, (N, H), "(N, H), N from idx, H from W")
    check_same_dtype(k, "h", h, "W", W)
    _check_out(k, "rows", rows, (N, K, H), "(N, K, H) from idx and W", "W", W, idx)
    check_no_overlap(k, "rows", rows, "h", h)
    _check_out(k, "out", out, (N, K), "idx's shape", "W", W, idx)
    check_no_overlap(k, "out", out, "h", h)
    check_no_overlap(k, "out", out, "rows", rows)
    bad = first_bad_index(idx, W.shape[0])
    if bad >= 0:
        return bad
    for n in range(N):
        for k in range(K):
            row = idx[n, k]
            acc = W.dtype.type(0)
            for j in range(H):
                w = W[row, j]
                rows[n, k, j] = w
                acc += w * h[n, j]
            out[n, k] = acc
    return -1


@njit(**KERNEL)
def embedding_dot_backward(dout, h, rows, idx, dW, dh):
    """dW = 0; dW[idx[n, k]] += dout[n, k] * h[n]; dh[n] = sum_k dout[n, k] * rows[n, k].

    IN: dout (N, K), h (N, H), rows (N, K, H) from forward, idx (N, K).  OUT: dW (V, H), dh (N, H).
    Returns -1 or a bad position.
    """
    k = "embedding_dot_backward"
    N, K = idx.shape
    H = dW.shape[1]
    check_shape(k, "dout", dout, (N, K), "idx's shape")
    check_shape(k, "h", h, (N, H), "(N, H), N from idx, H from dW")
    check_shape(k, "rows", rows, (N, K, H), "(N, K, H) from idx and dW")
    check_same_dtype(k, "h", h, "dout", dout)
    check_same_dtype(k, "rows", rows, "dout", dout)
    _check_out(k, "dW", dW, dW.shape, "", "dout", dout, idx)
    check_no_overlap(k, "dW", dW, "h", h)
    check_no_overlap(k, "dW", dW, "rows", rows)
    _check_out(k, "dh", dh, (N, H), "(N, H) like h", "dout", dout, idx)
    check_no_overlap(k, "dh", dh, "h", h)
    check_no_overlap(k, "dh", dh, "rows", rows)
    check_no_overlap(k, "dh", dh, "dW", dW)
    bad = first_bad_index(idx, dW.shape[0])
    if bad >= 0:
        return bad
    dW[:, :] = 0
    for n in range(N):
        for j in range(H):
            dh[n, j] = 0
        for k in range(K):
            g = dout[n, k]
            row = idx[n, k]
            for j in range(H):
                dW[row, j] += g * h[n, j]
                dh[n, j] += g * rows[n, k, j]
    return -1


@njit(**KERNEL)
def scatter_add(dout, idx, dW):
    """dW[idx[m]] += dout[m], without zeroing (the np.add.at part alone, for benchmarks and reuse).

    IN: dout (M, H), idx (M,).  IN/OUT: dW (V, H).  Returns -1 or a bad position.
    """
    k = "scatter_add"
    check_shape(k, "dout", dout, (idx.size, dW.shape[1]), "(idx.size, dW.shape[1])")
    _check_out(k, "dW", dW, dW.shape, "", "dout", dout, idx)
    bad = first_bad_index(idx, dW.shape[0])
    if bad >= 0:
        return bad
    for m in range(idx.size):
        row = idx[m]
        for j in range(dW.shape[1]):
            dW[row, j] += dout[m, j]
    return -1

