"""The layers' error inputs of the op registry (tests/op_registry.py): for each
layer the bad calls it must reject (wrong shapes, dtypes, None, labels out of
range, backward before forward, params swapped after a forward), each with its
exception type and message pattern; with the helpers that build such cases
(``_esc``, ``_dtype_errors``, ``_none_error``, ``_label_errors``, ...), which the
functions' and optimizers' error inputs reuse.
"""

import numpy as np
from op_info import ErrorInput

from fastnn import layers

# --------------------------------------------------------------------------
# Error inputs.

def _esc(text):
    """A literal piece of a message pattern."""
    import re

    return re.escape(text)


def _fwd_call(layer, *args):
    return lambda: layer.forward(*args)


def _after_forward(make_layer, forward_args, bad):
    """setup for a backward error: a valid forward first, then the bad call."""
    def setup(dtype):
        layer = make_layer(dtype)
        layer.forward(*forward_args(dtype))
        return (lambda: bad(layer, dtype)), [layer]
    return setup


def _fresh(make_layer, bad):
    def setup(dtype):
        layer = make_layer(dtype)
        return (lambda: bad(layer, dtype)), [layer]
    return setup


def _primed(make_layer, forward_args, bad):
    """A valid forward first (so there is saved state to keep), then a bad forward."""
    return _after_forward(make_layer, forward_args, bad)


_BAD_DTYPES = [
    ("complex", lambda shape: np.ones(shape, np.complex128), "complex128"),
    ("object", lambda shape: np.ones(shape, dtype=object), "object"),
    ("strings", lambda shape: np.full(shape, "a"), "<U1"),
]

def _dtype_errors(where, arg, setup_for):
    """complex / object / string inputs for argument `arg`: TypeError naming it."""
    out = []
    for label, make_bad, found in _BAD_DTYPES:
        out.append(ErrorInput(
            f"{arg}_{label}", setup_for(make_bad), TypeError,
            _esc(f"{where}: {arg} has dtype {found}; expected"),
        ))
    return out


def _none_error(where, arg, setup_for, xfail=None):
    return ErrorInput(f"{arg}_None", setup_for(lambda shape: None), TypeError,
                      _esc(f"{where}: {arg} is None; expected"), xfail)


def _W(dtype, d=5, h=3):
    return np.arange(d * h, dtype=dtype).reshape(d, h) / 10


def _replace_param_then_forward(make_layer, i, shape):
    """A valid forward, then params[i] is swapped for an array of another shape; the
    bad call is the next forward (a fast path trusting checked params must notice)."""
    def setup(dtype):
        layer = make_layer(dtype)
        layer.forward(np.ones((2, 5), dtype))
        layer.params[i] = np.ones(shape, dtype)
        return (lambda: layer.forward(np.ones((2, 5), dtype))), [layer]
    return setup


def _matmul_errors():
    mk = lambda dtype: layers.MatMul(_W(dtype))
    fwd = lambda dtype: (np.ones((2, 5), dtype),)
    where = "MatMul.forward"
    errs = [
        ErrorInput("inner_dim", _primed(mk, fwd, lambda l, dt: l.forward(np.ones((3, 4), dt))), ValueError,
                   _esc(f"{where}: x has shape (3, 4); expected (N, 5)")),
        ErrorInput("x_1d", _primed(mk, fwd, lambda l, dt: l.forward(np.ones(5, dt))), ValueError,
                   _esc(f"{where}: x has shape (5,); expected a 2-D batch (N, 5)")),
        ErrorInput("x_3d", _primed(mk, fwd, lambda l, dt: l.forward(np.ones((2, 3, 5), dt))), ValueError,
                   _esc(f"{where}: x has shape (2, 3, 5); expected a 2-D batch (N, 5)")),
        ErrorInput("dout_shape", _after_forward(mk, fwd, lambda l, dt: l.backward(np.ones((2, 4), dt))),
                   ValueError, _esc("MatMul.backward: dout has shape (2, 4); expected (2, 3)")),
        ErrorInput("dout_rows", _after_forward(mk, fwd, lambda l, dt: l.backward(np.ones((3, 3), dt))),
                   ValueError, _esc("MatMul.backward: dout has shape (3, 3); expected (2, 3)")),
        ErrorInput("backward_first", _fresh(mk, lambda l, dt: l.backward(np.ones((2, 3), dt))), ValueError,
                   _esc("MatMul.backward: backward called before forward")),
        ErrorInput("W_3d", lambda dtype: ((lambda: layers.MatMul(np.ones((5, 3, 1), dtype)).forward(
                       np.ones((2, 5), dtype))), []), ValueError,
                   r"MatMul(\.forward)?: W has shape \(5, 3, 1\); expected a 2-D"),
        ErrorInput("W_replaced", _replace_param_then_forward(mk, 0, (4, 3)), ValueError,
                   _esc(f"{where}: x has shape (2, 5); expected (N, 4)")),
    ]
    bad_x = lambda make: _primed(mk, fwd, lambda l, dt: l.forward(make((2, 5))))
    errs += _dtype_errors(where, "x", bad_x)
    errs.append(_none_error(where, "x", bad_x))
    return tuple(errs)


def _affine_errors():
    mk = lambda dtype: layers.Affine(_W(dtype), np.zeros(3, dtype))
    fwd = lambda dtype: (np.ones((2, 5), dtype),)
    where = "Affine.forward"
    errs = [
        ErrorInput("inner_dim", _primed(mk, fwd, lambda l, dt: l.forward(np.ones((3, 4), dt))), ValueError,
                   _esc(f"{where}: x has shape (3, 4); expected (N, 5)")),
        ErrorInput("x_1d", _primed(mk, fwd, lambda l, dt: l.forward(np.ones(5, dt))), ValueError,
                   _esc(f"{where}: x has shape (5,); expected a 2-D batch (N, 5)")),
        ErrorInput("x_3d", _primed(mk, fwd, lambda l, dt: l.forward(np.ones((2, 3, 5), dt))), ValueError,
                   _esc(f"{where}: x has shape (2, 3, 5); expected a 2-D batch (N, 5)")),
        ErrorInput("b_shape", lambda dtype: ((lambda: layers.Affine(_W(dtype), np.zeros(4, dtype)).forward(
                       np.ones((2, 5), dtype))), []), ValueError,
                   _esc(f"{where}: b has shape (4,); expected (3,)")),
        ErrorInput("dout_shape", _after_forward(mk, fwd, lambda l, dt: l.backward(np.ones((2, 4), dt))),
                   ValueError, _esc("Affine.backward: dout has shape (2, 4); expected (2, 3)")),
        ErrorInput("dout_1d", _after_forward(mk, fwd, lambda l, dt: l.backward(np.ones(3, dt))),
                   ValueError, _esc("Affine.backward: dout has shape (3,); expected (2, 3)")),
        ErrorInput("backward_first", _fresh(mk, lambda l, dt: l.backward(np.ones((2, 3), dt))), ValueError,
                   _esc("Affine.backward: backward called before forward")),
        ErrorInput("W_1d", lambda dtype: ((lambda: layers.Affine(np.ones(5, dtype), np.zeros(3, dtype)).forward(
                       np.ones((2, 5), dtype))), []), ValueError,
                   r"Affine(\.forward)?: W has shape \(5,\); expected a 2-D"),
        ErrorInput("W_replaced", _replace_param_then_forward(mk, 0, (4, 3)), ValueError,
                   _esc(f"{where}: x has shape (2, 5); expected (N, 4)")),
        ErrorInput("b_replaced", _replace_param_then_forward(mk, 1, (4,)), ValueError,
                   _esc(f"{where}: b has shape (4,); expected (3,)")),
    ]
    bad_x = lambda make: _primed(mk, fwd, lambda l, dt: l.forward(make((2, 5))))
    errs += _dtype_errors(where, "x", bad_x)
    errs.append(_none_error(where, "x", bad_x))
    return tuple(errs)


def _simple_layer_errors(cls, ok_shape, dout_bad, extra=(), ndim_cases=()):
    """Errors common to Sigmoid, Softmax, Repeat and Sum (no params)."""
    name = cls.__name__
    where = f"{name}.forward"
    mk = lambda dtype: cls()
    fwd = lambda dtype: (np.ones(ok_shape, dtype),)
    exp_shape = tuple(ok_shape)
    errs = [
        ErrorInput("backward_first", _fresh(mk, lambda l, dt: l.backward(np.ones(ok_shape, dt))), ValueError,
                   _esc(f"{name}.backward: backward called before forward")),
        ErrorInput("dout_shape", _after_forward(mk, fwd, lambda l, dt: l.backward(np.ones(dout_bad, dt))),
                   ValueError, _esc(f"{name}.backward: dout has shape {dout_bad}; expected {exp_shape}")),
    ]
    for shape, pattern in ndim_cases:
        errs.append(ErrorInput(f"x_{len(shape)}d", _primed(mk, fwd, lambda l, dt, s=shape: l.forward(np.ones(s, dt))),
                               ValueError, pattern))
    bad_x = lambda make: _primed(mk, fwd, lambda l, dt: l.forward(make(ok_shape)))
    errs += _dtype_errors(where, "x", bad_x)
    errs.append(_none_error(where, "x", bad_x))
    return tuple(errs) + tuple(extra)


def _repeat_sum_errors(cls, ctor_kwargs, ok_shape, dy_ok, dy_bad, ctor_errors):
    name = cls.__name__
    where = f"{name}.forward"
    mk = lambda dtype: cls(**ctor_kwargs)
    fwd = lambda dtype: (np.ones(ok_shape, dtype),)
    errs = [
        ErrorInput("backward_first", _fresh(mk, lambda l, dt: l.backward(np.ones(dy_ok, dt))), ValueError,
                   _esc(f"{name}.backward: backward called before forward")),
        ErrorInput("dy_shape", _after_forward(mk, fwd, lambda l, dt: l.backward(np.ones(dy_bad, dt))),
                   ValueError, _esc(f"{name}.backward: dy has shape {dy_bad}; expected {dy_ok}")),
        ErrorInput("x_1d", _primed(mk, fwd, lambda l, dt: l.forward(np.ones(5, dt))), ValueError,
                   _esc(f"{where}: x has shape (5,); expected a 2-D array")),
        ErrorInput("x_3d", _primed(mk, fwd, lambda l, dt: l.forward(np.ones((1, 2, 5), dt))), ValueError,
                   _esc(f"{where}: x has shape (1, 2, 5); expected a 2-D array")),
    ]
    for label, kwargs, exc, pattern in ctor_errors:
        errs.append(ErrorInput(label, lambda dtype, kw=kwargs: ((lambda: cls(**kw)), []), exc, pattern))
    bad_x = lambda make: _primed(mk, fwd, lambda l, dt: l.forward(make(ok_shape)))
    errs += _dtype_errors(where, "x", bad_x)
    errs.append(_none_error(where, "x", bad_x))
    return tuple(errs)


def _label_errors(where, make_call, n, c, onehot_ok=True):
    """Bad labels for a loss over (n, c) scores; make_call(t) -> (call, watched) setup."""
    bad_big = np.arange(n) % c
    bad_big[n - 2] = c
    neg = np.arange(n) % c
    neg[1] = -1
    errs = [
        ErrorInput("t_too_large", make_call(lambda: bad_big.copy()), IndexError,
                   _esc(f"{where}: label {c} in row {n - 2} is out of range; expected class indices in [0, {c})")),
        ErrorInput("t_negative", make_call(lambda: neg.copy()), IndexError,
                   _esc(f"{where}: label -1 in row 1 is out of range; expected class indices in [0, {c})")),
        ErrorInput("t_huge_uint", make_call(lambda: np.array([0] * (n - 1) + [2**63], np.uint64)), IndexError,
                   _esc(f"{where}: label {2**63} in row {n - 1} is out of range")),
        ErrorInput("t_float_index", make_call(lambda: (np.arange(n) % c).astype(np.float64)), TypeError,
                   _esc(f"{where}: t has dtype float64; class indices must be integers")),
        ErrorInput("t_wrong_length", make_call(lambda: np.arange(n - 1) % c), ValueError,
                   _esc(f"{where}: t has shape ({n - 1},); expected class indices ({n},) or one-hot rows ({n}, {c})")),
        ErrorInput("t_onehot_wrong_width", make_call(lambda: np.eye(c + 1, dtype=np.int32)[np.arange(n) % c]),
                   ValueError,
                   _esc(f"{where}: t has shape ({n}, {c + 1}); expected class indices ({n},) or one-hot rows ({n}, {c})")),
        ErrorInput("t_onehot_wrong_rows", make_call(lambda: np.eye(c, dtype=np.int32)[np.arange(n + 1) % c]),
                   ValueError,
                   _esc(f"{where}: t has shape ({n + 1}, {c}); expected class indices ({n},) or one-hot rows ({n}, {c})")),
        ErrorInput("t_onehot_strings", make_call(lambda: np.full((n, c), "a")), TypeError,
                   _esc(f"{where}: one-hot t has dtype <U1; expected numbers")),
        ErrorInput("t_3d", make_call(lambda: np.zeros((n, c, 1), np.int64)), ValueError,
                   _esc(f"{where}: t has shape ({n}, {c}, 1); expected class indices")),
        ErrorInput("t_None", make_call(lambda: None), TypeError, _esc(f"{where}: t is None; expected labels")),
    ]
    return errs


def _softmax_loss_errors():
    n, c = 4, 3
    where = "SoftmaxWithLoss.forward"
    mk = lambda dtype: layers.SoftmaxWithLoss()
    fwd = lambda dtype: (np.linspace(-1, 1, n * c).reshape(n, c).astype(dtype), np.arange(n) % c)

    def with_t(make_t):
        return _primed(mk, fwd, lambda l, dt: l.forward(np.zeros((n, c), dt), make_t()))

    errs = _label_errors(where, with_t, n, c)
    errs += [
        ErrorInput("x_1d", _primed(mk, fwd, lambda l, dt: l.forward(np.zeros(c, dt), np.array([1]))), ValueError,
                   _esc(f"{where}: x has shape ({c},); expected a 2-D batch")),
        ErrorInput("x_3d", _primed(mk, fwd, lambda l, dt: l.forward(np.zeros((n, c, 1), dt), np.arange(n) % c)),
                   ValueError, _esc(f"{where}: x has shape ({n}, {c}, 1); expected a 2-D batch")),
        ErrorInput("backward_first", _fresh(mk, lambda l, dt: l.backward()), ValueError,
                   _esc("SoftmaxWithLoss.backward: backward called before forward")),
        ErrorInput("dout_array", _after_forward(mk, fwd, lambda l, dt: l.backward(np.ones(3, dt))), TypeError,
                   _esc("SoftmaxWithLoss.backward: dout is array([1., 1., 1.]") + r".*; expected a real number"),
        ErrorInput("dout_string", _after_forward(mk, fwd, lambda l, dt: l.backward("a")), TypeError,
                   _esc("SoftmaxWithLoss.backward: dout is 'a'; expected a real number")),
    ]
    bad_x = lambda make: _primed(mk, fwd, lambda l, dt: l.forward(make((n, c)), np.arange(n) % c))
    errs += _dtype_errors(where, "x", bad_x)
    errs.append(_none_error(where, "x", bad_x))
    return tuple(errs)


def _sigmoid_loss_errors():
    n = 5
    where = "SigmoidWithLoss.forward"
    mk = lambda dtype: layers.SigmoidWithLoss()
    fwd = lambda dtype: (np.linspace(-1, 1, n).astype(dtype), np.arange(n) % 2)

    def with_t(make_t):
        return _primed(mk, fwd, lambda l, dt: l.forward(np.zeros(n, dt), make_t()))

    big = np.arange(n) % 2
    big[3] = 2
    neg = np.arange(n) % 2
    neg[1] = -1
    errs = [
        ErrorInput("t_too_large", with_t(lambda: big.copy()), IndexError,
                   _esc(f"{where}: label 2 at index 3 is out of range; expected 0 or 1")),
        ErrorInput("t_negative", with_t(lambda: neg.copy()), IndexError,
                   _esc(f"{where}: label -1 at index 1 is out of range; expected 0 or 1")),
        ErrorInput("t_half", with_t(lambda: np.array([0, 1, 0.5, 1, 0])), IndexError,
                   _esc(f"{where}: label 0.5 at index 2 is out of range; expected 0 or 1")),
        ErrorInput("t_nan", with_t(lambda: np.array([0, 1, 1, np.nan, 0], np.float32)), IndexError,
                   _esc(f"{where}: label nan at index 3 is out of range; expected 0 or 1")),
        ErrorInput("t_wrong_length", with_t(lambda: np.arange(n - 1) % 2), ValueError,
                   _esc(f"{where}: t has shape ({n - 1},); expected ({n},)")),
        ErrorInput("t_onehot", with_t(lambda: np.eye(2, dtype=np.int32)[np.arange(n) % 2]), ValueError,
                   _esc(f"{where}: t has shape ({n}, 2); expected ({n},)")),
        ErrorInput("t_strings", with_t(lambda: np.full(n, "a")), TypeError,
                   _esc(f"{where}: t has dtype <U1; expected labels 0 or 1")),
        ErrorInput("t_shape_of_other_x", with_t(lambda: np.zeros((1, n), np.int64)), ValueError,
                   _esc(f"{where}: t has shape (1, {n}); expected ({n},)")),
        ErrorInput("t_None", with_t(lambda: None), TypeError, _esc(f"{where}: t is None; expected")),
        ErrorInput("backward_first", _fresh(mk, lambda l, dt: l.backward()), ValueError,
                   _esc("SigmoidWithLoss.backward: backward called before forward")),
        ErrorInput("dout_array", _after_forward(mk, fwd, lambda l, dt: l.backward(np.ones(3, dt))), TypeError,
                   _esc("SigmoidWithLoss.backward: dout is array([1., 1., 1.]") + r".*; expected a real number"),
    ]
    bad_x = lambda make: _primed(mk, fwd, lambda l, dt: l.forward(make((n,)), np.arange(n) % 2))
    errs += _dtype_errors(where, "x", bad_x)
    errs.append(_none_error(where, "x", bad_x))
    return tuple(errs)


def _embedding_errors():
    where = "Embedding.forward"
    mk = lambda dtype: layers.Embedding(_W(dtype))  # 5 words of 3
    fwd = lambda dtype: (np.array([0, 4, 2]),)
    return (
        ErrorInput("backward_first", _fresh(mk, lambda l, dt: l.backward(np.ones((3, 3), dt))), ValueError,
                   _esc("Embedding.backward: backward called before forward")),
        ErrorInput("idx_too_large", _primed(mk, fwd, lambda l, dt: l.forward(np.array([0, 1, 5]))), IndexError,
                   _esc(f"{where}: idx[2] is 5; expected word ids in [0, 5)")),
        ErrorInput("idx_negative", _primed(mk, fwd, lambda l, dt: l.forward(np.array([-1, 1]))), IndexError,
                   _esc(f"{where}: idx[0] is -1; expected word ids in [0, 5)")),
        ErrorInput("idx_float", _primed(mk, fwd, lambda l, dt: l.forward(np.array([0.0, 1.0]))), TypeError,
                   _esc(f"{where}: idx has dtype float64; expected integer word ids")),
        ErrorInput("idx_None", _primed(mk, fwd, lambda l, dt: l.forward(None)), TypeError,
                   _esc(f"{where}: idx is None; expected integer word ids")),
        ErrorInput("dout_shape", _after_forward(mk, fwd, lambda l, dt: l.backward(np.ones((3, 4), dt))),
                   ValueError, _esc("Embedding.backward: dout has shape (3, 4); expected (3, 3)")),
    )
