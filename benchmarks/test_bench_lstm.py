"""TimeLSTM forward + backward: the book's numpy beside fastnn (and PyTorch's nn.LSTM).

Group ``time_lstm|float32|NxTxD->H``; members:

- ``numpy``: benchmarks/book_lstm.py, the book's TimeLSTM (a cell per step);
- ``fastnn``: fastnn.nn.time_lstm.TimeLSTM;
- ``torch``: torch.nn.LSTM (batch_first, CPU eager, the input's gradient
  computed as the book's backward does), where torch is installed; not a
  dependency of fastnn.

One call is ``forward(xs)`` then ``backward(dhs)`` (for torch, the forward and
``hs.backward(dhs)``); all members start from the same weights, and the first
call's hs, dxs and weight gradients are compared with numpy's before timing.
Sizes: the book's chapter-6 better model (N=20, T=35, D=H=650; marked slow)
and a small one.  ``python -m benchmarks.test_bench_lstm`` times the members in
alternation (benchmarks/alternating.py) at the book's size and prints GFLOP/s
beside a BLAS-only run of the same products.
"""

import os
import sys

import numpy as np
import pytest

from fastnn.nn.time_lstm import TimeLSTM

from .book_lstm import BookTimeLSTM
from .cases import label

BOOK = (20, 35, 650, 650)
SMALL = (4, 5, 16, 16)
TORCH_RTOL = 2e-4  # another BLAS, another summation order, over 35 steps


def inputs(shape, dtype="float32", seed=0):
    N, T, D, H = shape
    rng = np.random.default_rng(seed)
    params = [(rng.standard_normal((D, 4 * H)) / np.sqrt(D)).astype(dtype),
              (rng.standard_normal((H, 4 * H)) / np.sqrt(H)).astype(dtype),
              np.zeros(4 * H, dtype)]
    xs = rng.standard_normal((N, T, D)).astype(dtype)
    dhs = rng.standard_normal((N, T, H)).astype(dtype)
    return params, xs, dhs


def product_flops(shape):
    """Multiply-adds x 2 of the products one forward + backward makes (both sides make
    the same): x Wx, h Wh, dA Wh.T, dA Wx.T, x.T dA, h.T dA."""
    N, T, D, H = shape
    return 2 * N * T * 4 * H * (3 * D + 3 * H)


def stepper(cls, params, xs, dhs):
    layer = cls(*[p.copy() for p in params])

    def step():
        hs = layer.forward(xs)
        dxs = layer.backward(dhs)
        return hs, dxs, layer.grads

    return step


def torch_stepper(torch, params, xs, dhs):
    """nn.LSTM with the book's weights: torch stacks the gates i, f, g, o as rows."""
    Wx, Wh, b = params
    D, H = Wx.shape[0], Wh.shape[0]
    order = np.r_[2 * H:3 * H, 0:H, H:2 * H, 3 * H:4 * H]
    lstm = torch.nn.LSTM(D, H, batch_first=True)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(np.ascontiguousarray(Wx[:, order].T)))
        lstm.weight_hh_l0.copy_(torch.from_numpy(np.ascontiguousarray(Wh[:, order].T)))
        lstm.bias_ih_l0.copy_(torch.from_numpy(b[order]))
        lstm.bias_hh_l0.zero_()
    x = torch.from_numpy(xs).requires_grad_(True)
    d = torch.from_numpy(dhs)
    back = np.argsort(order)  # torch's rows back to the book's columns

    def step():
        for p in (x, *lstm.parameters()):
            p.grad = None
        hs, _ = lstm(x)
        hs.backward(d)
        return hs, x.grad, [lstm.weight_ih_l0.grad, lstm.weight_hh_l0.grad, lstm.bias_ih_l0.grad]

    def as_book(out):
        hs, dxs, (dWx, dWh, db) = out
        return (hs.detach().numpy(), dxs.numpy(),
                [dWx.numpy().T[:, back], dWh.numpy().T[:, back], db.numpy()[back]])

    return step, as_book


def assert_same_call(actual, expected, rtol=1e-5):
    names = ("hs", "dxs", "dWx", "dWh", "db")
    for name, a, e in zip(names, (actual[0], actual[1], *actual[2]), (expected[0], expected[1], *expected[2])):
        a, e = np.asarray(a), np.asarray(e)
        assert a.shape == e.shape and a.dtype == e.dtype, f"{name}: {a.shape} {a.dtype}, expected {e.shape} {e.dtype}"
        np.testing.assert_allclose(a, e, rtol=rtol, atol=rtol * float(np.abs(e).max()), err_msg=name)


def _shape_name(shape):
    N, T, D, H = shape
    return f"{N}x{T}x{D}->{H}"


@pytest.mark.parametrize("impl", ["numpy", "fastnn", "torch"])
@pytest.mark.parametrize("shape", [SMALL, pytest.param(BOOK, marks=pytest.mark.slow)], ids=_shape_name)
def test_time_lstm(benchmark, shape, impl):
    torch = pytest.importorskip("torch") if impl == "torch" else None
    label(benchmark, "time_lstm", "float32", _shape_name(shape), _shape_name(shape), impl)
    params, xs, dhs = inputs(shape)
    expected = stepper(BookTimeLSTM, params, xs, dhs)()
    if impl == "numpy":
        step = stepper(BookTimeLSTM, params, xs, dhs)
    elif impl == "fastnn":
        step = stepper(TimeLSTM, params, xs, dhs)
        assert_same_call(step(), expected)
    else:
        torch.set_num_threads(_threads())
        step, as_book = torch_stepper(torch, params, xs, dhs)
        assert_same_call(as_book(step()), expected, TORCH_RTOL)
    benchmark(step)


def blas_only(params, xs, dhs):
    """The products fastnn makes, with np.matmul into preallocated arrays, nothing else."""
    Wx, Wh, _ = params
    N, T, D = xs.shape
    H = Wh.shape[0]
    gates = np.empty((N, T, 4 * H), xs.dtype)
    hprev = np.ascontiguousarray(np.random.default_rng(1).standard_normal((N, T, H)), xs.dtype)
    gh = np.empty((N, 4 * H), xs.dtype)
    dh = np.empty((N, H), xs.dtype)
    dxs = np.empty_like(xs)
    dWx, dWh = np.empty_like(Wx), np.empty_like(Wh)
    x2, g2 = xs.reshape(N * T, D), gates.reshape(N * T, 4 * H)

    def step():
        np.matmul(x2, Wx, out=g2)
        for t in range(T):
            np.matmul(hprev[:, t], Wh, out=gh)
        for t in range(T - 1, -1, -1):
            np.matmul(gates[:, t], Wh.T, out=dh)
        np.matmul(g2, Wx.T, out=dxs.reshape(N * T, D))
        np.dot(x2.T, g2, out=dWx)
        np.dot(hprev.reshape(N * T, H).T, g2, out=dWh)

    return step


def _threads():
    """The BLAS thread count numpy's OpenBLAS was given (OPENBLAS_NUM_THREADS), for torch too."""
    return int(os.environ.get("OPENBLAS_NUM_THREADS", os.cpu_count() or 1))


def main():
    """Alternating timing at the book's size; prints ms per call, speed-ups and GFLOP/s.

    On a loaded machine run it with OPENBLAS_NUM_THREADS=1: OpenBLAS's threads
    spin after each product and, with no core free, the per-step products of
    every member take several times longer; torch then gets one thread too.
    """
    from .alternating import time_alternately

    shape = BOOK
    params, xs, dhs = inputs(shape)
    flops = product_flops(shape)
    fastnn = stepper(TimeLSTM, params, xs, dhs)
    book = stepper(BookTimeLSTM, params, xs, dhs)
    assert_same_call(fastnn(), book())
    rivals = [("book numpy", book), ("np.matmul alone (same products)", blas_only(params, xs, dhs))]
    try:
        import torch
        torch.set_num_threads(_threads())
        torch_step, as_book = torch_stepper(torch, params, xs, dhs)
        assert_same_call(as_book(torch_step()), book(), TORCH_RTOL)
        rivals.append((f"torch {torch.__version__} nn.LSTM", torch_step))
    except ImportError:
        print("torch not installed: no torch member", file=sys.stderr)
    print(f"TimeLSTM forward+backward {_shape_name(shape)} float32, {flops / 1e9:.2f} GFLOP of products "
          f"a call, {_threads()} BLAS thread(s), load average {os.getloadavg()[0]:.1f}")
    for name, rival in rivals:
        r = time_alternately(rival, fastnn, group_seconds=20.0, min_rounds=7)
        print(f"{name}: {r.numpy * 1e3:.1f} ms ({flops / r.numpy / 1e9:.1f} GFLOP/s) | fastnn "
              f"{r.fastnn * 1e3:.1f} ms ({flops / r.fastnn / 1e9:.1f} GFLOP/s) | {name} / fastnn "
              f"{r.speedup:.2f}x (middle half {r.speedup_q1:.2f}-{r.speedup_q3:.2f}, {r.rounds} rounds)",
              flush=True)


if __name__ == "__main__":
    main()
