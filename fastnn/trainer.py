"""The book's Trainer and RnnlmTrainer (common/trainer.py): training with progress lines."""

import operator
import sys
import time

import numpy
import numpy as np

from .np import GPU

# What the book's star import of common/trainer.py gives (it has no __all__), less
# plt: matplotlib is optional here, imported only when a plot is drawn.
__all__ = ["GPU", "RnnlmTrainer", "Trainer", "clip_grads", "np", "numpy", "remove_duplicate", "sys", "time"]


class Trainer:
    """Trains ``model`` (forward(x, t) -> loss, backward(), params, grads) with ``optimizer``.

    fit() shuffles the data once per epoch with ``numpy.random.permutation`` (each
    shuffle applied to the previous epoch's order, as the book does), and every
    ``eval_interval`` iterations prints ``| epoch 1 |  iter 1 / 10 | time 0[s] |
    loss 1.10`` and appends the average loss since the last print to ``loss_list``.
    """

    def __init__(self, model, optimizer):
        self.model = model
        self.optimizer = optimizer
        self.loss_list = []
        self.eval_interval = None
        self.current_epoch = 0

    def fit(self, x, t, max_epoch=10, batch_size=32, max_grad=None, eval_interval=20):
        data_size = len(x)
        if len(t) != data_size:
            raise ValueError(f"Trainer.fit: x has {data_size} samples but t has {len(t)}; expected the same number")
        try:
            batch_size = operator.index(batch_size)
        except TypeError:
            raise TypeError(f"Trainer.fit: batch_size is {batch_size!r}; expected a positive integer") from None
        if batch_size < 1:
            raise ValueError(f"Trainer.fit: batch_size is {batch_size}; expected a positive integer")
        max_iters = data_size // batch_size
        self.eval_interval = eval_interval
        model, optimizer = self.model, self.optimizer
        total_loss = 0
        loss_count = 0

        start_time = time.time()
        for _epoch in range(max_epoch):
            idx = numpy.random.permutation(numpy.arange(data_size))
            x = x[idx]
            t = t[idx]

            for iters in range(max_iters):
                batch_x = x[iters * batch_size:(iters + 1) * batch_size]
                batch_t = t[iters * batch_size:(iters + 1) * batch_size]

                total_loss += _step(model, optimizer, batch_x, batch_t, max_grad)
                loss_count += 1

                if (eval_interval is not None) and (iters % eval_interval) == 0:
                    avg_loss = total_loss / loss_count
                    elapsed_time = time.time() - start_time
                    print(f'| epoch {self.current_epoch + 1} |  iter {iters + 1} / {max_iters} '
                          f'| time {int(elapsed_time)}[s] | loss {avg_loss:.2f}')
                    self.loss_list.append(float(avg_loss))
                    total_loss, loss_count = 0, 0

            self.current_epoch += 1

    def plot(self, ylim=None, path=None):
        """Plot loss_list: show it (the book's behaviour), or save it as an image at ``path``."""
        plot_curve(self.loss_list, 'loss', self.eval_interval, ylim, path)


class RnnlmTrainer:
    """Trains a language model (forward(xs, ts) -> loss, backward(), params, grads).

    fit() reads the corpus as batch_size streams, one starting every
    len(xs) // batch_size words, time_size words per step, carrying on across
    steps and epochs (``time_idx``), as the book does; every ``eval_interval``
    iterations it prints ``| epoch 1 |  iter 1 / 1327 | time 0[s] | perplexity
    10000.52`` and appends that perplexity to ``ppl_list``.
    """

    def __init__(self, model, optimizer):
        self.model = model
        self.optimizer = optimizer
        self.time_idx = None
        self.ppl_list = None
        self.eval_interval = None
        self.current_epoch = 0

    def get_batch(self, x, t, batch_size, time_size):
        """The next (batch_size, time_size) int32 inputs and targets; advances time_idx."""
        data_size = len(x)
        jump = data_size // batch_size
        positions = (numpy.arange(batch_size)[:, None] * jump
                     + (self.time_idx + numpy.arange(time_size))[None, :]) % data_size
        self.time_idx += time_size
        return numpy.asarray(x)[positions].astype('i'), numpy.asarray(t)[positions].astype('i')

    def fit(self, xs, ts, max_epoch=10, batch_size=20, time_size=35,
            max_grad=None, eval_interval=20):
        data_size = len(xs)
        if len(ts) != data_size:
            raise ValueError(f"RnnlmTrainer.fit: xs has {data_size} words but ts has {len(ts)}; expected the same number")
        for name, value in (("batch_size", batch_size), ("time_size", time_size)):
            if not isinstance(value, (int, numpy.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"RnnlmTrainer.fit: {name} is {value!r}; expected a positive integer")
        max_iters = data_size // (batch_size * time_size)
        self.time_idx = 0
        self.ppl_list = []
        self.eval_interval = eval_interval
        model, optimizer = self.model, self.optimizer
        total_loss = 0
        loss_count = 0

        start_time = time.time()
        for _epoch in range(max_epoch):
            for iters in range(max_iters):
                batch_x, batch_t = self.get_batch(xs, ts, batch_size, time_size)

                total_loss += _step(model, optimizer, batch_x, batch_t, max_grad)
                loss_count += 1

                if (eval_interval is not None) and (iters % eval_interval) == 0:
                    ppl = numpy.exp(total_loss / loss_count)
                    elapsed_time = time.time() - start_time
                    print('| epoch %d |  iter %d / %d | time %d[s] | perplexity %.2f'
                          % (self.current_epoch + 1, iters + 1, max_iters, elapsed_time, ppl))
                    self.ppl_list.append(float(ppl))
                    total_loss, loss_count = 0, 0

            self.current_epoch += 1

    def plot(self, ylim=None, path=None):
        """Plot ppl_list; show it, or save it as an image when ``path`` is given."""
        plot_curve(self.ppl_list, 'perplexity', self.eval_interval, ylim, path)


def _step(model, optimizer, x, t, max_grad):
    """One training step of either trainer: the loss of forward, then backward and one update.

    Shared weights get one update (remove_duplicate); with max_grad the grads are
    first clipped to that joint norm.
    """
    loss = model.forward(x, t)
    model.backward()
    params, grads = remove_duplicate(model.params, model.grads)
    if max_grad is not None:
        # Imported here: fastnn.util also holds the word-statistics helpers and their
        # kernels, which would slow every script's start-up.
        from .util import clip_grads

        clip_grads(grads, max_grad)
    optimizer.update(params, grads)
    return loss


def plot_curve(values, ylabel, eval_interval, ylim=None, path=None):
    """The trainers' curve of ``values`` per eval_interval iterations: shown, or saved at ``path``."""
    if path is None:
        import matplotlib.pyplot as plt

        fig = plt.figure()
    else:
        # Saving needs no pyplot: no GUI backend is loaded and no window state kept.
        from matplotlib.figure import Figure

        fig = Figure()
    ax = fig.subplots()
    ax.plot(numpy.arange(len(values)), values, label='train')
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel('iterations (x' + str(eval_interval) + ')')
    ax.set_ylabel(ylabel)
    if path is None:
        plt.show()
    else:
        fig.savefig(path, dpi=100, bbox_inches='tight')


def remove_duplicate(params, grads):
    """Merge shared weights: one entry per distinct array, with their grads summed.

    Two params are shared when they are the same array, or (weight tying) when
    one is the other's transpose in shape and values; the second one's grad (or
    its transpose) is added into the first's, in place, and the pair dropped.
    Returns new lists; the model's own lists are left as they were.
    """
    params, grads = params[:], grads[:]
    i = 0
    while i < len(params):
        j = i + 1
        while j < len(params):
            a, b = params[i], params[j]
            if a is b:
                grads[i] += grads[j]
            elif _transposed_equal(a, b):
                grads[i] += grads[j].T
            else:
                j += 1
                continue
            del params[j], grads[j]
        i += 1
    return params, grads


def _transposed_equal(a, b):
    """The book's test ``numpy.all(a.T == b)`` for 2-D a and b, with the same answer in less time.

    The book compares every pair at every step (5 ms of a 78 ms Rnnlm step,
    whose embedding and output weights are not tied): a first pair that differs
    already answers False.  A b that is a's transposed view (weight tying)
    compares each element with itself: equal unless it is NaN.
    """
    if a.ndim != 2 or b.ndim != 2 or a.T.shape != b.shape:
        return False
    if a.size == 0:
        return True
    if a[0, 0] != b[0, 0]:
        return False
    if (a.dtype.kind == "f" and b.dtype == a.dtype and b.ctypes.data == a.ctypes.data
            and b.strides == a.strides[::-1]):
        return not numpy.isnan(a).any()
    return bool(numpy.all(b == a.T))


def __getattr__(name):
    """``from fastnn.trainer import clip_grads`` works as in the book's common/trainer.py,
    without loading fastnn.util into every script that trains a plain net."""
    if name == "clip_grads":
        from .util import clip_grads

        return clip_grads
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
