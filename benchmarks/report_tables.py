"""The markdown of the benchmark report (benchmarks/report.py writes it): how a
time and a speed-up are written, the header (machine, date, libraries), the
headline of whole training steps, the at-a-glance speed-up tables (pytest-benchmark
medians and the alternating run), and the detail tables of every group, with the
mark of the cells whose fastnn calls ran a parallel kernel.
"""

import datetime
import math

SIZE_ORDER = ("tiny", "medium", "large")


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
