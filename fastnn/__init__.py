"""fastnn: the layers of Deep Learning from Scratch 2 on Numba kernels."""
