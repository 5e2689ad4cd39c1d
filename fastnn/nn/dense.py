"""The book's MatMul (x @ W) and Affine (x @ W + b) layers: one implementation, the bias optional."""

import numpy as np
from numba.core.errors import TypingError

from .._core import inputs as check
from .._core.buffers import output
from .._core.grads import grad_target, store_grad
from ..kernels import affine, matmul

# What a kernel raises, before writing anything, for operands it refuses; a
# grad reshaped in place to another number of dimensions reaches a jitted
# kernel as a type it was not compiled for, which Numba refuses while typing.
_REFUSED = (ValueError, TypeError, TypingError)


class _Dense:
    """x @ W, plus b when the layer has one (_BIAS): the body of MatMul and Affine.

    Each method goes straight to its kernel when W and b (or W and the grads)
    are the very arrays its checked path last accepted, compared by identity, and
    its input passes the shared fast test (check.is_batch); anything else goes
    through the checked path (_prepare, _backward_checked), which checks and
    converts.  The identity tests are written here, not in a helper: a call per
    method cost 3% of the spiral's step (docs/design.md).
    """

    _NAME = None
    _BIAS = False

    def __init__(self, *params):
        self.params = list(params)
        self.grads = [np.zeros_like(p) for p in params]
        self.x = None
        self._checked_W = self._checked_last = None  # the params last found valid by forward
        # backward's fast path: the W and grads of its last checked call
        self._ok_W = self._ok_dW = self._ok_db = None
        self._loop_rows = -1  # batches up to this size multiply in the loop kernels (matmul.is_small)
        self._out = self._dx = None  # last outputs, reused when nobody kept them (see _core/buffers.py)

    def forward(self, x):
        params = self.params
        W, b = params[0], params[-1]  # b is W again for MatMul
        if W is self._checked_W and b is self._checked_last and check.is_batch(x, W.dtype, W.shape[0]):
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
        x = self.x
        W = self.params[0]
        grads = self.grads
        dW, db = grads[0], grads[-1]  # db is dW again for MatMul
        # The fast path: W and the grads of the last checked call (by identity: a
        # replaced one goes through the checks).  Their shapes are not compared
        # here: the kernels check every operand's shape against the others before
        # they write (kernels/_checks.py), and a refusal there (a grad reshaped in
        # place, say) sends the call through the checks for the layer's own message.
        if (W is self._ok_W and dW is self._ok_dW and db is self._ok_db and type(x) is np.ndarray
                and x.dtype is W.dtype and check.is_batch(dout, W.dtype)):
            dx = output(self._dx, x.shape, x.dtype)
            small = x.shape[0] <= self._loop_rows
            try:
                if dW is db:
                    (matmul.matmul_backward_small if small else matmul.matmul_backward)(dout, x, W, dx, dW)
                else:
                    (affine.affine_backward_small if small else affine.affine_backward)(dout, x, W, dx, dW, db)
            except _REFUSED:  # nothing was written
                return self._backward_checked(dout)
            self._dx = dx
            return dx
        return self._backward_checked(dout)

    def _backward_checked(self, dout):
        """backward for any input: checked, converted, gradients through temporaries when needed."""
        where = f"{self._NAME}.backward"
        x = check.saved(self.x, where)
        params, grads = self.params, self.grads
        count = 2 if self._BIAS else 1
        if len(params) != count or len(grads) != count:
            raise ValueError(f"{where}: the layer holds {len(params)} params and {len(grads)} grads; "
                             f"expected {count} of each")
        W = params[0]
        _check_weight(W, where, "W")
        x = check.float_operand(x, where, "x")  # what forward saved, or what replaced it since
        if x.ndim != 2:
            raise ValueError(f"{where}: x has shape {x.shape}; expected the 2-D batch (N, {W.shape[0]}) of forward")
        if x.shape[1] != W.shape[0]:
            raise ValueError(f"{where}: W has shape {W.shape}, but forward's x has shape {x.shape}; "
                             f"expected W of shape ({x.shape[1]}, H) (was params[0] replaced after forward?)")
        dtype = x.dtype
        # Every grad is checked before anything is written.
        targets = [grad_target(grads[0], W.shape, dtype, where, "grads[0]", "like params[0] (W)")]
        if self._BIAS:
            targets.append(grad_target(grads[1], W.shape[1:], dtype, where, "grads[1]", "(one per column of W)"))
        given = dout
        dout = check.same_shape(dout, (x.shape[0], W.shape[1]), where, "dout", dtype)
        W_c = check.operand(W, dtype, where, "W")
        dx = output(self._dx, x.shape, dtype)
        if self._BIAS:
            affine.affine_backward(dout, x, W_c, dx, *targets)
        else:
            matmul.matmul_backward(dout, x, W_c, dx, *targets)
        for grad, computed in zip(grads, targets):
            store_grad(grad, computed)
        self._dx = dx
        if (dout is given and x is self.x and W_c is W and W is self._checked_W
                and all(t is g for t, g in zip(targets, grads))):
            # All of these were used as they are: the next call with arrays like these takes the fast path.
            self._ok_W, self._ok_dW, self._ok_db = W, grads[0], grads[-1]
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
