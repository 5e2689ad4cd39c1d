"""Train word2vec (the book's chapter 4): ``python -m fastnn.word2vec``.

With its defaults this is the book's ch04/train.py (CBOW, window 5, hidden 100,
batch 100, 10 epochs, Adam, on the Penn Treebank) followed by its eval.py: it
prints the Trainer's progress lines and the throughput, saves the loss curve
(``<model>_loss.png``), the word vectors (``<model>_vectors.npz``: float32
vectors and the words) and the book's ``cbow_params.pkl`` (or
``skipgram_params.pkl``: float16 vectors, word_to_id, id_to_word), then prints
most_similar for the book's query words and its analogy questions.
``--corpus FILE`` trains on any text file instead, split into words by the
book's preprocess.
"""

import argparse
import os
import pickle
import sys
import time

import numpy as np

from ._cli import options as opt
from ._cli.out_folder import check_out_or_exit
from ._cli.shutdown import freeze_what_is_loaded

PROG = "python -m fastnn.word2vec"
QUERIES = ["you", "year", "car", "toyota"]  # ch04/eval.py's
ANALOGIES = [("king", "man", "queen"), ("take", "took", "go"), ("car", "cars", "child"), ("good", "better", "bad")]


def build_parser():
    parser = argparse.ArgumentParser(prog=PROG, description=(
        "Train CBOW or skip-gram with negative sampling (Deep Learning from Scratch 2, ch. 4) on fastnn's "
        "Numba kernels, on the Penn Treebank or on a text file. The defaults are the book's ch04/train.py."))
    parser.add_argument("--model", choices=["cbow", "skipgram"], default="cbow", help="model (default cbow)")
    parser.add_argument("--corpus", metavar="FILE", help="a text file to train on instead of the PTB training set")
    parser.add_argument("--data-dir", metavar="FOLDER", help="where the PTB files are (passed to fastnn.dataset.ptb)")
    parser.add_argument("--window", type=opt.positive_int, default=5, help="context words on each side (default 5)")
    parser.add_argument("--hidden", type=opt.positive_int, default=100, help="word vector size (default 100)")
    parser.add_argument("--batch-size", type=opt.positive_int, default=100, help="mini-batch size (default 100)")
    parser.add_argument("--epochs", type=opt.positive_int, default=10, help="number of epochs (default 10)")
    parser.add_argument("--lr", type=opt.positive_float, default=0.001, help="Adam's learning rate (default 0.001)")
    parser.add_argument("--sample-size", type=opt.non_negative_int, default=5,
                        help="negative samples per target (default 5)")
    parser.add_argument("--power", type=opt.unit_interval, default=0.75,
                        help="exponent of the unigram counts, 0 (uniform) to 1 (the counts) (default 0.75)")
    parser.add_argument("--seed", type=opt.seed,
                        help="seed numpy's random state first (default: not seeded, as the book)")
    parser.add_argument("--eval-interval", type=opt.positive_int, default=20,
                        help="iterations between progress lines (default 20)")
    parser.add_argument("--out", default=".", metavar="FOLDER", help="folder for the outputs (default: here)")
    parser.add_argument("--no-plots", action="store_true", help="do not draw the loss curve")
    return parser


def parse_args(argv):
    """The options; a value out of its range is argparse's error (exit status 2)."""
    return build_parser().parse_args(argv)


def load_corpus(args):
    """(corpus, word_to_id, id_to_word, description), or SystemExit with one line saying why not."""
    if args.corpus is not None:
        from .util import preprocess
        try:
            with open(args.corpus, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError as e:
            sys.exit(f"{PROG}: cannot read --corpus {args.corpus}: {e.strerror}")
        corpus, word_to_id, id_to_word = preprocess(" ".join(text.split()))  # newlines and runs of spaces: one space
        return corpus, word_to_id, id_to_word, f"{args.corpus} ({os.path.getsize(args.corpus):,} bytes)"
    try:
        from .dataset import ptb
    except ImportError:
        sys.exit(f"{PROG}: fastnn.dataset.ptb is not available in this installation; pass --corpus FILE")
    kwargs = {} if args.data_dir is None else {"data_dir": args.data_dir}
    try:
        corpus, word_to_id, id_to_word = ptb.load_data("train", **kwargs)
    except getattr(ptb, "PTBNotFoundError", OSError) as error:  # no files and no network: one line
        sys.exit(f"{PROG}: {error}")
    return corpus, word_to_id, id_to_word, "the Penn Treebank training set"


def make_model(args, vocab_size, corpus):
    from .models import CBOW, SkipGram
    cls = CBOW if args.model == "cbow" else SkipGram
    return cls(vocab_size, args.hidden, args.window, corpus, power=args.power, sample_size=args.sample_size)


def warm_up(args, vocab_size, corpus, contexts, target):
    """Compile (or load) every kernel training uses: one step on a throwaway model of
    the run's sizes, with a batch made as the trainer makes it (rows picked by index
    from the run's own contexts and targets, so of their dtypes and layout), leaving
    numpy's random state as it was: the seeded run is the same with or without this."""
    from .optimizer import Adam
    from .trainer import remove_duplicate
    state = np.random.get_state()
    try:
        model = make_model(args, vocab_size, corpus)
        rows = np.arange(min(args.batch_size, len(target)))
        model.forward(contexts[rows], target[rows])
        model.backward()
        Adam(args.lr).update(*remove_duplicate(model.params, model.grads))
    finally:
        np.random.set_state(state)


def main(argv=None):
    args = parse_args(argv)
    from .optimizer import Adam
    from .trainer import Trainer
    from .util import analogy, create_contexts_target, most_similar

    check_out_or_exit(args.out, "the word vectors and the loss curve", PROG)
    if args.seed is not None:
        np.random.seed(args.seed)
    corpus, word_to_id, id_to_word, source = load_corpus(args)
    vocab_size = len(word_to_id)
    if corpus.size <= 2 * args.window:
        sys.exit(f"{PROG}: {source} has {corpus.size} words; the window needs more than {2 * args.window}")
    if vocab_size <= args.sample_size + 1:
        sys.exit(f"{PROG}: {source} has {vocab_size} distinct words; --sample-size {args.sample_size} needs more")
    contexts, target = create_contexts_target(corpus, args.window)
    print(f"{args.model}: {source}, {corpus.size:,} words, vocabulary {vocab_size:,}, "
          f"{target.size:,} targets; hidden {args.hidden}, window {args.window}, batch {args.batch_size}, "
          f"{args.sample_size} negatives, {args.epochs} epochs, Adam lr {args.lr}")

    started = time.perf_counter()
    warm_up(args, vocab_size, corpus, contexts, target)
    print(f"kernels ready in {time.perf_counter() - started:.2f} s")
    freeze_what_is_loaded()

    model = make_model(args, vocab_size, corpus)
    trainer = Trainer(model, Adam(args.lr))
    started = time.perf_counter()
    trainer.fit(contexts, target, args.epochs, args.batch_size, eval_interval=args.eval_interval)
    seconds = time.perf_counter() - started
    steps = args.epochs * (target.size // args.batch_size)
    if steps:
        print(f"trained {steps:,} steps in {seconds:.1f} s: {seconds / steps * 1e3:.2f} ms a step, "
              f"{steps * args.batch_size / seconds:,.0f} targets/s")

    word_vecs = model.word_vecs
    saved = [os.path.join(args.out, f"{args.model}_vectors.npz"), os.path.join(args.out, f"{args.model}_params.pkl")]
    words = np.array([id_to_word[i] for i in range(vocab_size)])
    np.savez(saved[0], word_vecs=word_vecs, words=words)
    with open(saved[1], "wb") as f:  # the book's layout, float16 vectors
        pickle.dump({"word_vecs": word_vecs.astype(np.float16), "word_to_id": word_to_id,
                     "id_to_word": id_to_word}, f, -1)
    if not args.no_plots and trainer.loss_list:
        saved.append(os.path.join(args.out, f"{args.model}_loss.png"))
        import matplotlib
        matplotlib.use("Agg")
        trainer.plot(path=saved[-1])
    print("saved " + ", ".join(saved))

    for query in QUERIES:
        most_similar(query, word_to_id, id_to_word, word_vecs, top=5)
    print("-" * 50)
    for a, b, c in ANALOGIES:
        analogy(a, b, c, word_to_id, id_to_word, word_vecs)


if __name__ == "__main__":
    main()
