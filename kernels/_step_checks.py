"""Operand checks for the recurrent step kernels (kernels/lstm.py, kernels/gru.py).

The step kernels index without bounds checks, so their public entry points
check every operand here first: a numpy array, the dtype of the others
(float32 or float64), the expected shape, writable when it is written, and a
time index inside the sequence.  Errors name the kernel, the operand, what was
found and what was expected.  A few attribute reads per operand: about a
microsecond per step, against tens of microseconds of arithmetic.
"""

import numpy as np

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def check_step(where, t, steps, inputs, outputs):
    """Check a step kernel's operands; `inputs` and `outputs` map name -> (array, shape)."""
    dtype = None
    for role, named in (("input", inputs), ("output", outputs)):
        for name, (a, shape) in named.items():
            if type(a) is not np.ndarray:
                raise TypeError(f"{where}: {name} is {type(a).__name__}; expected a numpy array")
            if dtype is None:
                dtype = a.dtype
                if dtype not in _FLOATS:
                    raise TypeError(f"{where}: {name} has dtype {dtype}; expected float32 or float64")
            elif a.dtype != dtype:
                raise TypeError(
                    f"{where}: {name} has dtype {a.dtype}; expected {dtype} like the other operands")
            if a.shape != shape:
                raise ValueError(f"{where}: {name} has shape {a.shape}; expected {shape}")
            if role == "output" and not a.flags.writeable:
                raise ValueError(f"{where}: {name} is read-only; it is written")
    if not (isinstance(t, (int, np.integer)) and 0 <= t < steps):
        raise IndexError(f"{where}: time step t={t!r}; expected an integer in [0, {steps})")
