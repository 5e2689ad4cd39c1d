"""Where a first run's compile time goes: every kernel's first compile, per workload.

    python -m benchmarks.compile_times                 # all workloads, a table each
    python -m benchmarks.compile_times spiral --json out.json

Each workload (the spiral script's kernels, CBOW, Rnnlm, the attention seq2seq)
runs in a fresh process on an empty NUMBA_CACHE_DIR, with Numba's event API
recording every ``numba:compile`` event.  A kernel's compile includes the
helpers it compiles on the way (nested events); the table gives both its
inclusive time and its own ("self") time, and the workload's total.  Shared
machines are noisy: compare tables taken on a quiet machine, or the CPU
seconds column, which another process's load disturbs less than wall time.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

# Small runs of each script's training: what a reader's first command compiles.
WORKLOADS = {
    "spiral": "from fastnn.spiral import main; main(['--no-plots', '--epochs', '2'])",
    "word2vec": "from benchmarks.compile_times import _word2vec; _word2vec()",
    "rnnlm": "from benchmarks.compile_times import _rnnlm; _rnnlm()",
    "seq2seq": "from benchmarks.compile_times import _seq2seq; _seq2seq()",
}


def _corpus(path, words=20000):
    import numpy as np
    rng = np.random.default_rng(0)
    vocab = [f"w{i}" for i in range(200)]
    with open(path, "w") as f:
        f.write(" ".join(vocab[i] for i in rng.zipf(1.3, words) % len(vocab)))


def _word2vec():
    from fastnn.word2vec import main
    with tempfile.TemporaryDirectory() as tmp:
        _corpus(os.path.join(tmp, "c.txt"))
        main(["--corpus", os.path.join(tmp, "c.txt"), "--epochs", "1", "--no-plots", "--out", tmp])


def _rnnlm():
    from fastnn.rnnlm import main
    with tempfile.TemporaryDirectory() as tmp:
        _corpus(os.path.join(tmp, "c.txt"))
        main(["--corpus", os.path.join(tmp, "c.txt"), "--epochs", "1", "--no-plots", "--out", tmp])


def _seq2seq():
    from fastnn.seq2seq import main
    with tempfile.TemporaryDirectory() as tmp:
        main(["--task", "date", "--model", "attention", "--limit", "2000", "--hidden", "64", "--epochs", "1",
              "--out", tmp])


def record(code):
    """Run `code` here, recording Numba's compile events; returns the rows and the totals."""
    import resource

    from numba.core import event

    stack, rows = [], {}
    start_cpu = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()

    class Listener(event.Listener):
        def on_start(self, ev):
            stack.append([ev.data["dispatcher"], time.perf_counter(), 0.0])

        def on_end(self, ev):
            dispatcher, began, nested = stack.pop()
            took = time.perf_counter() - began
            if stack:
                stack[-1][2] += took
            name = f"{dispatcher.py_func.__module__}.{dispatcher.py_func.__qualname__}"
            row = rows.setdefault(name, {"kernel": name, "signatures": 0, "inclusive": 0.0, "self": 0.0,
                                         "top": 0.0})
            row["signatures"] += 1
            row["self"] += took - nested
            if not stack:
                row["top"] += took
            row["inclusive"] += took

    with event.install_listener("numba:compile", Listener()):
        exec(code, {})
    end_cpu = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (end_cpu.ru_utime + end_cpu.ru_stime) - (start_cpu.ru_utime + start_cpu.ru_stime)
    ordered = sorted(rows.values(), key=lambda r: -r["self"])
    totals = {"wall": time.perf_counter() - start, "cpu": cpu,
              "compiling": sum(r["top"] for r in ordered), "signatures": sum(r["signatures"] for r in ordered)}
    return ordered, totals


def measure(workload):
    """The workload in a fresh process on an empty cache: (rows, totals)."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache, MPLBACKEND="Agg")
        code = f"import json, benchmarks.compile_times as c; print(json.dumps(c.record({WORKLOADS[workload]!r})))"
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                              cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        if done.returncode:
            raise RuntimeError(f"{workload} failed:\n{done.stderr[-2000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def table(workload, rows, totals, limit=25):
    lines = [f"## {workload}: {totals['compiling']:.2f} s compiling {totals['signatures']} signatures "
             f"({totals['wall']:.2f} s wall, {totals['cpu']:.2f} s CPU for the whole workload)", "",
             "| kernel | signatures | self s | inclusive s |", "|---|---:|---:|---:|"]
    for r in rows[:limit]:
        lines.append(f"| {r['kernel'].replace('fastnn.kernels.', '')} | {r['signatures']} | {r['self']:.2f} | "
                     f"{r['inclusive']:.2f} |")
    if len(rows) > limit:
        rest = rows[limit:]
        lines.append(f"| {len(rest)} others | {sum(r['signatures'] for r in rest)} | "
                     f"{sum(r['self'] for r in rest):.2f} | |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compile_times", description=__doc__.split("\n")[0])
    parser.add_argument("workloads", nargs="*", metavar="WORKLOAD",
                        help=f"any of {', '.join(WORKLOADS)} (default: all)")
    parser.add_argument("--json", metavar="FILE", help="also write every row and total as JSON")
    parser.add_argument("--limit", type=int, default=25, help="rows per table (default 25)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.workloads) - set(WORKLOADS))
    if unknown:
        parser.error(f"unknown workload {', '.join(unknown)}; expected any of {', '.join(WORKLOADS)}")
    results = {}
    for workload in args.workloads or list(WORKLOADS):
        rows, totals = measure(workload)
        results[workload] = {"rows": rows, "totals": totals}
        print(table(workload, rows, totals, args.limit), end="\n\n", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
