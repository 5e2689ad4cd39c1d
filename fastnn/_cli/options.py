"""The ranges of the command-line scripts' numeric options, declared as argparse types.

Every numeric option of ``python -m fastnn.spiral / word2vec / rnnlm / seq2seq``
is declared with one of these as its ``type=``, so a value out of range is
refused while the command line is parsed, before any data is read or any kernel
compiled, with argparse's usual error and exit status 2::

    python -m fastnn.word2vec: error: argument --epochs: expected an integer >= 1; found 0

tests/test_script_arguments.py checks that every numeric option uses one.
"""

import argparse
import math

MAX_SEED = 2**32 - 1  # numpy.random.seed's range is 0 to 2**32 - 1


class Number:
    """An argparse type: the text as an int (or float), refused unless it is within
    low..high (either end None: unbounded; low_open / high_open: that end excluded).
    Floats must also be finite (nan and inf are never a sensible size or rate)."""

    def __init__(self, kind, low=None, high=None, *, low_open=False, high_open=False, why=None):
        assert kind in (int, float)
        self.kind, self.low, self.high = kind, low, high
        self.low_open, self.high_open, self.why = low_open, high_open, why
        self.__name__ = kind.__name__  # what argparse calls the type in its own messages

    def __contains__(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if self.kind is int and not isinstance(value, int):
            return False
        if not math.isfinite(value):
            return False
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return self.high is None or (value < self.high if self.high_open else value <= self.high)

    def describe(self):
        """'an integer >= 1', 'a finite number > 0', 'a number >= 0 and < 1', 'an integer from 0 to 9', ..."""
        what = "an integer" if self.kind is int else "a number" if self.high is not None else "a finite number"
        if self.low is not None and self.high is not None and not (self.low_open or self.high_open):
            text = f"{what} from {self.low} to {self.high}"
        else:
            ends = [f"{'>' if self.low_open else '>='} {self.low}" if self.low is not None else None,
                    f"{'<' if self.high_open else '<='} {self.high}" if self.high is not None else None]
            text = f"{what} {' and '.join(end for end in ends if end)}".rstrip()
        return f"{text} ({self.why})" if self.why else text

    def __repr__(self):
        return f"<{self.describe()}>"

    def __call__(self, text):
        try:
            value = self.kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid {self.kind.__name__} value: {text!r}") from None
        if value not in self:
            raise argparse.ArgumentTypeError(f"expected {self.describe()}; found {text.strip()}")
        return value


def int_range(low, high, why=None):
    """An integer from low to high, both included; `why` says where the bound comes from."""
    return Number(int, low, high, why=why)


positive_int = Number(int, 1)                  # sizes, counts, epochs, intervals
non_negative_int = Number(int, 0)              # counts that may be none
positive_float = Number(float, 0, low_open=True)   # learning rates, clipping norms
ratio = Number(float, 0, 1, high_open=True)    # dropout: 0 (none) up to, not including, 1 (all)
unit_interval = Number(float, 0, 1)            # an exponent from 0 to 1, both included
seed = Number(int, 0, MAX_SEED, why="numpy's seed range")
