"""eval_seq2seq prints the book's lines and marks; the generate kernels refuse bad operands."""

import numpy as np
import pytest
from fastnn.kernels.seq2seq_generate import lstm_encode, lstm_greedy_decode

from fastnn import util
from fastnn.util import eval_seq2seq

ID_TO_CHAR = dict(enumerate("0123456789+ _"))
CHAR_TO_ID = {c: i for i, c in ID_TO_CHAR.items()}


class Echo:
    """A model whose answer is fixed: what generate was asked is recorded."""

    def __init__(self, answer):
        self.answer, self.calls = answer, []

    def generate(self, xs, start_id, sample_size):
        self.calls.append((xs.copy(), start_id, sample_size))
        return [CHAR_TO_ID[c] for c in self.answer]


def ids(text):
    return np.array([[CHAR_TO_ID[c] for c in text]])


def test_right_answer(capsys, monkeypatch):
    monkeypatch.setattr("os.name", "posix")
    model = Echo("579 ")
    assert util.eval_seq2seq is eval_seq2seq
    assert eval_seq2seq(model, ids("123+456"), ids("_579 "), ID_TO_CHAR, verbose=True) == 1
    assert capsys.readouterr().out == "Q 123+456\nT 579 \n\033[92m☑\033[0m 579 \n---\n"
    question, start, size = model.calls[0]
    assert start == CHAR_TO_ID["_"] and size == 4 and question.shape == (1, 7)


def test_wrong_answer_reversed_question(capsys, monkeypatch):
    monkeypatch.setattr("os.name", "posix")
    assert eval_seq2seq(Echo("578 "), ids("654+321"), ids("_579 "), ID_TO_CHAR, True, is_reverse=True) == 0
    assert capsys.readouterr().out == "Q 123+456\nT 579 \n\033[91m☒\033[0m 578 \n---\n"


def test_windows_marks_and_quiet(capsys, monkeypatch):
    monkeypatch.setattr("os.name", "nt")
    eval_seq2seq(Echo("579 "), ids("123+456"), ids("_579 "), ID_TO_CHAR, True)
    eval_seq2seq(Echo("57  "), ids("123+456"), ids("_579 "), ID_TO_CHAR, True)
    assert capsys.readouterr().out.splitlines()[2::4] == ["O 579 ", "X 57  "]
    assert eval_seq2seq(Echo("579 "), ids("123+456"), ids("_579 "), ID_TO_CHAR) == 1
    assert capsys.readouterr().out == ""


def test_bad_ids():
    with pytest.raises(ValueError, match="id 99 is not in id_to_char"):
        eval_seq2seq(Echo("579 "), np.array([[99]]), ids("_579 "), ID_TO_CHAR)
    with pytest.raises(ValueError, match="correct has 1 ids"):
        eval_seq2seq(Echo(""), ids("1"), ids("_"), ID_TO_CHAR)


V, H = 5, 4


def operands(dtype=np.float32):
    rng = np.random.default_rng(0)
    return dict(table=rng.standard_normal((V, 4 * H)).astype(dtype), const=np.zeros(4 * H, dtype),
                Wh=rng.standard_normal((H, 4 * H)).astype(dtype), Waff=rng.standard_normal((H, V)).astype(dtype),
                score_const=np.zeros(V, dtype), h=np.zeros(H, dtype), c=np.zeros(H, dtype))


@pytest.mark.parametrize("change, error, match", [
    ({"Wh": np.zeros((H + 1, 4 * H), "f")}, ValueError, r"Wh has shape \(5, 16\); expected \(4, 16\)"),
    ({"h": np.zeros(H, np.float64)}, TypeError, "h has dtype float64; expected float32"),
    ({"Waff": np.zeros((H, V + 1), "f"), "score_const": np.zeros(V + 1, "f")}, ValueError,
     "Waff is 6 columns wide; expected at most V = 5"),
    ({"start_id": V}, IndexError, r"start_id is 5; expected an integer in \[0, 5\)"),
    ({"start_id": -1}, IndexError, "start_id"),
    ({"out_ids": np.zeros(3, np.int32)}, TypeError, "out_ids has dtype int32; expected int64"),
    ({"out_ids": np.zeros(3, np.int64)[::1].view()}, None, None),
])
def test_decode_operands(change, error, match):
    ops = operands()
    args = {**ops, "start_id": 0, "out_ids": np.full(3, -7, np.int64), **change}
    if error is None:
        lstm_greedy_decode(**args)
        assert ((args["out_ids"] >= 0) & (args["out_ids"] < V)).all()
        return
    before = {k: np.array(v) for k, v in args.items()}
    with pytest.raises(error, match=match):
        lstm_greedy_decode(**args)
    for k, v in before.items():
        np.testing.assert_array_equal(args[k], v)


def test_encode_operands():
    ops = operands()
    with pytest.raises(IndexError, match=r"ids holds ids in \[0, 5\]"):
        lstm_encode(ops["table"], ops["Wh"], np.array([0, 5]), ops["h"], ops["c"])
    with pytest.raises(TypeError, match="ids has dtype float64; expected a signed integer or unsigned integer dtype"):
        lstm_encode(ops["table"], ops["Wh"], np.array([0.0]), ops["h"], ops["c"])
    assert not ops["h"].any()
    lstm_encode(ops["table"], ops["Wh"], np.array([1, 2, 3]), ops["h"], ops["c"])
    assert ops["h"].any() and np.abs(ops["h"]).max() < 1
