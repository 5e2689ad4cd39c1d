"""Run the benchmark suite and write its report: ``python -m benchmarks.report``.

Writes, under benchmarks/results/ (or --out):

- benchmark.json: pytest-benchmark's own JSON of the run (its statistics; the
  raw time of every round is dropped to keep the file small);
- alternating.json: then every numpy/fastnn group timed again in turns
  (benchmarks/alternating.py; skip with --no-alternating);
- table.md: the machine, the date and the library versions, then the headline:
  the speed-up of whole training steps; then per group the median time of each
  member and the speed-up numpy / fastnn (and numpy / torch where PyTorch was
  installed), the speed-ups timed in alternation, and for the bandwidth groups
  (test_bench_bandwidth.py) each op's GB/s beside a plain copy's.  Tables of
  isolated ops say which fastnn kernel ran (serial, or the parallel twin that
  a training step does not run right after a large product);
- speedup_float32.png, speedup_float64.png: speed-up against size, one line per
  op (timed in alternation when that ran).

``--from-json FILE`` re-renders the table and charts from an earlier JSON (and
the alternating.json beside it, if any) without running anything.  Arguments
the report does not know are passed on to pytest (e.g. ``-k "step or startup"``
or ``-m "not startup"``).

The report's pieces live beside this file: the markdown tables in
benchmarks/report_tables.py, the bandwidth table in benchmarks/report_bandwidth.py
and the charts in benchmarks/report_charts.py; this module runs the suite, reads
its JSON and puts the report together.
"""

import argparse
import glob
import json
import os
import subprocess
import sys
from collections import OrderedDict

from .report_bandwidth import bandwidth_rows, bandwidth_table, split_bandwidth
from .report_charts import write_charts
from .report_tables import (
    SIZE_ORDER,  # noqa: F401  (kept importable from here)
    alternating_cells,
    alternating_tables,
    detail_tables,
    fmt_ratio,  # noqa: F401  (benchmarks/test_report.py imports it from here)
    glance_table,
    header,
    headline,
    kernel_cells,
    pytest_cells,
)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_OUT = os.path.join(HERE, "results")

# Enough rounds for a stable median, few enough that the whole run takes
# minutes: each benchmark runs for about MAX_TIME seconds, at least MIN_ROUNDS
# rounds (the large matrix products take ~0.1-0.5 s a round).
MIN_ROUNDS = 5
MAX_TIME = 0.5


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.report",
        description="Run the fastnn benchmarks (numpy beside fastnn) and write a markdown table and PNG charts.",
    )
    parser.add_argument("--from-json", metavar="FILE",
                        help="render the report from this pytest-benchmark JSON instead of running the suite")
    parser.add_argument("--out", default=DEFAULT_OUT, help="output folder (default benchmarks/results)")
    parser.add_argument("--min-rounds", type=int, default=MIN_ROUNDS,
                        help=f"pytest-benchmark --benchmark-min-rounds (default {MIN_ROUNDS})")
    parser.add_argument("--max-time", type=float, default=MAX_TIME,
                        help=f"pytest-benchmark --benchmark-max-time in seconds (default {MAX_TIME})")
    parser.add_argument("--no-alternating", action="store_true",
                        help="skip the run of benchmarks/alternating.py (every group timed in turns, about 3 min)")
    return parser.parse_known_args(argv)


def run_suite(json_path, min_rounds, max_time, extra):
    """Run pytest on the benchmark files (benchmarks/test_bench_*.py, not the
    report's own unit tests) with timing on; return pytest's exit code."""
    cmd = [
        sys.executable, "-m", "pytest", *sorted(glob.glob(os.path.join(HERE, "test_bench_*.py"))),
        "-q", "-p", "no:cacheprovider",
        "--benchmark-enable",  # pyproject's addopts disable timing for plain test runs
        f"--benchmark-json={json_path}",
        f"--benchmark-min-rounds={min_rounds}",
        f"--benchmark-max-time={max_time}",
        "--benchmark-columns=min,median,max,rounds",
        *extra,
    ]
    print("running:", " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=ROOT)


# -- reading the JSON -----------------------------------------------------------

def load(path):
    with open(path) as f:
        return json.load(f)


# What the timed code is made of: changes elsewhere (the README, the result
# files every run rewrites) do not make a run "uncommitted".
MEASURED_PATHS = ("kernels", "fastnn", "dataset", "benchmarks", "pyproject.toml", ":(exclude)benchmarks/results")


def source_changed(root=ROOT):
    """Whether the timed code differs from its commit; None when git cannot tell.

    pytest-benchmark's own "dirty" flag counts every file, the result files of
    the previous run included, so it said "uncommitted changes" of every run.
    """
    command = ["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no", "--",
               *MEASURED_PATHS]
    try:
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return bool(done.stdout.strip())


def drop_raw_timings(data):
    """pytest-benchmark's JSON without each round's raw time (stats stay).

    --benchmark-json always stores every round, ~200 MB for this suite, as the
    tiny ops run ~100,000 rounds; the summary statistics are a few hundred kB.
    """
    for bench in data.get("benchmarks", []):
        (bench.get("stats") or {}).pop("data", None)


def mark_source_changes(data):
    changed = source_changed()
    if changed is not None and data.get("commit_info"):
        data["commit_info"]["dirty"] = changed


def tidy_json(path):
    """Rewrite the run's JSON: raw timings dropped, dirty flag of source_changed()."""
    data = load(path)
    drop_raw_timings(data)
    mark_source_changes(data)
    with open(path, "w") as f:
        json.dump(data, f, indent=1)


def collect(data):
    """{group: {"info": extra_info of the first member, "members": {impl: median s}}}, in run order.

    The info's "kernel" is the fastnn member's (which kernel its calls ran), when it recorded one.
    """
    groups = OrderedDict()
    for bench in data["benchmarks"]:
        info = bench.get("extra_info") or {}
        if "impl" not in info or bench.get("stats") is None:
            continue
        entry = groups.setdefault(bench["group"], {"info": dict(info), "members": {}})
        entry["members"][info["impl"]] = bench["stats"]["median"]
        if info["impl"] == "fastnn" and "kernel" in info:
            entry["info"]["kernel"] = info["kernel"]
    return groups


def write_table(data, groups, path, charts, bandwidth=(), alternation=None):
    lines = header(data) + headline(groups, alternation)
    if groups:
        lines += glance_table("Speed-up numpy / fastnn at a glance", pytest_cells(groups),
                              kernels=kernel_cells(groups.values()))
    if alternation:
        lines += alternating_tables(alternation)
    if charts:
        lines += ["## Charts", ""] + [f"![{os.path.basename(c)}]({os.path.basename(c)})" for c in charts] + [""]
    lines += bandwidth_table(bandwidth)
    lines += detail_tables(groups)
    with open(path, "w") as f:
        f.write("\n".join(lines))


def render(json_path, out):
    """table.md and the charts from a pytest-benchmark JSON, and from the
    alternating.json beside it when there is one (the charts then plot that)."""
    data = load(json_path)
    groups, bandwidth = split_bandwidth(collect(data))
    if not groups and not bandwidth:
        raise SystemExit(f"{json_path} holds no timed benchmarks (was it written with --benchmark-disable?)")
    alternating_path = os.path.join(os.path.dirname(os.path.abspath(json_path)), "alternating.json")
    alternation = load(alternating_path) if os.path.exists(alternating_path) else None
    os.makedirs(out, exist_ok=True)
    if alternation:
        charts = write_charts(data, alternating_cells(alternation), out, "timed in alternation",
                              kernel_cells(alternation["groups"].values()))
    else:
        charts = write_charts(data, pytest_cells(groups), out, "pytest-benchmark medians",
                              kernel_cells(groups.values()))
    table = os.path.join(out, "table.md")
    write_table(data, groups, table, charts, bandwidth_rows(data, bandwidth), alternation)
    print(f"wrote {table}" + (f" and {', '.join(charts)}" if charts else ""))


def run_alternating(out):
    """benchmarks/alternating.py on every group, in its own process; its exit code."""
    cmd = [sys.executable, "-m", "benchmarks.alternating", "--out", out]
    print("running:", " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=ROOT)


def main(argv=None):
    args, extra = parse_args(sys.argv[1:] if argv is None else argv)
    if args.from_json:
        render(args.from_json, args.out)
        return 0
    os.makedirs(args.out, exist_ok=True)
    out = os.path.abspath(args.out)
    json_path = os.path.join(out, "benchmark.json")
    for stale in (json_path, os.path.join(out, "alternating.json")):
        if os.path.exists(stale):
            os.remove(stale)  # never render a stale run
    code = run_suite(json_path, args.min_rounds, args.max_time, extra)
    if not os.path.exists(json_path):
        print(f"pytest exited with {code} and wrote no {json_path}", file=sys.stderr)
        return code or 1
    tidy_json(json_path)
    if not args.no_alternating:
        code = run_alternating(out) or code
    render(json_path, args.out)
    if code:
        print(f"exit code {code}: some benchmarks failed; the report shows the ones that ran", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
