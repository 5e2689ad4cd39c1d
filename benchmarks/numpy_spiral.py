"""The book's ch01/train.py in plain numpy: ``python benchmarks/numpy_spiral.py``.

The start-up baseline for ``python -m fastnn.spiral --no-plots``: the same
training (spiral data of seed 1984, TwoLayerNet 2 -> 10 -> 3 with weights
0.01 * randn, SGD lr 1.0, 300 epochs of batches of 30, eval_interval 10, the
same draws from numpy's global generator in the same order), with the book's
layers, net and SGD as benchmarks/book_numpy.py writes them out (common/ call
for call) and no Numba anywhere.  The loop is the book's Trainer.fit
(common/trainer.py), which ch01/train.py calls, remove_duplicate at every step
included: a progress line and a loss_list entry at every iteration with
``iters % eval_interval == 0``.  Then
it prints ``accuracy 0.9700`` and the training throughput in the form
fastnn.spiral prints them.
"""

import os
import sys
import time

import numpy as np

if __package__:
    from . import book_numpy as book
else:  # run as a script: python benchmarks/numpy_spiral.py
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import book_numpy as book
from fastnn.dataset import spiral

MAX_EPOCH = 300
BATCH_SIZE = 30
HIDDEN_SIZE = 10
LEARNING_RATE = 1.0
EVAL_INTERVAL = 10


def make_model(input_size, hidden_size, output_size):
    """The book's TwoLayerNet initialisation: W1 then W2 from the global generator."""
    W1 = 0.01 * np.random.randn(input_size, hidden_size)
    b1 = np.zeros(hidden_size)
    W2 = 0.01 * np.random.randn(hidden_size, output_size)
    b2 = np.zeros(output_size)
    return book.TwoLayerNet(W1, b1, W2, b2)


def train(max_epoch=MAX_EPOCH, batch_size=BATCH_SIZE, hidden_size=HIDDEN_SIZE, lr=LEARNING_RATE,
          eval_interval=EVAL_INTERVAL, max_grad=None, verbose=True):
    """Run the book's loop; returns (model, loss_list, accuracy, steps, seconds)."""
    x, t = spiral.load_data(1984)
    model = make_model(2, hidden_size, 3)
    optimizer = book.SGD(lr=lr)

    data_size = len(x)
    max_iters = data_size // batch_size
    total_loss = 0
    loss_count = 0
    loss_list = []
    start = time.perf_counter()
    start_time = time.time()
    for epoch in range(max_epoch):
        idx = np.random.permutation(np.arange(data_size))
        x = x[idx]
        t = t[idx]
        for iters in range(max_iters):
            batch_x = x[iters * batch_size:(iters + 1) * batch_size]
            batch_t = t[iters * batch_size:(iters + 1) * batch_size]
            loss = model.forward(batch_x, batch_t)
            model.backward()
            params, grads = book.remove_duplicate(model.params, model.grads)
            if max_grad is not None:
                book.clip_grads(grads, max_grad)
            optimizer.update(params, grads)
            total_loss += loss
            loss_count += 1
            if (eval_interval is not None) and (iters % eval_interval) == 0:
                avg_loss = total_loss / loss_count
                if verbose:
                    elapsed_time = time.time() - start_time
                    print("| epoch %d |  iter %d / %d | time %d[s] | loss %.2f"
                          % (epoch + 1, iters + 1, max_iters, elapsed_time, avg_loss))
                loss_list.append(float(avg_loss))
                total_loss, loss_count = 0, 0
    seconds = time.perf_counter() - start
    accuracy = float(np.mean(np.argmax(model.predict(x), axis=1) == np.argmax(t, axis=1)))
    return model, loss_list, accuracy, max_epoch * max_iters, seconds


def main():
    _, _, accuracy, steps, seconds = train()
    print(f"accuracy {accuracy:.4f}")
    print(f"training: {steps} steps in {seconds:.3f} s, {steps / seconds:,.0f} steps/s, "
          f"{steps * BATCH_SIZE / seconds:,.0f} samples/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
