"""Train the book's chapter 7-8 encoder-decoders: ``python -m fastnn.seq2seq``.

``--task addition`` is ch07/train_seq2seq.py (wordvec 16, hidden 128, batch 128,
25 epochs, Adam, gradients clipped at 5.0); ``--task date`` is ch08/train.py
(hidden 256, 10 epochs).  ``--model plain|peeky|attention`` picks Seq2seq,
PeekySeq2seq or AttentionSeq2seq; ``--reverse`` feeds the questions reversed
(ch08 always does; its default here for the date task).  The data files come
from fastnn.dataset.sequence, which looks in --data-dir, $FASTNN_SEQUENCE_DIR
and its cache; when they are missing they are made (make(seed=0)) in the cache.
Prints the book's lines: the trainer's progress, ten test questions per epoch
with their marks, ``val acc 12.340%``; saves the accuracy curve (PNG), the
params (the book's .pkl format) and, for --model attention, an attention map
of a few test questions (the book's visualize_attention.py picture) in --out.
"""

import argparse
import os
import sys
import time

import numpy as np

from ._cli import options as opt
from ._cli.out_folder import check_out_or_exit
from ._cli.shutdown import freeze_what_is_loaded
from .optimizer import Adam
from .trainer import Trainer
from .util import eval_seq2seq

PROG = "python -m fastnn.seq2seq"
TASKS = {  # the book's hyperparameters per task
    "addition": {"file": "addition.txt", "hidden": 128, "epochs": 25, "reverse": False},
    "date": {"file": "date.txt", "hidden": 256, "epochs": 10, "reverse": True},
}


def build_parser():
    p = argparse.ArgumentParser(prog=PROG, description="Train the book's seq2seq models (chapters 7-8) with fastnn.")
    p.add_argument("--task", choices=sorted(TASKS), default="addition", help="the data set (default addition)")
    p.add_argument("--model", choices=["plain", "peeky", "attention"], default="plain",
                   help="Seq2seq, PeekySeq2seq or AttentionSeq2seq (default plain)")
    p.add_argument("--reverse", action="store_true", default=None, help="reverse the questions (default: date only)")
    p.add_argument("--no-reverse", dest="reverse", action="store_false", help="keep the questions in order")
    p.add_argument("--epochs", type=opt.positive_int, help="epochs (default 25 for addition, 10 for date)")
    p.add_argument("--hidden", type=opt.positive_int, help="hidden size (default 128 for addition, 256 for date)")
    p.add_argument("--wordvec", type=opt.positive_int, default=16, help="character vector size (default 16)")
    p.add_argument("--batch-size", type=opt.positive_int, default=128, help="questions per step (default 128)")
    p.add_argument("--max-grad", type=opt.positive_float, default=5.0, help="gradient clipping norm (default 5.0)")
    p.add_argument("--limit", type=opt.positive_int,
                   help="use only the first LIMIT training and LIMIT//9 test rows (quick runs; at least --batch-size)")
    p.add_argument("--seed", type=opt.seed, help="numpy seed of the weights and batches (default: load_data's 1984)")
    p.add_argument("--data-dir", metavar="FOLDER", help="where addition.txt / date.txt are")
    p.add_argument("--out", default="fastnn-seq2seq-out", metavar="FOLDER",
                   help="where the PNG and params go (default fastnn-seq2seq-out)")
    p.add_argument("--no-plots", action="store_true", help="save no pictures")
    return p


def parse_args(argv):
    """The options, the task's own defaults filled in; a value out of its range, a
    --limit below --batch-size or a --data-dir that is no folder is argparse's error
    (exit status 2)."""
    p = build_parser()
    args = p.parse_args(argv)
    task = TASKS[args.task]
    for key in ("hidden", "epochs", "reverse"):
        if getattr(args, key) is None:
            setattr(args, key, task[key])
    if args.limit is not None and args.limit < args.batch_size:
        p.error(f"--limit is {args.limit}; expected at least --batch-size ({args.batch_size}): "
                "fewer questions make no batch to train on")
    if args.data_dir is not None and not os.path.isdir(args.data_dir):
        p.error(f"--data-dir {args.data_dir!r} is not a folder; expected the folder holding addition.txt and date.txt")
    return args


def model_class(name):
    """The model class for --model (AttentionSeq2seq imported only when asked for)."""
    from . import models

    if name == "attention":
        try:
            from .models import AttentionSeq2seq
        except ImportError:
            raise SystemExit(f"{PROG}: --model attention needs fastnn.models.AttentionSeq2seq, "
                             "which this fastnn does not have yet; use --model plain or peeky") from None
        return AttentionSeq2seq
    return {"plain": models.Seq2seq, "peeky": models.PeekySeq2seq}[name]


def load(args):
    from .dataset import sequence

    try:
        data = sequence.load_data(TASKS[args.task]["file"], data_dir=args.data_dir)
    except sequence.SequenceNotFoundError:
        folder = args.data_dir or os.environ.get(sequence.ENV_DIR) or None
        print(f"making addition.txt and date.txt in {folder or sequence.cache_dir()} (seed 0)")
        sequence.make(folder)
        data = sequence.load_data(TASKS[args.task]["file"], data_dir=args.data_dir)
    return data, sequence.get_vocab()[1]


def evaluate(model, x_test, t_test, id_to_char, reverse):
    """The book's per-epoch evaluation: the first ten questions shown, accuracy returned.

    A model with generate_batch (fastnn's three) answers every question in one
    call, on every core, with the ids generate gives one question at a time;
    the ten shown go through the book's eval_seq2seq as before.
    """
    generate_batch = getattr(model, "generate_batch", None)
    if generate_batch is None:
        correct = 0
        for i in range(len(x_test)):
            correct += eval_seq2seq(model, x_test[[i]], t_test[[i]], id_to_char, i < 10, reverse)
        return correct / len(x_test)
    for i in range(min(10, len(x_test))):
        eval_seq2seq(model, x_test[[i]], t_test[[i]], id_to_char, True, reverse)
    guesses = generate_batch(x_test, t_test[:, 0], t_test.shape[1] - 1)
    return float(np.mean(np.all(guesses == t_test[:, 1:], axis=1)))


def warm_up(cls, args, vocab_size, x_train, t_train):
    """Compile (first run) or load from Numba's cache the kernels training and the
    evaluation use: one step, one generate_batch and one generate on a throwaway
    model of the run's class and sizes.  Returns (seconds, how), as _cli.kernel_cache.warm."""
    from ._cli.kernel_cache import FIRST_RUN_SECONDS, warm
    from .trainer import _step

    # In the layouts the run will use, since Numba compiles a kernel for each: the
    # trainer's batches are copies (shuffled by fancy indexing), the test set and
    # the questions eval_seq2seq shows are the data's own (reversed views with --reverse).
    rows = np.arange(args.batch_size)
    x, t = x_train[rows], t_train[rows]

    def step():
        model = cls(vocab_size, args.wordvec, args.hidden)
        _step(model, Adam(), x, t, args.max_grad)
        model.generate_batch(x_train[:2], t_train[:2, 0], t.shape[1] - 1)
        model.generate(x_train[[0]], t_train[0, 0], t.shape[1] - 1)

    return warm(step, FIRST_RUN_SECONDS["seq2seq"])


def save_plots(args, acc_list, model, x_test, t_test, id_to_char):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot(np.arange(len(acc_list)), acc_list, marker="o")
    ax.set_xlabel("epochs")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1.0)
    path = os.path.join(args.out, f"accuracy-{args.task}-{args.model}.png")
    fig.savefig(path)
    plt.close(fig)
    print(f"saved {path}")
    attention = getattr(getattr(model, "decoder", None), "attention", None)
    if attention is None or not hasattr(attention, "attention_weights"):
        return
    rng = np.random.RandomState(1984)
    for k in range(3):
        i = rng.randint(0, len(x_test))
        x, t = x_test[[i]], t_test[[i]]
        model.forward(x, t)
        weights = np.array(attention.attention_weights)
        attention_map = weights.reshape(weights.shape[0], weights.shape[2])
        if args.reverse:  # show the question as written
            attention_map, x = attention_map[:, ::-1], x[:, ::-1]
        fig, ax = plt.subplots()
        ax.pcolor(attention_map, cmap=plt.cm.Greys_r, vmin=0.0, vmax=1.0)
        ax.set_xticks(np.arange(attention_map.shape[1]) + 0.5)
        ax.set_yticks(np.arange(attention_map.shape[0]) + 0.5)
        ax.invert_yaxis()
        ax.set_xticklabels([id_to_char[int(c)] for c in x[0]])
        ax.set_yticklabels([id_to_char[int(c)] for c in t[0, 1:]])
        path = os.path.join(args.out, f"attention-{args.task}-{k}.png")
        fig.savefig(path)
        plt.close(fig)
        print(f"saved {path}")


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    check_out_or_exit(args.out, "the params and pictures", PROG)
    cls = model_class(args.model)
    ((x_train, t_train), (x_test, t_test)), id_to_char = load(args)
    if args.limit is not None:
        x_train, t_train = x_train[:args.limit], t_train[:args.limit]
        x_test, t_test = x_test[:max(1, args.limit // 9)], t_test[:max(1, args.limit // 9)]
    if args.reverse:
        x_train, x_test = x_train[:, ::-1], x_test[:, ::-1]
    if args.seed is not None:
        np.random.seed(args.seed)
    seconds, how = warm_up(cls, args, len(id_to_char), x_train, t_train)
    print(f"kernels ready in {seconds:.2f} s: {how}")
    freeze_what_is_loaded()
    model = cls(len(id_to_char), args.wordvec, args.hidden)
    trainer = Trainer(model, Adam())
    acc_list, start = [], time.perf_counter()
    for _ in range(args.epochs):
        trainer.fit(x_train, t_train, max_epoch=1, batch_size=args.batch_size, max_grad=args.max_grad)
        acc = evaluate(model, x_test, t_test, id_to_char, args.reverse)
        acc_list.append(acc)
        print('val acc %.3f%%' % (acc * 100))
    print(f"{args.epochs} epoch{'' if args.epochs == 1 else 's'} in {time.perf_counter() - start:.1f} s")
    params = os.path.join(args.out, f"{cls.__name__}-{args.task}.pkl")
    model.save_params(params)
    print(f"saved {params}")
    if not args.no_plots:
        save_plots(args, acc_list, model, x_test, t_test, id_to_char)
    return acc_list


if __name__ == "__main__":
    main()
