"""Every optimizer of fastnn.optimizer against the book's formulas in tests/reference.py.

Several steps with fresh gradients each step, float32 and float64, several
params of different shapes.  The oracle updates its own copies of the params
with its own copies of the grads, taken before fastnn's update, so whatever
fastnn does to the arrays it is given cannot leak into the expected values.  The params are updated in place: the list holds
the same array objects after every update, and views of them see the change.
"""

import numpy as np
import pytest
import reference as ref
from fastnn.kernels import optimizers as kernels

from fastnn import optimizer as O
from fastnn._core.dispatch import Kernel

STEPS = 5
SHAPES = [(4, 3), (3,), (2, 3, 2)]

# (class, kwargs, reference function, number of per-param state lists)
CASES = {
    "SGD": (O.SGD, {"lr": 0.1}, ref.sgd, 0),
    "Momentum": (O.Momentum, {"lr": 0.1, "momentum": 0.9}, ref.momentum, 1),
    "Nesterov": (O.Nesterov, {"lr": 0.1, "momentum": 0.8}, ref.nesterov, 1),
    "AdaGrad": (O.AdaGrad, {"lr": 0.1}, ref.adagrad, 1),
    "RMSprop": (O.RMSprop, {"lr": 0.05, "decay_rate": 0.9}, ref.rmsprop, 1),
}


def _problem(rng, dtype):
    params = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(STEPS)]
    return params, grads


@pytest.mark.parametrize("name", list(CASES))
def test_optimizer_matches_book_over_steps(name, dtype, rng, assert_close):
    cls, kwargs, oracle, n_state = CASES[name]
    params, grads = _problem(rng, dtype)
    initial = [p.copy() for p in params]
    expected = [p.copy() for p in params]
    state = [[np.zeros_like(p) for p in params] for _ in range(n_state)]
    ids = [id(p) for p in params]
    views = [p.reshape(-1) for p in params]
    opt = cls(**kwargs)
    for g in grads:
        g_ref = [a.copy() for a in g]  # the oracle's own grads, taken before fastnn sees them
        opt.update(params, g)
        oracle(expected, g_ref, *state, **kwargs)
        assert [id(p) for p in params] == ids
        for p, e in zip(params, expected):
            assert_close(p, e, dtype)
    for p, v, p0 in zip(params, views, initial):
        assert np.shares_memory(p, v) and np.array_equal(v, p.reshape(-1))
        assert not np.allclose(p, p0)


@pytest.mark.parametrize("kwargs", [{}, {"lr": 0.01, "beta1": 0.8, "beta2": 0.99}])
def test_adam_bias_correction_over_steps(kwargs, dtype, rng, assert_close):
    params, grads = _problem(rng, dtype)
    expected = [p.copy() for p in params]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    ids = [id(p) for p in params]
    opt = O.Adam(**kwargs)
    for it, g in enumerate(grads, start=1):
        g_ref = [a.copy() for a in g]
        opt.update(params, g)
        ref.adam(expected, g_ref, m, v, it, **kwargs)
        assert opt.iter == it
        assert [id(p) for p in params] == ids
        for p, e in zip(params, expected):
            assert_close(p, e, dtype)
        for a, b in zip(opt.m + opt.v, m + v):
            assert_close(a, b, dtype)


def test_adam_first_step_by_hand():
    """Step one, worked out by hand: m = (1-b1) g, v = (1-b2) g**2 and
    lr_t = lr sqrt(1-b2) / (1-b1), so the step is lr * g / (|g| + 1e-7 / sqrt(1-b2)),
    about lr * sign(g): bias correction makes the first step full size."""
    p = np.array([1.0, -2.0, 3.0])
    g = np.array([0.5, -4.0, 1e-3])
    O.Adam(lr=0.01).update([p], [g])
    step = 0.01 * g / (np.abs(g) + 1e-7 / np.sqrt(1 - 0.999))
    np.testing.assert_allclose(p, np.array([1.0, -2.0, 3.0]) - step, rtol=1e-13, atol=0)
    np.testing.assert_allclose(p[:2], np.array([0.99, -1.99]), rtol=0, atol=1e-7)


@pytest.mark.parametrize("name", list(CASES) + ["Adam"])
def test_update_writes_into_non_contiguous_params(name, make_layout, rng, assert_close):
    """An F-ordered param and a strided view of a bigger buffer are updated in place too."""
    if name == "Adam":
        cls, kwargs, n_state = O.Adam, {"lr": 0.01}, 2
    else:
        cls, kwargs, oracle, n_state = CASES[name]
    base = [rng.standard_normal((4, 3)), rng.standard_normal((5, 2))]
    params = [make_layout(base[0], "F"), make_layout(base[1], "strided")]
    buffer_of_view = params[1].base
    expected = [b.copy() for b in base]
    state = [[np.zeros_like(b) for b in base] for _ in range(n_state)]
    opt = cls(**kwargs)
    for it in range(1, 4):
        g = [rng.standard_normal(b.shape) for b in base]
        g_ref = [a.copy() for a in g]
        opt.update(params, g)
        if name == "Adam":
            ref.adam(expected, g_ref, *state, it, **kwargs)
        else:
            oracle(expected, g_ref, *state, **kwargs)
    assert params[1].base is buffer_of_view
    assert np.shares_memory(params[1], buffer_of_view)
    for p, e in zip(params, expected):
        assert_close(p, e, np.float64)
    # The elements of the buffer between the strided view's ones are untouched.
    assert np.isnan(buffer_of_view[1::2]).all() and np.isnan(buffer_of_view[:, 1::2]).all()


def test_state_is_allocated_once_per_param(rng):
    params, grads = _problem(rng, np.float64)
    opt = O.Adam()
    opt.update(params, grads[0])
    m, v = opt.m, opt.v
    m_ids = [id(a) for a in m]
    opt.update(params, grads[1])
    assert opt.m is m and opt.v is v and [id(a) for a in opt.m] == m_ids
    for a, p in zip(opt.m, params):
        assert a.shape == p.shape and a.dtype == p.dtype


def test_every_param_reaches_the_kernel_as_a_flat_array(monkeypatch):
    """A 2-D weight, a 1-D bias and a 3-D param (separate arrays, not one buffer) reach the
    update kernel as flat views, so that it compiles once per dtype, not once per number of axes."""
    seen = []

    def recording(param, *rest):
        seen.append(param.ndim)
        kernels.adam_update(param, *rest)

    monkeypatch.setattr(O.Adam, "KERNEL", Kernel(recording))
    rng = np.random.default_rng(0)
    params = [rng.standard_normal(s) for s in SHAPES]
    before = [p.copy() for p in params]
    optimizer = O.Adam()
    for _ in range(2):  # the checked call, then the repeated one
        grads = [np.ones_like(p) for p in params]
        optimizer.update(params, grads)
    assert seen == [1] * (2 * len(SHAPES))
    assert all(not np.array_equal(p, b) for p, b in zip(params, before))  # updated in place, through the views
