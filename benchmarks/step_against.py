"""A model's training step now against the same step at another commit, in alternation.

    python -m benchmarks.step_against --commit HEAD~1                  # the spiral step
    python -m benchmarks.step_against --commit HEAD~1 --model rnnlm
    python -m benchmarks.step_against --commit f1443c4 --model spiral --rounds 4000

The commit's fastnn/ and kernels/ are taken from git into a folder of their own
as a package named ``fastnn_then``, imported beside the working tree's fastnn,
and both are timed in one process, alternating round by round (each side goes
first half the time).  Each side's figure is its fastest round: on a shared
machine the minimum is the figure least bent by other work.  Both sides start
from the same seeded weights and take the same batches, and their first losses
are compared before any timing, so the two measure the same work.

Models (the workloads the project's speed goals name):
- spiral: TwoLayerNet 2-10-3, batch 30, SGD (float64, or --dtype float32);
- cbow: CBOW, V 10,000, H 100, window 5, batch 100, Adam (float32);
- rnnlm: Rnnlm, V 500, H 32, batch 8 x 10 steps, SGD with clipping;
- attention: AttentionSeq2seq, the date task's sizes (V 59, batch 128, 29 -> 11
  steps, D 16, H 256), Adam with clipping.

It needs the git history (a clone, not an sdist).  Numba compiles the older
kernels once into their folder's cache, under the system's temp folder.
"""

import argparse
import importlib
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def extract(commit):
    """The folder holding package ``fastnn_then``: `commit`'s fastnn/ with its kernels/ inside."""
    sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=12", commit],
                         capture_output=True, text=True, check=True).stdout.strip()
    folder = Path(tempfile.gettempdir()) / f"fastnn-step-against-{sha}"
    package = folder / "fastnn_then"
    if not (package / "kernels" / "__init__.py").exists():
        package.mkdir(parents=True, exist_ok=True)
        for source, target in (("fastnn", package), ("kernels", package / "kernels")):
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", sha, source],
                                     capture_output=True, check=True).stdout
            target.mkdir(exist_ok=True)
            with tempfile.TemporaryFile() as tar_file:
                tar_file.write(archive)
                tar_file.seek(0)
                with tarfile.open(fileobj=tar_file) as tar:
                    for member in tar.getmembers():
                        member.name = member.name.split("/", 1)[1] if "/" in member.name else ""
                        if member.name:
                            tar.extract(member, target, filter="data")
    return folder


def _modules(package):
    return {m: importlib.import_module(f"{package}.{m}") for m in ("models", "optimizer", "trainer", "util")}


def spiral(fn, dtype, steps):
    """`steps` steps of a fresh spiral net (SGD with lr 1e-9: every round does the same work)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((30, 2)).astype(dtype)
    t = np.zeros((30, 3), np.int32)  # one-hot, as the book's spiral data
    t[np.arange(30), rng.integers(0, 3, 30)] = 1
    np.random.seed(0)
    model = fn["models"].TwoLayerNet(2, 10, 3, dtype=dtype)
    optimizer = fn["optimizer"].SGD(lr=1e-9)

    def run():
        for _ in range(steps):
            loss = model.forward(x, t)
            model.backward()
            optimizer.update(model.params, model.grads)
        return loss
    return run


def cbow(fn, dtype, steps):
    from .test_bench_word2vec import BATCH, WINDOW, V, batches, zipf_corpus

    corpus = zipf_corpus()
    data = batches(corpus, count=steps)
    np.random.seed(0)
    model = fn["models"].CBOW(V, 100, WINDOW, corpus)
    optimizer = fn["optimizer"].Adam()
    remove_duplicate = fn["trainer"].remove_duplicate
    assert data[0][0].shape[0] == BATCH

    def run():
        np.random.seed(1)  # the same negatives every round
        for contexts, target in data:
            loss = model.forward(contexts, target)
            model.backward()
            optimizer.update(*remove_duplicate(model.params, model.grads))
        return loss
    return run


def _clipped(fn, model, optimizer, xs, ts, steps, max_grad):
    remove_duplicate, clip_grads = fn["trainer"].remove_duplicate, fn["util"].clip_grads

    def run():
        for _ in range(steps):
            loss = model.forward(xs, ts)
            model.backward()
            params, grads = remove_duplicate(model.params, model.grads)
            clip_grads(grads, max_grad)
            optimizer.update(params, grads)
        return loss
    return run


def rnnlm(fn, dtype, steps):
    from .test_bench_rnnlm import LR, MAX_GRAD, SMALL, batch

    V, _, _, H = SMALL
    xs, ts = batch(SMALL)
    np.random.seed(0)
    return _clipped(fn, fn["models"].Rnnlm(V, H, H), fn["optimizer"].SGD(LR), xs, ts, steps, MAX_GRAD)


def attention(fn, dtype, steps):
    from .test_bench_attention import BOOK, MAX_GRAD, batch

    V, _, _, _, D, H = BOOK
    xs, ts = batch(BOOK)
    np.random.seed(0)
    return _clipped(fn, fn["models"].AttentionSeq2seq(V, D, H), fn["optimizer"].Adam(), xs, ts, steps, MAX_GRAD)


# model -> (its round's builder, steps a round)
MODELS = {"spiral": (spiral, 20), "cbow": (cbow, 4), "rnnlm": (rnnlm, 4), "attention": (attention, 1)}


def fastest_rounds(then, now, rounds):
    """(fastest round of `then`, of `now`) in seconds, the two alternating, each going first half the time."""
    best = [float("inf"), float("inf")]
    for i in range(rounds):
        for side in ((0, 1) if i % 2 == 0 else (1, 0)):
            run = (then, now)[side]
            start = time.perf_counter()
            run()
            best[side] = min(best[side], time.perf_counter() - start)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.step_against", description=__doc__.split("\n\n")[0])
    parser.add_argument("--commit", default="HEAD", help="the code to compare with (default %(default)s)")
    parser.add_argument("--model", choices=sorted(MODELS), default="spiral")
    parser.add_argument("--rounds", type=int, help="alternating rounds per repeat (default: about 10 s of work)")
    parser.add_argument("--repeats", type=int, default=3, help="how many ratios to print (default %(default)s)")
    parser.add_argument("--dtype", choices=("float64", "float32"), default=None,
                        help="the spiral's dtype (default float64; the other models keep their own)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(extract(args.commit)))
    build, steps = MODELS[args.model]
    dtype = np.dtype(args.dtype or "float64")
    then = build(_modules("fastnn_then"), dtype, steps)
    now = build(_modules("fastnn"), dtype, steps)
    first = float(then()), float(now())  # compiles or loads both
    if not np.isclose(first[0], first[1], rtol=1e-5):
        raise SystemExit(f"the two sides' first losses differ: {first}; they would not time the same work")
    start = time.perf_counter()
    for _ in range(3):
        then()
        now()
    rounds = args.rounds or max(20, int(10 / max(1e-9, (time.perf_counter() - start) / 3)))
    print(f"{args.model} training step ({steps} steps a round): {args.commit} against the working tree, "
          f"fastest of {rounds} alternating rounds", flush=True)
    for _ in range(args.repeats):
        best_then, best_now = fastest_rounds(then, now, rounds)
        print(f"  {args.commit} {best_then / steps * 1e6:.2f} us a step, now "
              f"{best_now / steps * 1e6:.2f} us: now/then {best_now / best_then:.3f}", flush=True)


if __name__ == "__main__":
    main()
