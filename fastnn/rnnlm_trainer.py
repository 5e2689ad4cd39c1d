"""The book's RnnlmTrainer (common/trainer.py): truncated BPTT over one long corpus."""

import time

import numpy as np


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
        positions = (np.arange(batch_size)[:, None] * jump
                     + (self.time_idx + np.arange(time_size))[None, :]) % data_size
        self.time_idx += time_size
        return np.asarray(x)[positions].astype('i'), np.asarray(t)[positions].astype('i')

    def fit(self, xs, ts, max_epoch=10, batch_size=20, time_size=35,
            max_grad=None, eval_interval=20):
        data_size = len(xs)
        if len(ts) != data_size:
            raise ValueError(f"RnnlmTrainer.fit: xs has {data_size} words but ts has {len(ts)}; expected the same number")
        for name, value in (("batch_size", batch_size), ("time_size", time_size)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"RnnlmTrainer.fit: {name} is {value!r}; expected a positive integer")
        max_iters = data_size // (batch_size * time_size)
        self.time_idx = 0
        self.ppl_list = []
        self.eval_interval = eval_interval
        from .trainer import remove_duplicate  # here: fastnn.trainer re-exports this class
        from .util import clip_grads

        model, optimizer = self.model, self.optimizer
        total_loss = 0
        loss_count = 0

        start_time = time.time()
        for _epoch in range(max_epoch):
            for iters in range(max_iters):
                batch_x, batch_t = self.get_batch(xs, ts, batch_size, time_size)

                loss = model.forward(batch_x, batch_t)
                model.backward()
                params, grads = remove_duplicate(model.params, model.grads)  # tied weights updated once
                if max_grad is not None:
                    clip_grads(grads, max_grad)
                optimizer.update(params, grads)
                total_loss += loss
                loss_count += 1

                if (eval_interval is not None) and (iters % eval_interval) == 0:
                    ppl = np.exp(total_loss / loss_count)
                    elapsed_time = time.time() - start_time
                    print('| epoch %d |  iter %d / %d | time %d[s] | perplexity %.2f'
                          % (self.current_epoch + 1, iters + 1, max_iters, elapsed_time, ppl))
                    self.ppl_list.append(float(ppl))
                    total_loss, loss_count = 0, 0

            self.current_epoch += 1

    def plot(self, ylim=None, path=None):
        """Plot ppl_list; show it, or save it as an image when ``path`` is given."""
        from .trainer import plot_curve  # here, as remove_duplicate above

        plot_curve(self.ppl_list, 'perplexity', self.eval_interval, ylim, path)
