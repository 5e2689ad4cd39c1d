"""LSTM, TimeLSTM and TimeBiLSTM against the step-by-step numpy oracle
(tests/reference_recurrent.py), numerical gradients, the ch07 decoder's use of
set_state and dh, the step kernels' checks and bad input."""

import numpy as np
import pytest
import reference_recurrent as ref
from fastnn.kernels.lstm import lstm_backward_step, lstm_forward_step

from fastnn.nn.time_lstm import LSTM, TimeBiLSTM, TimeLSTM


def _params(rng, D, H, dtype, gates=4):
    return [(rng.standard_normal((D, gates * H)) / np.sqrt(D)).astype(dtype),
            (rng.standard_normal((H, gates * H)) / np.sqrt(H)).astype(dtype),
            (rng.standard_normal(gates * H) * 0.5).astype(dtype)]


def _copies(params):
    return [np.array(p) for p in params]


@pytest.mark.parametrize("shape", [(2, 5, 3, 4), (7, 6, 20, 33)])
def test_time_lstm_matches_oracle_across_stateful_calls(shape, dtype, rng, assert_close):
    N, T, D, H = shape
    params = _params(rng, D, H, dtype)
    layer = TimeLSTM(*_copies(params), stateful=True)
    oracle = ref.TimeLSTMRef(*_copies(params), stateful=True)
    grads = layer.grads
    for _call in range(3):  # h and c of one call start the next
        xs = rng.standard_normal((N, T, D)).astype(dtype)
        dhs = rng.standard_normal((N, T, H)).astype(dtype)
        assert_close(layer.forward(xs), oracle.forward(xs), dtype)
        assert_close(layer.h, oracle.h, dtype)
        assert_close(layer.c, oracle.c, dtype)
        assert_close(layer.backward(dhs), oracle.backward(dhs), dtype)
        for g, g_ref in zip(layer.grads, oracle.grads):
            assert_close(g, g_ref, dtype)
        assert_close(layer.dh, oracle.dh, dtype)
    assert all(g is g0 for g, g0 in zip(layer.grads, grads))  # written in place
    for p, p0 in zip(layer.params, params):
        assert np.array_equal(p, p0)


def test_not_stateful_starts_every_forward_from_zeros(rng):
    params = _params(rng, 3, 4, np.float32)
    layer = TimeLSTM(*params)
    xs = rng.standard_normal((2, 5, 3)).astype(np.float32)
    first = layer.forward(xs)
    layer.set_state(np.ones((2, 4), np.float32), np.ones((2, 4), np.float32))
    assert np.array_equal(layer.forward(xs), first)  # as the book: set_state is ignored
    oracle = ref.TimeLSTMRef(*params)
    np.testing.assert_allclose(first, oracle.forward(xs), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("with_c", [False, True])
def test_set_state_then_forward_and_dh_as_the_ch07_decoder_uses_them(with_c, rng, assert_close):
    """The decoder sets h to the encoder's last hidden state (a strided view),
    runs forward and backward, and passes lstm.dh back to the encoder."""
    N, T, D, H = 3, 4, 5, 6
    dtype = np.dtype(np.float32)
    params = _params(rng, D, H, dtype)
    enc_hs = rng.standard_normal((N, 7, H)).astype(dtype)
    h = enc_hs[:, -1, :]
    c = rng.standard_normal((N, H)).astype(dtype) if with_c else None
    h_before = h.copy()
    layer = TimeLSTM(*_copies(params), stateful=True)
    oracle = ref.TimeLSTMRef(*_copies(params), stateful=True)
    layer.set_state(h, c)
    oracle.set_state(h.copy(), None if c is None else c.copy())
    xs = rng.standard_normal((N, T, D)).astype(dtype)
    dhs = rng.standard_normal((N, T, H)).astype(dtype)
    assert_close(layer.forward(xs), oracle.forward(xs), dtype)
    assert_close(layer.backward(dhs), oracle.backward(dhs), dtype)
    assert_close(layer.dh, oracle.dh, dtype)
    assert np.array_equal(h, h_before)  # the caller's state is read, never written
    layer.reset_state()
    assert layer.h is None and layer.c is None


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


def test_time_lstm_gradients_numerically_over_stateful_calls(rng):
    """float64: a first call leaves h and c; the gradients of the second call's
    loss sum(hs * w) over Wx, Wh, b, xs and the initial h (dh) by central differences."""
    N, T, D, H = 2, 4, 3, 2
    params = _params(rng, D, H, np.float64)
    layer = TimeLSTM(*params, stateful=True)
    layer.forward(rng.standard_normal((N, 3, D)))
    h0, c0 = layer.h.copy(), layer.c.copy()
    xs = rng.standard_normal((N, T, D))
    w = rng.standard_normal((N, T, H))

    def loss():
        layer.set_state(h0, c0)
        return float(np.sum(layer.forward(xs) * w))

    loss()
    dxs = layer.backward(w)
    analytic = [g.copy() for g in layer.grads] + [dxs, layer.dh.copy()]
    numeric = [_numeric_grad(loss, p) for p in params] + [_numeric_grad(loss, xs), _numeric_grad(loss, h0)]
    for a, n in zip(analytic, numeric):
        np.testing.assert_allclose(a, n, rtol=1e-6, atol=1e-8)


def test_lstm_cell_matches_oracle_and_numeric_gradients(rng, assert_close):
    N, D, H = 3, 4, 5
    params = _params(rng, D, H, np.float64)
    cell = LSTM(*params)
    oracle = ref.LSTMCell(*_copies(params))
    x, h, c = rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    dh_next, dc_next = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    for a, b in zip(cell.forward(x, h, c), oracle.forward(x, h, c)):
        assert_close(a, b)
    dc_before = dc_next.copy()
    for a, b in zip(cell.backward(dh_next, dc_next), oracle.backward(dh_next, dc_next)):
        assert_close(a, b)
    assert np.array_equal(dc_next, dc_before)
    for g, g_ref in zip(cell.grads, (oracle.dWx, oracle.dWh, oracle.db)):
        assert_close(g, g_ref)
    # dc_next = 0, as the book's TimeLSTM passes at the last step
    for a, b in zip(cell.backward(dh_next, 0), oracle.backward(dh_next, np.zeros((N, H)))):
        assert_close(a, b)

    def loss():
        h_next, c_next = cell.forward(x, h, c)
        return float(np.sum(h_next * dh_next) + np.sum(c_next * dc_next))

    loss()
    dx, dh, dc = cell.backward(dh_next, dc_next)
    for analytic, a in zip((dx, dh, dc, *[g.copy() for g in cell.grads]), (x, h, c, *params)):
        np.testing.assert_allclose(analytic, _numeric_grad(loss, a), rtol=1e-6, atol=1e-8)


def test_time_bilstm_matches_two_oracles(rng, assert_close):
    N, T, D, H = 2, 5, 3, 4
    dtype = np.dtype(np.float32)
    p1, p2 = _params(rng, D, H, dtype), _params(rng, D, H, dtype)
    layer = TimeBiLSTM(*_copies(p1), *_copies(p2))
    fw, bw = ref.TimeLSTMRef(*_copies(p1)), ref.TimeLSTMRef(*_copies(p2))
    xs = rng.standard_normal((N, T, D)).astype(dtype)
    dhs = rng.standard_normal((N, T, 2 * H)).astype(dtype)
    expected = np.concatenate((fw.forward(xs), bw.forward(xs[:, ::-1].copy())[:, ::-1]), axis=2)
    assert_close(layer.forward(xs), expected, dtype)
    dxs_ref = fw.backward(dhs[:, :, :H].copy()) + bw.backward(dhs[:, ::-1, H:].copy())[:, ::-1]
    assert_close(layer.backward(dhs), dxs_ref, dtype)
    for g, g_ref in zip(layer.grads, fw.grads + bw.grads):
        assert_close(g, g_ref, dtype)
    assert len(layer.params) == 6 and layer.params[3] is layer.backward_lstm.params[0]


def test_bilstm_forward_refused_by_its_backward_layer_advances_no_state(rng):
    N, T, D, H = 2, 5, 3, 4
    p1, p2 = _params(rng, D, H, np.float32), _params(rng, D, H, np.float32)
    layer = TimeBiLSTM(*p1, *p2, stateful=True)
    layer.forward(rng.standard_normal((N, T, D)).astype(np.float32))
    h, c, seq = layer.forward_lstm.h.copy(), layer.forward_lstm.c.copy(), layer.forward_lstm._seq
    layer.backward_lstm.params[0] = np.zeros((D + 1, 4 * H), np.float32)  # the backward layer's Wx no longer fits xs
    with pytest.raises(ValueError, match=r"^TimeBiLSTM\.forward: xs has shape"):
        layer.forward(rng.standard_normal((N, T, D)).astype(np.float32))
    assert np.array_equal(layer.forward_lstm.h, h) and np.array_equal(layer.forward_lstm.c, c)
    assert layer.forward_lstm._seq is seq


def test_input_layouts_give_the_same_result(rng, layout, make_layout):
    N, T, D, H = 2, 3, 4, 5
    params = _params(rng, D, H, np.float32)
    xs = rng.standard_normal((N, T, D)).astype(np.float32)
    dhs = rng.standard_normal((N, T, H)).astype(np.float32)
    a, b = TimeLSTM(*_copies(params)), TimeLSTM(*[make_layout(p, layout) for p in params])
    assert np.array_equal(a.forward(xs), b.forward(make_layout(xs, layout)))
    assert np.array_equal(a.backward(dhs), b.backward(make_layout(dhs, layout)))
    for g, g2 in zip(a.grads, b.grads):
        assert np.array_equal(g, g2)


def test_float64_input_to_float32_weights_computes_in_float64_and_keeps_grads_float32(rng):
    params = _params(rng, 3, 4, np.float32)
    layer = TimeLSTM(*params)
    xs = rng.standard_normal((2, 3, 3))
    hs = layer.forward(xs)
    assert hs.dtype == np.float64
    assert layer.backward(np.ones_like(hs)).dtype == np.float64
    assert all(g.dtype == np.float32 for g in layer.grads)
    oracle = ref.TimeLSTMRef(*[p.astype(np.float64) for p in params])
    np.testing.assert_allclose(hs, oracle.forward(xs), rtol=1e-12, atol=1e-14)


def test_empty_sequence(rng):
    layer = TimeLSTM(*_params(rng, 3, 4, np.float32), stateful=True)
    layer.set_state(np.ones((2, 4), np.float32))
    hs = layer.forward(np.zeros((2, 0, 3), np.float32))
    assert hs.shape == (2, 0, 4) and np.array_equal(layer.h, np.ones((2, 4)))
    layer.grads[0][...] = 7
    assert layer.backward(np.zeros((2, 0, 4), np.float32)).shape == (2, 0, 3)
    assert not layer.grads[0].any() and not layer.dh.any()


BAD_CONSTRUCTION = [
    ((np.zeros((3, 8)), np.zeros((2, 8)), np.zeros(7)), ValueError, r"TimeLSTM: b has shape \(7,\); expected \(8,\)"),
    ((np.zeros((3, 12)), np.zeros((2, 8)), np.zeros(8)), ValueError, r"Wx has shape \(3, 12\); expected \(D, 8\)"),
    ((np.zeros((3, 8)), np.zeros((2, 6)), np.zeros(8)), ValueError, r"Wh has shape \(2, 6\); expected \(H, 4\*H\)"),
    ((np.zeros((3, 8)), np.zeros((2, 8), complex), np.zeros(8)), TypeError, r"Wh has dtype complex128"),
    (([[0.0] * 8] * 3, np.zeros((2, 8)), np.zeros(8)), TypeError, r"Wx is list; expected a numpy array"),
]


@pytest.mark.parametrize("args, error, match", BAD_CONSTRUCTION)
def test_inconsistent_weights_are_rejected(args, error, match):
    with pytest.raises(error, match=match):
        TimeLSTM(*args)


def _bad_calls(layer, N, T, D, H):
    f = np.float32
    return [
        (lambda: layer.forward(np.zeros((N, D), f)), ValueError,
         r"TimeLSTM.forward: xs has shape \(2, 3\); expected \(N, T, 3\)"),
        (lambda: layer.forward(np.zeros((N, T, D + 1), f)), ValueError, r"xs has shape \(2, 4, 4\)"),
        (lambda: layer.forward(np.zeros((N, T, D), complex)), TypeError, r"xs has dtype complex128"),
        (lambda: layer.forward(np.zeros((N + 1, T, D), f)), ValueError,
         r"the state h has shape \(2, 5\); expected \(3, 5\).*reset_state"),
        (lambda: layer.backward(np.zeros((N, T, H + 1), f)), ValueError,
         r"TimeLSTM.backward: dhs has shape \(2, 4, 6\); expected \(2, 4, 5\)"),
        (lambda: layer.set_state(np.zeros((N, H + 1), f)), ValueError,
         r"TimeLSTM.set_state: h has shape \(2, 6\); expected \(N, 5\)"),
        (lambda: layer.set_state(np.zeros((N, H), f), np.zeros((N + 1, H), f)), ValueError,
         r"c has shape \(3, 5\); expected \(2, 5\) like h"),
        (lambda: layer.set_state(np.zeros(H, f)), ValueError, r"h has shape \(5,\)"),
    ]


@pytest.mark.parametrize("case", range(8))
def test_bad_calls_are_rejected_and_change_nothing(case, rng):
    N, T, D, H = 2, 4, 3, 5
    layer = TimeLSTM(*_params(rng, D, H, np.float32), stateful=True)
    xs = rng.standard_normal((N, T, D)).astype(np.float32)
    dhs = rng.standard_normal((N, T, H)).astype(np.float32)
    layer.forward(xs)
    layer.backward(dhs)
    before = [np.array(a) for a in (layer.h, layer.c, layer.dh, *layer.grads)]
    call, error, match = _bad_calls(layer, N, T, D, H)[case]
    with pytest.raises(error, match=match):
        call()
    after = [layer.h, layer.c, layer.dh, *layer.grads]
    assert all(np.array_equal(a, b) for a, b in zip(before, after))
    dxs_again = layer.backward(dhs)  # the saved forward is intact
    assert all(np.array_equal(a, b) for a, b in zip(before[2:], [layer.dh, *layer.grads]))
    assert dxs_again.shape == (N, T, D)


def test_backward_before_forward():
    with pytest.raises(ValueError, match="TimeLSTM.backward: backward called before forward"):
        TimeLSTM(np.zeros((3, 8)), np.zeros((2, 8)), np.zeros(8)).backward(np.zeros((1, 1, 2)))
    with pytest.raises(ValueError, match="LSTM.backward: backward called before forward"):
        LSTM(np.zeros((3, 8)), np.zeros((2, 8)), np.zeros(8)).backward(np.zeros((1, 2)), 0)


def _step_operands(N=2, T=3, H=4, dtype=np.float32):
    z = lambda *s: np.zeros(s, dtype)  # noqa: E731
    return dict(gh=z(N, 4 * H), b=z(4 * H), gates=z(N, T, 4 * H), hprev=z(N, T, H), cprev=z(N, T, H),
                tanh_c=z(N, T, H), hs=z(N, T, H), h_last=z(N, H), c_last=z(N, H))


@pytest.mark.parametrize("change, error, match", [
    (dict(gh=np.zeros((2, 15), np.float32)), ValueError, r"lstm_forward_step: gh has shape \(2, 15\); expected \(2, 16\)"),
    (dict(hs=np.zeros((2, 3, 5), np.float32)), ValueError, r"hs has shape \(2, 3, 5\); expected \(2, 3, 4\)"),
    (dict(gates=np.zeros((2, 3, 15), np.float32)), ValueError, r"gates has shape \(2, 3, 15\); expected \(N, T, 4\*H\)"),
    (dict(c_last=np.zeros((2, 4), np.float64)), TypeError, r"c_last has dtype float64; expected float32"),
    (dict(b=np.zeros(16, np.int64)), TypeError, r"b has dtype int64"),
    (dict(h_last=[[0.0] * 4] * 2), TypeError, r"h_last is a list; expected a numpy array"),
    (dict(t=3), IndexError, r"lstm_forward_step: t is 3; expected an integer in \[0, 3\)"),
    (dict(t=-1), IndexError, r"t is -1"),
])
def test_forward_step_kernel_checks_its_operands(change, error, match):
    ops = _step_operands()
    t = change.pop("t", 0)
    ops.update(change)
    with pytest.raises(error, match=match):
        lstm_forward_step(t, **ops)


def test_step_kernels_reject_read_only_outputs_and_bad_backward_operands():
    ops = _step_operands()
    ops["hs"].setflags(write=False)
    with pytest.raises(ValueError, match="lstm_forward_step: hs is read-only"):
        lstm_forward_step(0, **ops)
    N, T, H = 2, 3, 4
    z = np.zeros
    good = dict(dhs=z((N, T, H), "f"), dh_rec=z((N, H), "f"), dc=z((N, H), "f"), gates=z((N, T, 4 * H), "f"),
                cprev=z((N, T, H), "f"), tanh_c=z((N, T, H), "f"), dA=z((N, T, 4 * H), "f"), db=z(4 * H, "f"))
    lstm_backward_step(2, **good)
    with pytest.raises(ValueError, match=r"lstm_backward_step: db has shape \(15,\); expected \(16,\)"):
        lstm_backward_step(2, **{**good, "db": z(15, "f")})
    with pytest.raises(ValueError, match=r"dhs has shape \(2, 2, 4\); expected \(2, 3, 4\)"):
        lstm_backward_step(2, **{**good, "dhs": z((N, 2, H), "f")})


def test_step_kernels_fuzzed_with_wrong_shapes_raise_and_write_nothing():
    """Any one operand of another shape: a ValueError before a byte is written."""
    rng = np.random.default_rng(5)
    N, T, H = 3, 4, 5
    for _trial in range(60):
        ops = _step_operands(N, T, H)
        name = list(ops)[rng.integers(len(ops))]
        shape = list(ops[name].shape)
        axis = rng.integers(len(shape))
        shape[axis] += int(rng.choice([-1, 1, 3]))
        ops[name] = np.zeros(shape, np.float32)
        snapshot = {k: v.copy() for k, v in ops.items()}
        with pytest.raises(ValueError):
            lstm_forward_step(int(rng.integers(T)), **ops)
        assert all(np.array_equal(ops[k], snapshot[k]) for k in ops)
