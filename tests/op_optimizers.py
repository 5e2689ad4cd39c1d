"""The optimizers' entries of the op registry (tests/op_registry.py): each
optimizer's settings, its sample inputs (params with a fresh set of grads for each
of ``STEPS`` updates), the updates run with fastnn and with tests/reference.py,
and the bad calls to update it must reject (mismatched or bad grads, params it
cannot update in place, a state that does not match the params).
"""

import numpy as np
import reference as ref
from op_info import ErrorInput, SampleInput
from op_layer_errors import _esc
from op_layer_samples import _large, _normal

from fastnn import optimizer

# --------------------------------------------------------------------------
# Optimizers: three updates of two params, each step with its own grads.

STEPS = 3
_OPT_SETTINGS = {
    "SGD": (optimizer.SGD, {"lr": 0.1}),
    "Momentum": (optimizer.Momentum, {"lr": 0.1, "momentum": 0.9}),
    "Nesterov": (optimizer.Nesterov, {"lr": 0.1, "momentum": 0.9}),
    "AdaGrad": (optimizer.AdaGrad, {"lr": 0.1}),
    "RMSprop": (optimizer.RMSprop, {"lr": 0.01, "decay_rate": 0.99}),
    "Adam": (optimizer.Adam, {"lr": 0.01, "beta1": 0.9, "beta2": 0.999}),
}


def _opt_samples():
    def make(shapes, large=False):
        def build(rng, dtype):
            arrays = {}
            for i, shape in enumerate(shapes):
                arrays[f"p{i}"] = _large(rng, shape, dtype) if large else _normal(rng, shape, dtype)
                for step in range(STEPS):
                    arrays[f"g{i}_{step}"] = _large(rng, shape, dtype) if large else _normal(rng, shape, dtype)
            return SampleInput("", arrays, {}, {"count": len(shapes)})
        return build
    return {
        "batch1": make([(1, 5), (5,)]),
        "odd7x5": make([(7, 5), (5,)]),
        "empty": make([(0, 5), (5,)]),
        "large": make([(4, 3), (3,)], large=True),
        "normal": make([(10, 8), (8,), (8, 3)]),
    }


def _opt_lists(s):
    n = s.kwargs["count"]
    params = [s.arrays[f"p{i}"] for i in range(n)]
    grads = [[s.arrays[f"g{i}_{step}"] for i in range(n)] for step in range(STEPS)]
    return params, grads


def _make_run_opt(name):
    cls, kwargs = _OPT_SETTINGS[name]

    def run(s):
        opt = cls(**kwargs)
        params, grads = _opt_lists(s)
        for step in range(STEPS):
            opt.update(params, grads[step])
        return {f"p{i}": p for i, p in enumerate(params)}  # the very arrays passed in
    return run


def _make_ref_opt(name):
    kwargs = _OPT_SETTINGS[name][1]

    def reference(s):
        params, grads = _opt_lists(s)
        params = [p.copy() for p in params]
        zeros = lambda: [np.zeros_like(p) for p in params]
        state = {"Momentum": [zeros()], "Nesterov": [zeros()], "AdaGrad": [zeros()],
                 "RMSprop": [zeros()], "Adam": [zeros(), zeros()]}.get(name, [])
        update = {"SGD": ref.sgd, "Momentum": ref.momentum, "Nesterov": ref.nesterov,
                  "AdaGrad": ref.adagrad, "RMSprop": ref.rmsprop}.get(name)
        for step in range(STEPS):
            if name == "Adam":
                ref.adam(params, grads[step], *state, step + 1, **kwargs)
            else:
                update(params, grads[step], *state, **kwargs)
        return {f"p{i}": p for i, p in enumerate(params)}
    return reference


def _optimizer_errors(name):
    cls, kwargs = _OPT_SETTINGS[name]
    where = f"{name}.update"

    def params(dtype):
        return [np.linspace(-1, 1, 15).reshape(5, 3).astype(dtype), np.linspace(0, 1, 3).astype(dtype)]

    def grads(dtype):
        return [np.full((5, 3), 0.5, dtype), np.full(3, -0.25, dtype)]

    def case(make_params, make_grads, prime=False):
        """A fresh optimizer (after one valid update when prime), then update(bad params, bad grads)."""
        def setup(dtype):
            opt = cls(**kwargs)
            if prime:
                opt.update(params(dtype), grads(dtype))
            p, g = make_params(dtype), make_grads(dtype)
            return (lambda: opt.update(p, g)), [opt, p, g]
        return setup

    def readonly(dtype):
        p = params(dtype)
        p[1].setflags(write=False)
        return p

    def with_grad(i, value):
        def make(dtype):
            g = grads(dtype)
            g[i] = value(dtype)
            return g
        return make

    errs = (
        ErrorInput("fewer_grads", case(params, lambda dt: grads(dt)[:1]), ValueError,
                   _esc(f"{where}: got 2 params and 1 grads; expected one grad per param")),
        ErrorInput("grad_shape", case(params, with_grad(1, lambda dt: np.ones(4, dt))), ValueError,
                   _esc(f"{where}: grads[1] has shape (4,); expected (3,) like params[1]")),
        ErrorInput("grad_transposed", case(params, with_grad(0, lambda dt: np.ones((3, 5), dt))), ValueError,
                   _esc(f"{where}: grads[0] has shape (3, 5); expected (5, 3) like params[0]")),
        ErrorInput("grad_complex", case(params, with_grad(1, lambda dt: np.ones(3, np.complex128))), TypeError,
                   _esc(f"{where}: grads[1] has dtype complex128; expected")),
        ErrorInput("grad_strings", case(params, with_grad(1, lambda dt: np.full(3, "a"))), TypeError,
                   _esc(f"{where}: grads[1] has dtype <U1; expected")),
        ErrorInput("grad_None", case(params, with_grad(1, lambda dt: None)), TypeError,
                   _esc(f"{where}: grads[1] is None; expected an array")),
        ErrorInput("param_int", case(lambda dt: [np.arange(15).reshape(5, 3), params(dt)[1]], grads), TypeError,
                   _esc(f"{where}: params[0] is ndarray of dtype int64; expected a float32 or float64")),
        ErrorInput("param_list", case(lambda dt: [params(dt)[0], [0.0, 0.5, 1.0]], grads), TypeError,
                   _esc(f"{where}: params[1] is list")),
        ErrorInput("param_readonly", case(readonly, grads), ValueError,
                   _esc(f"{where}: params[1] is read-only")),
    )

    def made_readonly(dtype):
        """A first update passes; then params[1] is made read-only and passed again."""
        opt = cls(**kwargs)
        p, g = params(dtype), grads(dtype)
        opt.update(p, g)
        p[1].setflags(write=False)
        return (lambda: opt.update(p, g)), [opt, p, g]

    errs += (ErrorInput("param_readonly_after_update", made_readonly, ValueError,
                        _esc(f"{where}: params[1] is read-only")),)
    if name != "SGD":  # SGD keeps no state
        errs += (ErrorInput(
            "state_mismatch", case(lambda dt: [np.zeros((2, 2), dt)], lambda dt: [np.zeros((2, 2), dt)], prime=True),
            ValueError, _esc(f"{where}: got 1 params; this optimizer's state holds 2")),)
    return errs
