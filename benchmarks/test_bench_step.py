"""One whole training step of the book's two-layer net: forward, backward, SGD update.

The net is Affine -> Sigmoid -> Affine -> SoftmaxWithLoss with one-hot int32
labels, as in the book's ch. 1, at three sizes (benchmarks/cases.py):

    tiny    batch 30,   2 -> 10 -> 3       (the spiral net)
    medium  batch 1000, 100 -> 100 -> 10
    large   batch 4096, 1024 -> 1024 -> 10

A step is what the book's train_custom_loop.py does per batch:
``loss = model.forward(x, t); model.backward(); optimizer.update(model.params,
model.grads)``, with SGD at the book's lr 1.0 on one fixed batch.  Members of
each ``"step|{dtype}|{shape}"`` group:

- ``numpy``: the book's ch01 TwoLayerNet and SGD as benchmarks/book_numpy.py
  writes them out (common/'s layers and optimizer, call for call);
- ``fastnn``: fastnn.models.TwoLayerNet and fastnn.optimizer.SGD;
- ``torch``: PyTorch CPU eager (nn.Linear, nn.Sigmoid, nn.CrossEntropyLoss,
  optim.SGD), only where torch is installed; skipped otherwise.  It is not a
  dependency of fastnn.

All members start from the same weights (0.01 * standard normal, zero biases)
and the first step of each is compared with numpy's (loss, gradients and
updated params) before the timed steps, which carry on training the same batch.
"""

import numpy as np
import pytest

from fastnn.models import TwoLayerNet
from fastnn.optimizer import SGD

from . import book_numpy as book
from .cases import DTYPES, RTOL, SIZE_NAMES, SIZES, assert_close, label

LR = 1.0


def net_shape(s):
    return f"{s.batch}x({s.d_in}-{s.hidden}-{s.d_out})"


def step_inputs(size, dtype):
    s = SIZES[size]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((s.batch, s.d_in)).astype(dtype)
    t = np.zeros((s.batch, s.d_out), np.int32)
    t[np.arange(s.batch), rng.integers(0, s.d_out, size=s.batch)] = 1
    init = [
        (0.01 * rng.standard_normal((s.d_in, s.hidden))).astype(dtype),
        np.zeros(s.hidden, dtype),
        (0.01 * rng.standard_normal((s.hidden, s.d_out))).astype(dtype),
        np.zeros(s.d_out, dtype),
    ]
    return x, t, init


def numpy_stepper(x, t, init):
    model = book.TwoLayerNet(*[p.copy() for p in init])
    optimizer = book.SGD(lr=LR)

    def step():
        loss = model.forward(x, t)
        model.backward()
        optimizer.update(model.params, model.grads)
        return loss, model.params, model.grads

    return step


def fastnn_stepper(x, t, init, dtype):
    state = np.random.get_state()  # the model draws its own weights from the global generator
    try:
        model = TwoLayerNet(init[0].shape[0], init[0].shape[1], init[2].shape[1], dtype=np.dtype(dtype))
    finally:
        np.random.set_state(state)
    for p, value in zip(model.params, init):
        p[...] = value
    optimizer = SGD(lr=LR)

    def step():
        loss = model.forward(x, t)
        model.backward()
        optimizer.update(model.params, model.grads)
        return loss, model.params, model.grads

    return step


def torch_stepper(torch, x, t, init):
    W1, b1, W2, b2 = init
    net = torch.nn.Sequential(
        torch.nn.Linear(W1.shape[0], W1.shape[1]),
        torch.nn.Sigmoid(),
        torch.nn.Linear(W2.shape[0], W2.shape[1]),
    ).to(torch.from_numpy(W1).dtype)
    with torch.no_grad():
        for layer, W, b in ((net[0], W1, b1), (net[2], W2, b2)):
            layer.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))
            layer.bias.copy_(torch.from_numpy(b))
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=LR)
    xt = torch.from_numpy(x)
    tt = torch.from_numpy(t.argmax(axis=1)).long()

    def step():
        optimizer.zero_grad()
        loss = loss_fn(net(xt), tt)
        loss.backward()
        optimizer.step()
        return loss

    def params():
        """W1, b1, W2, b2 laid out as the book's (W is (in, out))."""
        return [net[0].weight.detach().numpy().T, net[0].bias.detach().numpy(),
                net[2].weight.detach().numpy().T, net[2].bias.detach().numpy()]

    return step, params


NAMES = ("W1", "b1", "W2", "b2")


def assert_same_first_step(actual, expected, dtype):
    """fastnn's first step (loss, params, grads) against numpy's."""
    loss, params, grads = actual
    exp_loss, exp_params, exp_grads = expected
    assert_close(loss, exp_loss, dtype, "step loss")
    for p, e, name in zip(grads, exp_grads, NAMES):
        assert_close(p, e, dtype, f"step d{name}")
    for p, e, name in zip(params, exp_params, NAMES):
        assert_close(p, e, dtype, f"step {name} after the update")


@pytest.mark.parametrize("impl", ["numpy", "fastnn", "torch"])
@pytest.mark.parametrize("size", SIZE_NAMES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_step(benchmark, dtype, size, impl):
    torch = pytest.importorskip("torch") if impl == "torch" else None
    x, t, init = step_inputs(size, dtype)
    label(benchmark, "step", dtype, net_shape(SIZES[size]), size, impl)
    numpy_step = numpy_stepper(x, t, init)
    if impl == "numpy":
        numpy_step()  # one untimed step, as the other members get
        loss = benchmark(numpy_step)[0]
        assert np.isfinite(loss)
        return

    exp_loss, exp_params, exp_grads = numpy_step()
    if impl == "fastnn":
        step = fastnn_stepper(x, t, init, dtype)
        assert_same_first_step(step(), (exp_loss, exp_params, exp_grads), dtype)  # compiles; not timed
        loss = benchmark(step)[0]
    else:
        step, params = torch_stepper(torch, x, t, init)
        loss = step().item()
        # torch's cross entropy has no + 1e-7 inside the log, so the loss differs
        # from the book's by about 1e-7 / y; gradients and updates do not.
        assert abs(loss - float(exp_loss)) <= 1e-5 * abs(float(exp_loss))
        for p, e, name in zip(params(), exp_params, NAMES):
            np.testing.assert_allclose(
                p, e, rtol=RTOL[dtype], atol=10 * RTOL[dtype] * float(np.max(np.abs(e))), err_msg=f"torch {name}"
            )
        loss = benchmark(step).item()
    assert np.isfinite(loss)
