"""A reader's first contact, as ratios to the book's own ch01/train.py, in one run.

    FASTNN_BOOK_DIR=/path/to/deep-learning-from-scratch-2 python -m benchmarks.first_contact

Times whole processes, each member in turn, round after round (the machine is
shared: alternating spreads its load over every member alike):

- ``book``: the book's ``ch01/train.py`` (plain numpy), run in its folder;
- ``spiral-cold``: ``python -m fastnn.spiral --no-plots`` on an empty Numba cache;
- ``spiral-warm``: the same on a cache an earlier run filled;
- ``book-on-fastnn-warm``: ``python -m fastnn.book train.py`` in ch01/, cache filled.

Prints each member's fastest and median wall time and CPU time, and the ratios to
``book``. The goals of the first-contact issue are cold at most 5x and the book's
script through fastnn.book at most 1.5x.  Needs the book's repository (the same
variable as the tests, tests/book_checkout.py).
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(cmd, cwd, env):
    """(wall seconds, CPU seconds of the child) of one run, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def measure(book, rounds):
    ch01 = book / "ch01"
    base = dict(os.environ, MPLBACKEND="Agg")
    base.pop("NUMBA_DISABLE_JIT", None)
    warm_cache = tempfile.mkdtemp(prefix="fastnn-warm-")
    warm = dict(base, NUMBA_CACHE_DIR=warm_cache)
    spiral = [sys.executable, "-m", "fastnn.spiral", "--no-plots"]
    with tempfile.TemporaryDirectory() as out:
        timed(spiral, out, warm)  # fills the warm members' cache
        timed([sys.executable, "-m", "fastnn.book", "train.py"], ch01, warm)
        members = {
            "book": lambda: timed([sys.executable, "train.py"], ch01, base),
            "spiral-cold": lambda: timed(spiral, out, dict(base, NUMBA_CACHE_DIR=tempfile.mkdtemp(prefix="fastnn-cold-"))),
            "spiral-warm": lambda: timed(spiral, out, warm),
            "book-on-fastnn-warm": lambda: timed([sys.executable, "-m", "fastnn.book", "train.py"], ch01, warm),
        }
        times = {name: [] for name in members}
        for _ in range(rounds):
            for name, run in members.items():
                times[name].append(run())
    return times


def report(times):
    book_best = min(w for w, _ in times["book"])
    book_median = statistics.median(w for w, _ in times["book"])
    lines = ["| member | fastest s | median s | CPU s (median) | fastest / book's | median / book's |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, runs in times.items():
        walls = [w for w, _ in runs]
        best, median = min(walls), statistics.median(walls)
        cpu = statistics.median(c for _, c in runs)
        lines.append(f"| {name} | {best:.2f} | {median:.2f} | {cpu:.2f} | {best / book_best:.2f}x | "
                     f"{median / book_median:.2f}x |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.first_contact", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of all four members (default 5)")
    args = parser.parse_args(argv)
    book = os.environ.get("FASTNN_BOOK_DIR")
    if not book or not (Path(book) / "ch01" / "train.py").is_file():
        parser.error("set FASTNN_BOOK_DIR to a checkout of oreilly-japan/deep-learning-from-scratch-2")
    print(report(measure(Path(book), args.rounds)))


if __name__ == "__main__":
    main()
