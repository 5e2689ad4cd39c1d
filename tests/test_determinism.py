"""Same seeds, same run: bit-identical results, run after run.

Two in-process trainings of the spiral net with the same arguments give the
same loss_list and params, bit for bit, in float32 and float64 and for each
optimizer family.  Kernels that split work across threads (above
kernels._config.PARALLEL_MIN_ELEMENTS) must be deterministic too: the ops are
run twice on arrays of 1 << 20 elements and the bytes compared.
"""

import contextlib
import io

import numba
import numpy as np
import pytest
from fastnn.kernels._config import PARALLEL_MIN_ELEMENTS

from fastnn import functions, layers, optimizer
from fastnn.spiral import parse_args, train

# Large enough for the parallel kernels (above PARALLEL_MIN_ELEMENTS); when the
# kernels run as plain Python (NUMBA_DISABLE_JIT=1, the coverage run) just above
# the threshold, so that the same branches run in seconds rather than minutes.
BIG = 1 << 20 if not numba.config.DISABLE_JIT else 2 * PARALLEL_MIN_ELEMENTS


def _train(argv):
    with contextlib.redirect_stdout(io.StringIO()):
        model, trainer, _, _, _ = train(parse_args(argv))
    return list(trainer.loss_list), [p.copy() for p in model.params]


@pytest.mark.slow
@pytest.mark.parametrize("argv", [
    ["--epochs", "30"],
    ["--epochs", "10", "--hidden", "100", "--batch-size", "300", "--optimizer", "adam", "--lr", "0.01"],
    ["--epochs", "10", "--optimizer", "momentum", "--lr", "0.1"],
], ids=["sgd", "wide-adam", "momentum"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_two_trainings_are_bit_identical(argv, dtype):
    argv = argv + ["--dtype", dtype, "--no-plots", "--eval-interval", "1"]
    loss1, params1 = _train(argv)
    loss2, params2 = _train(argv)
    assert len(loss1) > 0 and np.isfinite(loss1).all()
    assert np.array(loss1).tobytes() == np.array(loss2).tobytes()
    assert len(params1) == len(params2) == 4
    for a, b in zip(params1, params2):
        assert a.dtype == np.dtype(dtype)
        assert a.tobytes() == b.tobytes()


def test_a_different_seed_gives_a_different_run():
    """The comparison above can fail: another seed changes the bytes."""
    loss1, params1 = _train(["--epochs", "3", "--no-plots", "--eval-interval", "1"])
    loss2, params2 = _train(["--epochs", "3", "--no-plots", "--eval-interval", "1", "--seed", "7"])
    assert np.array(loss1).tobytes() != np.array(loss2).tobytes()
    assert params1[0].tobytes() != params2[0].tobytes()


def _optimizer_updates(x):
    """x's flat copy after two updates with x as the gradient, by every optimizer."""
    out = []
    for cls in (optimizer.SGD, optimizer.Momentum, optimizer.Nesterov, optimizer.AdaGrad,
                optimizer.RMSprop, optimizer.Adam):
        p = [x.reshape(-1).copy()]
        opt = cls()
        for _ in range(2):
            opt.update(p, [x.reshape(-1)])
        out.append(p[0])
    return out


def _big_ops(dtype):
    """Every op on arrays of about 1 << 20 elements; returns the bytes of every result."""
    rng = np.random.default_rng(0)
    x = (3 * rng.standard_normal((BIG // 64, 64))).astype(dtype)
    out = []
    sig = layers.Sigmoid()
    out += [sig.forward(x), sig.backward(x), functions.sigmoid(x)]
    soft = layers.Softmax()
    out += [soft.forward(x), soft.backward(x)]
    loss = layers.SoftmaxWithLoss()
    t = rng.integers(0, 64, size=x.shape[0])
    out += [np.asarray(loss.forward(x, t)), loss.backward()]
    bloss = layers.SigmoidWithLoss()
    out += [np.asarray(bloss.forward(x.reshape(-1), rng.integers(0, 2, size=BIG))), bloss.backward()]
    s = layers.Sum(axis=0)
    out += [s.forward(x), s.backward(np.ones((1, 64), dtype))]
    r = layers.Repeat(4, axis=0)
    out += [r.forward(x[: x.shape[0] // 4]), r.backward(x)]
    aff = layers.Affine((0.1 * rng.standard_normal((64, 32))).astype(dtype), np.zeros(32, dtype))
    out += [aff.forward(x), aff.backward(np.ones((x.shape[0], 32), dtype))] + [g.copy() for g in aff.grads]
    out += _optimizer_updates(x)
    return [a.tobytes() for a in out]


@pytest.mark.slow
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_large_arrays_are_bit_identical_run_after_run(dtype):
    first = _big_ops(dtype)
    second = _big_ops(dtype)
    assert len(first) == len(second)
    for i, (a, b) in enumerate(zip(first, second)):
        assert a == b, f"result {i} differs between two identical runs"


def _elementwise_ops(dtype):
    """The ops whose layers drop to one thread while BLAS's threads spin
    (kernels/blas.py), on arrays large enough for the parallel kernels."""
    rng = np.random.default_rng(1)
    x = (3 * rng.standard_normal((BIG // 64, 64))).astype(dtype)
    out = []
    sig = layers.Sigmoid()
    out += [sig.forward(x), sig.backward(x)]
    soft = layers.Softmax()
    out += [soft.forward(x), soft.backward(x)]
    loss = layers.SoftmaxWithLoss()
    loss.forward(x, rng.integers(0, 64, size=x.shape[0]))
    out.append(loss.backward())
    out.append(layers.Repeat(4, axis=0).forward(x[: x.shape[0] // 4]))
    s = layers.Sum(axis=0)
    s.forward(x)
    out.append(s.backward(np.ones((1, 64), dtype)))
    out += _optimizer_updates(x)
    return [a.tobytes() for a in out]


@pytest.mark.slow
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_elementwise_results_do_not_depend_on_whether_blas_threads_spin(dtype, monkeypatch):
    """The choice of one thread or two depends on timing; the bits must not."""
    from fastnn.kernels import blas

    monkeypatch.setattr(blas, "_last_product_end", [-np.inf])
    assert not blas.threads_are_spinning()
    threaded = _elementwise_ops(dtype)
    monkeypatch.setattr(blas, "_last_product_end", [np.inf])  # "just now", for as long as the test runs
    assert blas.threads_are_spinning()
    single = _elementwise_ops(dtype)
    assert len(threaded) == len(single)
    for i, (a, b) in enumerate(zip(threaded, single)):
        assert a == b, f"result {i} differs between the parallel and the serial kernel"
