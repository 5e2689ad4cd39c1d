"""From text to word ids and back: the book's preprocess, convert_one_hot and
create_contexts_target (common/util.py), with the book's outputs and dtypes.

Word ids are checked once here (an integer dtype, a shape, the range
[0, vocab_size)) before anything is indexed with them; a bad id is a
ValueError naming the call, its position and its value.
"""

import numpy as np

# The dtype numpy gives np.array([1, 2, 3]): the book's corpus dtype.
DEFAULT_INT = np.dtype(np.int_)


def preprocess(text):
    """Split `text` into words as the book does; return (corpus, word_to_id, id_to_word).

    Lower-cases, puts a space before every '.', splits on single spaces (so a
    double space gives an empty word, as in the book).  Ids are given in order
    of first appearance; corpus is an int array (np.int_, numpy's default).
    """
    if not isinstance(text, str):
        raise TypeError(f"preprocess: text is a {type(text).__name__}; expected a str")
    words = text.lower().replace(".", " .").split(" ")
    word_to_id = {word: i for i, word in enumerate(dict.fromkeys(words))}
    id_to_word = {i: word for word, i in word_to_id.items()}
    corpus = np.fromiter(map(word_to_id.__getitem__, words), dtype=DEFAULT_INT, count=len(words))
    return corpus, word_to_id, id_to_word


def count_argument(value, where, name, minimum=0):
    """An int >= minimum from a Python or numpy integer (not a bool, not a float)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{where}: {name} is {value!r} ({type(value).__name__}); expected an integer")
    if value < minimum:
        raise ValueError(f"{where}: {name} is {value}; expected an integer >= {minimum}")
    return int(value)


def word_ids(corpus, where, name="corpus", ndim=(1,), vocab_size=None):
    """`corpus` as an int32 or int64 ndarray of one of the given ndims, ids in [0, vocab_size).

    int32 and int64 arrays are used as they are; other integer dtypes and lists
    are converted (to int64) after their range was checked, so an out-of-range
    uint64 never wraps to a valid id.
    """
    found = corpus if isinstance(corpus, np.ndarray) else np.asarray(corpus)
    if found.dtype.kind not in "iu":
        raise TypeError(
            f"{where}: {name} has dtype {found.dtype}; expected integer word ids"
            + (" (the ids come from preprocess or load_data)" if found.dtype.kind in "fb" else "")
        )
    if found.ndim not in ndim:
        expected = " or ".join(f"{d}-D" for d in ndim)
        raise ValueError(f"{where}: {name} has shape {found.shape}; expected a {expected} array of word ids")
    if vocab_size is not None and found.size:
        flat = found.reshape(-1)
        lo, hi = int(flat.min()), int(flat.max())
        if lo < 0 or hi >= vocab_size:
            position = int(np.argmax((flat < 0) | (flat >= vocab_size)))
            index = np.unravel_index(position, found.shape)
            at = index[0] if len(index) == 1 else tuple(int(i) for i in index)
            raise ValueError(
                f"{where}: {name}[{at}] is {int(flat[position])}, outside the vocabulary "
                f"[0, {vocab_size}) (vocab_size={vocab_size})"
            )
    if found.dtype not in (np.int32, np.int64):
        found = found.astype(np.int64)
    return found


def convert_one_hot(corpus, vocab_size):
    """One-hot rows of `corpus`: (N,) -> (N, V) or (N, C) -> (N, C, V), int32."""
    where = "convert_one_hot"
    vocab_size = count_argument(vocab_size, where, "vocab_size")
    ids = word_ids(corpus, where, ndim=(1, 2), vocab_size=vocab_size)
    one_hot = np.zeros((*ids.shape, vocab_size), dtype=np.int32)
    # Each id picks one element of its own row of V: put_along_axis writes
    # one_hot[..., id] = 1 with no Python loop.
    np.put_along_axis(one_hot, ids[..., np.newaxis], 1, axis=-1)
    return one_hot


def create_contexts_target(corpus, window_size=1):
    """(contexts, target): for each position with `window_size` words on both sides,
    the ids around it (N, 2 * window_size) and its own id (N,), in corpus's dtype.

    A corpus too short for one window gives contexts of shape (0, 2 * window_size)
    (the book's gives a shapeless empty array).
    """
    where = "create_contexts_target"
    window_size = count_argument(window_size, where, "window_size", minimum=1)
    ids = word_ids(corpus, where)
    if isinstance(corpus, np.ndarray) and corpus.dtype != ids.dtype:
        ids = corpus  # keep the caller's integer dtype, as the book's slicing does
    span = 2 * window_size + 1
    n = max(ids.shape[0] - span + 1, 0)
    if n == 0:
        return np.empty((0, span - 1), ids.dtype), np.empty((0,), ids.dtype)
    windows = np.lib.stride_tricks.sliding_window_view(ids, span)
    contexts = np.delete(windows, window_size, axis=1)  # a new C-contiguous array
    target = ids[window_size:window_size + n].copy()
    return contexts, target
