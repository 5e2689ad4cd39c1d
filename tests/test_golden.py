"""Golden reproduction of the book's ch01 run (tests/data/spiral_train_ch01.npz).

The record holds the book's own ch01/train.py run: the spiral data, the initial
weights, the 300 averaged losses and the trained weights.  fastnn must
reproduce it (a) through fastnn.trainer.Trainer exactly as train.py does,
(b) through a hand-written loop like the book's train_custom_loop.py, and
(c) its spiral.load_data() must give the very same arrays, bit for bit.
"""

from pathlib import Path

import numpy as np
import pytest
from fastnn.dataset import spiral

from fastnn.models import TwoLayerNet
from fastnn.optimizer import SGD
from fastnn.trainer import Trainer

GOLDEN_PATH = Path(__file__).parent / "data" / "spiral_train_ch01.npz"
PARAM_NAMES = ["W1", "b1", "W2", "b2"]


@pytest.fixture(scope="module")
def golden():
    with np.load(GOLDEN_PATH) as data:
        return {k: data[k] for k in data.files}


@pytest.fixture(autouse=True)
def _keep_global_rng():
    """These runs seed numpy's global generator, as the book does; restore it after."""
    state = np.random.get_state()
    yield
    np.random.set_state(state)


def _assert_params(params, golden, atol=1e-8):
    for p, name in zip(params, PARAM_NAMES):
        g = golden[name]
        assert p.shape == g.shape and p.dtype == g.dtype, name
        np.testing.assert_allclose(p, g, rtol=0, atol=atol, err_msg=name)


def test_golden_record_is_what_it_claims(golden):
    assert golden["loss_list"].shape == (300,)
    assert golden["x"].shape == (300, 2) and golden["t"].shape == (300, 3)
    assert float(golden["accuracy"]) == pytest.approx(0.97)
    # Training moved the weights well beyond the tolerances used below.
    for name in PARAM_NAMES:
        assert np.max(np.abs(golden[name] - golden[name + "_init"])) > 0.1


@pytest.mark.long_as_python
def test_trainer_reproduces_train_py(golden, capsys):
    x, t = spiral.load_data()
    model = TwoLayerNet(input_size=2, hidden_size=10, output_size=3)
    optimizer = SGD(lr=1.0)
    initial = [p.copy() for p in model.params]
    for p, name in zip(initial, PARAM_NAMES):
        assert np.array_equal(p, golden[name + "_init"]), name

    trainer = Trainer(model, optimizer)
    trainer.fit(x, t, 300, 30, eval_interval=10)

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 300
    assert len(trainer.loss_list) == 300
    np.testing.assert_allclose(trainer.loss_list, golden["loss_list"], rtol=0, atol=1e-9)
    _assert_params(model.params, golden)
    assert all(p is q for p, q in zip(model.params, model.layers[0].params + model.layers[2].params))

    predicted = np.argmax(model.predict(x), axis=1)
    accuracy = np.mean(predicted == np.argmax(t, axis=1))
    assert accuracy == pytest.approx(float(golden["accuracy"]))


@pytest.mark.long_as_python
def test_custom_loop_reproduces_train_custom_loop_py(golden):
    max_epoch, batch_size, hidden_size, learning_rate = 300, 30, 10, 1.0
    x, t = spiral.load_data()
    model = TwoLayerNet(input_size=2, hidden_size=hidden_size, output_size=3)
    optimizer = SGD(lr=learning_rate)

    data_size = len(x)
    max_iters = data_size // batch_size
    total_loss, loss_count, loss_list = 0, 0, []
    every_loss = []
    for _epoch in range(max_epoch):
        idx = np.random.permutation(data_size)
        x = x[idx]  # shuffles compound: each epoch permutes the previous order
        t = t[idx]
        for iters in range(max_iters):
            batch_x = x[iters * batch_size:(iters + 1) * batch_size]
            batch_t = t[iters * batch_size:(iters + 1) * batch_size]
            loss = model.forward(batch_x, batch_t)
            model.backward()
            optimizer.update(model.params, model.grads)
            every_loss.append(loss)
            total_loss += loss
            loss_count += 1
            if (iters + 1) % 10 == 0:
                loss_list.append(total_loss / loss_count)
                total_loss, loss_count = 0, 0

    _assert_params(model.params, golden)
    assert len(loss_list) == max_epoch
    np.testing.assert_allclose(loss_list, np.reshape(every_loss, (300, 10)).mean(axis=1), rtol=1e-12)
    # train_custom_loop.py averages each epoch's 10 iterations; train.py's Trainer
    # prints at iteration 0, averaging the 10 iterations up to it.  The same
    # losses regrouped the Trainer's way give the golden list.
    every_loss = np.asarray(every_loss)
    trainer_style = np.r_[every_loss[0], every_loss[1:-9].reshape(299, 10).mean(axis=1)]
    np.testing.assert_allclose(trainer_style, golden["loss_list"], rtol=0, atol=1e-9)


def test_load_data_is_bit_identical(golden):
    x, t = spiral.load_data()
    for got, name in ((x, "x"), (t, "t")):
        want = golden[name]
        assert got.dtype == want.dtype and got.shape == want.shape, name
        assert got.tobytes() == want.tobytes(), name
    x2, t2 = spiral.load_data(seed=1984)
    assert x2.tobytes() == x.tobytes() and t2.tobytes() == t.tobytes()
    x3, _ = spiral.load_data(seed=1985)
    assert x3.tobytes() != x.tobytes()
