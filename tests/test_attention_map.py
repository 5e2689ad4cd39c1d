"""fastnn.attention_map: the book's visualize_attention.py picture, saved as PNGs."""

import numpy as np
import pytest

from fastnn.attention_map import attention_weights, draw_attention_map, save_attention_maps
from fastnn.models import AttentionSeq2seq

V = 12
ID_TO_CHAR = dict(enumerate("0123456789_-"))


def _model():
    np.random.seed(0)
    return AttentionSeq2seq(V, 4, 6)


def test_weights_are_the_decoders_after_a_forward(rng):
    model = _model()
    question, answer = rng.integers(0, V, (1, 7)), rng.integers(0, V, (1, 5))
    weights = attention_weights(model, question, answer)
    assert weights.shape == (4, 7)
    np.testing.assert_allclose(weights.sum(axis=1), 1, rtol=1e-5)
    model.forward(question, answer)
    np.testing.assert_array_equal(weights, np.array(model.decoder.attention.attention_weights)[:, 0])


def test_maps_of_the_books_questions(tmp_path, rng, monkeypatch):
    model = _model()
    x_test, t_test = rng.integers(0, V, (30, 7))[:, ::-1], rng.integers(0, V, (30, 5))
    state = np.random.get_state()[1].copy()
    paths = save_attention_maps(model, x_test, t_test, ID_TO_CHAR, tmp_path / "maps", count=3)
    assert np.array_equal(np.random.get_state()[1], state)  # the global generator untouched
    assert [p.rsplit("/", 1)[1] for p in map(str, paths)] == [f"attention_map_{k}.png" for k in (1, 2, 3)]
    for path in paths:
        with open(path, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    np.random.seed(1984)  # the book's picks
    last = [np.random.randint(0, 30) for _ in range(3)][-1]
    weights = attention_weights(model, x_test[[last]], t_test[[last]])
    drawn = []
    monkeypatch.setattr("fastnn.attention_map.draw_attention_map", lambda w, i, o, p: drawn.append((w, i, o)))
    save_attention_maps(model, x_test, t_test, ID_TO_CHAR, tmp_path, count=3)
    w, inputs, outputs = drawn[-1]
    np.testing.assert_array_equal(w, weights[:, ::-1])  # columns in reading order
    assert inputs == [ID_TO_CHAR[int(i)] for i in x_test[last, ::-1]]
    assert outputs == [ID_TO_CHAR[int(i)] for i in t_test[last, 1:]]


def test_bad_input(tmp_path):
    with pytest.raises(ValueError, match=r"weights has shape \(2, 3\); expected \(2, 4\)"):
        draw_attention_map(np.ones((2, 3)), "abcd", "xy", tmp_path / "x.png")
    with pytest.raises(ValueError, match=r"question has shape \(2, 3\); expected \(1, T\)"):
        attention_weights(_model(), np.zeros((2, 3), int), np.zeros((1, 3), int))
    with pytest.raises(ValueError, match="same N"):
        save_attention_maps(_model(), np.zeros((3, 4), int), np.zeros((2, 3), int), ID_TO_CHAR, tmp_path)
