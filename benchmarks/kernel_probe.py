"""Which of fastnn's kernels a call ran: the serial one or its ``*_parallel`` twin.

From PARALLEL_MIN_ELEMENTS elements fastnn runs elementwise work and
reductions on all cores, except that elementwise work right after a large
matrix product runs on one (kernels/blas.py: OpenBLAS's threads still spin).
An op timed on its own runs the parallel kernel; the same op inside a training
step, right after a product, the serial one.  So a benchmark of an isolated op
records which kernel its timed calls ran, and the report says so.

``kernel_of(fn)`` calls ``fn`` once and returns ``"parallel"`` if any
``*_parallel`` kernel ran during the call, else ``"serial"``.  It watches every
place fastnn chooses a kernel at call time: the kernel modules' ``*_parallel``
attributes (looked up at each call), ``fastnn._core.dispatch.Kernel.pick`` and any
module-level ``_pick(serial, parallel)`` of fastnn (the optimizers).  The
watching costs a Python call per kernel, so it is never on while timing.
"""

import sys
from contextlib import contextmanager

PARALLEL = "parallel"
SERIAL = "serial"


def _is_parallel(fn):
    return getattr(fn, "__name__", "").endswith("_parallel")


def _fastnn_modules():
    return [m for name, m in list(sys.modules.items()) if m is not None and name.startswith("fastnn")]


@contextmanager
def _watching(seen):
    """Within the block, seen.append(name) for every parallel kernel fastnn runs."""
    undo = []

    def patch(owner, attr, new):
        undo.append((owner, attr, getattr(owner, attr)))
        setattr(owner, attr, new)

    def recording(kernel):
        def call(*args):
            seen.append(kernel.__name__)
            return kernel(*args)
        call.__name__ = kernel.__name__
        return call

    try:
        for module in _fastnn_modules():
            names = vars(module)
            if module.__name__.startswith("fastnn.kernels."):
                for attr, obj in list(names.items()):
                    if _is_parallel(obj) and callable(obj):
                        patch(module, attr, recording(obj))
            pick = names.get("_pick")
            if callable(pick) and module.__name__.startswith("fastnn.") and not isinstance(pick, type):
                def watched_pick(*args, _pick=pick):
                    chosen = _pick(*args)
                    return recording(chosen) if _is_parallel(chosen) else chosen
                patch(module, "_pick", watched_pick)
            kernel_class = names.get("Kernel") if module.__name__ == "fastnn._core.dispatch" else None
            if kernel_class is not None and hasattr(kernel_class, "pick"):
                def watched_method(self, *args, _pick=kernel_class.pick):
                    chosen = _pick(self, *args)
                    return recording(chosen) if _is_parallel(chosen) else chosen
                patch(kernel_class, "pick", watched_method)
        yield
    finally:
        for owner, attr, old in reversed(undo):
            setattr(owner, attr, old)


def kernel_of(fn):
    """"parallel" or "serial": what one call of fn ran (see the module docstring)."""
    seen = []
    with _watching(seen):
        fn()
    return PARALLEL if seen else SERIAL


def summary(before, after):
    """One word for the kernel of a run probed before and after its timed calls."""
    return before if before == after else f"{before}, then {after}"
