"""fastnn's twin of the book's common/config.py: ``GPU = False``, and it stays False.

The book switches to CuPy when a script sets ``config.GPU = True`` before it
imports common.np.  fastnn has no CuPy mode: its speed comes from Numba kernels
on the CPU.  So the assignment itself is refused with one clear message
(``GPUModeError``), wherever it happens: before the first import of a fastnn
module, as the book's scripts do, or after.  Modules that the book reads the
flag in (fastnn.np, fastnn.util) check it again when they are imported, for a
value put there some other way (``vars(config)["GPU"] = True``).
"""

import sys
import types

GPU = False

MESSAGE = (
    "fastnn runs on the CPU (its speed comes from Numba kernels) and has no CuPy/GPU mode: "
    "leave config.GPU = False (remove the line `config.GPU = True`)"
)


class GPUModeError(RuntimeError):
    """config.GPU was set to a true value; fastnn runs on the CPU only."""


def check_cpu():
    """Raise GPUModeError if GPU holds a true value."""
    if GPU:
        raise GPUModeError(MESSAGE)


class _ConfigModule(types.ModuleType):
    """This module's type: refuses ``config.GPU = <true value>`` at the assignment."""

    def __setattr__(self, name, value):
        if name == "GPU":
            if value:
                raise GPUModeError(MESSAGE)
            value = False
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _ConfigModule
