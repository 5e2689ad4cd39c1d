"""Choosing between a kernel and its parallel twin, in one place.

Work of at least PARALLEL_MIN_ELEMENTS elements runs on all cores (the
``*_parallel`` kernels).  Elementwise work (each output element computed on
its own) stays on one core while BLAS's threads still spin after a large
product (kernels/blas.py): either kernel gives the same bits, so a choice that
depends on timing never changes a result.  Reductions (losses, sums over rows
or columns) choose by size alone: splitting a sum changes its rounding, so
their choice must not depend on timing.

A layer builds one ``Kernel`` per kernel pair, at import, and asks it at each
call::

    _SIGMOID = Kernel(activation.sigmoid_forward, activation.sigmoid_forward_parallel)
    _SIGMOID.pick(x.size)(x, out)
"""

from ..kernels._config import PARALLEL_MIN_ELEMENTS
from ..kernels.blas import threads_are_spinning


class Kernel:
    """A serial kernel, its parallel twin (or None), and which of the two to run now.

    ``elementwise=False`` marks a reduction: chosen by size only (see above).
    Both kernels take the same arguments.
    """

    __slots__ = ("serial", "parallel", "elementwise")

    def __init__(self, serial, parallel=None, elementwise=True):
        self.serial = serial
        self.parallel = parallel
        self.elementwise = elementwise

    def pick(self, size, _min=PARALLEL_MIN_ELEMENTS):
        """The kernel for work of `size` elements, to be called right away."""
        # (_min: a local name costs less than a global one, on every layer call.)
        if size < _min or self.parallel is None:
            return self.serial
        if self.elementwise and threads_are_spinning():
            return self.serial
        return self.parallel

    def __repr__(self):
        names = (getattr(self.serial, "__name__", self.serial), getattr(self.parallel, "__name__", self.parallel))
        return f"Kernel({names[0]}, {names[1]}, elementwise={self.elementwise})"
