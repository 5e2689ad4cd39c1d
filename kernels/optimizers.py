"""In-place parameter updates, the formulas of the book's common/optimizer.py.

Every kernel takes one parameter array, its gradient and the optimizer's state
arrays for it, all C-contiguous and of the same shape, and updates them in place
in one pass.  Each ``*_parallel`` twin runs the same serial kernel on blocks of
the flat arrays, the blocks in parallel (for large parameters), so both give
the same bits.  Hyper-parameters are cast to the array's dtype first, as NumPy
does with a Python float times a float32 array.
"""

import numpy as np
from numba import njit, prange

from ._config import BLOCK_ELEMENTS, KERNEL, PARALLEL

# The book adds this to the root in AdaGrad, RMSprop and Adam.
ROOT_EPS = 1e-7


@njit(**KERNEL)
def sgd_update(param, grad, lr):
    """param -= lr * grad."""
    p = param.reshape(-1)
    g = grad.reshape(-1)
    lr_ = p.dtype.type(lr)
    for i in range(p.size):
        p[i] -= lr_ * g[i]


@njit(**KERNEL)
def momentum_update(param, grad, v, lr, momentum):
    """v = momentum * v - lr * grad; param += v."""
    p = param.reshape(-1)
    g = grad.reshape(-1)
    vf = v.reshape(-1)
    lr_ = p.dtype.type(lr)
    mu = p.dtype.type(momentum)
    for i in range(p.size):
        vi = mu * vf[i] - lr_ * g[i]
        vf[i] = vi
        p[i] += vi


@njit(**KERNEL)
def nesterov_update(param, grad, v, lr, momentum):
    """v = momentum * v - lr * grad; param += momentum**2 * v - (1 + momentum) * lr * grad."""
    p = param.reshape(-1)
    g = grad.reshape(-1)
    vf = v.reshape(-1)
    lr_ = p.dtype.type(lr)
    mu = p.dtype.type(momentum)
    mu2 = mu * mu
    step = p.dtype.type((1 + momentum) * lr)
    for i in range(p.size):
        vi = vf[i] * mu - lr_ * g[i]
        vf[i] = vi
        p[i] += mu2 * vi
        p[i] -= step * g[i]


@njit(**KERNEL)
def adagrad_update(param, grad, h, lr):
    """h += grad**2; param -= lr * grad / (sqrt(h) + 1e-7)."""
    p = param.reshape(-1)
    g = grad.reshape(-1)
    hf = h.reshape(-1)
    lr_ = p.dtype.type(lr)
    eps = p.dtype.type(ROOT_EPS)
    for i in range(p.size):
        hi = hf[i] + g[i] * g[i]
        hf[i] = hi
        p[i] -= lr_ * g[i] / (np.sqrt(hi) + eps)


@njit(**KERNEL)
def rmsprop_update(param, grad, h, lr, decay_rate):
    """h = decay * h + (1 - decay) * grad**2; param -= lr * grad / (sqrt(h) + 1e-7)."""
    p = param.reshape(-1)
    g = grad.reshape(-1)
    hf = h.reshape(-1)
    lr_ = p.dtype.type(lr)
    rho = p.dtype.type(decay_rate)
    keep = p.dtype.type(1 - decay_rate)
    eps = p.dtype.type(ROOT_EPS)
    for i in range(p.size):
        hi = hf[i] * rho + keep * g[i] * g[i]
        hf[i] = hi
        p[i] -= lr_ * g[i] / (np.sqrt(hi) + eps)


@njit(**KERNEL)
def adam_update(param, grad, m, v, lr_t, beta1, beta2):
    """m += (1-b1)(g - m); v += (1-b2)(g**2 - v); param -= lr_t * m / (sqrt(v) + 1e-7).

    lr_t is the bias-corrected step lr * sqrt(1 - b2**t) / (1 - b1**t).
    """
    p = param.reshape(-1)
    g = grad.reshape(-1)
    mf = m.reshape(-1)
    vf = v.reshape(-1)
    step = p.dtype.type(lr_t)
    a1 = p.dtype.type(1 - beta1)
    a2 = p.dtype.type(1 - beta2)
    eps = p.dtype.type(ROOT_EPS)
    for i in range(p.size):
        gi = g[i]
        mi = mf[i] + a1 * (gi - mf[i])
        vi = vf[i] + a2 * (gi * gi - vf[i])
        mf[i] = mi
        vf[i] = vi
        p[i] -= step * mi / (np.sqrt(vi) + eps)


# Parallel twins: the serial kernel on blocks of the flat arrays.

@njit(**PARALLEL)
def sgd_update_parallel(param, grad, lr):
    p, g = param.reshape(-1), grad.reshape(-1)
    for block in prange((p.size + BLOCK_ELEMENTS - 1) // BLOCK_ELEMENTS):
        lo = block * BLOCK_ELEMENTS
        hi = min(lo + BLOCK_ELEMENTS, p.size)
        sgd_update(p[lo:hi], g[lo:hi], lr)


@njit(**PARALLEL)
def momentum_update_parallel(param, grad, v, lr, momentum):
    p, g, vf = param.reshape(-1), grad.reshape(-1), v.reshape(-1)
    for block in prange((p.size + BLOCK_ELEMENTS - 1) // BLOCK_ELEMENTS):
        lo = block * BLOCK_ELEMENTS
        hi = min(lo + BLOCK_ELEMENTS, p.size)
        momentum_update(p[lo:hi], g[lo:hi], vf[lo:hi], lr, momentum)


@njit(**PARALLEL)
def nesterov_update_parallel(param, grad, v, lr, momentum):
    p, g, vf = param.reshape(-1), grad.reshape(-1), v.reshape(-1)
    for block in prange((p.size + BLOCK_ELEMENTS - 1) // BLOCK_ELEMENTS):
        lo = block * BLOCK_ELEMENTS
        hi = min(lo + BLOCK_ELEMENTS, p.size)
        nesterov_update(p[lo:hi], g[lo:hi], vf[lo:hi], lr, momentum)


@njit(**PARALLEL)
def adagrad_update_parallel(param, grad, h, lr):
    p, g, hf = param.reshape(-1), grad.reshape(-1), h.reshape(-1)
    for block in prange((p.size + BLOCK_ELEMENTS - 1) // BLOCK_ELEMENTS):
        lo = block * BLOCK_ELEMENTS
        hi = min(lo + BLOCK_ELEMENTS, p.size)
        adagrad_update(p[lo:hi], g[lo:hi], hf[lo:hi], lr)


@njit(**PARALLEL)
def rmsprop_update_parallel(param, grad, h, lr, decay_rate):
    p, g, hf = param.reshape(-1), grad.reshape(-1), h.reshape(-1)
    for block in prange((p.size + BLOCK_ELEMENTS - 1) // BLOCK_ELEMENTS):
        lo = block * BLOCK_ELEMENTS
        hi = min(lo + BLOCK_ELEMENTS, p.size)
        rmsprop_update(p[lo:hi], g[lo:hi], hf[lo:hi], lr, decay_rate)


@njit(**PARALLEL)
def adam_update_parallel(param, grad, m, v, lr_t, beta1, beta2):
    p, g, mf, vf = param.reshape(-1), grad.reshape(-1), m.reshape(-1), v.reshape(-1)
    for block in prange((p.size + BLOCK_ELEMENTS - 1) // BLOCK_ELEMENTS):
        lo = block * BLOCK_ELEMENTS
        hi = min(lo + BLOCK_ELEMENTS, p.size)
        adam_update(p[lo:hi], g[lo:hi], mf[lo:hi], vf[lo:hi], lr_t, beta1, beta2)
