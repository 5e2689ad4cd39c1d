"""The machinery every layer shares (not part of the API).

inputs: the checks and conversions at the layer boundary; buffers: output
arrays reused when nobody kept them; grads: writing gradients into the
caller's arrays; dispatch: a kernel or its parallel twin, by size; flat: many
params as views of one buffer; ids: word ids and embedding matrices;
recurrent, time_inputs: the checks and products of the time layers.
"""
