"""benchmarks/book_numpy.py, the timed baseline, against tests/reference.py, the test oracle.

Both make the same arithmetic, so they must agree bit for bit (the oracle only
adds np.errstate and in-place writes, which change no value).  And the
baseline must stay the book's: no np.errstate, Momentum rebinds its velocity.
"""

import inspect

import numpy as np
import pytest
import reference as ref  # noqa: E402,I001

from . import book_numpy as book
from . import cases  # noqa: F401  (puts tests/ on sys.path)

SHAPES = [(30, 10), (7, 3)]


def same(actual, expected):
    assert np.asarray(actual).dtype == np.asarray(expected).dtype
    assert np.array_equal(actual, expected), (actual, expected)


def data(dtype, shape=(30, 10), seed=0):
    rng = np.random.default_rng(seed)
    return (3 * rng.standard_normal(shape)).astype(dtype), rng.standard_normal(shape).astype(dtype)


def test_the_baseline_pays_for_nothing_the_book_does_not_do():
    code = "\n".join(line for line in inspect.getsource(book).splitlines()
                     if not line.lstrip().startswith(("#", '"')) and "``" not in line)
    assert "errstate" not in code
    assert "import reference" not in code
    assert code.count("[...] =") == 3  # only where the book writes into the grads a model collected


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_functions_and_activation_layers(dtype):
    x, dout = data(dtype)
    same(book.sigmoid(x), ref.sigmoid(x))
    same(book.softmax(x), ref.softmax(x))
    same(book.softmax(x[0]), ref.softmax(x[0]))
    y = book.softmax(x)
    t = np.arange(x.shape[0]) % x.shape[1]
    same(book.cross_entropy_error(y, t), ref.cross_entropy_error(y, t))
    same(book.cross_entropy_error(y, np.eye(x.shape[1], dtype=np.int32)[t]), ref.cross_entropy_error(y, t))

    sig = book.Sigmoid()
    same(sig.forward(x), ref.sigmoid(x))
    same(sig.backward(dout), ref.sigmoid_backward(dout, ref.sigmoid(x)))
    soft = book.Softmax()
    same(soft.forward(x), ref.softmax(x))
    same(soft.backward(dout), ref.softmax_backward(dout, ref.softmax(x)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("one_hot", [False, True])
def test_loss_layers(dtype, one_hot):
    x, _ = data(dtype)
    idx = np.arange(x.shape[0]) % x.shape[1]
    t = np.eye(x.shape[1], dtype=np.int32)[idx] if one_hot else idx
    layer = book.SoftmaxWithLoss()
    loss, y, t_idx = ref.softmax_with_loss_forward(x, t)
    same(layer.forward(x, t), loss)
    same(layer.y, y)
    same(layer.backward(2.0), ref.softmax_with_loss_backward(y, t_idx, 2.0))

    flat = x.reshape(-1)
    labels = np.arange(flat.size) % 2
    layer = book.SigmoidWithLoss()
    loss, y = ref.sigmoid_with_loss_forward(flat, labels)
    same(layer.forward(flat, labels), loss)
    same(layer.y, y)
    same(layer.backward(0.5), ref.sigmoid_with_loss_backward(y, labels, 0.5))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_product_layers_write_their_grads_in_place(dtype):
    x, _ = data(dtype, (30, 4))
    rng = np.random.default_rng(1)
    W, b, dout = (rng.standard_normal(s).astype(dtype) for s in ((4, 10), (10,), (30, 10)))
    affine, matmul = book.Affine(W, b), book.MatMul(W)
    grads = list(affine.grads)
    same(affine.forward(x), ref.affine_forward(x, W, b))
    same(matmul.forward(x), ref.matmul_forward(x, W))
    for got, expected in zip((affine.backward(dout), *affine.grads), ref.affine_backward(dout, x, W)):
        same(got, expected)
    assert all(g is h for g, h in zip(grads, affine.grads))
    for got, expected in zip((matmul.backward(dout), *matmul.grads), ref.matmul_backward(dout, x, W)):
        same(got, expected)


def test_repeat_and_sum_nodes():
    x, dy = data(np.float64, (1, 10))[0], data(np.float64, (30, 10))[1]
    same(book.repeat_forward(x, 30), ref.repeat_forward(x, 30, axis=0))
    same(book.repeat_backward(dy), ref.repeat_backward(dy, 30, axis=0))
    same(book.sum_forward(dy), ref.sum_forward(dy, axis=0))
    same(book.sum_backward(x, 30), ref.sum_backward(x, 30, axis=0))


OPTIMIZERS = [
    ("sgd", {"lr": 0.1}), ("momentum", {"lr": 0.1, "momentum": 0.9}), ("nesterov", {"lr": 0.1, "momentum": 0.8}),
    ("adagrad", {"lr": 0.1}), ("rmsprop", {"lr": 0.05, "decay_rate": 0.9}),
    ("adam", {"lr": 0.01, "beta1": 0.8, "beta2": 0.99}),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, hyper", OPTIMIZERS, ids=[n for n, _ in OPTIMIZERS])
def test_optimizers_over_steps(name, hyper, dtype):
    rng = np.random.default_rng(2)
    start = [rng.standard_normal(s).astype(dtype) for s in ((4, 3), (3,))]
    mine, theirs = [p.copy() for p in start], [p.copy() for p in start]
    opt = cases.BOOK_OPTIMIZERS[name][0](**hyper)
    state = [[np.zeros_like(p) for p in start] for _ in cases.BOOK_OPTIMIZERS[name][1]]
    for step in range(1, 5):
        grads = [rng.standard_normal(p.shape).astype(dtype) for p in start]
        opt.update(mine, grads)
        if name == "adam":
            ref.adam(theirs, grads, *state, step, **hyper)
        else:
            getattr(ref, name)(theirs, grads, *state, **hyper)
        for a, b in zip(mine, theirs):
            same(a, b)
        for a, b in zip(cases.book_state(name, opt), [s for st in state for s in st]):
            same(a, b)
    assert not np.array_equal(mine[0], start[0])


def test_momentum_rebinds_its_velocity_as_the_book_does():
    """The book's v[i] = momentum * v[i] - lr * g makes a new array each step
    (the oracle writes into the old one: one more pass over memory)."""
    opt = book.Momentum()
    params, grads = [np.ones(3)], [np.ones(3)]
    opt.update(params, grads)
    first = opt.v[0]
    opt.update(params, grads)
    assert opt.v[0] is not first


def test_two_layer_net_step_matches_the_oracles_layers():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((30, 2))
    t = np.eye(3, dtype=np.int32)[rng.integers(0, 3, 30)]
    init = [0.5 * rng.standard_normal((2, 10)), np.zeros(10), 0.5 * rng.standard_normal((10, 3)), np.zeros(3)]
    net = book.TwoLayerNet(*[p.copy() for p in init])
    W1, b1, W2, b2 = init
    h = ref.sigmoid(ref.affine_forward(x, W1, b1))
    loss, y, t_idx = ref.softmax_with_loss_forward(ref.affine_forward(h, W2, b2), t)
    same(net.forward(x, t), loss)
    dh, dW2, db2 = ref.affine_backward(ref.softmax_with_loss_backward(y, t_idx), h, W2)
    dx, dW1, db1 = ref.affine_backward(ref.sigmoid_backward(dh, h), x, W1)
    same(net.backward(), dx)
    for g, e in zip(net.grads, (dW1, db1, dW2, db2)):
        same(g, e)
    params, grads = book.remove_duplicate(net.params, net.grads)
    assert [id(p) for p in params] == [id(p) for p in net.params]  # nothing shared in this net
    book.SGD(lr=1.0).update(params, grads)
    for p, p0, e in zip(net.params, init, (dW1, db1, dW2, db2)):
        same(p, p0 - e)


def test_remove_duplicate_and_clip_grads():
    W, b = np.arange(6.0).reshape(3, 2), np.zeros(2)
    grads = [np.ones((3, 2)), np.ones(2), np.full((2, 3), 2.0)]
    params, merged = book.remove_duplicate([W, b, W.T], grads)
    assert len(params) == 2 and params[0] is W
    same(merged[0], np.full((3, 2), 3.0))
    book.clip_grads(merged, 1.0)
    norm = np.sqrt(sum(np.sum(g ** 2) for g in merged))
    assert norm == pytest.approx(1.0, rel=1e-5)
