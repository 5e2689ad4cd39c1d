"""RNN and TimeRNN against the step-by-step numpy oracle, numerical gradients, bad input."""

import numpy as np
import pytest
import time_reference as ref

from fastnn.nn.time_rnn import RNN, TimeRNN


def _params(rng, D, H, dtype):
    return [(rng.standard_normal((D, H)) / np.sqrt(D)).astype(dtype),
            (rng.standard_normal((H, H)) / np.sqrt(H)).astype(dtype),
            (rng.standard_normal(H) * 0.1).astype(dtype)]


@pytest.mark.parametrize("shape", [(2, 5, 3, 4), (20, 7, 30, 40)])
def test_time_rnn_matches_oracle_across_stateful_calls(shape, dtype, rng, assert_close):
    N, T, D, H = shape
    Wx, Wh, b = _params(rng, D, H, dtype)
    layer = TimeRNN(Wx.copy(), Wh.copy(), b.copy(), stateful=True)
    h = np.zeros((N, H))
    for _call in range(3):  # the last h of one call starts the next
        xs = rng.standard_normal((N, T, D)).astype(dtype)
        dhs = rng.standard_normal((N, T, H)).astype(dtype)
        hs = layer.forward(xs)
        W64 = [np.array(p, np.float64) for p in (Wx, Wh, b)]
        x64 = np.array(xs, np.float64)
        hs_ref, prevs = ref.rnn_forward(x64, *W64, h)
        assert_close(hs, hs_ref.astype(dtype), dtype)
        assert_close(layer.h, hs_ref[:, -1].astype(dtype), dtype)
        dxs = layer.backward(dhs)
        dxs_r, dWx, dWh, db, dh0 = ref.rnn_backward(np.array(dhs, np.float64), x64, W64[0], W64[1], hs_ref, prevs)
        for got, want in zip([dxs, *layer.grads, layer.dh], [dxs_r, dWx, dWh, db, dh0]):
            assert_close(got, want.astype(dtype), dtype, rtol=1e-4 if dtype == np.float32 else None)
        h = hs_ref[:, -1]


def test_not_stateful_starts_from_zero_and_set_state(rng, assert_close):
    Wx, Wh, b = _params(rng, 3, 4, np.float64)
    xs = rng.standard_normal((2, 3, 3))
    layer = TimeRNN(Wx, Wh, b)
    first = layer.forward(xs)
    assert_close(layer.forward(xs), first)  # stateless: same input, same output
    h0 = rng.standard_normal((2, 4))
    stateful = TimeRNN(Wx, Wh, b, stateful=True)
    stateful.set_state(h0)
    assert_close(stateful.forward(xs), ref.rnn_forward(xs, Wx, Wh, b, h0)[0])
    stateful.reset_state()
    assert stateful.h is None
    assert_close(stateful.forward(xs), first)


def _numerical(f, a, eps=1e-6):
    g = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        keep = a[i]
        a[i] = keep + eps
        up = f()
        a[i] = keep - eps
        down = f()
        a[i] = keep
        g[i] = (up - down) / (2 * eps)
    return g


def test_time_rnn_numerical_gradients_with_carried_state(rng):
    """Truncated BPTT: the gradients of the second stateful call, its first h
    being the state the first call left (held fixed, as the book's backward does)."""
    N, T, D, H = 2, 4, 3, 3
    params = _params(rng, D, H, np.float64)
    x1, x2 = rng.standard_normal((N, T, D)), rng.standard_normal((N, T, D))
    R = rng.standard_normal((N, T, H))
    layer = TimeRNN(*params, stateful=True)
    layer.set_state(rng.standard_normal((N, H)))
    layer.forward(x1)
    carried = layer.h.copy()
    value = np.sum(layer.forward(x2) * R)  # the carry-over itself

    def loss():
        layer.set_state(carried)
        return np.sum(layer.forward(x2) * R)

    assert loss() == value
    dx2 = layer.backward(R)
    analytic = [g.copy() for g in layer.grads] + [dx2, layer.dh]
    for p, g in zip([*params, x2, carried], analytic):
        np.testing.assert_allclose(g, _numerical(loss, p), rtol=1e-6, atol=1e-8)


def test_rnn_cell_matches_one_step(rng, assert_close):
    Wx, Wh, b = _params(rng, 3, 4, np.float64)
    x, h = rng.standard_normal((5, 3)), rng.standard_normal((5, 4))
    cell = RNN(Wx, Wh, b)
    out = cell.forward(x, h)
    assert_close(out, np.tanh(h @ Wh + x @ Wx + b))
    dh_next = rng.standard_normal((5, 4))
    dx, dh_prev = cell.backward(dh_next)
    dxs, dWx, dWh, db, dh0 = ref.rnn_backward(dh_next[:, None], x[:, None], Wx, Wh, out[:, None], [h])
    for got, want in zip([dx, dh_prev, *cell.grads], [dxs[:, 0], dh0, dWx, dWh, db]):
        assert_close(got, want)
    assert cell.cache[2] is out


def test_float32_stays_float32(rng):
    layer = TimeRNN(*_params(rng, 3, 4, np.float32))
    hs = layer.forward(rng.standard_normal((2, 3, 3)).astype(np.float32))
    assert hs.dtype == np.float32
    assert layer.backward(np.ones_like(hs)).dtype == np.float32
    assert all(g.dtype == np.float32 for g in layer.grads)


BAD_FORWARD = [
    (lambda r: r.standard_normal((2, 3)), ValueError, r"TimeRNN.forward: xs has shape \(2, 3\); expected \(N, T, 3\), a 3-D"),
    (lambda r: r.standard_normal((2, 3, 5)), ValueError, r"expected \(N, T, 3\)"),
    (lambda r: np.array([["a"]]), TypeError, "xs has dtype"),
]


@pytest.mark.parametrize("make, error, match", BAD_FORWARD)
def test_bad_forward_inputs_change_nothing(make, error, match, rng):
    layer = TimeRNN(*_params(rng, 3, 4, np.float32), stateful=True)
    layer.forward(rng.standard_normal((2, 3, 3)).astype(np.float32))
    h, saved = layer.h, layer._saved
    with pytest.raises(error, match=match):
        layer.forward(make(rng))
    assert layer.h is h and layer._saved is saved


def test_stateful_batch_change_and_bad_dhs(rng):
    layer = TimeRNN(*_params(rng, 3, 4, np.float32), stateful=True)
    with pytest.raises(ValueError, match="TimeRNN.backward: backward called before forward"):
        layer.backward(np.zeros((2, 3, 4), np.float32))
    layer.forward(np.zeros((2, 3, 3), np.float32))
    with pytest.raises(ValueError, match=r"the state h has shape \(2, 4\); expected \(5, 4\).*reset_state"):
        layer.forward(np.zeros((5, 3, 3), np.float32))
    grads = [g.copy() for g in layer.grads]
    with pytest.raises(ValueError, match=r"dhs has shape \(2, 4, 4\); expected \(2, 3, 4\)"):
        layer.backward(np.zeros((2, 4, 4), np.float32))
    assert all(np.array_equal(a, g) for a, g in zip(grads, layer.grads))
    with pytest.raises(ValueError, match=r"Wh has shape \(3, 4\); expected \(4, 4\)"):
        TimeRNN(np.zeros((3, 4)), np.zeros((3, 4)), np.zeros(4)).forward(np.zeros((1, 1, 3)))
