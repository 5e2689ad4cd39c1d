"""Memory-safety fuzzing of the chapter 5-6 time layers: random shapes, dtypes
and labels, right or wrong.  Every call either works, with outputs of the
expected shapes, or raises ValueError / TypeError / IndexError; a rejected call
leaves params and grads as they were."""

import numpy as np
import pytest

from fastnn.time_layers import TimeAffine, TimeDropout, TimeEmbedding, TimeRNN, TimeSoftmaxWithLoss

ALLOWED = (ValueError, TypeError, IndexError)


def _maybe(rng, n):
    """n, or now and then a neighbouring (wrong) size."""
    return int(n if rng.random() < 0.7 else max(0, n + rng.integers(-1, 2)))


def _array(rng, shape):
    kind = rng.integers(0, 4)
    a = rng.standard_normal(shape)
    return [a.astype(np.float32), a, a.astype(np.int64), a.astype(np.float16)][kind]


def _snapshot(layer):
    return [p.copy() for p in layer.params] + [g.copy() for g in layer.grads]


def _unchanged(layer, snap):
    return all(np.array_equal(a, b, equal_nan=True) for a, b in zip(layer.params + layer.grads, snap))


@pytest.mark.parametrize("seed", range(4))
def test_random_calls_work_or_raise_cleanly(seed):
    rng = np.random.default_rng(seed)
    for _ in range(40):
        N, T, D, H, V = (int(rng.integers(1, 5)) for _ in range(5))
        layers = [TimeRNN(_array(rng, (D, H)), _array(rng, (_maybe(rng, H), H)), _array(rng, (_maybe(rng, H),)),
                          stateful=bool(rng.integers(0, 2))),
                  TimeAffine(_array(rng, (D, H)), _array(rng, (_maybe(rng, H),))),
                  TimeDropout(0.5)]
        for layer in layers:
            xs = _array(rng, (_maybe(rng, N), _maybe(rng, T), _maybe(rng, D)))
            snap = _snapshot(layer)
            try:
                out = layer.forward(xs)
            except ALLOWED:
                assert _unchanged(layer, snap)
                continue
            assert out.shape[:2] == xs.shape[:2]
            dout = _array(rng, tuple(_maybe(rng, s) for s in out.shape))
            snap = _snapshot(layer)
            try:
                dxs = layer.backward(dout)
            except ALLOWED:
                assert _unchanged(layer, snap)
                continue
            assert dxs.shape == xs.shape
        embed = TimeEmbedding(rng.standard_normal((V, D)).astype(np.float32))
        ids = rng.integers(-1, V + 1, (N, T))
        try:
            out = embed.forward(ids)
            assert ids.min() >= 0 and ids.max() < V and out.shape == (N, T, D)
            embed.backward(_array(rng, (N, _maybe(rng, T), D)))
        except ALLOWED:
            pass
        loss = TimeSoftmaxWithLoss()
        try:
            loss.forward(_array(rng, (N, T, V)), rng.integers(-2, V + 1, (N, _maybe(rng, T))))
            assert loss.backward(rng.standard_normal()).shape == (N, T, V)
        except ALLOWED:
            pass
