"""The bandwidth part of the benchmark report (benchmarks/report.py): the groups
of benchmarks/test_bench_bandwidth.py set apart from the numpy/fastnn ones, the
bytes each member moved, and the table of GB/s beside a plain copy's, against
the goal of ``BANDWIDTH_GOAL`` of a copy's bandwidth.
"""

from collections import OrderedDict

from .report_tables import fmt_time, ratio

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
