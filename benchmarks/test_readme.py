"""benchmarks/readme.py: docs/benchmarks.md gets the report's sections, and nothing else changes."""

import os

import pytest

from benchmarks.readme import BEGIN, END, ROOT, TARGET, paste, readme_block

TABLE_MD = """# fastnn benchmark results

- Date: 2026-01-02 03:04 UTC
- CPU: Some CPU, 2 cores

Times are medians.

## Speed-up numpy / fastnn at a glance

| op | float32 tiny |
|---|---:|
| sgd.update | 1.30x |

## Speed-up numpy / fastnn, timed in alternation

Blocks in turns.

| op | float32 tiny |
|---|---:|
| sgd.update | 1.25x |

| group | size | numpy | fastnn |
|---|---|---:|---:|
| `sgd.update|float32|tiny` | tiny | 2 µs | 1.6 µs |

## Charts

![speedup_float32.png](speedup_float32.png)

## Bandwidth against a plain copy (issue 5, goal 3)

| op | of copy |
|---|---:|
| sgd.update | 281% |

## Training step (forward, backward, SGD update of the two-layer net)

| group | speed-up |
|---|---:|
| step | 2.7x |

## Start-up: the whole spiral training as a new process

| group | warm |
|---|---:|
| startup | 0.4x |

## Every op, group by group

| group | detail row that stays out of the README |
"""


def test_block_keeps_header_summaries_and_drops_detail():
    block = readme_block(TABLE_MD)
    assert "- Date: 2026-01-02 03:04 UTC" in block
    assert "| sgd.update | 1.30x |" in block and "| sgd.update | 1.25x |" in block
    assert "detail row" not in block and "`sgd.update|float32|tiny`" not in block
    # Links relative to docs/benchmarks.md, where the block goes.
    assert "](../benchmarks/results/speedup_float32.png)" in block
    assert "[benchmarks/results/table.md](../benchmarks/results/table.md)" in block
    assert os.path.isfile(os.path.join(ROOT, os.path.dirname(TARGET), "../benchmarks/results/table.md"))
    titles = [line for line in block.splitlines() if line.startswith("### ")]
    assert [t.split(" (")[0].split(":")[0] for t in titles] == [
        "### Speed-up numpy / fastnn at a glance", "### Speed-up numpy / fastnn, timed in alternation",
        "### Charts", "### Training step", "### Start-up", "### Bandwidth against a plain copy"]


def test_paste_replaces_only_between_markers():
    readme = f"intro\n{BEGIN}\nold figures\n{END}\noutro\n"
    assert paste(readme, "new") == f"intro\n{BEGIN}\nnew\n{END}\noutro\n"


def test_paste_twice_gives_the_same_readme():
    readme = f"intro\n{BEGIN}\nold figures\n{END}\noutro\n"
    once = paste(readme, "new")
    assert paste(once, "new") == once


@pytest.mark.parametrize("readme", [
    "no markers here",
    f"{END}\nfigures\n{BEGIN}\n",
    f"{BEGIN}\na\n{END}\n{BEGIN}\nb\n{END}\n",
])
def test_paste_needs_one_pair_of_markers_in_order(readme):
    with pytest.raises(ValueError, match="needs one"):
        paste(readme, "new")


def test_benchmarks_page_shows_the_committed_report():
    """docs/benchmarks.md's figures are the committed table.md's: re-paste after a report run."""
    def read(*path):
        with open(os.path.join(ROOT, *path), encoding="utf-8") as f:
            return f.read()
    page = read(TARGET)
    assert paste(page, readme_block(read("benchmarks", "results", "table.md"))) == page


def test_readme_has_no_pasted_report():
    """The report lives in docs/benchmarks.md only; the README links to it."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    assert BEGIN not in readme and END not in readme
    assert "docs/benchmarks.md" in readme


def test_the_headline_of_training_steps_comes_first_when_the_report_has_one():
    table = TABLE_MD.replace("## Speed-up numpy / fastnn at a glance",
                             "## Headline: whole training steps\n\n| timing | float32 tiny |\n|---|---:|\n"
                             "| in alternation | 2.60x |\n\n## Speed-up numpy / fastnn at a glance")
    titles = [line for line in readme_block(table).splitlines() if line.startswith("### ")]
    assert titles[0] == "### Headline: whole training steps" and len(titles) == 7
    assert "| in alternation | 2.60x |" in readme_block(table)


def test_missing_section_is_named():
    with pytest.raises(ValueError, match="Training step"):
        readme_block(TABLE_MD.replace("## Training step", "## Something else"))
