"""Paste the latest report into docs/benchmarks.md: ``python -m benchmarks.readme``.

docs/benchmarks.md carries a short form of benchmarks/results/table.md between
the markers below: the run's header (date, machine, libraries, load), the
headline (whole training steps), the two at-a-glance tables, the charts, and
the step, start-up and bandwidth tables.
The per-group detail stays in table.md, which the page links to.  Run it
after ``python -m benchmarks.report`` so the page shows what was measured,
not figures typed by hand.  (The module keeps its old name: the block lived in
README.md until the README was cut down to a five-minute read.)
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BEGIN = "<!-- latest-benchmarks: pasted from benchmarks/results/table.md -->"
END = "<!-- /latest-benchmarks -->"
# The page the block is pasted into, and the results folder as a link from it.
TARGET = os.path.join("docs", "benchmarks.md")
RESULTS_LINK = "../benchmarks/results"

# Sections of table.md copied into the page, in this order.  The headline
# (whole training steps) comes first; reports written before it existed have
# none, so it is the one section that may be missing.
OPTIONAL = ("Headline",)
SECTIONS = (
    "Headline",
    "Speed-up numpy / fastnn at a glance",
    "Speed-up numpy / fastnn, timed in alternation",
    "Charts",
    "Training step",
    "Start-up",
    "Bandwidth against a plain copy",
)


def split_sections(table_md):
    """(header lines, {title: body lines}) of a table.md, split at its "## " headings."""
    head, sections, current = [], {}, None
    for line in table_md.splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = []
        elif current is None:
            head.append(line)
        else:
            sections[current].append(line)
    return head, sections


def first_table(lines):
    """Lines up to the end of the first markdown table (the alternation
    section's per-group detail table, the second one, stays in table.md)."""
    kept, in_table = [], False
    for line in lines:
        if line.startswith("|"):
            in_table = True
        elif in_table:
            break
        kept.append(line)
    return kept


def section(sections, prefix):
    """(title, body lines) of the section whose title starts with prefix."""
    for title, body in sections.items():
        if title.startswith(prefix):
            return title, body
    raise ValueError(f"table.md has no section starting {prefix!r} (found {list(sections)}); "
                     "paste only a full run of python -m benchmarks.report")


def readme_block(table_md, results_link=RESULTS_LINK):
    """The text to put between the markers of docs/benchmarks.md."""
    head, sections = split_sections(table_md)
    lines = ["The latest run, from `python -m benchmarks.report` (full detail, every group: "
             f"[benchmarks/results/table.md]({results_link}/table.md)):", ""]
    lines += [line for line in head if line.startswith("- ")]
    for prefix in SECTIONS:
        if prefix in OPTIONAL and not any(title.startswith(prefix) for title in sections):
            continue
        title, body = section(sections, prefix)
        if prefix.startswith("Speed-up numpy / fastnn, timed"):
            body = first_table(body)
        # Chart paths in table.md are relative to its own folder.
        body = [line.replace("](speedup_", f"]({results_link}/speedup_") for line in body]
        while body and not body[-1].strip():
            body = body[:-1]
        lines += ["", f"### {title}"] + body
    return "\n".join(lines)


def paste(page, block):
    """page with the text between BEGIN and END replaced by block."""
    start = page.find(BEGIN)
    end = page.find(END, start + 1)
    if start < 0 or end < 0 or page.count(BEGIN) != 1 or page.count(END) != 1:
        raise ValueError(f"{TARGET} needs one {BEGIN!r}, then one {END!r}")
    return page[:start + len(BEGIN)] + "\n" + block + "\n" + page[end:]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", default=os.path.join(HERE, "results", "table.md"))
    parser.add_argument("--doc", "--readme", dest="doc", default=os.path.join(ROOT, TARGET),
                        help=f"the page with the markers (default {TARGET})")
    args = parser.parse_args(argv)
    try:
        with open(args.table, encoding="utf-8") as f:
            table_md = f.read()
        with open(args.doc, encoding="utf-8") as f:
            page = f.read()
        updated = paste(page, readme_block(table_md))
    except (OSError, ValueError) as error:
        print(f"nothing pasted: {error}", file=sys.stderr)
        return 2
    with open(args.doc, "w", encoding="utf-8") as f:
        f.write(updated)
    print(f"pasted {args.table} into {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
