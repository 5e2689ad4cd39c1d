"""What the command-line programs (fastnn.spiral, .word2vec, .rnnlm, .seq2seq) share.

options: argument parsing with one-line errors; out_folder: where pictures and
vectors are written; kernel_cache: compiling a program's kernels once, with a
notice, on the first run.
"""
