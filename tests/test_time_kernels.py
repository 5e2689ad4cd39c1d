"""The time layers' public kernels check their operands before touching memory."""

import numpy as np
import pytest
from fastnn.kernels import rnn, softmax_loss, time_dropout
from fastnn.kernels import time_softmax_loss as tsl

F = np.float32


def test_time_softmax_loss_kernels_reject_mismatched_operands():
    x, y, dx = np.zeros((6, 5), F), np.zeros((6, 5), F), np.zeros((6, 5), F)
    t = np.zeros(6, np.int64)
    for fn in (tsl.time_softmax_loss_forward_grad, tsl.time_softmax_loss_forward_grad_parallel):
        with pytest.raises(ValueError, match=r"y has shape \(5, 5\); expected \(6, 5\) \(the shape \(R, V\) of the scores\)"):
            fn(x, t, -1, 6, np.zeros((5, 5), F), dx)
        with pytest.raises(ValueError, match=r"t has shape \(7,\); expected \(6,\)"):
            fn(x, np.zeros(7, np.int64), -1, 6, y, dx)
        loss, bad = fn(x, np.array([0, 1, 9, 0, 0, 0]), -1, 6, y, dx)
        assert bad == 2
    for fn in (tsl.time_softmax_loss_backward, tsl.time_softmax_loss_backward_parallel):
        with pytest.raises(ValueError, match=r"dx has shape \(6, 4\); expected \(6, 5\) \(the shape \(R, V\) of the scores\)"):
            fn(y, t, -1, 1.0, 6, np.zeros((6, 4), F))
        with pytest.raises(IndexError, match=r"t\[4\] is 5; expected a label in \[0, 5\) or the ignore label -1"):
            fn(y, np.array([0, 0, 0, 0, 5, 0]), -1, 1.0, 6, np.zeros((6, 5), F))
        with pytest.raises(IndexError, match=r"t\[2\] is -2"):
            fn(y, np.array([0, 0, -2, 0, 0, 0]), -1, 1.0, 6, np.zeros((6, 5), F))


def test_parallel_and_serial_kernels_agree(rng):
    x = rng.standard_normal((300, 1000)).astype(F)
    t = rng.integers(-1, 1000, 300)
    count = int(np.count_nonzero(t != -1))
    ys, yp, ds, dp = (np.empty_like(x) for _ in range(4))
    serial = tsl.time_softmax_loss_forward_grad(x, t, -1, count, ys, ds)
    parallel = tsl.time_softmax_loss_forward_grad_parallel(x, t, -1, count, yp, dp)
    assert np.array_equal(ys, yp) and np.array_equal(ds, dp) and serial == parallel
    tsl.time_softmax_loss_backward(ys, t, -1, 2.0, count, ds)
    tsl.time_softmax_loss_backward_parallel(ys, t, -1, 2.0, count, dp)
    assert np.array_equal(ds, dp)


def test_rnn_step_kernels_reject_mismatched_operands():
    a = np.zeros((3, 4), F)
    with pytest.raises(ValueError, match=r"rnn_step_forward: b has shape \(5,\); expected \(4,\)"):
        rnn.rnn_step_forward(a, a, np.zeros(5, F), np.zeros((3, 4), F), np.zeros((3, 4), F))
    with pytest.raises(ValueError, match=r"rnn_step_forward: xw has shape \(2, 4\); expected \(3, 4\)"):
        rnn.rnn_step_forward(a, np.zeros((2, 4), F), np.zeros(4, F), np.zeros((3, 4), F), np.zeros((3, 4), F))
    with pytest.raises(ValueError, match=r"rnn_step_backward: dt_out has shape \(4, 4\); expected \(3, 4\)"):
        rnn.rnn_step_backward(a, a, a, np.zeros((3, 4), F), np.zeros((4, 4), F))
    h, out = np.zeros((3, 4), F), np.zeros((3, 4), F)
    rnn.rnn_step_forward(a, a, np.ones(4, F), h, out)
    same = np.zeros((3, 4), F)
    rnn.rnn_step_forward(a, a, np.ones(4, F), same, same)  # h and out may be one array
    assert np.array_equal(same, h) and np.array_equal(h, out)
    buffer = np.zeros((4, 4), F)
    with pytest.raises(ValueError, match="rnn_step_forward: out overlaps h in memory"):
        rnn.rnn_step_forward(a, a, np.ones(4, F), buffer[:3], buffer[1:])  # but not overlap otherwise
    assert not buffer.any()


def test_time_dropout_kernel_rejects_mismatched_sizes():
    x = np.zeros((2, 3), F)
    with pytest.raises(ValueError, match=r"time_dropout_forward: u has shape \(5,\); expected \(2, 3\)"):
        time_dropout.time_dropout_forward(x, np.zeros(5), 0.5, 2.0, np.zeros((2, 3), F), np.zeros((2, 3), F))


@pytest.mark.long_as_python
def test_forward_grad_kernels_equal_forward_then_backward(rng):
    x = (rng.standard_normal((300, 1000)) * 4).astype(F)
    t = rng.integers(-1, 1000, 300)
    count = int(np.count_nonzero(t != -1))
    y0, d0 = np.empty_like(x), np.empty_like(x)
    softmax_loss.softmax_forward(x, y0)
    kept = t != -1
    log_sum = np.log(y0[kept, t[kept]].astype(np.float64)).sum()
    tsl.time_softmax_loss_backward(y0, t, -1, 1.0, count, d0)
    for fn in (tsl.time_softmax_loss_forward_grad, tsl.time_softmax_loss_forward_grad_parallel):
        y, d = np.empty_like(x), np.empty_like(x)
        total, bad = fn(x, t, -1, count, y, d)
        assert bad == -1 and np.array_equal(y, y0) and np.array_equal(d, d0)
        assert total == pytest.approx(log_sum, rel=1e-12)
    serial = tsl.time_softmax_loss_forward_grad(x, t, -1, count, y, d)[0]
    assert tsl.time_softmax_loss_forward_grad_parallel(x, t, -1, count, y, d)[0] == serial  # same bands, same sum
    y[...] = d[...] = 7
    t[5] = 1000
    assert tsl.time_softmax_loss_forward_grad(x, t, -1, count, y, d)[1] == 5
    assert np.all(y == 7) and np.all(d == 7)  # a bad label: nothing written
    with pytest.raises(ValueError, match=r"time_softmax_loss_forward_grad: dx has shape \(5, 1000\)"):
        tsl.time_softmax_loss_forward_grad(x, t, -1, count, y, d[:5])
