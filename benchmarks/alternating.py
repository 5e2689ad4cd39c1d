"""numpy and fastnn timed in alternation: ``python -m benchmarks.alternating``.

Why: pytest-benchmark times a group's members one after the other, seconds
apart.  On a shared 2-core machine the speed of the CPU changes over such
spans, and the ratio of two medians taken that way moved by up to ±30% from
one run to the next.  Here each round times a block of numpy calls, then a
block of fastnn calls (the order swaps every round), so a slow spell falls on
both members of the round.  A group's speed-up is the median over rounds of
(numpy's time per call / fastnn's time per call in the same round), shown
with the middle half of the rounds' ratios (25th to 75th percentile).

Every group of benchmarks/test_bench_ops.py and test_bench_step.py is timed,
after the first calls of both members were compared (as the pytest suite
does).  An op group's info also says which fastnn kernel ran, serial or
parallel (benchmarks/kernel_probe.py, one call probed before and one after
the timing).  Writes benchmarks/results/alternating.json (or --out).
"""

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass

import numpy as np

from .cases import DTYPES, OPS, SIZE_NAMES, SIZES, assert_outputs_close
from .kernel_probe import kernel_of, summary

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "results")

BLOCK_SECONDS = 0.002  # one member's block: long next to the clock's resolution, short next to a slow spell
GROUP_SECONDS = 1.0  # rounds are added until both members ran about this long in all
MIN_ROUNDS = 7
MAX_ROUNDS = 200


@dataclass
class Alternation:
    """One group's result: per-call medians, the speed-up and its spread."""

    numpy: float  # seconds per call, median over rounds
    fastnn: float
    speedup: float  # median over rounds of numpy / fastnn
    speedup_q1: float  # 25th and 75th percentiles of the rounds' ratios
    speedup_q3: float
    rounds: int
    calls_per_block: tuple  # (numpy, fastnn)


def _block(fn, calls, clock):
    start = clock()
    for _ in range(calls):
        fn()
    return (clock() - start) / calls


def time_alternately(numpy_fn, fastnn_fn, block_seconds=BLOCK_SECONDS, group_seconds=GROUP_SECONDS,
                     min_rounds=MIN_ROUNDS, max_rounds=MAX_ROUNDS, clock=time.perf_counter):
    """Time the two callables in alternating blocks; return an Alternation.

    One untimed call of each sizes its block (enough calls for block_seconds);
    the number of rounds fills group_seconds, within [min_rounds, max_rounds].
    """
    members = (numpy_fn, fastnn_fn)
    once = [max(_block(fn, 1, clock), 1e-9) for fn in members]
    calls = [max(1, int(block_seconds / t)) for t in once]
    per_round = sum(c * t for c, t in zip(calls, once))
    rounds = min(max_rounds, max(min_rounds, int(group_seconds / per_round)))
    times = ([], [])
    for r in range(rounds):
        order = (0, 1) if r % 2 == 0 else (1, 0)
        for i in order:
            times[i].append(_block(members[i], calls[i], clock))
    ratios = np.array(times[0]) / np.maximum(np.array(times[1]), 1e-12)
    q1, median, q3 = np.percentile(ratios, [25, 50, 75])
    return Alternation(numpy=float(np.median(times[0])), fastnn=float(np.median(times[1])),
                       speedup=float(median), speedup_q1=float(q1), speedup_q3=float(q3),
                       rounds=rounds, calls_per_block=tuple(calls))


def op_groups(keyword=""):
    """(group, info, numpy member, fastnn member) for every op group whose
    "op|dtype|size" contains keyword, first calls compared."""
    for op, build in OPS:
        for dtype in DTYPES:
            for size in SIZE_NAMES:
                if keyword not in f"{op}|{dtype}|{size}":
                    continue
                pair = build(size, dtype)
                assert_outputs_close(pair.fastnn(), pair.numpy(), dtype, [f"{op} {n}" for n in pair.names])
                info = dict(op=op, dtype=dtype, size=size, shape=pair.shape, probe_kernel=True)
                yield f"{op}|{dtype}|{pair.shape}", info, pair.numpy, pair.fastnn


def step_groups(keyword=""):
    """The same for the training-step groups ("step|dtype|size"), first steps compared."""
    from .test_bench_step import assert_same_first_step, fastnn_stepper, net_shape, numpy_stepper, step_inputs

    for dtype in DTYPES:
        for size in SIZE_NAMES:
            if keyword not in f"step|{dtype}|{size}":
                continue
            x, t, init = step_inputs(size, dtype)
            numpy_step, fastnn_step = numpy_stepper(x, t, init), fastnn_stepper(x, t, init, dtype)
            assert_same_first_step(fastnn_step(), numpy_step(), dtype)
            shape = net_shape(SIZES[size])
            yield f"step|{dtype}|{shape}", dict(op="step", dtype=dtype, size=size, shape=shape), numpy_step, fastnn_step


def run(groups, **timing):
    """{group: {"info": ..., "result": Alternation as a dict}}, printing each as it is timed."""
    results = {}
    for group, info, numpy_fn, fastnn_fn in groups:
        probe = info.pop("probe_kernel", False)
        before = kernel_of(fastnn_fn) if probe else None
        result = time_alternately(numpy_fn, fastnn_fn, **timing)
        if probe:
            info["kernel"] = summary(before, kernel_of(fastnn_fn))
        print(f"{group:55s} numpy {result.numpy * 1e6:11.2f} µs  fastnn {result.fastnn * 1e6:11.2f} µs  "
              f"{result.speedup:6.2f}x ({result.speedup_q1:.2f}-{result.speedup_q3:.2f}, {result.rounds} rounds)",
              flush=True)
        results[group] = {"info": info, "result": asdict(result)}
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.alternating", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=DEFAULT_OUT, help="output folder (default benchmarks/results)")
    parser.add_argument("-k", dest="keyword", default="",
                        help='time only the groups whose "op|dtype|size" contains this text, e.g. "step|float32"')
    parser.add_argument("--group-seconds", type=float, default=GROUP_SECONDS,
                        help=f"time per group, both members together (default {GROUP_SECONDS})")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_start = os.getloadavg()
    results = run(op_groups(args.keyword), group_seconds=args.group_seconds)
    results.update(run(step_groups(args.keyword), group_seconds=args.group_seconds))
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "alternating.json")
    with open(path, "w") as f:
        json.dump({"datetime": started, "loadavg_start": [round(v, 2) for v in load_start],
                   "loadavg_end": [round(v, 2) for v in os.getloadavg()], "groups": results}, f, indent=1)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
