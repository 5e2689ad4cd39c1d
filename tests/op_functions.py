"""The functions' entries of the op registry (tests/op_registry.py): sigmoid,
relu, softmax and cross_entropy_error, each run with fastnn and with
tests/reference.py, cross_entropy_error's own sample inputs (the other functions
share the layers' elementwise samples), and the bad calls each function must
reject.
"""

import numpy as np
import reference as ref
from op_info import ErrorInput, SampleInput
from op_layer_errors import _dtype_errors, _esc, _label_errors, _none_error
from op_layer_samples import _index_labels, _large

from fastnn import functions

# --------------------------------------------------------------------------
# Functions.

def _run_sigmoid_fn(s):
    return {"out": functions.sigmoid(s.arrays["x"])}


def _ref_sigmoid_fn(s):
    return {"out": ref.sigmoid(s.arrays["x"])}


def _run_relu(s):
    return {"out": functions.relu(s.arrays["x"])}


def _ref_relu(s):
    x = np.array(s.arrays["x"], np.float64)  # a copy: never the array under test
    return {"out": np.where(x > 0, x, 0.0)}


def _run_softmax_fn(s):
    return {"out": functions.softmax(s.arrays["x"])}


def _ref_softmax_fn(s):
    return {"out": ref.softmax(s.arrays["x"])}


def _cee_samples():
    def make(n, c, onehot, one_d=False, large=False):
        def build(rng, dtype):
            logits = _large(rng, (n, c), np.float64) if large else rng.standard_normal((n, c)) * 2
            y = ref.softmax(logits).astype(dtype)  # with large logits: exact 0s and 1s
            t = _index_labels(rng, n, c)
            if onehot:
                t = np.eye(c, dtype=np.int64)[t]
            if one_d:
                y, t = y[0], t[0] if onehot else t
            return SampleInput("", {"y": y}, {"t": t})
        return build
    return {
        "batch1": make(1, 3, False),
        "odd7x5": make(7, 5, False),
        "onehot7x5": make(7, 5, True),
        "empty": make(0, 3, False),
        "one_d_onehot": make(1, 4, True, one_d=True),
        "large": make(6, 4, False, large=True),
        "normal": make(10, 6, False),
    }


def _run_cee(s):
    return {"loss": functions.cross_entropy_error(s.arrays["y"], s.labels["t"])}


def _ref_cee(s):
    if s.arrays["y"].shape[0] == 0:
        return {"loss": np.float64(np.nan)}
    with np.errstate(all="ignore"):
        return {"loss": np.float64(ref.cross_entropy_error(s.arrays["y"], s.labels["t"]))}


def _function_errors(fn, ok_shape, ndim_cases):
    where = fn.__name__

    def setup_for(make):
        return lambda dtype: ((lambda: fn(make(ok_shape))), [])

    errs = [ErrorInput(f"x_{len(s)}d", lambda dtype, s=s: ((lambda: fn(np.ones(s, dtype))), []), ValueError, p)
            for s, p in ndim_cases]
    errs += _dtype_errors(where, "x", setup_for)
    errs.append(_none_error(where, "x", setup_for))
    return tuple(errs)


def _cee_errors():
    n, c = 4, 3
    where = "cross_entropy_error"
    y = lambda dtype: np.full((n, c), 1 / c, dtype)

    def with_t(make_t):
        return lambda dtype: ((lambda: functions.cross_entropy_error(y(dtype), make_t())), [])

    errs = _label_errors(where, with_t, n, c)
    errs.append(ErrorInput("y_3d", lambda dtype: ((lambda: functions.cross_entropy_error(
        np.ones((n, c, 1), dtype), np.arange(n) % c)), []), ValueError,
        _esc(f"{where}: y has shape ({n}, {c}, 1); expected (N, C) or (C,)")))

    def setup_for(make):
        return lambda dtype: ((lambda: functions.cross_entropy_error(make((n, c)), np.arange(n) % c)), [])

    errs += _dtype_errors(where, "y", setup_for)
    return tuple(errs)
