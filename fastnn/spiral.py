"""Train the book's two-layer net on the spiral data: ``python -m fastnn.spiral``.

With its defaults this is the book's ch01/train.py (300 epochs, batch 30, 10
hidden units, SGD with lr 1.0, seed 1984) and reproduces its numbers.  It prints
the book's progress lines, the final accuracy and the training throughput, and
saves two pictures: the loss curve and the decision boundary over the data.
"""

import argparse
import os
import sys
import time

import numpy as np

from . import optimizer as optimizers
from .dataset import spiral
from .models import TwoLayerNet
from .trainer import Trainer

OPTIMIZERS = {
    "sgd": optimizers.SGD,
    "momentum": optimizers.Momentum,
    "nesterov": optimizers.Nesterov,
    "adagrad": optimizers.AdaGrad,
    "rmsprop": optimizers.RMSprop,
    "adam": optimizers.Adam,
}


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m fastnn.spiral",
        description="Train the two-layer net of Deep Learning from Scratch 2, ch. 1, on the spiral "
        "data set, with fastnn's Numba kernels. The defaults reproduce the book's ch01/train.py.",
    )
    parser.add_argument("--epochs", type=int, default=300, help="number of epochs (default 300)")
    parser.add_argument("--batch-size", type=int, default=30, help="mini-batch size (default 30)")
    parser.add_argument("--hidden", type=int, default=10, help="hidden units (default 10)")
    parser.add_argument("--lr", type=float, default=1.0, help="learning rate (default 1.0)")
    parser.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="sgd", help="optimizer (default sgd)")
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64",
                        help="floating-point type of the data and weights (default float64)")
    parser.add_argument("--seed", type=int, default=1984, help="seed of the data and of everything drawn after it (default 1984)")
    parser.add_argument("--eval-interval", type=int, default=10, help="iterations between progress lines (default 10)")
    parser.add_argument("--out", default=".", help="folder for loss.png and decision_boundary.png (default: current folder)")
    parser.add_argument("--no-plots", action="store_true", help="do not draw the pictures")
    args = parser.parse_args(argv)
    for name in ("epochs", "batch_size", "hidden", "eval_interval"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.batch_size > 300:
        parser.error("--batch-size must be at most 300, the size of the spiral data set")
    return args


def warm_up(model, optimizer_class, x, t, batch_size):
    """Compile (first run) or load from Numba's cache every kernel training uses.

    Runs one step on copies, so the model's params, the optimizer's state and
    numpy's random stream are as they were; returns the seconds it took.
    """
    start = time.perf_counter()
    model.forward(x[:batch_size], t[:batch_size])
    model.backward()
    optimizer_class(lr=0.0).update([p.copy() for p in model.params], [g.copy() for g in model.grads])
    return time.perf_counter() - start


def train(args):
    """Load the data, build the net and train it; returns (model, trainer, x, t, seconds)."""
    dtype = np.dtype(args.dtype)
    x, t = spiral.load_data(args.seed)
    x = x.astype(dtype, copy=False)
    model = TwoLayerNet(input_size=2, hidden_size=args.hidden, output_size=3, dtype=dtype)
    trainer = Trainer(model, OPTIMIZERS[args.optimizer](lr=args.lr))
    ready = warm_up(model, OPTIMIZERS[args.optimizer], x, t, args.batch_size)
    print(f"kernels ready in {ready:.2f} s (compiled on a first run, loaded from Numba's cache after)")
    start = time.perf_counter()
    trainer.fit(x, t, args.epochs, args.batch_size, eval_interval=args.eval_interval)
    return model, trainer, x, t, time.perf_counter() - start


def accuracy(model, x, t):
    return float(np.mean(np.argmax(model.predict(x), axis=1) == np.argmax(t, axis=1)))


def plot_decision_boundary(model, x, t, path):
    import matplotlib.pyplot as plt

    step = 0.01
    x_min, x_max = x[:, 0].min() - 0.1, x[:, 0].max() + 0.1
    y_min, y_max = x[:, 1].min() - 0.1, x[:, 1].max() + 0.1
    xx, yy = np.meshgrid(np.arange(x_min, x_max, step), np.arange(y_min, y_max, step))
    grid = np.c_[xx.ravel(), yy.ravel()].astype(x.dtype)
    regions = np.argmax(model.predict(grid), axis=1).reshape(xx.shape)

    fig, ax = plt.subplots(figsize=(6, 6))
    ax.contourf(xx, yy, regions, levels=[-0.5, 0.5, 1.5, 2.5], cmap="Pastel1", alpha=0.9)
    labels = np.argmax(t, axis=1)
    for cls, marker in enumerate(["o", "x", "^"]):
        ax.scatter(x[labels == cls, 0], x[labels == cls, 1], s=30, marker=marker, label=f"class {cls}")
    ax.set_title("TwoLayerNet decision regions on the spiral data")
    ax.legend(loc="upper right")
    ax.set_axis_off()
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    model, trainer, x, t, seconds = train(args)
    steps = trainer.current_epoch * (len(x) // args.batch_size)
    print(f"accuracy {accuracy(model, x, t):.4f}")
    print(f"training: {steps} steps in {seconds:.3f} s, {steps / seconds:,.0f} steps/s, "
          f"{steps * args.batch_size / seconds:,.0f} samples/s")
    if not args.no_plots:
        import matplotlib

        if not os.environ.get("DISPLAY"):
            matplotlib.use("Agg")
        os.makedirs(args.out, exist_ok=True)
        loss_path = os.path.join(args.out, "loss.png")
        boundary_path = os.path.join(args.out, "decision_boundary.png")
        trainer.plot(path=loss_path)
        plot_decision_boundary(model, x, t, boundary_path)
        print(f"saved {loss_path} and {boundary_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
