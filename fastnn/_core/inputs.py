"""Input checks done once at the layer boundary, before any kernel runs.

Kernels index without bounds checks, so every shape, dtype and label that
reaches one has been checked here.  Errors name the call and the argument and
say what was found and what was expected.  The fast path (a C-contiguous array
of the right float dtype) costs a few attribute reads and makes no copy.
"""

import numpy as np

_ndarray = np.ndarray  # one lookup fewer than np.ndarray, in the tests every layer call makes first

FLOAT32 = np.dtype(np.float32)
FLOAT64 = np.dtype(np.float64)


def compute_dtype(where, **operands):
    """The float dtype numpy would compute in for these named operands.

    float32 and float64 stay as they are and mix as numpy mixes them; integers
    and bools compute in float64 as numpy's true division would; float16 is
    computed in float32 (no kernel runs in half precision).  None, complex,
    object, string and other dtypes have no real result: TypeError naming the
    operand.
    """
    dtypes = []
    for name, a in operands.items():
        if a is None:
            raise TypeError(f"{where}: {name} is None; expected an array")
        dtype = a.dtype if isinstance(a, (np.ndarray, np.generic)) else np.asarray(a).dtype
        if dtype.kind not in "biuf":
            raise TypeError(
                f"{where}: {name} has dtype {dtype}; expected real numbers "
                "(float32 or float64; ints and bools are converted to float64)"
            )
        dtypes.append(dtype)
    result = np.result_type(*dtypes)
    if result.kind in "biu":
        return FLOAT64
    if result.itemsize <= 4:
        return FLOAT32
    if result.itemsize > 8:
        raise TypeError(
            f"{where}: got dtype {result}; expected float32 or float64 "
            "(convert with .astype(np.float64))"
        )
    return FLOAT64


def float_operand(a, where, name):
    """`a` as a C-contiguous array of the float dtype numpy would compute it in."""
    if type(a) is _ndarray and (a.dtype is FLOAT64 or a.dtype is FLOAT32) and a.flags.c_contiguous:
        return a
    dtype = getattr(a, "dtype", None)
    if not (dtype is FLOAT64 or dtype is FLOAT32):  # native float32/float64 stay as they are
        dtype = compute_dtype(where, **{name: a})
    return operand(a, dtype, where, name)


def operand(a, dtype, where, name):
    """`a` as a C-contiguous ndarray of `dtype`, copied only when it is not one."""
    if type(a) is _ndarray and a.dtype is dtype and a.flags.c_contiguous:
        return a
    if a is None:
        raise TypeError(f"{where}: {name} is None; expected an array")
    found = np.asarray(a)
    if found.dtype.kind not in "biuf":
        raise TypeError(
            f"{where}: {name} has dtype {found.dtype}; expected real numbers "
            f"({dtype.name})"
        )
    # np.asarray keeps a 0-d input 0-d (np.ascontiguousarray would make it 1-d).
    return np.asarray(found, dtype=dtype, order="C")


def is_batch(a, dtype=None, width=None):
    """Whether `a` can go to a kernel as it is: a C-contiguous 2-D ndarray of `dtype`
    (by default float32 or float64), with `width` columns when that is given."""
    return (type(a) is _ndarray and a.ndim == 2 and a.flags.c_contiguous
            and (a.dtype is dtype or (dtype is None and (a.dtype is FLOAT64 or a.dtype is FLOAT32)))
            and (width is None or a.shape[1] == width))


def batch(a, where, name, width=None, dtype=None):
    """A 2-D batch (N, width) as a C-contiguous float array of `dtype` (by default its own float dtype)."""
    if is_batch(a, dtype, width):
        return a
    if dtype is None:
        dtype = compute_dtype(where, **{name: a})
    a = operand(a, dtype, where, name)
    if a.ndim != 2:
        raise ValueError(
            f"{where}: {name} has shape {a.shape}; expected a 2-D batch (N, "
            f"{'D' if width is None else width})"
            + (" (use x.reshape(1, -1) for a single sample)" if a.ndim == 1 else "")
        )
    if width is not None and a.shape[1] != width:
        raise ValueError(
            f"{where}: {name} has shape {a.shape}; expected (N, {width}) to match "
            "the layer's weights"
        )
    return a


def same_shape(a, shape, where, name, dtype):
    """`a` as a C-contiguous float array of exactly `shape` (e.g. a dout)."""
    if type(a) is _ndarray and a.dtype is dtype and a.flags.c_contiguous and a.shape == shape:
        return a
    a = operand(a, dtype, where, name)
    if a.shape != shape:
        raise ValueError(f"{where}: {name} has shape {a.shape}; expected {shape}")
    return a


def saved(value, where):
    """The state a forward saved, or a clear error if forward never ran."""
    if value is None:
        raise ValueError(f"{where}: backward called before forward")
    return value


INT32 = np.dtype(np.int32)
INT64 = np.dtype(np.int64)
UINT64 = np.dtype(np.uint64)


def native_labels(t):
    """Labels `t` (bool, integer or float) as a C-contiguous array of a native dtype the
    kernels are compiled for, with the same values.

    int32, int64 and uint64 keep their type (byte-swapped ones become native);
    bools and the other integer widths become int64, which holds them exactly;
    float16 becomes float32 (Numba has no float16), wider floats float64.  So
    the kernels see five label dtypes, not twenty (each one is a compilation).
    """
    dtype = t.dtype
    kind = dtype.kind
    if kind == "i":
        target = INT32 if dtype.itemsize == 4 else INT64
    elif kind == "u":
        target = UINT64 if dtype.itemsize == 8 else INT64
    elif kind == "f":
        target = FLOAT32 if dtype.itemsize <= 4 else FLOAT64
    else:  # bool
        target = INT64
    if dtype is target and t.flags.c_contiguous:
        return t
    return np.asarray(t, dtype=target, order="C")


def labels(t, n_rows, n_classes, where):
    """Class labels: indices (N,) of an integer dtype, or one-hot rows (N, C), as native_labels.

    The range of index labels is checked by the kernels, which scan them before
    writing; here only the dtype and the shape.
    """
    if (type(t) is _ndarray and (t.dtype is INT64 or t.dtype is INT32) and t.flags.c_contiguous
            and (t.ndim == 1 and t.shape[0] == n_rows or t.shape == (n_rows, n_classes))):
        return t  # native indices or one-hot rows (the spiral's labels), as native_labels would give them
    if type(t) is not np.ndarray:
        if t is None:
            raise TypeError(f"{where}: t is None; expected labels")
        t = np.asarray(t)
    if t.ndim == 2 and t.shape == (n_rows, n_classes):
        if t.dtype.kind not in "biuf":
            raise TypeError(f"{where}: one-hot t has dtype {t.dtype}; expected numbers")
        return native_labels(t)
    if t.ndim == 1 and t.shape[0] == n_rows:
        if t.dtype.kind not in "iub":
            raise TypeError(
                f"{where}: t has dtype {t.dtype}; class indices must be integers "
                "(or pass one-hot rows of shape (N, C))"
            )
        return native_labels(t)  # bools: False, True are the classes 0 and 1
    raise ValueError(
        f"{where}: t has shape {t.shape}; expected class indices ({n_rows},) or "
        f"one-hot rows ({n_rows}, {n_classes})"
    )


def binary_labels(t, x, where):
    """SigmoidWithLoss's labels, 0 or 1, one per element of x: t of x's shape, or flat (x.size,).

    Returned as native_labels, flat (a view when it can be); the values are
    checked by the kernel.
    """
    if type(t) is not np.ndarray:
        if t is None:
            raise TypeError(f"{where}: t is None; expected labels")
        t = np.asarray(t)
    if not (t.shape == x.shape or (t.ndim == 1 and t.shape[0] == x.size)):
        expected = f"({x.size},)" if x.ndim == 1 else f"{x.shape} like x, or ({x.size},)"
        raise ValueError(f"{where}: t has shape {t.shape}; expected {expected}, one label per element of x {x.shape}")
    if t.dtype.kind not in "biuf":
        raise TypeError(f"{where}: t has dtype {t.dtype}; expected labels 0 or 1 (integers, bools or floats)")
    return native_labels(t).reshape(-1)


def report_bad_label(bad_row, t, n_classes, where):
    """Raise the IndexError for a label a kernel found out of range."""
    row = t[bad_row]
    found = int(np.argmax(row)) if t.ndim == 2 else row
    raise IndexError(
        f"{where}: label {found} in row {bad_row} is out of range; expected "
        f"class indices in [0, {n_classes})"
    )
