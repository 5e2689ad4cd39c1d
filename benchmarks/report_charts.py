"""The charts of the benchmark report (benchmarks/report.py): one PNG per dtype,
speed-up numpy / fastnn against size, one line per op in three panels (forward,
backward, updates and the training step), the points where fastnn ran a
parallel kernel ringed.
"""

import os
from collections import OrderedDict

from .report_tables import SIZE_ORDER

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
