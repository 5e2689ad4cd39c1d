"""Train the book's chapter 6 language model: ``python -m fastnn.rnnlm``.

With the defaults this is the book's ch06/train_rnnlm.py (Rnnlm on PTB: batch
20, 35 steps, hidden 100, SGD lr 20, gradients clipped at 0.25, 4 epochs);
``--model better`` is ch06/train_better_rnnlm.py (BetterRnnlm, hidden 650,
dropout 0.5, 40 epochs, validation perplexity after each epoch, lr / 4 when it
does not improve).  ``--corpus FILE`` trains on any text file instead (words
split on whitespace, a line end read as <eos>, as the book reads PTB; the last
tenth is the test set, and for --model better the tenth before it the
validation set).  Prints the book's progress lines, the throughput and the test
perplexity; saves the perplexity curve (PNG) and the params (the book's .pkl
format) in --out; ``--generate WORD`` then samples text from that word, as
chapter 7's generate_text.py does.  Ctrl-C stops after the current step and
still evaluates and saves what was learned (a second Ctrl-C quits at once).
"""

import argparse
import os
import signal
import sys
import time

import numpy as np

from ._cli import options as opt
from ._cli.out_folder import check_out_or_exit
from ._cli.shutdown import freeze_what_is_loaded
from .models import BetterRnnlm, Rnnlm
from .optimizer import SGD
from .trainer import RnnlmTrainer
from .util import eval_perplexity

PROG = "python -m fastnn.rnnlm"
SKIP_WORDS = ("N", "<unk>", "$")  # never sampled, as in the book's generate_text.py
DEFAULTS = {  # the book's hyperparameters per model
    "rnnlm": {"hidden": 100, "wordvec": 100, "epochs": 4, "dropout": 0.0},
    "better": {"hidden": 650, "wordvec": 650, "epochs": 40, "dropout": 0.5},
}


def build_parser():
    p = argparse.ArgumentParser(prog=PROG, description="Train the book's chapter 6 language model "
                                "(Rnnlm, or BetterRnnlm with --model better) with fastnn.")
    p.add_argument("--model", choices=["rnnlm", "better"], default="rnnlm", help="Rnnlm or BetterRnnlm (default rnnlm)")
    p.add_argument("--corpus", metavar="FILE", help="a text file to train on instead of PTB")
    p.add_argument("--data-dir", metavar="FOLDER", help="where the PTB files are (else fastnn.dataset.ptb looks)")
    p.add_argument("--epochs", type=opt.positive_int, help="epochs (default 4, or 40 for better)")
    p.add_argument("--batch-size", type=opt.positive_int, default=20, help="sequences per step (default 20)")
    p.add_argument("--time-size", type=opt.positive_int, default=35, help="steps of truncated BPTT (default 35)")
    p.add_argument("--hidden", type=opt.positive_int, help="hidden size (default 100, or 650 for better)")
    p.add_argument("--wordvec", type=opt.positive_int, help="word vector size (default 100, or 650 for better)")
    p.add_argument("--dropout", type=opt.ratio, help="dropout ratio of --model better, 0 to below 1 (default 0.5)")
    p.add_argument("--lr", type=opt.positive_float, default=20.0, help="SGD learning rate (default 20.0)")
    p.add_argument("--max-grad", type=opt.positive_float, default=0.25, help="gradient clipping norm (default 0.25)")
    p.add_argument("--eval-interval", type=opt.positive_int, default=20,
                   help="steps between progress lines (default 20)")
    p.add_argument("--seed", type=opt.seed, help="numpy seed of the weights and dropout (default: not seeded)")
    p.add_argument("--out", default="fastnn-rnnlm-out", metavar="FOLDER",
                   help="where the PNG and params go (default fastnn-rnnlm-out)")
    p.add_argument("--no-plots", action="store_true", help="do not save the perplexity curve")
    p.add_argument("--generate", metavar="WORD", help="after training, sample text starting with WORD")
    p.add_argument("--length", type=opt.positive_int, default=100, help="words to generate (default 100)")
    return p


def parse_args(argv):
    """The options, the model's own defaults filled in; a value out of its range is
    argparse's error (exit status 2)."""
    args = build_parser().parse_args(argv)
    for key, value in DEFAULTS[args.model].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def read_text(path):
    """Word ids of a text file read as the book reads PTB, with the vocabulary."""
    with open(path, encoding="utf-8") as f:
        words = f.read().replace("\n", " <eos> ").split()
    word_to_id = {}
    for w in words:
        word_to_id.setdefault(w, len(word_to_id))
    return np.array([word_to_id[w] for w in words], dtype=np.int64), word_to_id


def load(args):
    """(train, valid or None, test, word_to_id)."""
    if args.corpus:
        try:
            corpus, word_to_id = read_text(args.corpus)
        except OSError as error:
            raise SystemExit(f"{PROG}: cannot read --corpus {args.corpus}: {error.strerror or error}") from None
        tenth = len(corpus) // 10
        need = 10 * (args.batch_size * args.time_size + 2)
        if len(corpus) < need:
            raise SystemExit(f"{PROG}: {args.corpus} has {len(corpus)} words; expected at least {need} "
                             "for this --batch-size and --time-size")
        if args.model == "better":
            return corpus[:-2 * tenth], corpus[-2 * tenth:-tenth], corpus[-tenth:], word_to_id
        return corpus[:-tenth], None, corpus[-tenth:], word_to_id
    from .dataset import ptb  # only when PTB is used

    try:
        corpus, word_to_id, _ = ptb.load_data("train", args.data_dir)
        valid = ptb.load_data("val", args.data_dir)[0] if args.model == "better" else None
        return corpus, valid, ptb.load_data("test", args.data_dir)[0], word_to_id
    except ptb.PTBNotFoundError as error:  # no files and no network: one line, as word2vec says it
        raise SystemExit(f"{PROG}: {error}") from None


def _make_model(args, vocab):
    if args.model == "better":
        return BetterRnnlm(vocab, args.wordvec, args.hidden, args.dropout)
    return Rnnlm(vocab, args.wordvec, args.hidden)


def warm_up(args, vocab, corpus):
    """Compile (first run) or load from Numba's cache the kernels of a training step:
    the trainers' step on a throwaway model of the run's class and sizes, on the
    first batch RnnlmTrainer would take.  Returns (seconds, how), as
    _cli.kernel_cache.warm, so that the timed training compiles nothing."""
    from ._cli.kernel_cache import FIRST_RUN_SECONDS, warm
    from .trainer import _step

    reader = RnnlmTrainer(None, None)
    reader.time_idx = 0
    xs, ts = reader.get_batch(corpus[:-1], corpus[1:], args.batch_size, args.time_size)
    return warm(lambda: _step(_make_model(args, vocab), SGD(args.lr), xs, ts, args.max_grad),
                FIRST_RUN_SECONDS["rnnlm"])


class _Stop(Exception):
    pass


class _Stoppable:
    """The model as the trainer sees it: a forward that stops training, between two
    steps, once Ctrl-C was pressed (so no step is left half applied)."""

    def __init__(self, model):
        self.model, self.stop, self.steps = model, False, 0
        self.params, self.grads, self.backward = model.params, model.grads, model.backward

    def forward(self, xs, ts):
        if self.stop:
            raise _Stop
        self.steps += 1
        return self.model.forward(xs, ts)


def train(args, model, corpus, valid, trainer):
    """The book's training loop; returns (ppl_list of all epochs, seconds)."""
    xs, ts = corpus[:-1], corpus[1:]
    start = time.perf_counter()
    best, lr, ppl_list = float("inf"), args.lr, []
    fit = dict(batch_size=args.batch_size, time_size=args.time_size, max_grad=args.max_grad,
               eval_interval=args.eval_interval)
    try:
        if valid is None:
            trainer.fit(xs, ts, max_epoch=args.epochs, **fit)
        else:
            for _ in range(args.epochs):
                trainer.fit(xs, ts, max_epoch=1, **fit)  # each fit starts a new ppl_list, as in the book
                ppl_list += trainer.ppl_list
                model.reset_state()
                ppl = _perplexity(model, valid, args)
                print('valid perplexity: ', ppl)
                if best > ppl:
                    best = ppl
                else:
                    lr /= 4.0
                    trainer.optimizer.lr = lr
                model.reset_state()
                print('-' * 50)
    except _Stop:
        print("stopped (Ctrl-C): evaluating and saving what was learned so far")
        if valid is not None:
            ppl_list += trainer.ppl_list or []
    return (ppl_list if valid is not None else trainer.ppl_list or []), time.perf_counter() - start


def generate(model, start_id, skip_ids, length):
    """Word ids sampled from the model, starting at start_id (the book's RnnlmGen.generate)."""
    from .functions import softmax

    model.reset_state()
    word_ids, x = [start_id], start_id
    while len(word_ids) < length:
        score = model.predict(np.array(x).reshape(1, 1))
        p = softmax(score.flatten().astype(np.float64))
        sampled = int(np.random.choice(len(p), size=1, p=p / p.sum())[0])
        if sampled not in skip_ids:
            x = sampled
            word_ids.append(sampled)
    return word_ids


def _perplexity(model, corpus, args):
    """eval_perplexity with the book's batch 10 x 35 steps, or the training sizes
    when the corpus is too short for those."""
    if len(corpus) - 1 >= 10 * 35:
        return eval_perplexity(model, corpus)
    return eval_perplexity(model, corpus, args.batch_size, args.time_size)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    check_out_or_exit(args.out, "the params and the perplexity curve", PROG)
    corpus, valid, test, word_to_id = load(args)
    if args.seed is not None:
        np.random.seed(args.seed)
    vocab = len(word_to_id)
    seconds, how = warm_up(args, vocab, corpus)
    print(f"kernels ready in {seconds:.2f} s: {how}")
    model = _make_model(args, vocab)
    stoppable = _Stoppable(model)
    trainer = RnnlmTrainer(stoppable, SGD(args.lr))

    def on_interrupt(signum, frame):
        if stoppable.stop:
            raise KeyboardInterrupt
        stoppable.stop = True
        print("\nCtrl-C: stopping after this step (press again to quit now)", flush=True)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        freeze_what_is_loaded()
        ppl_list, seconds = train(args, model, corpus, valid, trainer)
    finally:
        signal.signal(signal.SIGINT, previous)
    steps = stoppable.steps
    words = steps * args.batch_size * args.time_size
    print(f"trained {steps} steps in {seconds:.1f} s: {words / max(seconds, 1e-9):,.0f} words/s")

    model.reset_state()
    print('test perplexity: ', _perplexity(model, test, args))
    params_path = os.path.join(args.out, type(model).__name__ + ".pkl")
    model.save_params(params_path)
    print(f"params saved to {params_path}")
    if not args.no_plots and ppl_list:
        png = os.path.join(args.out, "perplexity.png")
        trainer.ppl_list = ppl_list
        trainer.plot(ylim=(0, 500), path=png)
        print(f"perplexity curve saved to {png}")
    if args.generate is not None:
        if args.generate not in word_to_id:
            raise SystemExit(f"{PROG}: --generate word {args.generate!r} is not in the vocabulary")
        id_to_word = {i: w for w, i in word_to_id.items()}
        skip = {word_to_id[w] for w in SKIP_WORDS if w in word_to_id}
        ids = generate(model, word_to_id[args.generate], skip, args.length)
        print(' '.join(id_to_word[i] for i in ids).replace(' <eos>', '.\n'))
    return 0


if __name__ == "__main__":
    sys.exit(main())
