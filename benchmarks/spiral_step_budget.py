"""The spiral net's training step now against the same step at an earlier commit.

Issue 11 asked that its safety checks keep the spiral step (batch 30, 2-10-3,
SGD) within 3% of the speed it had before them, at f1443c4.  This script
takes that commit's fastnn/ and kernels/ from git into a folder of its own, as
a package named ``fastnn_then``, imports it beside the working tree's fastnn,
and times both in one process, alternating, 20 steps a round; each side's
figure is its fastest round (the machine is shared: the minimum is the figure
least bent by other work).

    python -m benchmarks.spiral_step_budget                 # against f1443c4
    python -m benchmarks.spiral_step_budget --commit HEAD~5 --rounds 4000

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
BEFORE_THE_CHECKS = "f1443c4"
STEPS_PER_ROUND = 20


def extract(commit):
    """The folder holding package ``fastnn_then``: `commit`'s fastnn/ with its kernels/ inside."""
    sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=12", commit],
                         capture_output=True, text=True, check=True).stdout.strip()
    folder = Path(tempfile.gettempdir()) / f"fastnn-step-budget-{sha}"
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


def stepper(models, optimizers, x, t, dtype):
    """A round of STEPS_PER_ROUND training steps of a fresh spiral net, as a function."""
    np.random.seed(0)
    model = models.TwoLayerNet(2, 10, 3, dtype=dtype)
    optimizer = optimizers.SGD(lr=1e-9)  # a step that leaves the net as it is: every round does the same work
    x = x.astype(dtype)

    def run():
        for _ in range(STEPS_PER_ROUND):
            model.forward(x, t)
            model.backward()
            optimizer.update(model.params, model.grads)
    return run


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
    parser = argparse.ArgumentParser(prog="python -m benchmarks.spiral_step_budget", description=__doc__.split("\n\n")[0])
    parser.add_argument("--commit", default=BEFORE_THE_CHECKS, help="the earlier code (default %(default)s)")
    parser.add_argument("--rounds", type=int, default=2000, help="alternating rounds per repeat (default %(default)s)")
    parser.add_argument("--repeats", type=int, default=3, help="how many ratios to print (default %(default)s)")
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(extract(args.commit)))
    then_models, then_optimizers = (importlib.import_module(f"fastnn_then.{m}") for m in ("models", "optimizer"))
    from fastnn import models as now_models
    from fastnn import optimizer as now_optimizers

    rng = np.random.default_rng(0)
    x = rng.standard_normal((30, 2))
    t = np.zeros((30, 3), np.int32)  # one-hot, as the book's spiral data
    t[np.arange(30), rng.integers(0, 3, 30)] = 1
    dtype = np.dtype(args.dtype)
    then = stepper(then_models, then_optimizers, x, t, dtype)
    now = stepper(now_models, now_optimizers, x, t, dtype)
    for _ in range(50):  # compile or load both, warm the caches
        then()
        now()
    print(f"spiral step, batch 30, 2-10-3, SGD, {dtype}: {args.commit} against the working tree "
          f"(fastest of {args.rounds} alternating rounds of {STEPS_PER_ROUND} steps)")
    for _ in range(args.repeats):
        best_then, best_now = fastest_rounds(then, now, args.rounds)
        print(f"  {args.commit} {best_then / STEPS_PER_ROUND * 1e6:.2f} us a step, now "
              f"{best_now / STEPS_PER_ROUND * 1e6:.2f} us: now/then {best_now / best_then:.3f}", flush=True)


if __name__ == "__main__":
    main()
