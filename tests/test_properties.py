"""hypothesis property tests: random shapes and values, fastnn against tests/reference.py.

Shapes include N=1 and odd sizes; values are finite floats of moderate size
(their scale drawn too).  The runs are derandomized (a fixed seed), with no
deadline (the first call of a dtype compiles) and a modest number of examples,
so the file stays at a few seconds once the kernels are cached.
"""

import numpy as np
import pytest
import reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from fastnn import functions, layers, optimizer

PROPS = settings(derandomize=True, deadline=None, max_examples=25, database=None)
DTYPES = st.sampled_from([np.dtype(np.float32), np.dtype(np.float64)])
SIZE = st.integers(1, 9)

# Tolerances are error bounds, worked out per operation.  A float operation's result
# is within U (the unit roundoff, half an ulp of 1) of the exact one, relatively; n
# operations on terms t_j stay within about n*U*sum|t_j| of exact (gamma_n = nU/(1 - nU):
# the factor 1.01 below), and a relative error passes through a product or a quotient
# unchanged, through a sqrt halved.  Each check states n (in "roundings") and the
# terms; the reference, computing in float64 from the same values, adds its own U64
# per rounding, so a tolerance is 1.01 * (U + U64) * roundings * terms, plus the
# smallest normal number for results that underflow.  The kernels use fast-math
# (a quotient may be a reciprocal and a product: 2 roundings) and an exp within 1
# ulp; numpy's float32 exp is within a few, so an exp counts as EXP roundings.
U = {np.dtype(np.float32): 2.0**-24, np.dtype(np.float64): 2.0**-53}
U64 = 2.0**-53
EXP = 8  # 4 ulps


@st.composite
def arrays(draw, shape, dtype):
    """A float array of `shape`: a seed and a scale drawn by hypothesis, values from numpy."""
    seed = draw(st.integers(0, 2**32 - 1))
    scale = draw(st.sampled_from([1e-3, 1.0, 30.0]))
    return (scale * np.random.default_rng(seed).standard_normal(shape)).astype(dtype)


def within(actual, expected, dtype, roundings):
    """|actual - expected| <= 1.01 (U + U64) roundings + tiny, elementwise; `roundings`
    is the bound in units of U: the number of roundings times the terms' magnitude."""
    expected = np.asarray(expected, np.float64)
    assert np.asarray(actual).dtype == dtype
    assert np.shape(actual) == expected.shape
    tol = 1.01 * (U[dtype] + U64) * np.broadcast_to(np.asarray(roundings, np.float64), expected.shape)
    tol = tol + np.finfo(dtype).tiny
    err = np.abs(np.asarray(actual, np.float64) - expected)
    assert (err <= tol).all(), f"worst error / tolerance {float(np.max(err / tol)):.3g} at {np.argmax(err / tol)}"


def softmax_roundings(x):
    """Relative error bound of a softmax y_t = exp(z_t) / S, z = x - s, per entry, in U.
    The shift s may be any entry of the row (the book's is the maximum; fastnn's kernel
    takes the first, the maximum only when the sum would overflow): z's rounding is U|z|
    absolute, which exp turns into a relative U|z_t| for y_t and at most sum_k y_k U|z_k|
    for S, each at most the row's range; the exps EXP each; the sum S of c terms c - 1;
    the quotient 2."""
    low, high = x.min(axis=-1, keepdims=True), x.max(axis=-1, keepdims=True)
    return np.maximum(x - low, high - x) + (high - low) + 2 * EXP + x.shape[-1] + 1


def sigmoid_roundings(y):
    """Relative error bound of y = 1 / (1 + e), e = exp(-x), in U: e's EXP reaches y
    scaled by e / (1 + e) = 1 - y; the sum and the quotient 3."""
    return EXP * (1 - y) + 3


def log_error(p, delta, eps=1e-7):
    """How far log(p' + eps) can be from log(p + eps) when |p' - p| <= delta and p' >= 0."""
    down = np.log((p + eps) / (np.maximum(p - delta, 0) + eps))
    up = np.log((p + delta + eps) / (p + eps))
    return np.maximum(down, up)


def close_loss(loss, expected, p_true, p_roundings, dtype):
    """A mean over n terms of -log(p + 1e-7), where p_true are the reference's
    probabilities and p_roundings bounds the error of the p the code took the log of
    (in U, absolute).  Per term: p's error through the log (log_error: 1e-7 keeps a
    confident wrong answer's term from blowing up), 3 U for rounding p + 1e-7 (and a
    running product of terms, as fastnn's kernels take one log per 32 terms), 2 U|term|
    for the log; the sum (n - 1) U sum|terms|, the division and the result's rounding
    2 U |loss|."""
    u = 1.01 * (U[dtype] + U64)
    p_true = np.asarray(p_true, np.float64)
    terms = np.abs(np.log(p_true + 1e-7))
    n = p_true.size
    p_error = float(np.mean(log_error(p_true, u * np.asarray(p_roundings, np.float64))))
    atol = p_error + u * (3 + (n + 3) * float(np.mean(terms)))
    assert np.asarray(loss).dtype == dtype and np.shape(loss) == ()
    assert abs(float(loss) - float(expected)) <= atol, (float(loss), float(expected), atol)


def own(a):
    """A float64 copy for the reference: never the array fastnn reads or writes
    (np.asarray would hand back a float64 input itself, so a reference applied
    after the call would see whatever fastnn did to it)."""
    return np.array(a, dtype=np.float64)


@PROPS
@given(st.data(), DTYPES, SIZE, SIZE, SIZE, st.booleans())
def test_affine_and_matmul(data, dtype, n, d, h, with_bias):
    x = data.draw(arrays((n, d), dtype))
    W = data.draw(arrays((d, h), dtype))
    b = data.draw(arrays((h,), dtype))
    dout = data.draw(arrays((n, h), dtype))
    x64, W64, b64, dout64 = own(x), own(W), own(b), own(dout)  # before fastnn sees them
    layer = layers.Affine(W, b) if with_bias else layers.MatMul(W)
    out = layer.forward(x)
    dx = layer.backward(dout)
    # A dot product of length k is within k roundings of the sum of |terms| (any order,
    # FMA or not), not of the result; the bias adds one.
    expected_out = ref.affine_forward(x64, W64, b64) if with_bias else ref.matmul_forward(x64, W64)
    within(out, expected_out, dtype, (d + 1) * (np.abs(x64) @ np.abs(W64) + np.abs(b64) * with_bias))
    rdx, rdW, rdb = ref.affine_backward(dout64, x64, W64)
    within(dx, rdx, dtype, h * (np.abs(dout64) @ np.abs(W64).T))
    within(layer.grads[0], rdW, dtype, n * (np.abs(x64).T @ np.abs(dout64)))
    if with_bias:
        within(layer.grads[1], rdb, dtype, n * np.abs(dout64).sum(axis=0))


@PROPS
@given(st.data(), DTYPES, st.lists(SIZE, min_size=1, max_size=3))
def test_sigmoid(data, dtype, shape):
    x = data.draw(arrays(tuple(shape), dtype))
    dout = data.draw(arrays(tuple(shape), dtype))
    x64, dout64 = own(x), own(dout)
    layer = layers.Sigmoid()
    y = layer.forward(x)
    y64 = own(y)  # backward must not change what forward returned either
    ry = ref.sigmoid(x64)
    within(y, ry, dtype, sigmoid_roundings(ry) * ry)
    # dout * (1 - y) * y on forward's own y: 1 - y, then two products, each relative
    rdx = ref.sigmoid_backward(dout64, y64)
    within(layer.backward(dout), rdx, dtype, 3 * np.abs(rdx))
    assert np.array_equal(np.asarray(y, np.float64), y64)
    within(functions.sigmoid(x), ry, dtype, sigmoid_roundings(ry) * ry)


@PROPS
@given(st.data(), DTYPES, SIZE, SIZE)
def test_softmax(data, dtype, n, c):
    x = data.draw(arrays((n, c), dtype))
    dout = data.draw(arrays((n, c), dtype))
    x64, dout64 = own(x), own(dout)
    layer = layers.Softmax()
    y = layer.forward(x)
    y64 = own(y)
    ry = ref.softmax(x64)
    within(y, ry, dtype, softmax_roundings(x64) * ry)
    # y*dout - y*sum(y*dout) on forward's own y: the sum's c roundings, its product with
    # y, y*dout and the difference, on |y dout| + |y| sum|y dout|
    yd = np.abs(y64 * dout64)
    within(layer.backward(dout), ref.softmax_backward(dout64, y64), dtype,
           (c + 2) * (yd + y64 * yd.sum(axis=1, keepdims=True)))
    assert np.array_equal(np.asarray(y, np.float64), y64)
    ry0 = ref.softmax(x64[0])
    within(functions.softmax(x[0]), ry0, dtype, softmax_roundings(x64[0]) * ry0)


@PROPS
@given(st.data(), DTYPES, SIZE, st.integers(2, 9), st.booleans(), st.sampled_from([1, 0.5, 3.0]))
def test_softmax_with_loss(data, dtype, n, c, onehot, dout):
    # C >= 2: with one class, index labels (N,) and one-hot rows (N, 1) have the
    # same size and the book's cross_entropy_error cannot tell them apart.
    x = data.draw(arrays((n, c), dtype))
    t = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))).integers(0, c, size=n)
    labels = np.eye(c, dtype=np.int32)[t] if onehot else t
    rloss, ry, rt = ref.softmax_with_loss_forward(own(x), labels.copy())
    layer = layers.SoftmaxWithLoss()
    loss = layer.forward(x, labels)
    dx = layer.backward(dout)
    rows = np.arange(n)
    y_err = softmax_roundings(own(x)) * ry  # the bound of y's error, in U
    close_loss(loss, rloss, ry[rows, rt], y_err[rows, rt], dtype)
    # (y - onehot) * dout / n: y's error, then the difference, the product and the quotient
    within(dx, ref.softmax_with_loss_backward(ry, rt, dout), dtype,
           abs(dout) / n * (y_err + 4 * np.abs(ry - np.eye(c)[rt])))
    y = functions.softmax(x)
    y64 = own(y)
    close_loss(functions.cross_entropy_error(y, labels), ref.cross_entropy_error(y64, labels.copy()),
               y64[rows, rt], 0, dtype)  # the same y: only the log and the mean round


@PROPS
@given(st.data(), DTYPES, st.integers(1, 40), st.sampled_from([1, 0.5, 3.0]))
def test_sigmoid_with_loss(data, dtype, n, dout):
    x = data.draw(arrays((n,), dtype))
    t = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))).integers(0, 2, size=n)
    t_ref = t.copy()
    rloss, ry = ref.sigmoid_with_loss_forward(own(x), t_ref)
    layer = layers.SigmoidWithLoss()
    loss = layer.forward(x, t)
    dx = layer.backward(dout)
    y_err = sigmoid_roundings(ry) * ry
    # the probability of the true label is y or 1 - y, the difference rounding once more
    # (the book's float32 1 - y: a y within an ulp of 1 leaves 1 - y known only to an ulp of 1)
    p_err = y_err + (t_ref == 0) * (1 - ry)
    close_loss(loss, rloss, np.where(t_ref == 1, ry, 1 - ry), p_err, dtype)
    within(dx, ref.sigmoid_with_loss_backward(ry, t_ref, dout), dtype, abs(dout) / n * (y_err + 4 * np.abs(ry - t_ref)))


@PROPS
@given(st.data(), DTYPES, SIZE, SIZE, st.integers(0, 6), st.sampled_from([0, 1]))
def test_repeat_and_sum(data, dtype, rows, cols, n, axis):
    x = data.draw(arrays((rows, cols), dtype))
    rep_shape = (rows * n, cols) if axis == 0 else (rows, cols * n)
    dy = data.draw(arrays(rep_shape, dtype))
    sum_shape = (1, cols) if axis == 0 else (rows, 1)
    dout = data.draw(arrays(sum_shape, dtype))
    x64, dy64, dout64 = own(x), own(dy), own(dout)
    repeat = layers.Repeat(n, axis=axis)
    within(repeat.forward(x), ref.repeat_forward(x64, n, axis), dtype, 0)  # copies: exact
    if n > 0:  # the reference's adjoint of a zero-fold repeat has the wrong shape
        # sums of n terms: n - 1 roundings of the sum of |terms|
        within(repeat.backward(dy), ref.repeat_backward(dy64, n, axis), dtype,
               n * ref.repeat_backward(np.abs(dy64), n, axis))
    sum_layer = layers.Sum(axis=axis)
    within(sum_layer.forward(x), ref.sum_forward(x64, axis), dtype, x.shape[axis] * ref.sum_forward(np.abs(x64), axis))
    within(sum_layer.backward(dout), ref.sum_backward(dout64, x.shape[axis], axis), dtype, 0)


OPTIMIZERS = {
    "SGD": (optimizer.SGD, ref.sgd, 0, {"lr": 0.1}),
    "Momentum": (optimizer.Momentum, ref.momentum, 1, {"lr": 0.1, "momentum": 0.9}),
    "Nesterov": (optimizer.Nesterov, ref.nesterov, 1, {"lr": 0.1, "momentum": 0.9}),
    "AdaGrad": (optimizer.AdaGrad, ref.adagrad, 1, {"lr": 0.1}),
    "RMSprop": (optimizer.RMSprop, ref.rmsprop, 1, {"lr": 0.01, "decay_rate": 0.99}),
    "Adam": (optimizer.Adam, ref.adam, 2, {"lr": 0.01, "beta1": 0.9, "beta2": 0.999}),
}


# Roundings (in U) on the longest path to step k's update, relative to its terms'
# magnitude, counting each float32 constant's own rounding (lr, momentum, 1 - beta, ...)
# and the state's errors carried from earlier steps (k of them):
#   SGD       lr*g: 2
#   Momentum  v = mu*v - lr*g: 3 per step, carried: 3k
#   Nesterov  v as Momentum, then mu*mu*v and (1 + mu)*lr*g: 3k + 5
#   AdaGrad   h += g*g (2 per step, positive terms: relative), sqrt halves it, + eps 2,
#             lr*g 2, the quotient 2: k + 8
#   RMSprop   h = rho*h + (1 - rho)*g*g, 4 per step: 2k + 8
#   Adam      m + (1-b1)*(g - m) 3 per step on |m| + (1-b1)(|g| + |m|), v likewise 5 per
#             step (relative), sqrt, + eps, lr_t, the product and the quotient: 6k + 8
ROUNDINGS = {"SGD": lambda k: 2, "Momentum": lambda k: 3 * k, "Nesterov": lambda k: 3 * k + 5,
             "AdaGrad": lambda k: k + 8, "RMSprop": lambda k: 2 * k + 8, "Adam": lambda k: 6 * k + 8}


@pytest.mark.parametrize("name", OPTIMIZERS)
@PROPS
@given(data=st.data(), dtype=DTYPES, shapes=st.lists(st.tuples(SIZE, SIZE), min_size=1, max_size=3),
       steps=st.integers(1, 4))
def test_optimizer(name, data, dtype, shapes, steps):
    cls, update, n_state, kwargs = OPTIMIZERS[name]
    params = [data.draw(arrays(s, dtype)) for s in shapes]
    grads = [[data.draw(arrays(s, dtype)) for s in shapes] for _ in range(steps)]
    # The reference updates its own copies, from copies of the grads taken
    # before fastnn sees them (np.asarray here compared fastnn with itself).
    expected = [own(p) for p in params]
    state = [[np.zeros_like(p) for p in expected] for _ in range(n_state)]
    # The error bound, in U: every step rounds each param once (Nesterov twice) and
    # adds its update's error, ROUNDINGS[name](k) times the update's magnitude.
    bound = [np.zeros_like(p) for p in expected]
    magnitude = [np.zeros_like(p) for p in expected]  # |v| (Momentum, Nesterov), |m| (Adam) as terms
    opt = cls(**kwargs)
    for step in range(steps):
        g64 = [own(g) for g in grads[step]]
        before = [np.abs(e) for e in expected]
        opt.update(params, grads[step])
        if name == "Adam":
            update(expected, g64, *state, step + 1, **kwargs)
        else:
            update(expected, g64, *state, **kwargs)
        k = step + 1
        for i, g in enumerate(g64):
            terms = _step_terms(name, np.abs(g), magnitude[i], [s[i] for s in state], k, kwargs)
            rounded = np.maximum(before[i], np.abs(expected[i])) * (2 if name == "Nesterov" else 1)
            bound[i] += rounded + ROUNDINGS[name](k) * terms
    for p, e, b in zip(params, expected, bound):
        within(p, e, dtype, b)


def _step_terms(name, g, carried, state, k, kwargs):
    """The magnitude of step k's update of one param: its terms with every minus made a
    plus, from |g|; `carried` holds |v| or |m|'s magnitude (updated in place), `state`
    the reference's state after the step (h, v: positive already)."""
    lr = kwargs["lr"]
    if name == "SGD":
        return lr * g
    if name in ("Momentum", "Nesterov"):
        mu = kwargs["momentum"]
        carried[...] = mu * carried + lr * g
        return carried if name == "Momentum" else mu * mu * carried + (1 + mu) * lr * g
    if name in ("AdaGrad", "RMSprop"):
        return lr * g / (np.sqrt(state[0]) + 1e-7)
    b1, b2 = kwargs["beta1"], kwargs["beta2"]
    carried[...] = carried + (1 - b1) * (g + carried)
    lr_t = lr * np.sqrt(1.0 - b2**k) / (1.0 - b1**k)
    return lr_t * carried / (np.sqrt(state[1]) + 1e-7)
