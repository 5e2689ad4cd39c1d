"""The rules of kernels/_checks.py that the safety sweep's cases do not reach, each through
a public kernel: empty operands never overlap; the BLAS path of the product kernels
refuses an overlapping output as the loop path does; the Python-level kernels refuse
non-float, wrongly-dimensioned and read-only operands with their own messages; time
indices must be integers, not bools.  docs/mutation.md lists the mutants these kill."""

import re

import numpy as np
import pytest
from fastnn.kernels import affine, blas, lstm, matmul, ppmi, softmax_loss
from fastnn.kernels._checks import BadArgument, BadIndex, Overlap

LARGE = (64, 32, 16)  # N, D, H: N*D*H above matmul.SMALL_GEMM_MACS, so the wrappers call BLAS


def _zeros(*shape, dtype=np.float32):
    return np.zeros(shape, dtype)


def test_the_large_shape_takes_the_blas_path():
    assert not matmul.is_small(*LARGE) and matmul.is_small(2, 3, 4)


# ---------------------------------------------------------------- empty operands


def test_empty_operands_at_one_address_do_not_overlap():
    """np.may_share_memory's rule: an empty array shares no memory, wherever it points."""
    buf = _zeros(8)
    x, y = buf[:0].reshape(0, 3), buf[:0].reshape(0, 3)
    softmax_loss.softmax_forward(x, y)  # compiled check_no_overlap
    out = buf[:0].reshape(0, 4)
    affine.affine_forward(buf[:0].reshape(0, 2), _zeros(2, 4), _zeros(4), out)  # the wrapper's, then the kernel's


def test_an_empty_input_inside_an_output_is_not_an_overlap():
    """x (3, 0) pointing into out: the product is b in every row."""
    out = _zeros(3, 4)
    b = np.arange(4, dtype=np.float32)
    affine.affine_forward(out.reshape(-1)[4:4].reshape(3, 0), _zeros(0, 4), b, out)
    np.testing.assert_array_equal(out, np.tile(b, (3, 1)))


def test_an_empty_output_inside_an_input_is_not_an_overlap():
    """out (3, 0) pointing into x: nothing to write, so nothing to refuse."""
    x = np.ones((3, 2), np.float32)
    affine.affine_forward(x, _zeros(2, 0), _zeros(0), x.reshape(-1)[2:2].reshape(3, 0))
    np.testing.assert_array_equal(x, 1)


def test_empty_recurrent_operands_at_one_address_do_not_overlap():
    """check_apart skips empty operands: a batch of no sequences, every batch array one empty view."""
    N, T, H = 0, 3, 2
    buf = _zeros(64)
    at = lambda *shape: buf[:0].reshape(shape)  # noqa: E731 - every one at buf's address
    lstm.lstm_forward_step(0, at(N, 4 * H), _zeros(4 * H), at(N, T, 4 * H), at(N, T, H), at(N, T, H),
                           at(N, T, H), at(N, T, H), at(N, H), at(N, H))


# ---------------------------------------------------------------- the BLAS path


def _overlapping_large(kernel):
    """Operands of `kernel` at LARGE sizes whose first output starts inside its first input."""
    N, D, H = LARGE
    if kernel in ("affine_forward", "matmul_forward", "dot"):
        x = np.ones(N * max(D, H), np.float32)  # ones: the product of the zero weights would change them
        ops = {"x": x[:N * D].reshape(N, D), "W": _zeros(D, H), "out": x[:N * H].reshape(N, H)}
        if kernel == "affine_forward":
            ops = {"x": ops["x"], "W": ops["W"], "b": _zeros(H), "out": ops["out"]}
        return ops
    dout = np.ones(N * max(D, H), np.float32)
    ops = {"dout": dout[:N * H].reshape(N, H), "x": _zeros(N, D), "W": _zeros(D, H),
           "dx": dout[:N * D].reshape(N, D), "dW": _zeros(D, H)}
    return {**ops, "db": _zeros(H)} if kernel == "affine_backward" else ops


KERNELS = {"affine_forward": affine.affine_forward, "affine_backward": affine.affine_backward,
           "matmul_forward": matmul.matmul_forward, "matmul_backward": matmul.matmul_backward, "dot": blas.dot}
SHOWN = {**{k: k for k in KERNELS}, "dot": "blas.dot"}  # the name a kernel's messages begin with


@pytest.mark.parametrize("kernel", sorted(KERNELS))
def test_the_blas_path_refuses_an_output_overlapping_an_input(kernel):
    ops = _overlapping_large(kernel)
    first_output = {"affine_forward": "out", "matmul_forward": "out", "dot": "out"}.get(kernel, "dx")
    before = {k: v.copy() for k, v in ops.items()}
    with pytest.raises(Overlap, match=rf"^{SHOWN[kernel]}: {first_output} overlaps (x|a|dout) in memory"):
        KERNELS[kernel](*ops.values())
    assert all(np.array_equal(before[k], v) for k, v in ops.items())


# ---------------------------------------------------------------- the Python-level kernels' operands


def _large(kernel):
    """Good operands of `kernel` at LARGE sizes, in call order."""
    N, D, H = LARGE
    if kernel in ("affine_forward", "matmul_forward", "dot"):
        ops = {"x": _zeros(N, D), "W": _zeros(D, H), "b": _zeros(H), "out": _zeros(N, H)}
        if kernel != "affine_forward":
            del ops["b"]
        return {"a": ops["x"], "b": ops["W"], "out": ops["out"]} if kernel == "dot" else ops
    ops = {"dout": _zeros(N, H), "x": _zeros(N, D), "W": _zeros(D, H), "dx": _zeros(N, D), "dW": _zeros(D, H)}
    return {**ops, "db": _zeros(H)} if kernel == "affine_backward" else ops


@pytest.mark.parametrize("kernel", sorted(KERNELS))
@pytest.mark.parametrize("bad, found", [
    (np.float16, "an array of dtype float16"),
    (np.int64, "an array of dtype int64"),
    (list, "a list"),
])
def test_a_non_float_operand_is_a_type_error_naming_what_was_found(kernel, bad, found):
    ops = _large(kernel)
    name = next(iter(ops))
    ops[name] = ops[name].tolist() if bad is list else ops[name].astype(bad)
    with pytest.raises(TypeError, match=rf"^{SHOWN[kernel]}: {name} is {found}; expected a float32 or float64 numpy array"):
        KERNELS[kernel](*ops.values())


@pytest.mark.parametrize("kernel", sorted(KERNELS))
def test_an_operand_of_other_dimensions_is_named_with_its_shape(kernel):
    ops = _large(kernel)
    name = next(iter(ops))
    ops[name] = ops[name][:, np.newaxis]
    shape = ", ".join(map(str, ops[name].shape))
    with pytest.raises(BadArgument, match=rf"^{SHOWN[kernel]}: {name} is 3-D with shape \({shape}\); expected a 2-D array"):
        KERNELS[kernel](*ops.values())


BLAS_OUTPUTS = [("affine_forward", "out"), ("matmul_forward", "out"), ("dot", "out"),
                ("affine_backward", "dx"), ("affine_backward", "dW"), ("matmul_backward", "dx"), ("matmul_backward", "dW")]


@pytest.mark.parametrize("kernel, output", BLAS_OUTPUTS)
def test_the_blas_path_refuses_an_output_that_is_not_c_contiguous(kernel, output):
    """BLAS writes whole rows: a strided output would be written as if it were contiguous."""
    ops = {k: np.ones_like(v) for k, v in _large(kernel).items()}  # a product written would not be 0
    ops[output] = np.zeros((ops[output].shape[0], 2 * ops[output].shape[1]), np.float32)[:, ::2]
    with pytest.raises(BadArgument, match=rf"^{SHOWN[kernel]}: {output} is not C-contiguous"):
        KERNELS[kernel](*ops.values())
    assert not ops[output].base.any()


BACKWARD = {"affine_backward": affine.affine_backward, "affine_backward_small": affine.affine_backward_small,
            "matmul_backward": matmul.matmul_backward, "matmul_backward_small": matmul.matmul_backward_small}


@pytest.mark.parametrize("kernel, size", [(k, "small") for k in sorted(BACKWARD)]
                         + [(k, "large") for k in sorted(BACKWARD) if not k.endswith("_small")])
def test_a_weight_and_its_gradient_wrong_together_are_refused_by_the_weights_shape(kernel, size):
    """W and dW with one row too many agree with each other: only W's rows against x's
    columns can tell, and without that check dx = dout @ W.T would write a column past dx's rows."""
    N, D, H = LARGE if size == "large" else (2, 2, 3)
    shapes = {"dout": (N, H), "x": (N, D), "W": (D, H), "dx": (N, D), "dW": (D, H), "db": (H,)}
    if kernel.startswith("matmul"):
        del shapes["db"]
    ops = {k: np.ones(shape, np.float32) for k, shape in shapes.items()}
    ops["W"], ops["dW"] = np.ones((D + 1, H), np.float32), np.zeros((D + 1, H), np.float32)
    before = {k: v.copy() for k, v in ops.items()}
    with pytest.raises(ValueError, match=rf"^{kernel}: W has shape \({D + 1}, {H}\); expected \({D}, {H}\)"):
        BACKWARD[kernel](*ops.values())
    assert all(np.array_equal(before[k], v) for k, v in ops.items())


@pytest.mark.parametrize("shape", [(), (4,), (4, 4, 1)])
@pytest.mark.parametrize("kernel", ["column_sums", "ppmi_rows"])
def test_ppmi_counts_must_be_a_matrix_and_are_named_with_their_shape(kernel, shape):
    """The count matrix's size V is read from its first axis, which a 0-d array has not."""
    counts, sums, out = np.ones(shape, np.int32), np.full(4, 7, np.int64), np.full((4, 4), 7, np.float32)
    call = {"column_sums": lambda: ppmi.column_sums(counts, sums),
            "ppmi_rows": lambda: ppmi.ppmi_rows(counts, sums, 1e-8, out)}[kernel]
    found = re.escape(f"{kernel}: counts is {len(shape)}-D with shape {shape}; expected a square (V, V) matrix")
    with pytest.raises(BadArgument, match=f"^{found}"):
        call()
    assert (sums == 7).all() and (out == 7).all()  # 7 is neither a column sum of ones nor a PPMI of them


def test_dot_refuses_a_read_only_output_and_writes_nothing():
    N, D, H = LARGE
    out = _zeros(N, H)
    out.setflags(write=False)
    with pytest.raises(BadArgument, match=r"^blas\.dot: out is read-only; expected a writable array"):
        blas.dot(np.ones((N, D), np.float32), np.ones((D, H), np.float32), out)
    assert not out.any()


# ---------------------------------------------------------------- time indices


def _lstm_step_operands(N=2, T=3, H=2):
    return dict(gh=_zeros(N, 4 * H), b=_zeros(4 * H), gates=_zeros(N, T, 4 * H), hprev=_zeros(N, T, H),
                cprev=_zeros(N, T, H), tanh_c=_zeros(N, T, H), hs=_zeros(N, T, H), h_last=_zeros(N, H),
                c_last=_zeros(N, H))


@pytest.mark.parametrize("t, shown", [(True, "True"), (np.bool_(False), "np.False_|False"), (1.0, "1.0"),
                                      (np.int64(3), "np.int64\\(3\\)|3"), (-1, "-1"), ("1", "'1'")])
def test_a_time_index_must_be_an_integer_in_range_not_a_bool(t, shown):
    ops = _lstm_step_operands()
    with pytest.raises(BadIndex, match=rf"^lstm_forward_step: t is ({shown}); expected an integer in \[0, 3\)"):
        lstm.lstm_forward_step(t, **ops)
    assert not any(a.any() for a in ops.values())


@pytest.mark.parametrize("t", [0, 2, np.int64(2), np.uint8(1)])
def test_python_and_numpy_integers_in_range_are_time_indices(t):
    lstm.lstm_forward_step(t, **_lstm_step_operands())


# ---------------------------------------------------------------- another number of axes


def _python_level_specs():
    """The safety table's kernels that are Python functions (their checks run before any
    compiled code, so an operand with an axis too many meets them, not Numba's typing)."""
    import ast
    import importlib
    import inspect

    from test_kernel_safety import SPECS
    found = []
    for spec in SPECS:
        module, name = spec.kernel.split(".")
        module = importlib.import_module(f"fastnn.kernels.{module}")
        undecorated = {f.name for f in ast.parse(inspect.getsource(module)).body
                       if isinstance(f, ast.FunctionDef) and not f.decorator_list}  # not jitted, in either mode
        if name in undecorated:
            kernel = getattr(module, name)
            arrays = [k for k, v in spec.make(np.random.default_rng(0)).items() if isinstance(v, np.ndarray)]
            found += [pytest.param(spec, kernel, k, id=f"{spec.name}:{k}") for k in arrays]
    return found


@pytest.mark.parametrize("change", ["an axis too many", "a list"])
@pytest.mark.parametrize("spec, kernel, operand", _python_level_specs())
def test_an_operand_with_an_axis_too_many_or_a_list_is_named_and_nothing_is_written(spec, kernel, operand, change):
    args = spec.make(np.random.default_rng(0))
    args[operand] = args[operand][..., np.newaxis] if change == "an axis too many" else args[operand].tolist()
    before = {k: v.copy() for k, v in args.items() if isinstance(v, np.ndarray)}
    with pytest.raises((ValueError, TypeError), match=rf"^{spec.message_name}: {operand} "):
        kernel(*args.values())
    assert all(np.array_equal(v, args[k], equal_nan=True) for k, v in before.items())
