"""AttentionEncoder, AttentionDecoder, AttentionSeq2seq against the book-way numpy
models of benchmarks/book_attention.py (same seed, same weights): loss, every
gradient, the encoder's gradient including the decoder's dh, training steps,
generate and the state it leaves; numerical gradients in float64; bad input."""

import numpy as np
import pytest
from test_gradients import assert_grad, numerical_gradient

from benchmarks import book_attention as book
from fastnn.models import AttentionDecoder, AttentionEncoder, AttentionSeq2seq
from fastnn.optimizer import Adam
from fastnn.util import clip_grads

V, D, H = 13, 5, 8


def _pair(seed=3, sizes=(V, D, H)):
    np.random.seed(seed)
    ref = book.BookAttentionSeq2seq(*sizes)
    np.random.seed(seed)
    ours = AttentionSeq2seq(*sizes)
    return ref, ours


def _batch(rng, N=4, Tx=7, Tt=5):
    xs = rng.integers(0, V, (N, Tx))
    return xs[:, ::-1], rng.integers(0, V, (N, Tt))  # reversed input, as the book's date training


def test_same_weights_and_params_order_as_the_book():
    ref, ours = _pair()
    assert [p.shape for p in ours.params] == [p.shape for p in ref.params]
    assert all(np.array_equal(p, q) and q.dtype == np.float32 for p, q in zip(ref.params, ours.params))
    assert isinstance(ours.encoder, AttentionEncoder) and isinstance(ours.decoder, AttentionDecoder)
    assert ours.decoder.affine.params[0].shape == (2 * H, V)


def test_forward_backward_match_the_book(rng, assert_close):
    ref, ours = _pair()
    xs, ts = _batch(rng)
    assert_close(np.float32(ours.forward(xs, ts)), np.float32(ref.forward(xs, ts)), np.float32, rtol=1e-5)
    ref.backward()
    grads = ours.grads
    ours.backward()
    assert all(g is g0 for g, g0 in zip(ours.grads, grads))
    for g, g_ref in zip(ours.grads, ref.grads):
        assert_close(g, g_ref, np.float32, rtol=1e-4)
    # what the decoder hands the encoder: the attention's gradient plus the LSTM's dh at the last step
    ref.forward(xs, ts)
    ours.forward(xs, ts)
    dscore_ref = ref.softmax.backward()  # the book's loss backward works in place: once per forward
    denc_ref = ref.decoder.backward(dscore_ref)
    denc = ours.decoder.backward(ours.softmax.backward())
    assert_close(denc, denc_ref, np.float32, rtol=1e-4)
    dh = ours.decoder.lstm.dh
    assert np.abs(dh).max() > 1e-3 * np.abs(denc).max()
    no_dh = ref.decoder.attention.backward(ref.decoder.affine.backward(dscore_ref)[:, :, :H])[0]
    assert_close(denc[:, -1] - dh, no_dh[:, -1], np.float32, rtol=1e-4)


def test_training_steps_track_the_book(rng, assert_close):
    ref, ours = _pair()
    ref_opt, opt = book.BookAdam(), Adam()
    for _ in range(5):
        xs, ts = _batch(rng)
        loss_ref = book.train_step(ref, ref_opt, xs, ts, max_grad=5.0)
        loss = ours.forward(xs, ts)
        ours.backward()
        clip_grads(ours.grads, 5.0)
        opt.update(ours.params, ours.grads)
        assert abs(loss - loss_ref) < 1e-4 * abs(loss_ref)
    for p, p_ref in zip(ours.params, ref.params):
        assert_close(p, p_ref, np.float32, rtol=1e-4)


def test_generate_matches_the_book_and_leaves_its_state(rng, assert_close):
    ref, ours = _pair(sizes=(V, D, 24))
    for trial in range(6):
        xs, _ = _batch(rng, N=1)
        ids = ours.generate(xs, trial % V, 9)
        assert ids == ref.generate(xs, trial % V, 9)
        assert all(type(i) is int for i in ids)
        assert_close(ours.decoder.lstm.h, ref.decoder.lstm.h, np.float32, rtol=1e-4)
        assert_close(ours.decoder.lstm.c, ref.decoder.lstm.c, np.float32, rtol=1e-4)
        assert_close(ours.decoder.attention.attention_weights[0], ref.decoder.attention.attention_weights[0],
                     np.float32, rtol=1e-4)
    assert ours.generate(xs, 0, 0) == []


def test_generate_agrees_with_forward_on_its_own_output(rng):
    """Teacher-forcing the generated ids reproduces them as the argmax of forward's scores."""
    _, ours = _pair(sizes=(V, D, 16))
    xs, _ = _batch(rng, N=1)
    ids = ours.generate(xs, 2, 6)
    enc_hs = ours.encoder.forward(xs)
    score = ours.decoder.forward(np.array([[2] + ids[:-1]]), enc_hs)
    assert score.argmax(axis=2)[0].tolist() == ids


def _float64(model):
    for layer in (model.encoder.embed, model.encoder.lstm, model.decoder.embed, model.decoder.lstm,
                  model.decoder.affine):
        layer.params[:] = [p.astype(np.float64) for p in layer.params]
        layer.grads[:] = [np.zeros_like(p) for p in layer.params]
        if hasattr(layer, "W"):
            layer.W = layer.params[0]
    model.params = model.encoder.params = model.encoder.embed.params + model.encoder.lstm.params
    model.encoder.grads = model.encoder.embed.grads + model.encoder.lstm.grads
    dec = model.decoder
    dec.params = dec.embed.params + dec.lstm.params + dec.affine.params
    dec.grads = dec.embed.grads + dec.lstm.grads + dec.affine.grads
    model.params = model.encoder.params + dec.params
    model.grads = model.encoder.grads + dec.grads
    return model


@pytest.mark.slow
def test_numerical_gradients_float64(rng):
    np.random.seed(5)
    model = _float64(AttentionSeq2seq(7, 3, 4))
    xs, ts = rng.integers(0, 7, (2, 4)), rng.integers(0, 7, (2, 4))
    model.forward(xs, ts)
    model.backward()
    for param, grad in zip(model.params, model.grads):
        assert grad.dtype == np.float64
        assert_grad(grad, numerical_gradient(lambda: model.forward(xs, ts), param), rtol=1e-6)


def test_save_and_load_params(tmp_path, rng):
    _, ours = _pair()
    xs, ts = _batch(rng)
    path = tmp_path / "attention.pkl"
    ours.save_params(path)
    np.random.seed(9)
    other = AttentionSeq2seq(V, D, H)
    other.load_params(path)
    assert all(np.array_equal(p, q.astype(np.float16).astype(np.float32)) for p, q in zip(other.params, ours.params))
    with pytest.raises(ValueError, match="shape"):
        AttentionSeq2seq(V, D, H + 1).load_params(path)


@pytest.mark.parametrize("call, error, message", [
    (lambda m: m.generate(np.zeros((2, 3), int), 0, 4), ValueError, r"xs has shape \(2, 3\); expected \(1, T\)"),
    (lambda m: m.generate(np.zeros((1, 3), int), V, 4), IndexError, r"start_id is 13; expected an integer in \[0, 13\)"),
    (lambda m: m.generate(np.zeros((1, 3), int), 14.0, 4), TypeError, r"start_id is 14.0; expected an integer id"),
    (lambda m: m.generate(np.full((1, 3), V), 0, 4), IndexError,
     r"AttentionSeq2seq.generate: xs holds ids in \[13, 13\]; expected ids in \[0, 13\)"),
    (lambda m: m.generate(np.zeros((1, 3), int), 0, -1), ValueError, r"sample_size is -1"),
    (lambda m: m.decoder.forward(np.zeros((2, 3), int), np.ones((2, 4, H + 1), "f")), ValueError,
     r"AttentionDecoder.forward: enc_hs has shape \(2, 4, 9\)"),
    (lambda m: m.decoder.generate(np.ones((2, 4, H), "f"), 0, 3), ValueError, r"expected \(1, Te, H\), one question"),
    (lambda m: m.decoder.backward(np.ones((2, 3, V), "f")), ValueError, r"called before forward"),
])
def test_bad_input_is_rejected_and_changes_nothing(call, error, message):
    _, ours = _pair()
    before = [p.copy() for p in ours.params]
    state = (ours.decoder.lstm.h, ours.encoder.hs)
    with pytest.raises(error, match=message):
        call(ours)
    assert all(np.array_equal(p, q) for p, q in zip(ours.params, before))
    assert (ours.decoder.lstm.h, ours.encoder.hs) == state


def test_encode_one_matches_the_encoder_forward(rng, assert_close):
    _, ours = _pair(sizes=(V, D, 24))
    xs, _ = _batch(rng, N=1)
    assert_close(ours.encoder.encode_one(xs), ours.encoder.forward(xs), np.float32, rtol=1e-5)


def _generate_operands(H=4, V=6, Te=3, S=2):
    f = np.float64
    return dict(table=np.ones((V, 4 * H), f), Wh=np.ones((H, 4 * H), f), enc=np.ones((Te, H), f),
                Waff=np.ones((2 * H, V), f), baff=np.ones(V, f), h=np.full(H, 7.0), c=np.full(H, 7.0),
                start_id=0, weights=np.full((S, Te), 7.0), out_ids=np.full(S, 7, np.int64))


@pytest.mark.parametrize("name, value, error, message", [
    ("start_id", 6, IndexError, r"start_id is 6; expected an integer in \[0, 6\)"),
    ("enc", np.ones((3, 5)), ValueError, r"enc has shape \(3, 5\); expected \(3, 4\)"),
    ("Waff", np.ones((4, 6)), ValueError, r"Waff has shape \(4, 6\); expected \(8, 6\)"),
    ("weights", np.ones((2, 3), np.float32), TypeError, r"weights has dtype float32; expected float64"),
    ("out_ids", np.ones(2, np.int32), TypeError, r"out_ids has dtype int32; expected int64"),
    ("baff", np.ones(7), ValueError, r"Waff has shape \(8, 6\); expected \(8, 7\)"),
    ("c", "h itself", ValueError, r"c overlaps h in memory"),
])
def test_generate_kernels_reject_bad_operands_before_writing(name, value, error, message):
    from fastnn.kernels.attention_generate import attention_encode, attention_greedy_decode
    ops = _generate_operands()
    ops[name] = ops["h"] if name == "c" else value
    with pytest.raises(error, match=message):
        attention_greedy_decode(**ops)
    assert (ops["h"] == 7).all()
    if name != "weights":
        assert (ops["weights"] == 7).all()
    if name != "out_ids":
        assert (ops["out_ids"] == 7).all()
    hs = np.full((2, 4), 7.0)
    with pytest.raises(IndexError, match=r"ids holds ids in \[0, 6\]; expected ids in \[0, 6\)"):
        attention_encode(ops["table"], ops["Wh"], np.array([0, 6]), hs)
    with pytest.raises(ValueError, match=r"hs has shape \(2, 4\); expected \(3, 4\)"):
        attention_encode(ops["table"], ops["Wh"], np.array([0, 1, 2]), hs)
    assert (hs == 7).all()


def _sharp(model):
    """Weights scaled up so that greedy ids vary from step to step and question to question."""
    for p in model.params:
        p *= 6
    return model


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_generate_batch_gives_each_question_the_ids_of_generate(rng, dtype):
    _, ours = _pair(sizes=(V, D, 24))
    _sharp(ours)
    if dtype is np.float64:
        ours = _float64(ours)
    xs, ts = _batch(rng, N=37, Tx=9)  # reversed: a view with a negative stride
    starts = ts[:, 0]
    before = [p.copy() for p in ours.params]
    ours.generate(xs[[0]], 1, 3)  # a decoder state and attention weights to keep
    state = (ours.decoder.lstm.h.copy(), ours.decoder.lstm.c.copy(), ours.decoder.attention.attention_weights)
    got = ours.generate_batch(xs, starts, 7)
    assert np.array_equal(ours.decoder.lstm.h, state[0]) and np.array_equal(ours.decoder.lstm.c, state[1])
    assert ours.decoder.attention.attention_weights is state[2]
    expected = [ours.generate(xs[[i]], int(starts[i]), 7) for i in range(len(xs))]
    assert got.dtype == np.int64 and got.tolist() == expected
    assert len({tuple(row) for row in expected}) > 20  # the ids vary, so the test can tell questions apart
    assert all(np.array_equal(p, q) for p, q in zip(ours.params, before))
    assert ours.generate_batch(xs, 3, 2).tolist() == [ours.generate(xs[[i]], 3, 2) for i in range(len(xs))]
    assert ours.generate_batch(xs, starts, 0).shape == (37, 0)
    assert ours.generate_batch(xs[:0], [], 2).shape == (0, 2)


@pytest.mark.parametrize("call, error, message", [
    (lambda m: m.generate_batch(np.zeros(3, int), 0, 4), ValueError, r"xs has shape \(3,\); expected \(N, T\)"),
    (lambda m: m.generate_batch(np.zeros((2, 0), int), 0, 4), ValueError, r"xs has shape \(2, 0\)"),
    (lambda m: m.generate_batch(np.zeros((2, 3), int), [0, 1, 2], 4), ValueError,
     r"start_ids has shape \(3,\); expected \(2,\)"),
    (lambda m: m.generate_batch(np.zeros((2, 3), int), [0, V], 4), IndexError,
     r"AttentionSeq2seq.generate_batch: start_ids holds ids in \[0, 13\]; expected ids in \[0, 13\)"),
    (lambda m: m.generate_batch(np.full((2, 3), -1), 0, 4), IndexError,
     r"AttentionSeq2seq.generate_batch: xs holds ids in \[-1, -1\]"),
    (lambda m: m.generate_batch(np.zeros((2, 3), float), 0, 4), TypeError,
     r"AttentionSeq2seq.generate_batch: xs has dtype float64; expected integer ids"),
    (lambda m: m.generate_batch(np.zeros((2, 3), int), 0, -2), ValueError, r"sample_size is -2"),
])
def test_generate_batch_rejects_bad_input(call, error, message):
    _, ours = _pair()
    before = [p.copy() for p in ours.params]
    with pytest.raises(error, match=message):
        call(ours)
    assert all(np.array_equal(p, q) for p, q in zip(ours.params, before))


def test_generate_batch_of_a_mixed_dtype_model_is_generate_per_question(rng):
    """A float32 encoder with a float64 decoder: generate encodes in float32 and decodes in
    float64; generate_batch gives the same ids and leaves the decoder's state alone."""
    _, ours = _pair(sizes=(V, D, 24))
    _sharp(ours)
    dec = _float64(ours).decoder  # every layer float64 ...
    enc = ours.encoder
    for layer in (enc.embed, enc.lstm):  # ... then the encoder's back to float32
        layer.params[:] = [p.astype(np.float32) for p in layer.params]
        layer.grads[:] = [np.zeros_like(p) for p in layer.params]
        if hasattr(layer, "W"):
            layer.W = layer.params[0]
    enc.params = enc.embed.params + enc.lstm.params
    ours.params = enc.params + dec.params
    xs, ts = _batch(rng, N=12, Tx=9)
    ours.generate(xs[[0]], 1, 3)
    state = (dec.lstm.h.copy(), dec.lstm.c.copy(), dec.attention.attention_weights)
    got = ours.generate_batch(xs, ts[:, 0], 5)
    assert np.array_equal(dec.lstm.h, state[0]) and np.array_equal(dec.lstm.c, state[1])
    assert dec.attention.attention_weights is state[2]
    assert got.tolist() == [ours.generate(xs[[i]], int(ts[i, 0]), 5) for i in range(12)]


@pytest.mark.parametrize("part, index, shape, message", [
    ("decoder", 5, (V + 2,), r"params\[5\] \(affine_b\) has shape \(15,\); expected \(13,\)"),
    ("decoder", 4, (H, 0), r"params\[4\] \(affine_W\) has shape \(8, 0\); expected \(16, 13\)"),
    ("decoder", 1, (3, 3), r"params\[1\] \(Wx\) has shape \(3, 3\); expected \(5, 32\)"),
    ("encoder", 2, (H, H), r"params\[2\] \(Wh\) has shape \(8, 8\); expected \(8, 32\)"),
], ids=["decoder-affine_b", "decoder-affine-of-no-columns", "decoder-Wx", "encoder-Wh"])
def test_generate_names_a_replaced_param_of_another_shape(part, index, shape, message):
    """Not numpy's matmul error, nor a kernel's name: the model's method and the param."""
    _, ours = _pair()
    getattr(ours, part).params[index] = np.zeros(shape, "f")
    single = "AttentionDecoder.generate" if part == "decoder" else r"AttentionSeq2seq.generate \(encoder\)"
    with pytest.raises(ValueError, match=rf"^{single}: {message}"):
        ours.generate(np.zeros((1, 3), int), 0, 2)
    with pytest.raises(ValueError, match=rf"^AttentionSeq2seq.generate_batch \({part}\): {message}"):
        ours.generate_batch(np.zeros((2, 3), int), 0, 2)


def test_the_generate_kernels_refuse_an_affine_of_no_columns():
    """No scores leave nothing to take the argmax of: refused, not id 0."""
    from fastnn.kernels.attention_generate import attention_generate_batch, attention_greedy_decode
    G, Te, N = 4 * H, 3, 2
    table, Wh, Waff, baff = np.zeros((V, G)), np.zeros((H, G)), np.zeros((2 * H, 0)), np.zeros(0)
    with pytest.raises(ValueError, match=r"^attention_greedy_decode: Waff is 0 columns wide; expected at least"):
        attention_greedy_decode(table, Wh, np.zeros((Te, H)), Waff, baff, np.zeros(H), np.zeros(H), 0,
                                np.zeros((2, Te)), np.zeros(2, np.int64))
    with pytest.raises(ValueError, match=r"^attention_generate_batch: Waff is 0 columns wide; expected at least"):
        attention_generate_batch(table, Wh, table, Wh, Waff, baff, np.zeros((N, Te), np.int64),
                                 np.zeros(N, np.int64), np.zeros((N, 2), np.int64))


def test_generate_takes_a_start_id_in_a_numpy_array(rng):
    """As the book's generate: a numpy integer, a 0-d or a one-element array."""
    _, ours = _pair(sizes=(V, D, 24))
    _sharp(ours)
    xs, _ = _batch(rng, N=1)
    expected = ours.generate(xs, 3, 5)
    for start in (np.int32(3), np.array(3), np.array([3]), np.array([[3]], np.uint8)):
        assert ours.generate(xs, start, 5) == expected


def test_a_nan_score_is_chosen_as_the_books_argmax_chooses_it(rng):
    """np.argmax returns the first NaN; a decoder whose bias for id 5 is NaN says 5 every step."""
    ref, ours = _pair()
    ours.params[-1][5] = np.nan  # the affine's bias
    ref.params[-1][5] = np.nan
    xs, ts = _batch(rng, N=3)
    assert ours.generate(xs[[0]], int(ts[0, 0]), 4) == ref.generate(xs[[0]], int(ts[0, 0]), 4) == [5, 5, 5, 5]
    np.testing.assert_array_equal(ours.generate_batch(xs, ts[:, 0], 4), np.full((3, 4), 5))
