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

# The one place the version is written: pyproject.toml reads it from here
# (setuptools' dynamic version), so editable and normal installs agree.
__version__ = "0.1.0"
