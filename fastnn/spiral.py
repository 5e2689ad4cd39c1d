"""Train the book's two-layer net on the spiral data: ``python -m fastnn.spiral``.

With its defaults this is the book's ch01/train.py (300 epochs, batch 30, 10
hidden units, SGD with lr 1.0, seed 1984) and reproduces its numbers.  It prints
the book's progress lines, the final accuracy and the training throughput, and
saves two pictures, the loss curve and the decision regions over the data, in
the folder ``--out`` (``fastnn-spiral-out`` by default), printing their paths.
"""

import argparse
import os
import sys
import time

import numpy as np

from . import optimizer as optimizers
from ._cli import options as opt
from ._cli.kernel_cache import FIRST_RUN_SECONDS, warm
from ._cli.out_folder import OutputError, writable_folder
from ._cli.shutdown import freeze_what_is_loaded
from .dataset import spiral
from .models import TwoLayerNet
from .trainer import Trainer

PROG = "python -m fastnn.spiral"
DEFAULT_OUT = "fastnn-spiral-out"
PICTURES = ("loss.png", "decision_boundary.png")
MAX_HIDDEN = 10_000

OPTIMIZERS = {
    "sgd": optimizers.SGD,
    "momentum": optimizers.Momentum,
    "nesterov": optimizers.Nesterov,
    "adagrad": optimizers.AdaGrad,
    "rmsprop": optimizers.RMSprop,
    "adam": optimizers.Adam,
}


def build_parser():
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Train the two-layer net of Deep Learning from Scratch 2, ch. 1, on the spiral "
        "data set, with fastnn's Numba kernels. The defaults reproduce the book's ch01/train.py.",
    )
    parser.add_argument("--epochs", type=opt.positive_int, default=300, help="number of epochs (default 300)")
    parser.add_argument("--batch-size", type=opt.int_range(1, 300, why="the size of the spiral data set"), default=30,
                        help="mini-batch size, 1 to 300 (default 30)")
    parser.add_argument("--hidden", type=opt.int_range(1, MAX_HIDDEN), default=10,
                        help=f"hidden units, 1 to {MAX_HIDDEN} (default 10)")
    parser.add_argument("--lr", type=opt.positive_float, default=1.0,
                        help="learning rate, a finite number above 0 (default 1.0)")
    parser.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="sgd", help="optimizer (default sgd)")
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64",
                        help="floating-point type of the data and weights (default float64)")
    parser.add_argument("--seed", type=opt.seed, default=1984,
                        help=f"seed of the data and of everything drawn after it, 0 to {opt.MAX_SEED} (default 1984)")
    parser.add_argument("--eval-interval", type=opt.positive_int, default=10,
                        help="iterations between progress lines (default 10)")
    parser.add_argument("--out", default=DEFAULT_OUT, metavar="FOLDER",
                        help=f"folder for {' and '.join(PICTURES)}, created if missing (default {DEFAULT_OUT})")
    parser.add_argument("--no-plots", action="store_true", help="do not draw the pictures")
    return parser


def parse_args(argv):
    """The options; a value out of its range is argparse's error (exit status 2)."""
    return build_parser().parse_args(argv)


def picture_paths(folder):
    """Paths of the pictures in ``folder``, after making sure they can be written.

    Creates the folder if missing and writes a scratch file in it, so that a bad
    --out fails now rather than after training.  Raises OutputError.
    """
    writable_folder(folder, "pictures")
    paths = [os.path.join(folder, name) for name in PICTURES]
    for path in paths:
        if os.path.isdir(path) or (os.path.exists(path) and not os.access(path, os.W_OK)):
            raise OutputError(f"cannot write {path!r}: it is a folder or a read-only file")
    return paths


def warm_up(model, optimizer_class, x, t, batch_size):
    """Compile (first run) or load from Numba's cache every kernel training uses.

    Runs one step on copies, so the model's params, the optimizer's state and
    numpy's random stream are as they were.  Returns the seconds it took and a
    phrase saying what happened on this run: loaded from the cache, compiled, or both.
    """
    def step():
        model.forward(x[:batch_size], t[:batch_size])
        model.backward()
        optimizer_class(lr=0.0).update([p.copy() for p in model.params], [g.copy() for g in model.grads])

    return warm(step, FIRST_RUN_SECONDS["spiral"])


def train(args):
    """Load the data, build the net and train it; returns (model, trainer, x, t, seconds)."""
    dtype = np.dtype(args.dtype)
    x, t = spiral.load_data(args.seed)
    x = x.astype(dtype, copy=False)
    model = TwoLayerNet(input_size=2, hidden_size=args.hidden, output_size=3, dtype=dtype)
    trainer = Trainer(model, OPTIMIZERS[args.optimizer](lr=args.lr))
    ready, how = warm_up(model, OPTIMIZERS[args.optimizer], x, t, args.batch_size)
    print(f"kernels ready in {ready:.2f} s: {how}")
    freeze_what_is_loaded()
    start = time.perf_counter()
    trainer.fit(x, t, args.epochs, args.batch_size, eval_interval=args.eval_interval)
    return model, trainer, x, t, time.perf_counter() - start


def accuracy(model, x, t):
    return float(np.mean(np.argmax(model.predict(x), axis=1) == np.argmax(t, axis=1)))


def plot_decision_boundary(model, x, t, path):
    """Save the regions each class wins over a grid around the data, with the data on top."""
    from matplotlib.figure import Figure  # no pyplot: no GUI backend, no global state

    step = 0.01
    x_min, x_max = x[:, 0].min() - 0.1, x[:, 0].max() + 0.1
    y_min, y_max = x[:, 1].min() - 0.1, x[:, 1].max() + 0.1
    xx, yy = np.meshgrid(np.arange(x_min, x_max, step), np.arange(y_min, y_max, step))
    grid = np.c_[xx.ravel(), yy.ravel()].astype(x.dtype)
    # In slices, so a wide hidden layer never needs a (grid, hidden) array of gigabytes.
    rows = 1024
    regions = np.concatenate([np.argmax(model.predict(grid[i:i + rows]), axis=1)
                              for i in range(0, len(grid), rows)]).reshape(xx.shape)

    fig = Figure(figsize=(6, 6))
    ax = fig.subplots()
    ax.contourf(xx, yy, regions, levels=[-0.5, 0.5, 1.5, 2.5], cmap="Pastel1", alpha=0.9)
    labels = np.argmax(t, axis=1)
    for cls, marker in enumerate(["o", "x", "^"]):
        ax.scatter(x[labels == cls, 0], x[labels == cls, 1], s=30, marker=marker, label=f"class {cls}")
    ax.set_title("TwoLayerNet decision regions on the spiral data")
    ax.legend(loc="upper right")
    ax.set_axis_off()
    fig.savefig(path, dpi=100, bbox_inches="tight")


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not args.no_plots:
        try:
            loss_path, boundary_path = picture_paths(args.out)
        except OutputError as error:
            print(f"{PROG}: error: {error}", file=sys.stderr)
            return 2
    model, trainer, x, t, seconds = train(args)
    steps = trainer.current_epoch * (len(x) // args.batch_size)
    print(f"accuracy {accuracy(model, x, t):.4f}")
    print(f"training: {steps} steps in {seconds:.3f} s, {steps / seconds:,.0f} steps/s, "
          f"{steps * args.batch_size / seconds:,.0f} samples/s")
    if not args.no_plots:
        trainer.plot(path=loss_path)
        plot_decision_boundary(model, x, t, boundary_path)
        print(f"saved the loss curve: {os.path.abspath(loss_path)}")
        print(f"saved the decision regions: {os.path.abspath(boundary_path)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # the reader went away (| head): stop quietly, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
