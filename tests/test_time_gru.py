"""GRU and TimeGRU against the step-by-step numpy oracle (tests/reference_recurrent.py),
numerical gradients over stateful calls, the step kernels' checks and bad input."""

import numpy as np
import pytest
import reference_recurrent as ref
from fastnn.kernels.gru import gru_backward_candidate, gru_backward_gates, gru_forward_candidate, gru_forward_gates

from fastnn.nn.time_gru import GRU, TimeGRU


def _params(rng, D, H, dtype):
    return [(rng.standard_normal((D, 3 * H)) / np.sqrt(D)).astype(dtype),
            (rng.standard_normal((H, 3 * H)) / np.sqrt(H)).astype(dtype),
            (rng.standard_normal(3 * H) * 0.5).astype(dtype)]


def _copies(params):
    return [np.array(p) for p in params]


@pytest.mark.parametrize("shape", [(2, 5, 3, 4), (7, 6, 20, 33)])
def test_time_gru_matches_oracle_across_stateful_calls(shape, dtype, rng, assert_close):
    N, T, D, H = shape
    params = _params(rng, D, H, dtype)
    layer = TimeGRU(*_copies(params), stateful=True)
    oracle = ref.TimeGRURef(*_copies(params), stateful=True)
    grads = layer.grads
    for _call in range(3):
        xs = rng.standard_normal((N, T, D)).astype(dtype)
        dhs = rng.standard_normal((N, T, H)).astype(dtype)
        assert_close(layer.forward(xs), oracle.forward(xs), dtype)
        assert_close(layer.h, oracle.h, dtype)
        assert_close(layer.backward(dhs), oracle.backward(dhs), dtype)
        for g, g_ref in zip(layer.grads, oracle.grads):
            assert_close(g, g_ref, dtype)
        assert_close(layer.dh, oracle.dh, dtype)
    assert all(g is g0 for g, g0 in zip(layer.grads, grads))
    for p, p0 in zip(layer.params, params):
        assert np.array_equal(p, p0)


def _numeric_grad(f, a, eps=1e-6):
    g = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        old = a[i]
        a[i] = old + eps
        up = f()
        a[i] = old - eps
        down = f()
        a[i] = old
        g[i] = (up - down) / (2 * eps)
    return g


def test_time_gru_gradients_numerically_over_stateful_calls(rng):
    N, T, D, H = 2, 4, 3, 2
    params = _params(rng, D, H, np.float64)
    layer = TimeGRU(*params, stateful=True)
    layer.forward(rng.standard_normal((N, 3, D)))
    h0 = layer.h.copy()
    xs = rng.standard_normal((N, T, D))
    w = rng.standard_normal((N, T, H))

    def loss():
        layer.set_state(h0)
        return float(np.sum(layer.forward(xs) * w))

    loss()
    dxs = layer.backward(w)
    analytic = [g.copy() for g in layer.grads] + [dxs, layer.dh.copy()]
    numeric = [_numeric_grad(loss, p) for p in params] + [_numeric_grad(loss, xs), _numeric_grad(loss, h0)]
    for a, n in zip(analytic, numeric):
        np.testing.assert_allclose(a, n, rtol=1e-6, atol=1e-8)


def test_gru_cell_matches_oracle(rng, dtype, assert_close):
    N, D, H = 3, 4, 5
    params = _params(rng, D, H, dtype)
    cell, oracle = GRU(*_copies(params)), ref.GRUCell(*_copies(params))
    x = rng.standard_normal((N, D)).astype(dtype)
    h = rng.standard_normal((N, H)).astype(dtype)
    dh = rng.standard_normal((N, H)).astype(dtype)
    assert_close(cell.forward(x, h), oracle.forward(x, h), dtype)
    for a, b in zip(cell.backward(dh), oracle.backward(dh)):
        assert_close(a, b, dtype)
    for g, g_ref in zip(cell.grads, (oracle.dWx, oracle.dWh, oracle.db)):
        assert_close(g, g_ref, dtype)


def test_not_stateful_ignores_set_state_and_reset_clears(rng):
    layer = TimeGRU(*_params(rng, 3, 4, np.float32))
    xs = rng.standard_normal((2, 5, 3)).astype(np.float32)
    first = layer.forward(xs)
    layer.set_state(np.ones((2, 4), np.float32))
    assert np.array_equal(layer.forward(xs), first)
    layer.reset_state()
    assert layer.h is None


@pytest.mark.parametrize("args, error, match", [
    ((np.zeros((3, 6)), np.zeros((2, 6)), np.zeros(5)), ValueError, r"TimeGRU: b has shape \(5,\); expected \(6,\)"),
    ((np.zeros((3, 6)), np.zeros((2, 8)), np.zeros(6)), ValueError, r"Wh has shape \(2, 8\); expected \(H, 3\*H\)"),
    ((np.zeros((3, 9)), np.zeros((2, 6)), np.zeros(6)), ValueError, r"Wx has shape \(3, 9\); expected \(D, 6\)"),
])
def test_inconsistent_weights_are_rejected(args, error, match):
    with pytest.raises(error, match=match):
        TimeGRU(*args)


def test_bad_calls_are_rejected_and_change_nothing(rng):
    N, T, D, H = 2, 4, 3, 5
    layer = TimeGRU(*_params(rng, D, H, np.float32), stateful=True)
    xs = rng.standard_normal((N, T, D)).astype(np.float32)
    dhs = rng.standard_normal((N, T, H)).astype(np.float32)
    layer.forward(xs)
    layer.backward(dhs)
    before = [np.array(a) for a in (layer.h, layer.dh, *layer.grads)]
    for call, match in [
        (lambda: layer.forward(np.zeros((N + 1, T, D), np.float32)), r"the state h has shape \(2, 5\); expected \(3, 5\)"),
        (lambda: layer.forward(np.zeros((N, T, D + 1), np.float32)), r"xs has shape \(2, 4, 4\); expected \(N, T, 3\)"),
        (lambda: layer.backward(np.zeros((N, T + 1, H), np.float32)), r"dhs has shape \(2, 5, 5\); expected \(2, 4, 5\)"),
        (lambda: layer.set_state(np.zeros((N, H + 1), np.float32)), r"TimeGRU.set_state: h has shape \(2, 6\)"),
    ]:
        with pytest.raises(ValueError, match=match):
            call()
        assert all(np.array_equal(a, b) for a, b in zip(before, (layer.h, layer.dh, *layer.grads)))
    layer.backward(dhs)
    assert all(np.array_equal(a, b) for a, b in zip(before[1:], (layer.dh, *layer.grads)))
    with pytest.raises(ValueError, match="TimeGRU.backward: backward called before forward"):
        TimeGRU(*_params(rng, D, H, np.float32)).backward(dhs)


def test_step_kernels_check_their_operands():
    N, T, H = 2, 3, 4
    z = lambda *s: np.zeros(s, np.float32)  # noqa: E731
    gates, hprev = z(N, T, 3 * H), z(N, T, H)
    gru_forward_gates(0, z(N, 2 * H), z(3 * H), gates, hprev, z(N, T, H))
    with pytest.raises(ValueError, match=r"gru_forward_gates: gh has shape \(2, 4\); expected \(2, 8\)"):
        gru_forward_gates(0, z(N, H), z(3 * H), gates, hprev, z(N, T, H))
    with pytest.raises(ValueError, match=r"gru_forward_candidate: gates has shape \(2, 3, 13\)"):
        gru_forward_candidate(0, z(N, H), z(3 * H), z(N, T, 13), hprev, z(N, T, H), z(N, H))
    with pytest.raises(IndexError, match=r"gru_forward_candidate: t is 3; expected an integer in \[0, 3\)"):
        gru_forward_candidate(3, z(N, H), z(3 * H), gates, hprev, z(N, T, H), z(N, H))
    with pytest.raises(TypeError, match=r"gru_backward_candidate: dh has dtype float64"):
        gru_backward_candidate(2, z(N, T, H), z(N, H), z(N, H), gates, np.zeros((N, H)), z(N, T, 3 * H), z(3 * H))
    with pytest.raises(ValueError, match=r"gru_backward_gates: dh_part has shape \(3, 4\); expected \(2, 4\)"):
        gru_backward_gates(2, z(N, H), z(N, H), gates, hprev, z(N, T, 3 * H), z(N + 1, H), z(3 * H))
