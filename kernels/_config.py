"""Compiler settings shared by every kernel, kept in one place.

FASTMATH leaves out ``nnan`` and ``ninf`` on purpose: with those flags LLVM may
assume no NaN or inf exists, and ``np.isnan`` or an inf check can silently
return False.  ``reassoc`` lets LLVM vectorise reductions; the order it picks is
fixed at compile time, so results stay deterministic for a given machine.
"""

FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}

# What every kernel is compiled with.  error_model="numpy" drops the
# ZeroDivisionError test Numba otherwise puts on every division: that test is a
# branch out of the loop, and a loop with an exit in its body never vectorises.
KERNEL = dict(cache=True, fastmath=FASTMATH, error_model="numpy")

# Elementwise and reduction work above this many elements is split across
# threads with prange; below it a thread wake-up costs more than it saves.
PARALLEL_MIN_ELEMENTS = 1 << 16
