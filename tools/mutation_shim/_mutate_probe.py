"""tools/mutate_checks.py: a loosened expected shape; notes in MUTATE_PROBE whether a call had the
axis, and whether it differed from the expected extent (a survivor that never differed was not tested)."""

import os

_noted = set()


def _note(what):
    if what not in _noted:
        _noted.add(what)
        with open(os.environ["MUTATE_PROBE"], "a") as f:
            f.write(what + "\n")


def loosen(expected, a, i):
    """expected with axis i replaced by a's own extent (when both have that axis)."""
    expected, shape = tuple(expected), getattr(a, "shape", ())
    if len(shape) <= i or len(expected) <= i:
        return expected
    _note("present" if shape[i] == expected[i] else "differed")
    return expected[:i] + (shape[i],) + expected[i + 1:]
