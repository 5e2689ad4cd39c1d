"""The layers' fast tests let through only what their kernels were compiled for.

Each layer call's operands go through a `fastnn/_core/inputs.py` helper whose
first line is the fast test (a C-contiguous array of the right dtype goes on as
it is).  A test loosened there would still give the right numbers (the kernels
check every shape and compile for any layout), so the numbers alone cannot
catch it: the symptom is a Numba compile of a new signature on an ordinary
call, a second or more of waiting, and a kernel built for operands nobody
checked.  So: after a warm-up with C-contiguous float64 operands, calls with an
F-ordered, a strided, a list and a float32 operand must give the same numbers
and add no signature to any kernel.
"""

import importlib
import pkgutil

import numba
import numpy as np
import pytest

from fastnn import kernels
from fastnn.layers import Affine, MatMul, Repeat, Sigmoid, SoftmaxWithLoss, Sum

N, D, H = 5, 4, 3


def _signatures():
    """Every jitted function of fastnn.kernels and the signatures it holds now."""
    found = {}
    for info in pkgutil.iter_modules(kernels.__path__):
        module = importlib.import_module(f"fastnn.kernels.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, numba.core.registry.CPUDispatcher):
                found[f"{module.__name__}.{name}"] = tuple(value.signatures)
    return found


def _variants(a, dtype_is_fixed):
    """`a` in other memory layouts, and as a list: the same values.  And as float32
    when the call computes in float64 whatever `a` is (a layer with float64 params,
    Sigmoid's dout after a float64 forward); elsewhere float32 computes in float32,
    as numpy would, with kernels of its own."""
    wide = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
    wide[..., ::2] = a
    return {
        "F-ordered": np.asfortranarray(a),  # the same array when a is 1-D
        "strided": wide[..., ::2],
        "list": a.tolist(),
    } | ({"float32": a.astype(np.float32)} if dtype_is_fixed else {})


def _rng_data(*shapes):
    rng = np.random.default_rng(0)
    return [rng.standard_normal(s) for s in shapes]


def _affine():
    W, b = _rng_data((D, H), (H,))
    return Affine(W, b)


def _matmul():
    (W,) = _rng_data((D, H))
    return MatMul(W)


LABELS = np.arange(N) % D

# name -> (layer factory, forward(layer, x), x's shape, dout's shape or None)
CASES = {
    "Affine": (_affine, lambda layer, x: layer.forward(x), (N, D), (N, H)),
    "MatMul": (_matmul, lambda layer, x: layer.forward(x), (N, D), (N, H)),
    "Sigmoid": (Sigmoid, lambda layer, x: layer.forward(x), (N, D), (N, D)),
    "Repeat": (lambda: Repeat(3, 0), lambda layer, x: layer.forward(x), (1, D), (3, D)),
    "Sum": (lambda: Sum(0), lambda layer, x: layer.forward(x), (N, D), (1, D)),
    "SoftmaxWithLoss": (SoftmaxWithLoss, lambda layer, x: layer.forward(x, LABELS), (N, D), None),
}


def _run(case, x, dout):
    make, forward, _, _ = CASES[case]
    layer = make()
    out = np.array(forward(layer, x), copy=True)
    dx = layer.backward() if dout is None else layer.backward(dout)
    return out, np.array(dx, copy=True)


@pytest.mark.parametrize(("case", "operand"), [(case, "x") for case in sorted(CASES)]
                         + [(case, "dout") for case in sorted(CASES) if CASES[case][3] is not None])
def test_other_layouts_and_types_compile_nothing_new(case, operand):
    _, _, x_shape, dout_shape = CASES[case]
    x, dout = _rng_data(x_shape, dout_shape or (1, 1))
    dout = dout if dout_shape else None
    expected = _run(case, x, dout)  # compiles (or loads) the float64 C-contiguous kernels
    before = _signatures()
    dtype_is_fixed = case in ("Affine", "MatMul") or (case, operand) == ("Sigmoid", "dout")
    for label, variant in _variants(x if operand == "x" else dout, dtype_is_fixed).items():
        got = _run(case, variant, dout) if operand == "x" else _run(case, x, variant)
        for e, g in zip(expected, got):
            np.testing.assert_allclose(g, e, rtol=1e-6 if label == "float32" else 1e-12, atol=1e-7,
                                       err_msg=f"{case}, {operand} {label}")
        added = {k: set(v) - set(before.get(k, ())) for k, v in _signatures().items()}
        added = {k: v for k, v in added.items() if v}
        assert not added, f"{case} with an {label} {operand} compiled new kernel signatures: {added}"


def test_other_label_layouts_compile_nothing_new():
    x, = _rng_data((N, D))
    expected = _run("SoftmaxWithLoss", x, None)
    before = _signatures()
    for label, labels in _variants(LABELS, False).items():
        layer = SoftmaxWithLoss()
        loss = layer.forward(x, labels)
        np.testing.assert_allclose(loss, expected[0], rtol=1e-12, err_msg=label)
        np.testing.assert_allclose(layer.backward(), expected[1], rtol=1e-12, err_msg=label)
        added = {k: set(v) - set(before.get(k, ())) for k, v in _signatures().items()}
        assert not {k: v for k, v in added.items() if v}, f"{label} labels compiled new kernel signatures"
