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
