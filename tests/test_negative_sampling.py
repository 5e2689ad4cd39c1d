"""EmbeddingDot, UnigramSampler and NegativeSamplingLoss against the book's formulas.

The sampler is tested statistically: the ordered rows it draws are compared
with the law of the book's ``np.random.choice(V, S, replace=False, p)`` (p the
unigram weights with the target's set to zero, renormalised; successive draws
without replacement) by a chi-square test over many rows.
"""

import itertools
import math

import numpy as np
import pytest
from fastnn.kernels import sampling as kernels

from fastnn.negative_sampling import EmbeddingDot, NegativeSamplingLoss, UnigramSampler

COUNTS = np.array([50, 30, 10, 5, 3, 2, 1])


def _corpus(counts=COUNTS):
    return np.repeat(np.arange(counts.size), counts)


def _book_word_p(counts, power=0.75):
    w = np.power(counts.astype(np.float64), power)
    return w / w.sum()


def chi_square_upper_tail(statistic, df):
    """P(X >= statistic) for X chi-square with df degrees of freedom, without SciPy:
    1 - P(df/2, statistic/2), P the regularised lower incomplete gamma function, by
    its power series (Abramowitz and Stegun 6.5.29), summed until the terms vanish."""
    a, x = df / 2.0, statistic / 2.0
    logs = [-math.log(a)]  # log of each term x**n / (a (a+1) ... (a+n)), kept in logs: they get huge
    n = 1
    while n < x - a or logs[-1] > logs[0] - 40 - x:
        logs.append(logs[-1] + math.log(x / (a + n)))
        n += 1
    top = max(logs)
    log_sum = top + math.log(sum(math.exp(v - top) for v in logs))
    return 1.0 - math.exp(-x + a * math.log(x) - math.lgamma(a) + log_sum)


def test_chi_square_tail_against_known_values():
    # Tabled 0.95 and 0.9999 points (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.4):
    # df 10: 18.307; df 100: 124.342; and the exact tail exp(-x/2) for df 2.
    assert math.isclose(chi_square_upper_tail(18.307, 10), 0.05, rel_tol=1e-3)
    assert math.isclose(chi_square_upper_tail(124.342, 100), 0.05, rel_tol=1e-3)
    assert math.isclose(chi_square_upper_tail(7.0, 2), math.exp(-3.5), rel_tol=1e-12)


def _sequential_law(q, size):
    """{ordered tuple: probability} of drawing `size` distinct words one by one, each
    with probability proportional to q among those not yet taken."""
    law = {}
    for combo in itertools.permutations(np.flatnonzero(q), size):
        prob, left = 1.0, 1.0
        for w in combo:
            prob *= q[w] / left
            left -= q[w]
        law[combo] = prob
    return law


@pytest.mark.parametrize("target_word", [0, 4])
def test_rows_follow_the_books_distribution(target_word):
    S, rows = 3, 200_000
    sampler = UnigramSampler(_corpus(), 0.75, S)
    np.testing.assert_allclose(sampler.word_p, _book_word_p(COUNTS), rtol=1e-15)
    np.random.seed(1234)
    target = np.full(rows, target_word)
    drawn = sampler.get_negative_sample(target)
    assert drawn.shape == (rows, S) and drawn.dtype == np.int32
    assert not np.any(drawn == target_word)  # the target is never a negative
    assert np.all(np.sort(drawn, axis=1)[:, 1:] != np.sort(drawn, axis=1)[:, :-1])  # no repeats in a row
    q = sampler.word_p.copy()
    q[target_word] = 0
    q /= q.sum()
    law = _sequential_law(q, S)
    assert math.isclose(sum(law.values()), 1.0, rel_tol=1e-12)
    cells, counts = np.unique(drawn, axis=0, return_counts=True)
    observed = dict(zip(map(tuple, cells.tolist()), counts.tolist()))
    assert set(observed) <= set(law)
    expected = np.array([rows * p for p in law.values()])
    assert expected.min() >= 5  # the test's validity condition
    statistic = sum((observed.get(cell, 0) - e) ** 2 / e for cell, e in zip(law, expected))
    df = len(law) - 1
    assert chi_square_upper_tail(statistic, df) > 1e-4, (statistic, df)
    # The test has power: the same rows judged against the unpowered counts fail it.
    wrong = COUNTS / COUNTS.sum()
    wrong[target_word] = 0
    wrong_law = _sequential_law(wrong / wrong.sum(), S)
    wrong_stat = sum((observed.get(c, 0) - rows * p) ** 2 / (rows * p) for c, p in wrong_law.items())
    assert chi_square_upper_tail(wrong_stat, df) < 1e-6


def test_seed_repeats_draws_and_rows_use_their_own_target():
    sampler = UnigramSampler(_corpus(), 0.75, 4)
    target = np.array([0, 1, 2, 3, 4, 5, 6] * 50)
    np.random.seed(9)
    a = sampler.get_negative_sample(target)
    np.random.seed(9)
    b = sampler.get_negative_sample(target)
    np.testing.assert_array_equal(a, b)
    assert not np.any(a == target[:, None])
    assert np.unique(a).size == 7


def test_sampler_errors():
    sampler = UnigramSampler(_corpus(np.array([3, 1])), 0.75, 2)
    with pytest.raises(ValueError, match="only 1 words besides a target"):
        sampler.get_negative_sample(np.array([1, 0]))
    sampler = UnigramSampler(_corpus(), 0.75, 2)
    with pytest.raises(IndexError, match=r"target\[1\] is 7; expected word ids in \[0, 7\)"):
        sampler.get_negative_sample(np.array([0, 7]))
    with pytest.raises(TypeError, match="expected integer word ids"):
        UnigramSampler(np.array([0.5, 1.0]), 0.75, 2)
    with pytest.raises(IndexError, match="corpus"):
        UnigramSampler(np.array([0, -3]), 0.75, 2)


def test_sampling_kernel_resumes_and_checks_its_arguments():
    cdf = np.cumsum(_book_word_p(COUNTS))
    target = np.array([0, 1, 2])
    whole = np.full((3, 4), -1)
    uniforms = np.random.default_rng(0).random(200)
    assert kernels.fill_negative_samples(cdf, target, uniforms, whole, 0, 0)[:2] == (3, 0)
    pieces = np.full((3, 4), -1)
    row = col = used = 0
    while row < 3:  # one uniform at a time: resuming gives the same rows as one call
        row, col, n = kernels.fill_negative_samples(cdf, target, uniforms[used:used + 1], pieces, row, col)
        used += n
    np.testing.assert_array_equal(pieces, whole)
    for bad in [(-1, 0), (4, 0), (0, 4), (0, -1)]:
        with pytest.raises(ValueError, match=r"fill_negative_samples: (row|col) is -?\d+; expected"):
            kernels.fill_negative_samples(cdf, target, uniforms, pieces, *bad)
    with pytest.raises(ValueError, match="cdf is empty"):
        kernels.fill_negative_samples(cdf[:0], target, uniforms, pieces, 0, 0)
    with pytest.raises(ValueError, match="one id per row"):
        kernels.fill_negative_samples(cdf, target[:2], uniforms, pieces, 0, 0)


def test_embedding_dot_matches_formula_and_gradients():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((6, 4))
    h = rng.standard_normal((5, 4))
    idx = np.array([2, 0, 2, 5, 1])
    layer = EmbeddingDot(W)
    out = layer.forward(h, idx)
    np.testing.assert_allclose(out, np.sum(W[idx] * h, axis=1), rtol=1e-14)
    dout = rng.standard_normal(5)
    dh = layer.backward(dout)
    dW = np.zeros_like(W)
    np.add.at(dW, idx, dout[:, None] * h)
    np.testing.assert_allclose(layer.grads[0], dW, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(dh, dout[:, None] * W[idx], rtol=1e-14)
    W32 = W.astype(np.float32)
    layer32 = EmbeddingDot(W32)
    assert layer32.forward(h.astype(np.float32), idx).dtype == np.float32
    assert layer32.backward(dout.astype(np.float32)).dtype == np.float32
    with pytest.raises(ValueError, match=r"idx has shape \(4,\); expected \(5,\)"):
        layer.forward(h, idx[:4])


def _numeric(f, a, eps=1e-6):
    grad = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        keep = a[i]
        a[i] = keep + eps
        up = f()
        a[i] = keep - eps
        down = f()
        a[i] = keep
        grad[i] = (up - down) / (2 * eps)
    return grad


@pytest.mark.parametrize("target_shape", [(5,), (5, 2)])
def test_loss_and_numerical_gradients_float64(target_shape):
    rng = np.random.default_rng(1)
    W = rng.standard_normal((7, 3))
    h = rng.standard_normal((5, 3))
    target = rng.integers(0, 7, target_shape)
    layer = NegativeSamplingLoss(W, _corpus(), power=0.75, sample_size=3)

    def loss():
        np.random.seed(5)  # the same negatives every call
        return float(layer.forward(h, target))

    value = loss()
    idx = layer._cache[1]
    group = 4
    labels = (np.arange(idx.shape[1]) % group == 0).astype(float)
    scores = np.einsum("nkh,nh->nk", W[idx], h)
    y = 1 / (1 + np.exp(-scores))
    expected = -np.sum(labels * np.log(y + 1e-7) + (1 - labels) * np.log(1 - y + 1e-7)) / h.shape[0]
    assert math.isclose(value, expected, rel_tol=1e-12)
    assert np.all(idx[:, ::group] == target.reshape(5, -1))
    dh = layer.backward(2.0)
    dW = layer.grads[0].copy()
    # The book's backward, (y - label), is the gradient of the loss without the 1e-7
    # inside its logs: the two differ by about 1e-7 per score, hence atol.
    np.testing.assert_allclose(dh, 2 * _numeric(loss, h), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(dW, 2 * _numeric(loss, W), rtol=1e-6, atol=1e-6)


def test_float32_kept_and_bad_inputs_change_nothing():
    rng = np.random.default_rng(2)
    W = rng.standard_normal((7, 3)).astype(np.float32)
    layer = NegativeSamplingLoss(W, _corpus(), sample_size=2)
    h = rng.standard_normal((4, 3)).astype(np.float32)
    loss = layer.forward(h, np.array([0, 1, 2, 3]))
    assert loss.dtype == np.float32
    assert layer.backward().dtype == np.float32 and layer.grads[0].dtype == np.float32
    saved = layer._cache
    cases = [
        ((h, np.array([0, 1, 2, 7])), IndexError, r"target\[3\] is 7"),
        ((h, np.array([0, 1, 2])), ValueError, r"target has shape \(3,\)"),
        ((h[:, :2], np.array([0, 1, 2, 3])), ValueError, r"h has shape \(4, 2\); expected \(N, 3\)"),
        ((h, np.array([0.0, 1, 2, 3])), TypeError, "expected integer word ids"),
    ]
    for args, error, message in cases:
        with pytest.raises(error, match=message):
            layer.forward(*args)
    assert layer._cache is saved
    with pytest.raises(TypeError, match="dout is 'x'"):
        layer.backward("x")


def test_negatives_beyond_W_are_refused_in_forward():
    """A W with fewer rows than the sampler's vocabulary: a negative id past W's
    last row is an IndexError in forward, not a loss read from stale scores."""
    corpus = np.arange(50) % 10  # vocabulary of 10
    layer = NegativeSamplingLoss(np.zeros((3, 4)), corpus, sample_size=5)  # W holds ids 0-2 only
    np.random.seed(0)
    with pytest.raises(IndexError, match="NegativeSamplingLoss.forward"):
        layer.forward(np.ones((8, 4)), np.zeros(8, dtype=np.int64))
