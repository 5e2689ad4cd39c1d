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
"""

import argparse
import datetime
import glob
import json
import math
import os
import subprocess
import sys
from collections import OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_OUT = os.path.join(HERE, "results")
SIZE_ORDER = ("tiny", "medium", "large")

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


# -- which kernel ran ---------------------------------------------------------------

PARALLEL_MARK = "‖"
PARALLEL_NOTE = (
    f"{PARALLEL_MARK} after a speed-up: fastnn's timed calls ran its parallel kernel (both cores). "
    "Timed alone, a large elementwise op or update runs the parallel kernel; in a training step the same "
    "call comes right after a large matrix product, while OpenBLAS's threads still spin, and runs the "
    "serial kernel (kernels/blas.py), so these cells are not what training gets: the training-step "
    "figures are."
)


def ran_parallel(info):
    return "parallel" in (info or {}).get("kernel", "")


def kernel_cells(entries):
    """{(op, dtype, size): kernel} of the groups that recorded one."""
    return {(e["info"]["op"], e["info"]["dtype"], e["info"]["size"]): e["info"]["kernel"]
            for e in entries if "kernel" in e["info"]}


def fmt_time(seconds):
    if seconds is None:
        return ""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def ratio(numer, denom):
    if numer is None or denom is None or denom <= 0:
        return None
    return numer / denom


def fmt_ratio(value):
    if value is None:
        return ""
    text = f"{value:.2f}x" if value < 10 else f"{value:.1f}x" if value < 100 else f"{value:.0f}x"
    if value < 1 and text == "1.00x":
        # A loss that rounds to 1.00 still reads as one (truncated: 0.9996 is 0.999x).
        text = f"{math.floor(value * 1000) / 1000:.3f}x"
    return f"**{text}**" if value < 1 else text


def header(data):
    machine = data.get("machine_info", {})
    commit = data.get("commit_info", {})
    libs = machine.get("libraries", {})
    when = data.get("datetime", "")
    try:
        when = datetime.datetime.fromisoformat(when).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        pass
    cores = machine.get("cpu_count")
    usable = machine.get("cpu_affinity")
    core_text = f"{cores} cores" + (f" ({usable} usable by this process)" if usable and usable != cores else "")
    lines = [
        "# fastnn benchmark results",
        "",
        f"- Date: {when}",
        f"- CPU: {machine.get('cpu_model', machine.get('processor', '?'))}, {core_text}",
        f"- System: {machine.get('system', '?')} {machine.get('release', '')}, "
        f"{machine.get('python_implementation', 'Python')} {machine.get('python_version', '?')}",
        "- Libraries: " + ", ".join(f"{k} {v}" for k, v in libs.items()),
    ]
    if machine.get("loadavg_start") or machine.get("loadavg_end"):
        lines.append(
            f"- Load average (1, 5, 15 min) at start {machine.get('loadavg_start')}, at end "
            f"{machine.get('loadavg_end')}: a load above the core count means other processes shared the CPU"
        )
    if machine.get("thread_env"):
        lines.append("- Thread settings: " + ", ".join(f"{k}={v}" for k, v in machine["thread_env"].items()))
    if commit.get("id"):
        lines.append(f"- fastnn commit: {commit['id'][:10]}{' (with uncommitted changes)' if commit.get('dirty') else ''}")
    lines += [
        "",
        "Times are pytest-benchmark medians over the rounds of one run. **speed-up = numpy median / "
        "fastnn median**: 2.00x means fastnn takes half numpy's time, below 1 (in bold) fastnn is slower. "
        "numpy is the book's code, call for call (benchmarks/book_numpy.py); fastnn is the drop-in layer or "
        "optimizer class, "
        "input checks included. Sizes: tiny = batch 30, 2 -> 10 (the spiral net 2 -> 10 -> 3); "
        "medium = batch 1000, 100 -> 100; large = batch 4096, 1024 -> 1024.",
        "",
    ]
    return lines


def headline(groups, alternation):
    """The speed-up of whole training steps, first: the figure a user of the book gets."""
    steps_alt = {k: v for k, v in (alternating_cells(alternation) if alternation else {}).items() if k[0] == "step"}
    steps_pytest = {k: v for k, v in pytest_cells(groups).items() if k[0] == "step"}
    if not steps_alt and not steps_pytest:
        return []
    cols = [(d, s) for d in sorted({d for _, d, _ in {**steps_pytest, **steps_alt}}) for s in SIZE_ORDER]
    lines = [
        "## Headline: whole training steps",
        "",
        "One training step of the book's two-layer net (forward, backward, SGD update), numpy (the book's "
        "code) / fastnn: the speed-up a user of the book gets. Nets: tiny = batch 30, 2 -> 10 -> 3 (the "
        "spiral net); medium = batch 1000, 100 -> 100 -> 10; large = batch 4096, 1024 -> 1024 -> 10. "
        "The per-op tables below time each op alone, which may run other kernels than a step does.",
        "",
        "| timing | " + " | ".join(f"{d} {s}" for d, s in cols) + " |",
        "|---|" + "---:|" * len(cols),
    ]
    for name, cells in (("in alternation", steps_alt), ("pytest-benchmark medians", steps_pytest)):
        if cells:
            lines.append(f"| {name} | " + " | ".join(fmt_ratio(cells.get(("step", d, s))) for d, s in cols) + " |")
    return lines + [""]


def pytest_cells(groups):
    """{(op, dtype, size): speed-up} from pytest-benchmark's medians (numpy / fastnn)."""
    return {(e["info"]["op"], e["info"]["dtype"], e["info"]["size"]): ratio(e["members"].get("numpy"),
                                                                         e["members"].get("fastnn"))
            for e in groups.values() if e["info"]["op"] != "startup"}


def alternating_cells(alternation):
    """{(op, dtype, size): speed-up} from benchmarks/alternating.py's JSON."""
    return {(e["info"]["op"], e["info"]["dtype"], e["info"]["size"]): e["result"]["speedup"]
            for e in alternation["groups"].values()}


def glance_table(title, cells, intro=(), kernels=None):
    """One row per op, one speed-up column per (dtype, size); cells whose
    fastnn calls ran a parallel kernel (kernels: {(op, dtype, size): kernel}) marked."""
    kernels = kernels or {}
    ops = list(dict.fromkeys(op for op, _, _ in cells))
    dtypes = sorted({dtype for _, dtype, _ in cells})
    cols = [(d, s) for d in dtypes for s in SIZE_ORDER]
    marked = any("parallel" in k for k in kernels.values())
    lines = [f"## {title}", "", *intro, *([PARALLEL_NOTE, ""] if marked else [])]
    lines += [
        "| op | " + " | ".join(f"{d} {s}" for d, s in cols) + " |",
        "|---|" + "---:|" * len(cols),
    ]

    def cell(key):
        text = fmt_ratio(cells.get(key))
        return text + PARALLEL_MARK if text and "parallel" in kernels.get(key, "") else text

    for op in ops:
        lines.append(f"| {op} | " + " | ".join(cell((op, d, s)) for d, s in cols) + " |")
    return lines + [""]


def alternating_tables(alternation):
    """The at-a-glance table of benchmarks/alternating.py's run, then its groups in detail."""
    intro = [
        f"Run {alternation['datetime']}, load average at start {alternation['loadavg_start']}, at end "
        f"{alternation['loadavg_end']}. `python -m benchmarks.alternating` times each group's two members in "
        "turns: a block of numpy calls (about 2 ms), a block of fastnn calls, the order swapping every round, "
        "so a slow spell of the shared machine falls on both. speed-up = median over rounds of numpy's time "
        "per call / fastnn's in the same round; the detail below gives the middle half of the rounds' ratios.",
        "",
    ]
    lines = glance_table("Speed-up numpy / fastnn, timed in alternation", alternating_cells(alternation), intro,
                         kernel_cells(alternation["groups"].values()))
    lines += [
        "| group | size | numpy | fastnn | fastnn kernel | speed-up | middle half of rounds | rounds |",
        "|---|---|---:|---:|---|---:|---:|---:|",
    ]
    for group, entry in alternation["groups"].items():
        r = entry["result"]
        lines.append(f"| `{group}` | {entry['info']['size']} | {fmt_time(r['numpy'])} | {fmt_time(r['fastnn'])} | "
                     f"{entry['info'].get('kernel', '')} | {fmt_ratio(r['speedup'])} | "
                     f"{r['speedup_q1']:.2f}-{r['speedup_q3']:.2f} | {r['rounds']} |")
    return lines + [""]


def detail_tables(groups):
    op_rows, step_rows, startup_rows = [], [], []
    for group, entry in groups.items():
        info, m = entry["info"], entry["members"]
        if info["op"] == "startup":
            startup_rows.append((group, m))
        elif info["op"] == "step":
            step_rows.append((group, info, m))
        else:
            op_rows.append((group, info, m))

    lines = []
    if step_rows:
        has_torch = any("torch" in m for _, _, m in step_rows)
        cols = "| group | size | numpy | fastnn | speed-up |" + (" torch | numpy / torch | torch / fastnn |" if has_torch else "")
        lines += [
            "## Training step (forward, backward, SGD update of the two-layer net)",
            "",
            "Nets: tiny = batch 30, 2 -> 10 -> 3; medium = batch 1000, 100 -> 100 -> 10; "
            "large = batch 4096, 1024 -> 1024 -> 10."
            + ("" if has_torch else " PyTorch was not installed, so there is no torch column."),
            "",
            cols,
            "|---|---|---:|---:|---:|" + ("---:|---:|---:|" if has_torch else ""),
        ]
        for group, info, m in step_rows:
            row = (f"| `{group}` | {info['size']} | {fmt_time(m.get('numpy'))} | {fmt_time(m.get('fastnn'))} | "
                   f"{fmt_ratio(ratio(m.get('numpy'), m.get('fastnn')))} |")
            if has_torch:
                row += (f" {fmt_time(m.get('torch'))} | {fmt_ratio(ratio(m.get('numpy'), m.get('torch')))} | "
                        f"{fmt_ratio(ratio(m.get('torch'), m.get('fastnn')))} |")
            lines.append(row)
        lines.append("")

    if startup_rows:
        lines += [
            "## Start-up: the whole spiral training as a new process",
            "",
            "Wall time of `python benchmarks/numpy_spiral.py` (numpy) and `python -m fastnn.spiral --no-plots` "
            "with an empty Numba cache (cold: every kernel compiled) and with a filled one (warm); "
            "300 epochs of 10 steps, float64. speed-up = numpy / that member.",
            "",
            "| group | numpy | fastnn cold | speed-up cold | fastnn warm | speed-up warm |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for group, m in startup_rows:
            lines.append(
                f"| `{group}` | {fmt_time(m.get('numpy'))} | {fmt_time(m.get('fastnn-cold'))} | "
                f"{fmt_ratio(ratio(m.get('numpy'), m.get('fastnn-cold')))} | {fmt_time(m.get('fastnn-warm'))} | "
                f"{fmt_ratio(ratio(m.get('numpy'), m.get('fastnn-warm')))} |"
            )
        lines.append("")

    if op_rows:
        lines += [
            "## Every op, group by group",
            "",
            "fastnn kernel: what fastnn's timed calls ran, its serial kernel or the parallel twin "
            "(benchmarks/kernel_probe.py, probed before and after the timing).",
            "",
            "| group | size | numpy | fastnn | fastnn kernel | speed-up |",
            "|---|---|---:|---:|---|---:|",
        ]
        for group, info, m in op_rows:
            lines.append(
                f"| `{group}` | {info['size']} | {fmt_time(m.get('numpy'))} | {fmt_time(m.get('fastnn'))} | "
                f"{info.get('kernel', '')} | {fmt_ratio(ratio(m.get('numpy'), m.get('fastnn')))} |"
            )
        lines.append("")
    return lines


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


# -- bandwidth against a copy (benchmarks/test_bench_bandwidth.py) -------------

BANDWIDTH_GOAL = 0.60  # issue 5, goal 3: at least 60% of a plain copy's bandwidth


def split_bandwidth(groups):
    """(the numpy-vs-fastnn groups, the bandwidth groups): the latter have no numpy member."""
    ops, bandwidth = OrderedDict(), OrderedDict()
    for group, entry in groups.items():
        (bandwidth if entry["info"].get("kind") == "bandwidth" else ops)[group] = entry
    return ops, bandwidth


def bandwidth_rows(data, bandwidth):
    """[(op, dtype, fastnn median, fastnn bytes, copy median, copy bytes, fastnn kernel)] from each
    member's extra_info."""
    moved = {}
    for bench in data["benchmarks"]:
        info = bench.get("extra_info") or {}
        if bench["group"] in bandwidth and "bytes" in info:
            moved[bench["group"], info["impl"]] = info["bytes"]
    rows = []
    for group, entry in bandwidth.items():
        info, m = entry["info"], entry["members"]
        op = info["op"].split(".", 1)[1] if info["op"].startswith("bandwidth.") else info["op"]
        rows.append((op, info["dtype"], m.get("fastnn"), moved.get((group, "fastnn")),
                     m.get("copy"), moved.get((group, "copy")), info.get("kernel", "")))
    return rows


def gbps(nbytes, seconds):
    return nbytes / seconds / 1e9 if nbytes and seconds else None


def fmt_gbps(value):
    return "" if value is None else f"{value:.1f}"


def bandwidth_table(rows):
    if not rows:
        return []
    lines = [
        "## Bandwidth against a plain copy (issue 5, goal 3)",
        "",
        "Large arrays (4096 x 1024). GB/s = the least number of bytes the call must move (every array it "
        "reads or writes, once) / its median time, GB = 1e9 bytes. The copy is `np.copyto(dst, src)` "
        "into a pre-allocated array (read and write: 2 arrays' bytes), timed in the same group; fastnn is "
        "the drop-in layer or optimizer call, allocation of its output included. "
        f"**of copy** = fastnn GB/s / copy GB/s, in bold below the goal of {BANDWIDTH_GOAL:.0%}. "
        "fastnn kernel: serial, or the parallel twin (both cores), which a training step does not run "
        "right after a large product.",
        "",
        "| op | dtype | fastnn kernel | MB moved | fastnn | fastnn GB/s | copy | copy GB/s | of copy |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for op, dtype, t_fast, b_fast, t_copy, b_copy, kernel in rows:
        fast, copy = gbps(b_fast, t_fast), gbps(b_copy, t_copy)
        share = ratio(fast, copy)
        share_text = "" if share is None else f"{share:.0%}"
        if share is not None and share < BANDWIDTH_GOAL:
            share_text = f"**{share_text}**"
        moved = "" if b_fast is None else f"{b_fast / 1e6:.1f}"
        lines.append(
            f"| {op} | {dtype} | {kernel} | {moved} | {fmt_time(t_fast)} | {fmt_gbps(fast)} | "
            f"{fmt_time(t_copy)} | {fmt_gbps(copy)} | {share_text} |"
        )
    return lines + [""]


# -- charts -------------------------------------------------------------------

PANELS = (
    ("forward", lambda op: op.endswith(".forward")),
    ("backward", lambda op: op.endswith(".backward")),
    ("optimizer update, training step", lambda op: op.endswith(".update") or op == "step"),
)


def write_charts(data, cells, out, how, kernels=None):
    """One PNG per dtype: speed-up against size, one line per op; `how` names the timing.
    A point whose fastnn calls ran a parallel kernel (kernels, as glance_table takes) is ringed."""
    kernels = kernels or {}
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    machine = data.get("machine_info", {})
    when = data.get("datetime", "")[:10]
    series = OrderedDict()  # (dtype, op) -> {size: ratio}
    for (op, dtype, size), r in cells.items():
        if r is not None:
            series.setdefault((dtype, op), {})[size] = r

    paths = []
    for dtype in sorted({d for d, _ in series}):
        fig, axes = plt.subplots(1, len(PANELS), figsize=(16, 5.5), sharey=True)
        for ax, (title, wanted) in zip(axes, PANELS):
            for (d, op), by_size in series.items():
                if d != dtype or not wanted(op):
                    continue
                xs = [i for i, s in enumerate(SIZE_ORDER) if s in by_size]
                ys = [by_size[SIZE_ORDER[i]] for i in xs]
                line, = ax.plot(xs, ys, marker="o", label=op.rsplit(".", 1)[0] if op != "step" else "training step")
                rings = [(x, y) for x, y in zip(xs, ys) if "parallel" in kernels.get((op, dtype, SIZE_ORDER[x]), "")]
                if rings:
                    ax.scatter(*zip(*rings), s=160, facecolors="none", edgecolors=line.get_color())
            ax.axhline(1.0, color="black", linewidth=1, linestyle="--")
            ax.set_yscale("log")
            ax.set_xticks(range(len(SIZE_ORDER)), SIZE_ORDER)
            ax.set_xlim(-0.3, len(SIZE_ORDER) - 0.7)
            ax.set_title(title)
            ax.grid(True, which="both", axis="y", alpha=0.3)
            ax.legend(fontsize=8, loc="best")
        axes[0].set_ylabel("speed-up numpy / fastnn (above 1: fastnn faster)")
        fig.suptitle(f"fastnn vs numpy, {dtype}: speed-up by size, {how} — "
                     f"{machine.get('cpu_model', '?')}, {machine.get('cpu_count', '?')} cores, {when}"
                     + ("\nringed: fastnn ran its parallel kernel (a training step runs the serial one after a "
                        "large product)" if any("parallel" in k for k in kernels.values()) else ""))
        fig.tight_layout()
        path = os.path.join(out, f"speedup_{dtype}.png")
        fig.savefig(path, dpi=90)
        plt.close(fig)
        paths.append(path)
    return paths


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
