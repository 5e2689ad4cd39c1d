"""Compiler settings shared by every kernel, kept in one place.

FASTMATH leaves out ``nnan`` and ``ninf`` on purpose: with those flags LLVM may
assume no NaN or inf exists, and ``np.isnan`` or an inf check can silently
return False.  ``reassoc`` lets LLVM vectorise reductions in an order it picks
when it compiles, and the same source compiled in another context may get
another order: softmax_backward_parallel loaded from Numba's cache once summed
its rows otherwise than when compiled in the process, and its bits differed from
the serial kernel's (2026-11-28); nesterov_update_parallel's elementwise
update did the same (2026-11-29).  Numba's own tracker has parallel code loaded
from the cache optimised otherwise than fresh code (numba/numba#10617).  A sum
that must come out the same everywhere is compiled with FIXED_ORDER_FASTMATH,
in the order its code writes; kernels with a parallel twin, and the twins, with
PAIRED where that costs little (the optimizers, sigmoid).  The softmax family
keeps FASTMATH: without reassoc its row reductions ran 5x as long; its fixed-
order row dot and tests/test_cache_bits.py, which compares every pair's bits
compiled and loaded from a cache, keep it honest.
"""

FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}

# For sums whose order must not depend on where they are compiled (see above).
FIXED_ORDER_FASTMATH = FASTMATH - {"reassoc", "contract"}

# What every kernel is compiled with.  error_model="numpy" drops the
# ZeroDivisionError test Numba otherwise puts on every division: that test is a
# branch out of the loop, and a loop with an exit in its body never vectorises.
KERNEL = {"cache": True, "fastmath": FASTMATH, "error_model": "numpy"}

# Helpers that kernels call with array arguments.  A call between jitted
# functions passes each array with a reference-count update on either side;
# inlining the helper at the Numba IR level removes that, which at the spiral
# net's sizes (rows of 3) halved a softmax.
HELPER = {**KERNEL, "inline": "always"}

# Kernels with a parallel twin, and the twins: no flag that lets LLVM round
# otherwise than the code says, because LLVM optimises a parallel kernel
# loaded from Numba's cache otherwise than one compiled in the process, and
# a twin pair must give the same bits either way (see above).
PAIRED = {**KERNEL, "fastmath": FIXED_ORDER_FASTMATH}

# The parallel kernels: each splits its work into blocks with prange and runs
# the serial kernel on every block, so both compute with the same code.  Each
# block owns its slice of the output: no two threads write the same element,
# and the results do not depend on the number of threads.
PARALLEL = {**KERNEL, "parallel": True}
PAIRED_PARALLEL = {**PAIRED, "parallel": True}

# Elementwise and reduction work of at least this many elements goes to the
# parallel kernels.  On an idle machine two threads already win from 1 << 16
# (sigmoid of 65536 float32: 26 us against 45 us serial), but a training step
# also calls BLAS, whose worker threads spin for a while after each product: a
# parallel kernel started then waits for a core, and the batch-1000 step of
# the 100-100-10 net took 16 ms instead of 0.87 ms.  From 1 << 18 elements the
# kernels are long enough that the threads pay off more often than not.  Right
# after a large product (within blas.SPIN_SECONDS) elementwise work runs on one
# thread anyway, and Affine's bias kernels, which always follow a product,
# are serial (see blas.py for the measurements).
PARALLEL_MIN_ELEMENTS = 1 << 18

# Work is cut into blocks of about this many elements (a multiple of the SIMD
# width, large enough that a block's loop overhead is negligible).
BLOCK_ELEMENTS = 1 << 14
