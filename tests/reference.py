"""Plain-numpy reference of every op, written the way the book writes it.

These are the oracles every kernel, layer and optimizer is compared with.  They
allocate freely and care only about being obviously right (sigmoid silences
numpy's overflow warning, optimizers write their state in place).  They are
never timed: the benchmarks' numpy baseline is benchmarks/book_numpy.py, the
book's code call for call, which benchmarks/test_book_numpy.py checks against
these.  A test hands them copies (np.array(x, dtype=np.float64)), never the
arrays fastnn reads or writes.
"""

import numpy as np


def sigmoid(x):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def softmax(x):
    if x.ndim == 2:
        x = x - x.max(axis=1, keepdims=True)
        x = np.exp(x)
        x /= x.sum(axis=1, keepdims=True)
    elif x.ndim == 1:
        x = x - np.max(x)
        x = np.exp(x) / np.sum(np.exp(x))
    return x


def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


def matmul_forward(x, W):
    return np.dot(x, W)


def matmul_backward(dout, x, W):
    """Returns (dx, dW)."""
    return np.dot(dout, W.T), np.dot(x.T, dout)


def affine_forward(x, W, b):
    return np.dot(x, W) + b


def affine_backward(dout, x, W):
    """Returns (dx, dW, db)."""
    return np.dot(dout, W.T), np.dot(x.T, dout), np.sum(dout, axis=0)


def sigmoid_backward(dout, y):
    return dout * (1.0 - y) * y


def softmax_backward(dout, y):
    dx = y * dout
    sumdx = np.sum(dx, axis=1, keepdims=True)
    dx -= y * sumdx
    return dx


def repeat_forward(x, n, axis=0):
    return np.repeat(x, n, axis=axis)


def repeat_backward(dy, n, axis=0):
    """Adjoint of np.repeat: sum each run of n slices along axis."""
    moved = np.moveaxis(dy, axis, 0)
    summed = moved.reshape(moved.shape[0] // n if n else 0, n, *moved.shape[1:]).sum(axis=1)
    return np.moveaxis(summed, 0, axis)


def sum_forward(x, axis=0):
    return np.sum(x, axis=axis, keepdims=True)


def sum_backward(dy, n, axis=0):
    return np.repeat(dy, n, axis=axis)


def softmax_with_loss_forward(x, t):
    """Returns (loss, y, t as indices)."""
    y = softmax(x)
    if t.size == y.size:
        t = t.argmax(axis=1)
    return cross_entropy_error(y, t), y, t


def softmax_with_loss_backward(y, t, dout=1):
    batch_size = t.shape[0]
    dx = y.copy()
    dx[np.arange(batch_size), t] -= 1
    dx *= dout
    return dx / batch_size


def sigmoid_with_loss_forward(x, t):
    """Returns (loss, y)."""
    y = sigmoid(x)
    return cross_entropy_error(np.c_[1 - y, y], t), y


def sigmoid_with_loss_backward(y, t, dout=1):
    return (y - t) * dout / t.shape[0]


# Optimizers: each takes lists (params, grads, state...) and updates in place.

def sgd(params, grads, lr=0.01):
    for i in range(len(params)):
        params[i] -= lr * grads[i]


def momentum(params, grads, v, lr=0.01, momentum=0.9):
    for i in range(len(params)):
        v[i][...] = momentum * v[i] - lr * grads[i]
        params[i] += v[i]


def nesterov(params, grads, v, lr=0.01, momentum=0.9):
    for i in range(len(params)):
        v[i] *= momentum
        v[i] -= lr * grads[i]
        params[i] += momentum * momentum * v[i]
        params[i] -= (1 + momentum) * lr * grads[i]


def adagrad(params, grads, h, lr=0.01):
    for i in range(len(params)):
        h[i] += grads[i] * grads[i]
        params[i] -= lr * grads[i] / (np.sqrt(h[i]) + 1e-7)


def rmsprop(params, grads, h, lr=0.01, decay_rate=0.99):
    for i in range(len(params)):
        h[i] *= decay_rate
        h[i] += (1 - decay_rate) * grads[i] * grads[i]
        params[i] -= lr * grads[i] / (np.sqrt(h[i]) + 1e-7)


def adam(params, grads, m, v, it, lr=0.001, beta1=0.9, beta2=0.999):
    """`it` is the 1-based step number (the book's self.iter after its increment)."""
    lr_t = lr * np.sqrt(1.0 - beta2**it) / (1.0 - beta1**it)
    for i in range(len(params)):
        m[i] += (1 - beta1) * (grads[i] - m[i])
        v[i] += (1 - beta2) * (grads[i] ** 2 - v[i])
        params[i] -= lr_t * m[i] / (np.sqrt(v[i]) + 1e-7)


class TwoLayerNet:
    """The book's ch01 net, layer by layer in plain numpy (an oracle; the timed step is book_numpy's)."""

    def __init__(self, W1, b1, W2, b2):
        self.params = [W1, b1, W2, b2]
        self.grads = [np.zeros_like(p) for p in self.params]

    def forward(self, x, t):
        W1, b1, W2, b2 = self.params
        self.x = x
        self.h = sigmoid(affine_forward(x, W1, b1))
        score = affine_forward(self.h, W2, b2)
        loss, self.y, self.t = softmax_with_loss_forward(score, t)
        return loss

    def backward(self, dout=1):
        W1, b1, W2, b2 = self.params
        dscore = softmax_with_loss_backward(self.y, self.t, dout)
        dh, dW2, db2 = affine_backward(dscore, self.h, W2)
        da = sigmoid_backward(dh, self.h)
        dx, dW1, db1 = affine_backward(da, self.x, W1)
        for g, d in zip(self.grads, (dW1, db1, dW2, db2)):
            g[...] = d
        return dx
