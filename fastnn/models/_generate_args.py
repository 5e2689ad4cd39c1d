"""The arguments of generate and generate_batch, checked the same way in every
seq2seq model: how many ids to generate, and which question starts with which id."""

import numpy as np

from ..kernels._checks import check_ids as check_id_range


def sample_size_of(sample_size, where):
    """sample_size as an int >= 0, or ValueError."""
    if not isinstance(sample_size, (int, np.integer)) or isinstance(sample_size, bool) or sample_size < 0:
        raise ValueError(f"{where}: sample_size is {sample_size!r}; expected a non-negative integer")
    return int(sample_size)


def start_ids_for(start_ids, n, where):
    """One start id per question, (n,): start_ids as given, or one id repeated
    (their type and range: check_ids)."""
    starts = np.asarray(start_ids)
    if starts.ndim == 0:
        starts = np.full(n, starts)
    if starts.shape != (n,):
        raise ValueError(f"{where}: start_ids has shape {starts.shape}; expected ({n},), "
                         "one id per question, or a single id")
    return starts.astype(np.int64) if starts.size == 0 else starts  # [] reads as float64


def questions_of(xs, where):
    """xs as an (N, T) array of ids, T >= 1, one question a row."""
    ids = np.asarray(xs)
    if ids.ndim != 2 or ids.shape[1] == 0:
        raise ValueError(f"{where}: xs has shape {ids.shape}; expected (N, T) with T >= 1, one question a row")
    return ids


def start_id_of(start_id, vocab_size, where):
    """start_id as an int in [0, vocab_size): an integer, or a numpy integer scalar or
    one-element integer array (the book's generate takes those too)."""
    value = start_id
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iu":
        value = value.reshape(()).item()
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{where}: start_id is {start_id!r}; expected an integer id")
    if not 0 <= value < vocab_size:
        raise IndexError(f"{where}: start_id is {value}; expected an integer in [0, {vocab_size})")
    return int(value)


def check_ids(ids, vocab_size, where, name):
    """ids (an array) must hold integer ids in [0, vocab_size): checked before any work."""
    if ids.dtype.kind not in "iu":
        raise TypeError(f"{where}: {name} has dtype {ids.dtype}; expected integer ids")
    check_id_range(where, name, ids, vocab_size)


LSTM_PARAMS = ("embed_W", "Wx", "Wh", "b", "affine_W", "affine_b")


def check_lstm_params(params, where, peeked=False, affine_h_blocks=None):
    """A chapter-7/8 encoder's params (embed_W, Wx, Wh, b), or with affine_h_blocks a
    decoder's (and affine_W, affine_b), each of the shape the others imply, before
    generate multiplies them: a param replaced by an array of another shape is
    named, not met as numpy's broadcast error or a kernel's message.
    peeked: the LSTM also reads the encoder's h (PeekyDecoder: Wx has H more rows);
    affine_h_blocks: how many H-wide inputs the Affine reads (1, or 2 with the
    peeked h or the attention's context)."""
    count = 4 if affine_h_blocks is None else 6
    shapes = [np.shape(p) for p in params]
    if len(shapes) != count or len(shapes[0]) != 2 or len(shapes[2]) != 2:
        raise ValueError(f"{where}: the params have shapes {shapes}; expected {count} arrays "
                         f"{LSTM_PARAMS[:count]}, embed_W (V, D) and Wh (H, 4H) 2-D")
    (V, D), H = shapes[0], shapes[2][0]
    expected = [(V, D), ((H if peeked else 0) + D, 4 * H), (H, 4 * H), (4 * H,)]
    if affine_h_blocks is not None:
        expected += [(affine_h_blocks * H, V), (V,)]
    for i, (name, found, want) in enumerate(zip(LSTM_PARAMS, shapes, expected)):
        if found != want:
            raise ValueError(f"{where}: params[{i}] ({name}) has shape {found}; expected {want} to match "
                             f"embed_W {shapes[0]} and Wh {shapes[2]} (was it replaced by an array of another shape?)")
