"""Seq2seq and PeekySeq2seq against the book's models in plain numpy
(benchmarks/book_seq2seq.py): forward, backward (the decoder's dh through the
encoder), generate, seeded training; plus save/load and bad input."""

import numpy as np
import pytest

from benchmarks import book_seq2seq as book
from fastnn.models import Decoder, Encoder, PeekyDecoder, PeekySeq2seq, Seq2seq
from fastnn.optimizer import Adam
from fastnn.trainer import remove_duplicate
from fastnn.util import clip_grads

V, D, H = 13, 8, 16
MODELS = [(Seq2seq, False), (PeekySeq2seq, True)]


def _data(N=6, Tx=7, Tt=5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, V, (N, Tx)), rng.integers(0, V, (N, Tt))


def _pair(cls, peeky, seed=3):
    np.random.seed(seed)
    model = cls(V, D, H)
    for p in model.params:  # biases away from 0, so their gradients mean something
        p += np.random.default_rng(seed).standard_normal(p.shape).astype(p.dtype) * 0.3
    return model, book.BookSeq2seq(model.params, peeky)


def test_book_initialisation_order():
    """Same np.random.randn calls in the same order as the book: the same weights for a seed."""
    np.random.seed(5)
    model = PeekySeq2seq(V, D, H)
    np.random.seed(5)
    rn = np.random.randn
    expected = [rn(V, D) / 100, rn(D, 4 * H) / np.sqrt(D), rn(H, 4 * H) / np.sqrt(H), np.zeros(4 * H),
                rn(V, D) / 100, rn(H + D, 4 * H) / np.sqrt(H + D), rn(H, 4 * H) / np.sqrt(H), np.zeros(4 * H),
                rn(2 * H, V) / np.sqrt(2 * H), np.zeros(V)]
    assert [p.shape for p in model.params] == [e.shape for e in expected]
    for p, e in zip(model.params, expected):
        assert p.dtype == np.float32
        np.testing.assert_array_equal(p, e.astype("f"))
    assert isinstance(model.encoder, Encoder) and isinstance(model.decoder, PeekyDecoder)
    assert isinstance(Seq2seq(V, D, H).decoder, Decoder)


@pytest.mark.parametrize("cls, peeky", MODELS)
def test_forward_backward_match_the_book(cls, peeky):
    model, ref = _pair(cls, peeky)
    xs, ts = _data()
    loss = model.forward(xs, ts)
    expected = ref.forward(xs, ts)
    assert abs(loss - expected) < 1e-5 * abs(expected)
    dh = model.decoder.backward(model.softmax.backward())
    model.encoder.backward(dh)
    ref_dh = ref.decoder.backward(ref.softmax.backward())
    ref.encoder.backward(ref_dh)
    np.testing.assert_allclose(dh, ref_dh, rtol=1e-4, atol=1e-6)  # the decoder's gradient of h
    assert np.abs(dh).max() > 1e-4
    for i, (g, e) in enumerate(zip(model.grads, ref.grads)):
        np.testing.assert_allclose(g, e, rtol=2e-4, atol=2e-6, err_msg=f"grad {i}")
    assert np.abs(model.grads[1]).max() > 1e-5  # the encoder learns only through the decoder's dh


@pytest.mark.parametrize("cls, peeky", MODELS)
def test_backward_is_the_gradient_float64(cls, peeky):
    """Central differences of the loss on a few weights of every param (float64 throughout)."""
    model, _ = _pair(cls, peeky)
    layers = [model.encoder.embed, model.encoder.lstm, model.decoder.embed, model.decoder.lstm, model.decoder.affine]
    for layer in layers:  # the same arrays in the layer and in the model's lists
        for k, p in enumerate(layer.params):
            p64 = p.astype(np.float64)
            layer.params[k] = p64
            layer.grads[k] = np.zeros_like(p64)
            if hasattr(layer, "W") and k == 0:
                layer.W = p64
    params = [p for layer in layers for p in layer.params]
    grads = [g for layer in layers for g in layer.grads]
    xs, ts = _data(N=3)
    model.forward(xs, ts)
    model.backward()
    rng = np.random.default_rng(0)
    for p, g in zip(params, grads):
        for _ in range(3):
            i = tuple(rng.integers(0, s) for s in p.shape)
            if p.ndim == 2 and p.shape[0] == V:  # an embedding row that is used
                i = (int(xs[0, 0]) if p is params[0] else int(ts[0, 0]), i[1])
            old = p[i]
            p[i] = old + 1e-6
            up = model.forward(xs, ts)
            p[i] = old - 1e-6
            down = model.forward(xs, ts)
            p[i] = old
            assert abs((up - down) / 2e-6 - g[i]) < 1e-6 + 1e-4 * abs(g[i])


@pytest.mark.parametrize("cls, peeky", MODELS)
def test_generate_matches_the_book(cls, peeky):
    model, ref = _pair(cls, peeky)
    xs, ts = _data(N=20, seed=1)
    for i in range(20):
        ids = model.generate(xs[[i]], int(ts[i, 0]), 6)
        assert ids == ref.generate(xs[[i]], int(ts[i, 0]), 6)
        assert all(type(v) is int for v in ids)
    # the decoder's LSTM is left where the book's is: the state after the last step
    np.testing.assert_allclose(model.decoder.lstm.h, ref.decoder.lstm.h, rtol=1e-4, atol=1e-6)
    assert model.generate(xs[[0]], 0, 0) == []


@pytest.mark.parametrize("cls, peeky", MODELS)
def test_seeded_training_matches_the_book_and_repeats(cls, peeky):
    xs, ts = _data(N=64, seed=2)

    def run():
        model, ref = _pair(cls, peeky)
        opt, ref_opt = Adam(), book.Adam()
        losses, ref_losses = [], []
        for step in range(8):
            rows = slice(step % 4 * 16, step % 4 * 16 + 16)
            losses.append(float(model.forward(xs[rows], ts[rows])))
            model.backward()
            params, grads = remove_duplicate(model.params, model.grads)
            clip_grads(grads, 5.0)
            opt.update(params, grads)
            ref_losses.append(float(book.train_step(ref, ref_opt, xs[rows], ts[rows], 5.0)))
        return losses, ref_losses, [p.copy() for p in model.params]

    losses, ref_losses, params = run()
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-4)
    assert losses[-1] < losses[0]
    again = run()
    assert again[0] == losses
    for p, q in zip(params, again[2]):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("cls, peeky", MODELS)
def test_save_and_load_params(cls, peeky, tmp_path):
    model, _ = _pair(cls, peeky)
    path = tmp_path / "m.pkl"
    model.save_params(str(path))
    np.random.seed(9)
    other = cls(V, D, H)
    other.load_params(str(path))
    for p, q in zip(model.params, other.params):
        np.testing.assert_array_equal(p.astype(np.float16), q)
    xs, _ = _data()
    assert other.generate(xs[[0]], 1, 4) == book.BookSeq2seq(other.params, peeky).generate(xs[[0]], 1, 4)


@pytest.mark.parametrize("call, error, match", [
    (lambda m, xs, ts: m.generate(xs[:2], 0, 3), ValueError, r"generate: xs has shape \(2, 7\); expected \(1, T\)"),
    (lambda m, xs, ts: m.generate(xs[0], 0, 3), ValueError, r"xs has shape \(7,\)"),
    (lambda m, xs, ts: m.generate(xs[:1], 0, -1), ValueError, "sample_size is -1"),
    (lambda m, xs, ts: m.generate(xs[:1], 0, 2.5), ValueError, "sample_size is 2.5"),
    (lambda m, xs, ts: m.generate(xs[:1], V, 3), IndexError, rf"start_id is {V}; expected an integer in \[0, {V}\)"),
    (lambda m, xs, ts: m.generate(xs[:1] + V, 0, 3), IndexError, "ids"),
    (lambda m, xs, ts: m.decoder.generate(np.zeros((2, H), "f"), 0, 3), ValueError, r"h has shape \(2, 16\)"),
    (lambda m, xs, ts: m.forward(xs, ts[:, :1]), ValueError, r"ts has shape \(6, 1\); expected \(N, T\) with T >= 2"),
])
@pytest.mark.parametrize("cls, peeky", MODELS)
def test_bad_input(cls, peeky, call, error, match):
    model, _ = _pair(cls, peeky)
    xs, ts = _data()
    before = [p.copy() for p in model.params]
    with pytest.raises(error, match=match):
        call(model, xs, ts)
    for p, q in zip(before, model.params):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("cls, peeky", MODELS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_generate_batch_gives_each_question_the_ids_of_generate(cls, peeky, dtype):
    model, _ = _pair(cls, peeky)
    for layer in (model.encoder.embed, model.encoder.lstm, model.decoder.embed, model.decoder.lstm,
                  model.decoder.affine):
        for k, p in enumerate(layer.params):
            layer.params[k] = (p * 12).astype(dtype)  # sharper: ids that vary between questions
            if hasattr(layer, "W") and k == 0:
                layer.W = layer.params[0]
    model.encoder.params = model.encoder.embed.params + model.encoder.lstm.params
    model.decoder.params = model.decoder.embed.params + model.decoder.lstm.params + model.decoder.affine.params
    model.params = model.encoder.params + model.decoder.params
    xs, ts = _data(N=41, Tx=9, seed=2)
    xs = xs[:, ::-1]  # a view with a negative stride, as the reversed questions of the scripts
    before = [p.copy() for p in model.params]
    model.generate(xs[[0]], 1, 3)  # a decoder state to keep
    state = (model.decoder.lstm.h.copy(), model.decoder.lstm.c.copy())
    got = model.generate_batch(xs, ts[:, 0], 6)
    assert np.array_equal(model.decoder.lstm.h, state[0]) and np.array_equal(model.decoder.lstm.c, state[1])
    expected = [model.generate(xs[[i]], int(ts[i, 0]), 6) for i in range(len(xs))]
    assert got.dtype == np.int64 and got.tolist() == expected
    assert len({tuple(row) for row in expected}) > 8  # the questions are told apart
    assert all(np.array_equal(p, q) for p, q in zip(model.params, before))
    assert model.generate_batch(xs, 2, 3).tolist() == [model.generate(xs[[i]], 2, 3) for i in range(len(xs))]
    assert model.generate_batch(xs, ts[:, 0], 0).shape == (41, 0)
    assert model.generate_batch(xs[:0], 2, 3).shape == (0, 3)
    assert model.generate_batch(xs[:0], [], 3).shape == (0, 3)


@pytest.mark.parametrize("call, error, match", [
    (lambda m: m.generate_batch(np.zeros(3, int), 0, 4), ValueError, r"xs has shape \(3,\); expected \(N, T\)"),
    (lambda m: m.generate_batch(np.zeros((2, 3), int), [0, 1, 2], 4), ValueError,
     r"start_ids has shape \(3,\); expected \(2,\)"),
    (lambda m: m.generate_batch(np.zeros((2, 3), int), [0, V], 4), IndexError,
     r"Seq2seq.generate_batch: start_ids holds ids in \[0, 13\]; expected ids in \[0, 13\)"),
    (lambda m: m.generate_batch(np.full((2, 3), V), 0, 4), IndexError,
     r"Seq2seq.generate_batch: xs holds ids in \[13, 13\]"),
    (lambda m: m.generate_batch(np.zeros((2, 3), float), 0, 4), TypeError,
     r"Seq2seq.generate_batch: xs has dtype float64; expected integer ids"),
    (lambda m: m.generate(np.zeros((1, 3), int), np.array([2.0]), 4), TypeError, r"expected an integer id"),
    (lambda m: m.generate_batch(np.zeros((2, 3), int), 0, -2), ValueError, r"sample_size is -2"),
    (lambda m: m.decoder.generate_batch([["a"] * H], 0, 2), ValueError,
     rf"h has shape \(1, {H}\) and dtype <U1; expected states \(N, {H}\)"),
    (lambda m: m.decoder.generate_batch(np.zeros((2, H + 1), "f"), 0, 2), ValueError, rf"expected states \(N, {H}\)"),
    (lambda m: m.decoder.generate_batch(np.zeros((2, H), "f"), 0, -1), ValueError, r"sample_size is -1"),
])
@pytest.mark.parametrize("cls, peeky", MODELS)
def test_generate_batch_rejects_bad_input(cls, peeky, call, error, match):
    model, _ = _pair(cls, peeky)
    before = [p.copy() for p in model.params]
    with pytest.raises(error, match=match):
        call(model)
    assert all(np.array_equal(p, q) for p, q in zip(model.params, before))


@pytest.mark.parametrize("cls, peeky", MODELS)
@pytest.mark.parametrize("index, replacement, message", [
    (5, np.zeros(V + 2, "f"), r"params\[5\] \(affine_b\) has shape \(15,\); expected \(13,\)"),
    (1, np.zeros((3, 3), "f"), r"params\[1\] \(Wx\) has shape \(3, 3\); expected \((8|24), 64\)"),
    (4, np.zeros((H, 0), "f"), r"params\[4\] \(affine_W\) has shape \(16, 0\); expected \((16|32), 13\)"),
], ids=["affine_b-too-wide", "Wx-small", "affine-of-no-columns"])
def test_generate_names_a_replaced_param_of_another_shape(cls, peeky, index, replacement, message):
    """Not numpy's broadcast error, nor a kernel's name: the decoder method and the param."""
    model, _ = _pair(cls, peeky)
    model.decoder.params[index] = replacement
    where = "PeekyDecoder" if peeky else "Decoder"
    with pytest.raises(ValueError, match=rf"^{where}.generate: {message}"):
        model.generate(np.zeros((1, 3), int), 0, 2)
    with pytest.raises(ValueError, match=rf"^{where}.generate_batch: {message}"):
        model.generate_batch(np.zeros((2, 3), int), 0, 2)


def test_the_decode_kernels_refuse_an_affine_of_no_columns():
    """No scores leave nothing to take the argmax of: refused, not id 0."""
    from fastnn.kernels.seq2seq_generate import lstm_greedy_decode, lstm_greedy_decode_batch
    G, N = 4 * H, 2
    table, Wh, Waff = np.zeros((V, G)), np.zeros((H, G)), np.zeros((H, 0))
    with pytest.raises(ValueError, match=r"^lstm_greedy_decode: Waff is 0 columns wide; expected at least one"):
        lstm_greedy_decode(table, np.zeros(G), Wh, Waff, np.zeros(0), np.zeros(H), np.zeros(H), 0,
                           np.zeros(2, np.int64))
    with pytest.raises(ValueError, match=r"^lstm_greedy_decode_batch: Waff is 0 columns wide; expected at least"):
        lstm_greedy_decode_batch(table, np.zeros((N, G)), Wh, Waff, np.zeros((N, 0)), np.zeros((N, H)),
                                 np.zeros((N, H)), np.zeros(N, np.int64), np.zeros((N, 2), np.int64))


@pytest.mark.parametrize("cls, peeky", MODELS)
def test_generate_takes_a_start_id_in_a_numpy_array(cls, peeky):
    """As the book's generate: a numpy integer, a 0-d or a one-element array."""
    model, _ = _pair(cls, peeky)
    xs, _ = _data(N=1, seed=4)
    expected = model.generate(xs, 3, 5)
    for start in (np.int32(3), np.array(3), np.array([3]), np.array([[3]], np.uint8)):
        assert model.generate(xs, start, 5) == expected


@pytest.mark.parametrize("cls, peeky", MODELS)
def test_a_nan_score_is_chosen_as_the_books_argmax_chooses_it(cls, peeky):
    """np.argmax returns the first NaN; a decoder whose bias for id 5 is NaN says 5 every step."""
    model, _ = _pair(cls, peeky)
    model.params[-1][5] = np.nan  # the affine's bias
    xs, ts = _data(N=4, seed=1)
    assert model.generate(xs[[0]], int(ts[0, 0]), 4) == [5, 5, 5, 5]
    np.testing.assert_array_equal(model.generate_batch(xs, ts[:, 0], 4), np.full((4, 4), 5))
