"""One scalar function over float32 and float64, with a body written for each dtype."""

import numpy as np
from numba import types
from numba.core.errors import TypingError
from numba.extending import overload


def by_dtype(public_name, f32_body, f64_body, fastmath):
    """A function of one float32 or float64 scalar that runs f32_body or f64_body on it.

    Compiled, the body is chosen from the argument's type while typing, so a loop
    calling it sees one straight-line body; as plain Python (NUMBA_DISABLE_JIT=1)
    it is chosen at run time.  Any other type is refused while typing, naming
    `public_name`.
    """
    def pick(x):
        if isinstance(x, np.float32):
            return f32_body(x)
        return f64_body(np.float64(x))

    @overload(pick, jit_options={"fastmath": fastmath})
    def _pick_jit(x):
        if x == types.float32:
            return f32_body
        if x == types.float64:
            return f64_body
        raise TypingError(f"{public_name} takes a float32 or float64 scalar, got {x}; "
                          "cast the input array to one of those dtypes first")

    return pick
