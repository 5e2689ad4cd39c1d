"""fastnn: the layers of Deep Learning from Scratch 2 on Numba kernels.

What is where:

- The book's modules, under the book's names (what a reader imports in place
  of ``common.X``): base_model, config, functions, layers, np, optimizer,
  time_layers, trainer, util; and its chapter layer files negative_sampling
  (ch04) and attention (ch08).
- The command-line programs, ``python -m fastnn.NAME``: spiral, word2vec,
  rnnlm, seq2seq, book (runs a script of the book unmodified); and
  attention_map, the pictures of chapter 8's attention that seq2seq draws.
- models/: the chapters' models.  nn/: the layer classes behind layers and
  time_layers.  words/: the word tools behind util.
- _core/: the machinery the layers share (input checks, output buffers, grads,
  kernel dispatch).  _cli/: what the programs share.
- The kernels are fastnn.kernels (the kernels/ folder), the data sets
  fastnn.dataset (dataset/).
"""

import atexit as _atexit
import gc as _gc


def _collect_then_freeze():
    """At exit: collect the garbage, then move every object left to the permanent
    generation, which the collections of the interpreter's shutdown skip.

    Numba's typing and target registries are hundreds of thousands of objects,
    and shutdown collects several times while it clears the modules: that took
    0.2-0.3 s of every run (docs/performance.md).  Garbage still gets collected
    here, its finalizers run; what is frozen is what is still alive at exit, whose
    __del__ Python never promises to run.
    """
    _gc.collect()
    _gc.freeze()


_atexit.register(_collect_then_freeze)

# The one place the version is written: pyproject.toml reads it from here
# (setuptools' dynamic version), so editable and normal installs agree.
__version__ = "0.1.0"
