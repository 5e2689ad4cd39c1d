"""Arrays laid end to end in one buffer."""

import numpy as np


def views_of_one_buffer(shapes, dtype, fill=0):
    """One 1-D buffer and C-contiguous views of it with the given shapes, in order.

    A model whose params (and grads) tile one buffer lets an optimizer update
    them all in one kernel call instead of one per array.
    """
    buffer = np.full(sum(int(np.prod(s)) for s in shapes), fill, dtype)
    views, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        views.append(buffer[start:start + size].reshape(shape))
        start += size
    return buffer, views
