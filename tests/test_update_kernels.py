"""The optimizers' update kernels, called directly, against tests/reference.py."""

import numpy as np
import pytest
import reference as ref
from fastnn.kernels import optimizers

# ---------------------------------------------------------------- optimizer updates

STEPS = 4


def _opt_case(rng, dtype, shape=(5, 3)):
    param = rng.standard_normal(shape).astype(dtype)
    grads = [rng.standard_normal(shape).astype(dtype) for _ in range(STEPS)]
    return param, grads


@pytest.mark.parametrize(
    "name,n_state,hyper",
    [
        ("sgd", 0, {"lr": 0.1}),
        ("momentum", 1, {"lr": 0.1, "momentum": 0.9}),
        ("nesterov", 1, {"lr": 0.1, "momentum": 0.8}),
        ("adagrad", 1, {"lr": 0.1}),
        ("rmsprop", 1, {"lr": 0.1, "decay_rate": 0.95}),
    ],
)
def test_update_kernels(name, n_state, hyper, dtype, rng, assert_close):
    kernel = getattr(optimizers, f"{name}_update")
    oracle = getattr(ref, name)
    param, grads = _opt_case(rng, dtype)
    expected = param.copy()
    state = [np.zeros_like(param) for _ in range(n_state)]
    state_ref = [np.zeros_like(param) for _ in range(n_state)]
    param_id = id(param)
    for g in grads:
        kernel(param, g, *state, *hyper.values())
        oracle([expected], [g], *[[s] for s in state_ref], **hyper)
        assert id(param) == param_id
        assert_close(param, expected, dtype)
        for s, s_ref in zip(state, state_ref):
            assert_close(s, s_ref, dtype)
    assert not np.array_equal(param, _opt_case(np.random.default_rng(0), dtype)[0])


def test_adam_update_kernel_with_bias_correction(dtype, rng, assert_close):
    lr, beta1, beta2 = 0.01, 0.9, 0.999
    param, grads = _opt_case(rng, dtype)
    expected = param.copy()
    m, v = np.zeros_like(param), np.zeros_like(param)
    m_ref, v_ref = np.zeros_like(param), np.zeros_like(param)
    for it, g in enumerate(grads, start=1):
        lr_t = lr * np.sqrt(1.0 - beta2**it) / (1.0 - beta1**it)
        optimizers.adam_update(param, g, m, v, lr_t, beta1, beta2)
        ref.adam([expected], [g], [m_ref], [v_ref], it, lr, beta1, beta2)
        assert_close(param, expected, dtype)
        assert_close(m, m_ref, dtype)
        assert_close(v, v_ref, dtype)
