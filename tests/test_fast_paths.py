"""The layers' fast tests let through only what their kernels were compiled for.

Each layer call's operands go through a `fastnn/_core/inputs.py` helper whose
first line is the fast test (a C-contiguous array of the right dtype goes on as
it is).  A test loosened there would often still give the right numbers (the
kernels check every shape), so the numbers alone cannot catch it: the symptom is
a kernel called with operands of a new type, which Numba compiles for (a second
or more of waiting, and a kernel built for operands nobody checked).  So every
kernel call is recorded with the Numba types of its arguments: after a call
with C-contiguous float64 operands, calls with an F-ordered, a strided, a list
and a float32 operand must give the same numbers and call no kernel with types
the first call did not use.  (Recorded, not read from the kernels' compiled
signatures, which depend on what earlier tests in the process compiled.)
"""

import importlib
import pkgutil

import numba
import numpy as np
import pytest
from fastnn.kernels import affine, matmul

from fastnn import nn as layer_modules
from fastnn._core.dispatch import Kernel
from fastnn.layers import Affine, MatMul, Repeat, Sigmoid, SoftmaxWithLoss, Sum

N, D, H = 5, 4, 3


@pytest.fixture
def kernel_calls(monkeypatch):
    """The list of (kernel, argument types) of every kernel call from here on."""
    calls = []

    def recording(name, kernel):
        def call(*args):
            calls.append((name, tuple(numba.typeof(a) for a in args)))
            return kernel(*args)
        return call

    # The loop kernels MatMul and Affine call, directly or through their wrappers
    # (none is called from compiled code, which a Python stand-in would break).
    for module in (affine, matmul):
        for name in (f"{module.__name__.rsplit('.', 1)[1]}_forward_small", f"{module.__name__.rsplit('.', 1)[1]}_backward_small"):
            monkeypatch.setattr(module, name, recording(name, getattr(module, name)))
    # The kernels the other layers call through their Kernel(serial, parallel).
    for info in pkgutil.iter_modules(layer_modules.__path__):
        module = importlib.import_module(f"fastnn.nn.{info.name}")
        for value in vars(module).values():
            if isinstance(value, Kernel):
                for slot in ("serial", "parallel"):
                    kernel = getattr(value, slot)
                    if kernel is not None:
                        monkeypatch.setattr(value, slot, recording(kernel.__name__, kernel))
    return calls


def _variants(a, dtype_is_fixed):
    """`a` in other memory layouts, and as a list: the same values.  And as float32
    when the call computes in float64 whatever `a` is (a layer with float64 params,
    Sigmoid's dout after a float64 forward); elsewhere float32 computes in float32,
    as numpy would, with kernels of its own."""
    wide = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
    wide[..., ::2] = a
    variants = {"strided": wide[..., ::2], "list": a.tolist()}
    if a.ndim == 2 and min(a.shape) > 1:
        variants["F-ordered"] = np.asfortranarray(a)
    return variants | ({"float32": a.astype(np.float32)} if dtype_is_fixed else {})


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
    "Repeat": (lambda: Repeat(3, 0), lambda layer, x: layer.forward(x), (2, D), (6, D)),
    "Sum": (lambda: Sum(0), lambda layer, x: layer.forward(x), (N, D), (1, D)),
    "SoftmaxWithLoss": (SoftmaxWithLoss, lambda layer, x: layer.forward(x, LABELS), (N, D), None),
}


def _run(case, x, dout):
    make, forward, _, _ = CASES[case]
    layer = make()
    out = np.array(forward(layer, x), copy=True)
    dx = layer.backward() if dout is None else layer.backward(dout)
    return out, np.array(dx, copy=True)


def _check_variants(kernel_calls, run, expected, variants, what):
    allowed = set(kernel_calls)
    assert allowed, "no kernel call was recorded"
    for label, variant in variants.items():
        del kernel_calls[:]
        got = run(variant)
        for e, g in zip(expected, got):
            np.testing.assert_allclose(g, e, rtol=1e-6 if label == "float32" else 1e-12, atol=1e-7,
                                       err_msg=f"{what} {label}")
        new = set(kernel_calls) - allowed
        assert not new, f"{what} {label} reached kernels with argument types the C-contiguous call did not: {new}"


@pytest.mark.parametrize(("case", "operand"), [(case, "x") for case in sorted(CASES)]
                         + [(case, "dout") for case in sorted(CASES) if CASES[case][3] is not None])
def test_other_layouts_and_types_reach_no_kernel_with_new_types(kernel_calls, case, operand):
    _, _, x_shape, dout_shape = CASES[case]
    x, dout = _rng_data(x_shape, dout_shape or (1, 1))
    dout = dout if dout_shape else None
    expected = _run(case, x, dout)
    dtype_is_fixed = case in ("Affine", "MatMul") or (case, operand) == ("Sigmoid", "dout")
    if operand == "x":
        _check_variants(kernel_calls, lambda v: _run(case, v, dout), expected,
                        _variants(x, dtype_is_fixed), f"{case}, x")
    else:
        _check_variants(kernel_calls, lambda v: _run(case, x, v), expected,
                        _variants(dout, dtype_is_fixed), f"{case}, dout")


def test_other_label_layouts_reach_no_kernel_with_new_types(kernel_calls):
    (x,) = _rng_data((N, D))
    expected = _run("SoftmaxWithLoss", x, None)

    def run(labels):
        layer = SoftmaxWithLoss()
        return np.asarray(layer.forward(x, labels)), layer.backward()

    _check_variants(kernel_calls, run, expected, _variants(LABELS, False), "SoftmaxWithLoss, t")
