"""Outputs are reused only when nobody else holds them (fastnn/_core/buffers.py).

A caller that keeps an output, a view of it, or only a weak reference to it,
must never see it change; an output nobody kept is written again in place,
which saves the page faults of a fresh large array and the cost of making a
small one.  Reuse happens
only on the CPython versions this project has tested (and whose reference
counts a self-test at import confirmed); elsewhere every output is a new
array, with the same values.
"""

import subprocess
import sys
import sysconfig
import weakref

import numpy as np
import pytest

from fastnn._core import buffers as _buffers
from fastnn._core.buffers import TESTED_VERSIONS, reuse_is_safe
from fastnn.layers import Affine, MatMul, Repeat, Sigmoid, Softmax, SoftmaxWithLoss, Sum
from fastnn.models import TwoLayerNet
from fastnn.optimizer import SGD
from fastnn.time_layers import TimeSoftmaxWithLoss

ROWS, COLS = 64, 64  # reuse does not depend on size


def _calls(rng):
    """(name, make a fresh layer, call it once with new random inputs) for every reusing site."""
    def x():
        return rng.standard_normal((ROWS, COLS))
    W = rng.standard_normal((COLS, COLS)) / COLS
    b = np.zeros(COLS)

    def backward(layer):
        layer.forward(x())
        return layer.backward(x())

    def loss_backward(layer):
        layer.forward(x(), rng.integers(0, COLS, ROWS))
        return layer.backward()

    def loss_forward(layer):  # its y, written into the y before last
        layer.forward(x(), rng.integers(0, COLS, ROWS))
        return layer.y

    def time_loss_backward(layer):
        layer.forward(x().reshape(ROWS // 8, 8, COLS), rng.integers(0, COLS, (ROWS // 8, 8)))
        return layer.backward()

    return [
        ("Affine.forward", lambda: Affine(W, b), lambda layer: layer.forward(x())),
        ("Affine.backward", lambda: Affine(W, b), backward),
        ("MatMul.forward", lambda: MatMul(W), lambda layer: layer.forward(x())),
        ("MatMul.backward", lambda: MatMul(W), backward),
        ("Sigmoid.forward", Sigmoid, lambda layer: layer.forward(x())),
        ("Sigmoid.backward", Sigmoid, backward),
        ("Softmax.forward", Softmax, lambda layer: layer.forward(x())),
        ("Softmax.backward", Softmax, backward),
        ("SoftmaxWithLoss.forward", SoftmaxWithLoss, loss_forward),
        ("SoftmaxWithLoss.backward", SoftmaxWithLoss, loss_backward),
        ("TimeSoftmaxWithLoss.backward", TimeSoftmaxWithLoss, time_loss_backward),
        ("Repeat.forward", lambda: Repeat(ROWS), lambda layer: layer.forward(rng.standard_normal((1, COLS)))),
        ("Sum.backward", Sum, lambda layer: (layer.forward(x()), layer.backward(rng.standard_normal((1, COLS))))[1]),
    ]


NAMES = [name for name, _, _ in _calls(np.random.default_rng(0))]


def _case(name, seed=0):
    return next((make, call) for n, make, call in _calls(np.random.default_rng(seed)) if n == name)


@pytest.mark.parametrize("name", NAMES)
def test_a_kept_output_never_changes(name):
    make, call = _case(name)
    layer = make()
    first = call(layer)
    saved = first.copy()
    second = call(layer)
    assert second is not first and not np.shares_memory(first, second)
    assert np.array_equal(first, saved)


@pytest.mark.parametrize("name", NAMES)
def test_a_kept_view_blocks_reuse(name):
    make, call = _case(name)
    layer = make()
    view = call(layer)[:2]
    saved = view.copy()
    call(layer)
    assert np.array_equal(view, saved)


@pytest.fixture
def fresh_outputs(monkeypatch):
    """The shapes of the new arrays output() makes while the test runs
    (a reused output makes none)."""
    made = []

    def new(shape, dtype):
        a = np.empty(shape, dtype)
        made.append(a.shape)
        return a
    monkeypatch.setattr(_buffers, "_new", new)
    return made


@pytest.mark.parametrize("name", NAMES)
def test_an_output_nobody_kept_is_reused(name, fresh_outputs):
    make, call = _case(name)
    layer = make()
    for _ in range(3):  # every call site now holds an output that nobody kept
        call(layer)
    fresh_outputs.clear()
    call(layer)
    if _buffers.REUSE:
        assert fresh_outputs == []
    else:  # an untested interpreter: always new arrays
        assert fresh_outputs


@pytest.mark.parametrize("name", NAMES)
def test_an_output_held_by_a_weak_reference_is_never_rewritten(name):
    make, call = _case(name)
    layer = make()
    call(layer)
    out = call(layer)
    saved = out.copy()
    weak = weakref.ref(out)
    del out  # the layer's attribute and the weak reference are all that is left
    again = call(layer)
    kept = weak()
    assert kept is not again and (kept is None or not np.shares_memory(kept, again))
    if kept is not None:
        assert np.array_equal(kept, saved)


@pytest.mark.parametrize("name", NAMES)
def test_an_untested_interpreter_gets_new_outputs_with_the_same_values(name, monkeypatch, fresh_outputs):
    """Reuse off (as on Python 3.14, a free-threaded build or PyPy): the same values, every output new."""
    make, call = _case(name, seed=3)
    layer = make()
    expected = [call(layer).copy() for _ in range(4)]

    monkeypatch.setattr(_buffers, "REUSE", False)
    make, call = _case(name, seed=3)
    layer = make()
    fresh_outputs.clear()
    results = []
    for step in range(4):
        before = len(fresh_outputs)
        results.append(call(layer).copy())
        assert len(fresh_outputs) > before, f"call {step} reused an output"
    for got, want in zip(results, expected):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("reuse", [True, False])
def test_a_spiral_training_step_makes_one_new_output(reuse, monkeypatch, fresh_outputs):
    """Of the spiral net's eight small outputs a step, only Sigmoid's is new: the
    second Affine keeps it as its x until the next forward.  Without reuse, all eight."""
    if reuse and not _buffers.REUSE:
        pytest.skip("this interpreter is not one reuse was tested on (see _buffers.TESTED_VERSIONS)")
    monkeypatch.setattr(_buffers, "REUSE", reuse)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((30, 2))
    t = rng.integers(0, 3, 30)
    model, optimizer = TwoLayerNet(2, 10, 3), SGD(lr=1.0)
    for _ in range(3):
        model.forward(x, t)
        model.backward()
        optimizer.update(model.params, model.grads)
    fresh_outputs.clear()
    model.forward(x, t)
    model.backward()
    optimizer.update(model.params, model.grads)
    every_output = [(30, 10), (30, 10), (30, 3), (30, 3), (30, 3), (30, 10), (30, 10), (30, 2)]
    assert fresh_outputs == ([(30, 10)] if reuse else every_output)


# The layers' public attributes that hold an output output() may reuse.
REPLACEABLE = [("Sigmoid", Sigmoid, "out", "forward"), ("Softmax", Softmax, "out", "forward"),
               ("SoftmaxWithLoss", SoftmaxWithLoss, "y", "forward")]


def _run_a_few(layer, method, rng):
    for _ in range(3):
        x = rng.standard_normal((ROWS, COLS))
        if isinstance(layer, SoftmaxWithLoss):
            layer.forward(x, rng.integers(0, COLS, ROWS))
            continue
        getattr(layer, method)(x)
        layer.backward(rng.standard_normal((ROWS, COLS)))


@pytest.mark.parametrize("name, make, attribute, method", REPLACEABLE, ids=[r[0] for r in REPLACEABLE])
def test_an_attribute_replaced_by_a_view_is_never_written_through(name, make, attribute, method):
    """A view held by the layer alone may still view an array the caller holds."""
    rng = np.random.default_rng(5)
    layer = make()
    _run_a_few(layer, method, rng)
    big = rng.standard_normal((2 * ROWS, COLS))
    saved = big.copy()
    setattr(layer, attribute, big[:ROWS])  # the layer's only reference to this view
    _run_a_few(layer, method, rng)
    np.testing.assert_array_equal(big, saved)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix
@pytest.mark.parametrize("replacement", ["list", "matrix", "masked"])
@pytest.mark.parametrize("name, make, attribute, method", REPLACEABLE, ids=[r[0] for r in REPLACEABLE])
def test_an_attribute_replaced_by_something_else_is_simply_replaced(name, make, attribute, method, replacement):
    """As in the book, forward makes its own output whatever the attribute held."""
    rng = np.random.default_rng(6)
    layer = make()
    _run_a_few(layer, method, rng)
    values = rng.standard_normal((ROWS, COLS))
    setattr(layer, attribute, {"list": values.tolist(), "matrix": np.matrix(values),
                               "masked": np.ma.masked_array(values.copy())}[replacement])
    x = rng.standard_normal((ROWS, COLS))
    result = layer.forward(x, rng.integers(0, COLS, ROWS)) if name == "SoftmaxWithLoss" else layer.forward(x)
    kept = getattr(layer, attribute)
    assert type(kept) is np.ndarray and kept.shape == (ROWS, COLS)
    if name != "SoftmaxWithLoss":
        assert result is kept


def test_a_tracer_at_import_does_not_change_the_count_learnt():
    """A trace function that reads frames' locals holds a reference to each; the
    self-test measures without it, so reuse later never takes a held array."""
    code = ("import sys\n"
            "def reader(frame, event, arg):\n"
            "    frame.f_locals\n"
            "    return reader\n"
            "sys.settrace(reader); sys.setprofile(reader)\n"
            "import fastnn._core.buffers as b\n"
            "sys.settrace(None); sys.setprofile(None)\n"
            "print(b._ONE_HOLDER, b._COUNTS_AS_EXPECTED)")
    traced = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert traced.stdout.split() == [str(_buffers._ONE_HOLDER), str(_buffers._COUNTS_AS_EXPECTED)]


def test_cprofile_at_import_keeps_profiling_and_the_count(tmp_path):
    """Under `python -m cProfile` (a C-level profiler before Python 3.12) the self-test
    leaves the profiler on: putting back what sys.getprofile() gives for it made the
    next call fail with "'Profile' object is not callable"."""
    script = tmp_path / "probe.py"
    script.write_text("import fastnn._core.buffers as b\n"
                      "def called_after():\n"
                      "    return b._ONE_HOLDER, b._COUNTS_AS_EXPECTED\n"
                      "print(*called_after())\n")
    profiled = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(tmp_path / "out.prof"), str(script)],
                              capture_output=True, text=True, timeout=120)
    assert profiled.returncode == 0, profiled.stderr
    assert profiled.stdout.split() == [str(_buffers._ONE_HOLDER), str(_buffers._COUNTS_AS_EXPECTED)]


def test_reuse_only_on_tested_cpython_with_the_gil():
    for version in TESTED_VERSIONS:
        assert reuse_is_safe("cpython", version + (0, "final", 0), False, True)
    refused = [
        ("cpython", (3, 14, 0), False, True),  # not tested: stack references counted differently
        ("cpython", (3, 9, 18), False, True),
        ("cpython", (3, 13, 1), True, True),  # free-threaded build
        ("cpython", (3, 12, 4), False, False),  # the self-test at import failed
        ("pypy", (3, 11, 0), False, True),
        ("graalpy", (3, 11, 0), False, True),
    ]
    for args in refused:
        assert not reuse_is_safe(*args), args


def test_this_interpreter_reuses_only_if_it_is_a_tested_one():
    free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    tested = (sys.implementation.name == "cpython" and sys.version_info[:2] in TESTED_VERSIONS
              and not free_threaded)
    assert tested == _buffers.REUSE
    if tested:
        assert _buffers._COUNTS_AS_EXPECTED


def test_an_untested_version_turns_reuse_off_at_import():
    """The decision is made at import, from the running interpreter's version."""
    code = ("import sys, numpy; real = sys.version_info; sys.version_info = (3, 14, 0, 'final', 0)\n"
            "import fastnn._core.buffers as b; sys.version_info = real; print(b.REUSE, b._COUNTS_AS_EXPECTED)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == ["False", str(_buffers._COUNTS_AS_EXPECTED)]


def test_reused_output_holds_the_new_result():
    layer = Sigmoid()
    rng = np.random.default_rng(1)
    layer.forward(rng.standard_normal((ROWS, COLS)))
    x = rng.standard_normal((ROWS, COLS))
    np.testing.assert_allclose(layer.forward(x), 1 / (1 + np.exp(-x)), rtol=1e-14)
    np.testing.assert_allclose(layer.backward(np.ones_like(x)), layer.out * (1 - layer.out), rtol=1e-14)


def test_softmax_with_loss_reuses_the_y_before_last_and_keeps_state_on_a_bad_label(fresh_outputs):
    rng = np.random.default_rng(2)
    layer = SoftmaxWithLoss()
    t = rng.integers(0, COLS, ROWS)
    layer.forward(rng.standard_normal((ROWS, COLS)), t)
    layer.forward(rng.standard_normal((ROWS, COLS)), t)
    fresh_outputs.clear()
    layer.forward(rng.standard_normal((ROWS, COLS)), t)
    assert fresh_outputs == ([] if _buffers.REUSE else [(ROWS, COLS)])  # the third call wrote into the first call's y

    kept = layer.y
    saved = kept.copy()
    layer.forward(rng.standard_normal((ROWS, COLS)), t)
    layer.forward(rng.standard_normal((ROWS, COLS)), t)
    assert np.array_equal(kept, saved)

    y_before = layer.y.copy()
    bad = t.copy()
    bad[-1] = COLS
    with pytest.raises(IndexError, match="out of range"):
        layer.forward(rng.standard_normal((ROWS, COLS)), bad)
    assert np.array_equal(layer.y, y_before)
