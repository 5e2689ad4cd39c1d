"""In-place parameter updates, the formulas of the book's common/optimizer.py.

Every kernel takes one parameter array, its gradient and the optimizer's state
arrays for it, all C-contiguous and of the same shape, and updates them in place
in one pass.  Each ``*_parallel`` twin runs the same serial kernel on blocks of
the flat arrays, the blocks in parallel (for large parameters), so both give
the same bits.  Both are compiled with PAIRED flags (no reassoc, no contract:
_config.py): with them, nesterov_update_parallel loaded from Numba's cache gave
other bits than when compiled in the process (tests/test_cache_bits.py found
it, 2026-11-29); without them the updates ran 0.93-1.09x as long.  Hyper-parameters are cast to the array's dtype first, as NumPy
does with a Python float times a float32 array.

Each public kernel first checks that grad and the states have param's shape
and dtype and that no two of the arrays share memory (param and the states
are updated in place, grad is read).
"""

import numpy as np
from numba import njit, prange

from ._checks import check_apart, check_no_overlap, check_same_dtype, check_shape
from ._config import BLOCK_ELEMENTS, HELPER, PAIRED, PAIRED_PARALLEL

# The book adds this to the root in AdaGrad, RMSprop and Adam.
ROOT_EPS = 1e-7


@njit(**HELPER)
def _check_like(kernel, name, a, param):
    check_shape(kernel, name, a, param.shape, "param's shape")
    check_same_dtype(kernel, name, a, "param", param)


@njit(**HELPER)
def _check_operand(kernel, name, a, param):
    _check_like(kernel, name, a, param)
    check_no_overlap(kernel, "param", param, name, a)


@njit(**HELPER)
def _check_1(kernel, param, grad):
    _check_operand(kernel, "grad", grad, param)


@njit(**HELPER)
def _check_2(kernel, param, grad, state_name, state):
    _check_operand(kernel, "grad", grad, param)
    _check_operand(kernel, state_name, state, param)
    check_no_overlap(kernel, state_name, state, "grad", grad)


@njit(**HELPER)
def _check_3(kernel, param, grad, m, v):
    _check_like(kernel, "grad", grad, param)
    _check_like(kernel, "m", m, param)
    _check_like(kernel, "v", v, param)
    # The six pairs in one check_apart: it compiles in less time than six inlined checks.
    check_apart(kernel, ("grad", "m", "v", "param"), (grad, m, v, param), 1)


@njit(**HELPER)
def _sgd(param, grad, lr):
    p = param.reshape(-1)
    g = grad.reshape(-1)
    lr_ = p.dtype.type(lr)
    for i in range(p.size):
        p[i] -= lr_ * g[i]


@njit(**HELPER)
def _momentum(param, grad, v, lr, momentum):
    p = param.reshape(-1)
    g = grad.reshape(-1)
    vf = v.reshape(-1)
    lr_ = p.dtype.type(lr)
    mu = p.dtype.type(momentum)
    for i in range(p.size):
        vi = mu * vf[i] - lr_ * g[i]
        vf[i] = vi
        p[i] += vi


@njit(**HELPER)
def _nesterov(param, grad, v, lr, momentum):
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


@njit(**HELPER)
def _adagrad(param, grad, h, lr):
    p = param.reshape(-1)
    g = grad.reshape(-1)
    hf = h.reshape(-1)
    lr_ = p.dtype.type(lr)
    eps = p.dtype.type(ROOT_EPS)
    for i in range(p.size):
        hi = hf[i] + g[i] * g[i]
        hf[i] = hi
        p[i] -= lr_ * g[i] / (np.sqrt(hi) + eps)


@njit(**HELPER)
def _rmsprop(param, grad, h, lr, decay_rate):
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


@njit(**HELPER)
def _adam(param, grad, m, v, lr_t, beta1, beta2):
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


# The serial kernels.

@njit(**PAIRED)
def sgd_update(param, grad, lr):
    """param -= lr * grad."""
    _check_1("sgd_update", param, grad)
    _sgd(param, grad, lr)


@njit(**PAIRED)
def momentum_update(param, grad, v, lr, momentum):
    """v = momentum * v - lr * grad; param += v."""
    _check_2("momentum_update", param, grad, "v", v)
    _momentum(param, grad, v, lr, momentum)


@njit(**PAIRED)
def nesterov_update(param, grad, v, lr, momentum):
    """v = momentum * v - lr * grad; param += momentum**2 * v - (1 + momentum) * lr * grad."""
    _check_2("nesterov_update", param, grad, "v", v)
    _nesterov(param, grad, v, lr, momentum)


@njit(**PAIRED)
def adagrad_update(param, grad, h, lr):
    """h += grad**2; param -= lr * grad / (sqrt(h) + 1e-7)."""
    _check_2("adagrad_update", param, grad, "h", h)
    _adagrad(param, grad, h, lr)


@njit(**PAIRED)
def rmsprop_update(param, grad, h, lr, decay_rate):
    """h = decay * h + (1 - decay) * grad**2; param -= lr * grad / (sqrt(h) + 1e-7)."""
    _check_2("rmsprop_update", param, grad, "h", h)
    _rmsprop(param, grad, h, lr, decay_rate)


@njit(**PAIRED)
def adam_update(param, grad, m, v, lr_t, beta1, beta2):
    """m += (1-b1)(g - m); v += (1-b2)(g**2 - v); param -= lr_t * m / (sqrt(v) + 1e-7).

    lr_t is the bias-corrected step lr * sqrt(1 - b2**t) / (1 - b1**t).
    """
    _check_3("adam_update", param, grad, m, v)
    _adam(param, grad, m, v, lr_t, beta1, beta2)


# Parallel twins: the unchecked body on blocks of the flat arrays.

@njit(**PAIRED_PARALLEL)
def sgd_update_parallel(param, grad, lr):
    _check_1("sgd_update_parallel", param, grad)
    p, g = param.reshape(-1), grad.reshape(-1)
    for block in prange((p.size + BLOCK_ELEMENTS - 1) // BLOCK_ELEMENTS):
        lo = block * BLOCK_ELEMENTS
        hi = min(lo + BLOCK_ELEMENTS, p.size)
        _sgd(p[lo:hi], g[lo:hi], lr)


@njit(**PAIRED_PARALLEL)
def momentum_update_parallel(param, grad, v, lr, momentum):
    _check_2("momentum_update_parallel", param, grad, "v", v)
    p, g, vf = param.reshape(-1), grad.reshape(-1), v.reshape(-1)
    for block in prange((p.size + BLOCK_ELEMENTS - 1) // BLOCK_ELEMENTS):
        lo = block * BLOCK_ELEMENTS
        hi = min(lo + BLOCK_ELEMENTS, p.size)
        _momentum(p[lo:hi], g[lo:hi], vf[lo:hi], lr, momentum)


@njit(**PAIRED_PARALLEL)
def nesterov_update_parallel(param, grad, v, lr, momentum):
    _check_2("nesterov_update_parallel", param, grad, "v", v)
    p, g, vf = param.reshape(-1), grad.reshape(-1), v.reshape(-1)
    for block in prange((p.size + BLOCK_ELEMENTS - 1) // BLOCK_ELEMENTS):
        lo = block * BLOCK_ELEMENTS
        hi = min(lo + BLOCK_ELEMENTS, p.size)
        _nesterov(p[lo:hi], g[lo:hi], vf[lo:hi], lr, momentum)


@njit(**PAIRED_PARALLEL)
def adagrad_update_parallel(param, grad, h, lr):
    _check_2("adagrad_update_parallel", param, grad, "h", h)
    p, g, hf = param.reshape(-1), grad.reshape(-1), h.reshape(-1)
    for block in prange((p.size + BLOCK_ELEMENTS - 1) // BLOCK_ELEMENTS):
        lo = block * BLOCK_ELEMENTS
        hi = min(lo + BLOCK_ELEMENTS, p.size)
        _adagrad(p[lo:hi], g[lo:hi], hf[lo:hi], lr)


@njit(**PAIRED_PARALLEL)
def rmsprop_update_parallel(param, grad, h, lr, decay_rate):
    _check_2("rmsprop_update_parallel", param, grad, "h", h)
    p, g, hf = param.reshape(-1), grad.reshape(-1), h.reshape(-1)
    for block in prange((p.size + BLOCK_ELEMENTS - 1) // BLOCK_ELEMENTS):
        lo = block * BLOCK_ELEMENTS
        hi = min(lo + BLOCK_ELEMENTS, p.size)
        _rmsprop(p[lo:hi], g[lo:hi], hf[lo:hi], lr, decay_rate)


@njit(**PAIRED_PARALLEL)
def adam_update_parallel(param, grad, m, v, lr_t, beta1, beta2):
    _check_3("adam_update_parallel", param, grad, m, v)
    p, g, mf, vf = param.reshape(-1), grad.reshape(-1), m.reshape(-1), v.reshape(-1)
    for block in prange((p.size + BLOCK_ELEMENTS - 1) // BLOCK_ELEMENTS):
        lo = block * BLOCK_ELEMENTS
        hi = min(lo + BLOCK_ELEMENTS, p.size)
        _adam(p[lo:hi], g[lo:hi], mf[lo:hi], vf[lo:hi], lr_t, beta1, beta2)
