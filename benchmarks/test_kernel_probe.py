"""benchmarks/kernel_probe.py tells the serial kernel from the parallel one, and undoes its watching."""

import numpy as np
import pytest
from fastnn.kernels import blas
from fastnn.kernels._config import PARALLEL_MIN_ELEMENTS

from fastnn import layers, optimizer

from .kernel_probe import PARALLEL, SERIAL, kernel_of, summary

BIG = (PARALLEL_MIN_ELEMENTS // 64, 64)


@pytest.fixture
def spinning(monkeypatch):
    """set(True): BLAS's threads count as spinning (as right after a product); set(False): long idle."""
    def set_to(value):
        monkeypatch.setattr(blas, "_last_product_end", [np.inf if value else -np.inf])
    return set_to


def test_large_elementwise_work_is_parallel_unless_blas_spins(spinning):
    x = np.random.default_rng(0).standard_normal(BIG)
    layer = layers.Sigmoid()
    spinning(False)
    assert kernel_of(lambda: layer.forward(x)) == PARALLEL
    spinning(True)
    assert kernel_of(lambda: layer.forward(x)) == SERIAL


def test_small_work_is_serial(spinning):
    spinning(False)
    x = np.ones((30, 10))
    assert kernel_of(lambda: layers.Sigmoid().forward(x)) == SERIAL
    assert kernel_of(lambda: layers.Softmax().forward(x)) == SERIAL


def test_optimizer_updates_are_seen_too(spinning):
    spinning(False)
    params, grads = [np.zeros(BIG)], [np.ones(BIG)]
    opt = optimizer.SGD()
    opt.update(params, grads)  # the second call takes the optimizer's remembered plan
    assert kernel_of(lambda: opt.update(params, grads)) == PARALLEL
    spinning(True)
    assert kernel_of(lambda: opt.update(params, grads)) == SERIAL


def test_watching_is_undone_and_changes_no_result(spinning):
    from fastnn.kernels import activation

    from fastnn import optimizer as optimizer_module

    spinning(False)
    kernel, pick = activation.sigmoid_forward_parallel, getattr(optimizer_module, "_pick", None)
    x = np.random.default_rng(1).standard_normal(BIG)
    expected = layers.Sigmoid().forward(x).copy()
    results = []
    assert kernel_of(lambda: results.append(layers.Sigmoid().forward(x))) == PARALLEL
    assert np.array_equal(results[0], expected)
    assert activation.sigmoid_forward_parallel is kernel  # the kernel is back
    assert getattr(optimizer_module, "_pick", None) is pick


def test_summary():
    assert summary(SERIAL, SERIAL) == "serial"
    assert summary(SERIAL, PARALLEL) == "serial, then parallel"
