"""The book's MatMul (x @ W) and Affine (x @ W + b) layers: one implementation, the bias optional."""

import numpy as np

from . import _inputs as check
from ._buffers import output
from ._grads import grad_target, store_grad
from .kernels import affine, matmul


class _Dense:
    """x @ W, plus b when the layer has one (_BIAS): the body of MatMul and Affine.

    forward's fast path trusts params that are the very arrays last found valid
    (params[0] and params[-1], which is W again for MatMul); anything else goes
    through _prepare, which checks and converts.
    """

    _NAME = None
    _BIAS = False

    def __init__(self, *params):
        self.params = list(params)
        self.grads = [np.zeros_like(p) for p in params]
        self.x = None
        self._checked_W = self._checked_last = None  # the params last found valid
        self._loop_rows = -1  # batches up to this size multiply in the loop kernels (matmul.is_small)
        self._out = self._dx = None  # last outputs, reused when nobody kept them (see _buffers)

    def forward(self, x):
        params = self.params
        W, b = params[0], params[-1]  # b is W again for MatMul
        if (W is self._checked_W and b is self._checked_last and type(x) is np.ndarray
                and x.dtype is W.dtype and x.ndim == 2 and x.flags.c_contiguous and x.shape[1] == W.shape[0]):
            small = x.shape[0] <= self._loop_rows
        else:
            x, W, b = self._prepare(x)
            small = False  # W may be a converted copy: let the wrapper choose by size
        out = output(self._out, (x.shape[0], W.shape[1]), x.dtype)
        if b is W:  # MatMul (an identity test costs less than reading a class attribute)
            (matmul.matmul_forward_small if small else matmul.matmul_forward)(x, W, out)
        else:
            (affine.affine_forward_small if small else affine.affine_forward)(x, W, b, out)
        self.x, self._out = x, out
        return out

    def _prepare(self, x):
        """The checked, converted (x, W, b) of forward (the slow path: any input); b is W without a bias."""
        where = f"{self._NAME}.forward"
        params = self.params
        W = params[0]
        _check_weight(W, self._NAME, "W")
        operands = {"x": x, "W": W}
        if self._BIAS:
            b = params[1]
            if np.ndim(b) != 1 or np.shape(b)[0] != W.shape[1]:
                raise ValueError(f"{where}: b has shape {np.shape(b)}; expected ({W.shape[1]},) to match W {W.shape}")
            operands["b"] = b
        dtype = check.compute_dtype(where, **operands)
        x = check.batch(x, where, "x", W.shape[0], dtype)
        if W.dtype is dtype and (not self._BIAS or (b.dtype is dtype and b.flags.c_contiguous)):
            self._checked_W, self._checked_last, self._loop_rows = W, params[-1], _loop_rows(W)
        W = check.operand(W, dtype, where, "W")
        return x, W, (check.operand(b, dtype, where, "b") if self._BIAS else W)

    def backward(self, dout):
        W = self.params[0]
        x = self.x
        grads = self.grads
        dW, db = grads[0], grads[-1]
        if (x is not None and type(dout) is np.ndarray and dout.dtype is x.dtype is W.dtype
                and dout.flags.c_contiguous and dout.shape == (x.shape[0], W.shape[1])
                and W is self._checked_W and dW.flags.c_contiguous and db.flags.c_contiguous):
            dx = output(self._dx, x.shape, x.dtype)
            small = x.shape[0] <= self._loop_rows
            if self._BIAS:
                (affine.affine_backward_small if small else affine.affine_backward)(dout, x, W, dx, dW, db)
            else:
                (matmul.matmul_backward_small if small else matmul.matmul_backward)(dout, x, W, dx, dW)
            self._dx = dx
            return dx
        return self._backward_checked(dout)

    def _backward_checked(self, dout):
        """backward for any input: checked, converted, gradients through temporaries when needed."""
        where = f"{self._NAME}.backward"
        x = check.saved(self.x, where)
        W = self.params[0]
        dtype = x.dtype
        dout = check.same_shape(dout, (x.shape[0], W.shape[1]), where, "dout", dtype)
        W = check.operand(W, dtype, where, "W")
        dx = np.empty(x.shape, dtype)
        targets = [grad_target(g, dtype) for g in self.grads]
        if self._BIAS:
            affine.affine_backward(dout, x, W, dx, *targets)
        else:
            matmul.matmul_backward(dout, x, W, dx, *targets)
        for grad, computed in zip(self.grads, targets):
            store_grad(grad, computed)
        return dx


class MatMul(_Dense):
    """y = x @ W.

    Args: W (D, H).  forward(x (N, D)) -> (N, H); backward(dout (N, H)) -> dx (N, D),
    writing dW into ``grads[0]``.  Attributes: params [W], grads [dW], x.
    """

    _NAME = "MatMul"

    def __init__(self, W):
        super().__init__(W)


class Affine(_Dense):
    """y = x @ W + b.

    Args: W (D, H), b (H,).  forward(x (N, D)) -> (N, H); backward(dout (N, H)) ->
    dx (N, D), writing dW and db into ``grads``.  Attributes: params [W, b],
    grads [dW, db], x.
    """

    _NAME = "Affine"
    _BIAS = True

    def __init__(self, W, b):
        super().__init__(W, b)


def _check_weight(W, layer, name):
    """A layer's weight matrix must be a 2-D real array (it is updated in place)."""
    if type(W) is not np.ndarray or W.ndim != 2:
        raise ValueError(f"{layer}: {name} has shape {np.shape(W)}; expected a 2-D numpy array (D, H)")
    check.compute_dtype(layer, **{name: W})


def _loop_rows(W):
    """The largest batch whose product with W runs in the loop kernels (matmul.is_small)."""
    return matmul.SMALL_GEMM_MACS // max(1, W.shape[0] * W.shape[1])
