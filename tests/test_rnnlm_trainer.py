"""RnnlmTrainer, eval_perplexity and BaseModel's params files."""

import pickle
import re

import numpy as np
import pytest

from fastnn.base_model import BaseModel
from fastnn.models import Rnnlm, SimpleRnnlm
from fastnn.optimizer import SGD
from fastnn.trainer import RnnlmTrainer
from fastnn.util import eval_perplexity


def _books_batch(x, t, batch_size, time_size, time_idx):
    """The book's get_batch, element by element."""
    bx = np.empty((batch_size, time_size), dtype='i')
    bt = np.empty((batch_size, time_size), dtype='i')
    jump = len(x) // batch_size
    for time in range(time_size):
        for i in range(batch_size):
            bx[i, time] = x[(i * jump + time_idx) % len(x)]
            bt[i, time] = t[(i * jump + time_idx) % len(x)]
        time_idx += 1
    return bx, bt, time_idx


def test_get_batch_is_the_books():
    corpus = np.arange(103) * 3
    trainer = RnnlmTrainer(None, None)
    trainer.time_idx = 0
    idx = 0
    for _ in range(7):  # wraps around the corpus
        want_x, want_t, idx = _books_batch(corpus[:-1], corpus[1:], 4, 6, idx)
        got_x, got_t = trainer.get_batch(corpus[:-1], corpus[1:], 4, 6)
        assert got_x.dtype == np.int32 and np.array_equal(got_x, want_x) and np.array_equal(got_t, want_t)
        assert trainer.time_idx == idx


def test_fit_prints_the_books_lines_and_keeps_ppl(capsys, tmp_path):
    np.random.seed(0)
    corpus = np.random.randint(0, 20, 1000)
    model = SimpleRnnlm(20, 8, 8)
    trainer = RnnlmTrainer(model, SGD(0.1))
    trainer.fit(corpus[:-1], corpus[1:], max_epoch=2, batch_size=5, time_size=10, eval_interval=5)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 * 4 and len(trainer.ppl_list) == 8  # 19 iterations an epoch: 1, 6, 11, 16
    assert re.fullmatch(r"\| epoch 1 \|  iter 1 / 19 \| time \d+\[s\] \| perplexity \d+\.\d\d", lines[0])
    assert lines[4].startswith("| epoch 2 |  iter 1 / 19 |")
    assert trainer.ppl_list[0] == pytest.approx(20, rel=0.1)  # an untrained model guesses uniformly
    assert trainer.current_epoch == 2 and trainer.time_idx == 2 * 19 * 10
    trainer.plot(ylim=(0, 50), path=tmp_path / "ppl.png")
    assert (tmp_path / "ppl.png").read_bytes()[:4] == b"\x89PNG"


def test_fit_rejects_mismatched_data():
    trainer = RnnlmTrainer(SimpleRnnlm(5, 2, 2), SGD())
    with pytest.raises(ValueError, match="xs has 10 words but ts has 9"):
        trainer.fit(np.zeros(10, int), np.zeros(9, int))
    with pytest.raises(ValueError, match="batch_size is 0"):
        trainer.fit(np.zeros(10, int), np.zeros(10, int), batch_size=0)


class _Recorder:
    """A model that records its batches and returns a known loss."""

    def __init__(self, with_flag):
        self.calls, self.with_flag = [], with_flag

    def forward(self, xs, ts, **kwargs):
        if kwargs and not self.with_flag:
            raise TypeError("unexpected keyword")
        self.calls.append((xs.copy(), ts.copy(), kwargs))
        return float(xs.shape[0]) + len(self.calls) % 2


@pytest.mark.parametrize("with_flag", [True, False])
def test_eval_perplexity_reads_the_corpus_as_the_book(with_flag, capsys):
    corpus = np.arange(1000) % 97
    model = _Recorder(with_flag)
    ppl = eval_perplexity(model, corpus, batch_size=4, time_size=7)
    max_iters = 999 // 28
    jump = 999 // 4
    assert len(model.calls) == max_iters
    xs, ts, kwargs = model.calls[2]
    assert kwargs == ({"train_flg": False} if with_flag else {})
    for i in range(4):
        for t in range(7):
            assert xs[i, t] == corpus[(2 * 7 + i * jump + t) % 1000]
            assert ts[i, t] == corpus[(2 * 7 + i * jump + t + 1) % 1000]
    losses = [4 + (k + 1) % 2 for k in range(max_iters)]
    assert ppl == pytest.approx(np.exp(np.mean(losses)))
    out = capsys.readouterr().out
    assert out.startswith("evaluating perplexity ...\n\r0 / 35\r1 / 35") and out.endswith("34 / 35\n")


def test_params_file_is_the_books_format_and_round_trips(tmp_path):
    np.random.seed(0)
    model = SimpleRnnlm(30, 4, 5)
    path = tmp_path / "m.pkl"
    model.save_params(str(path))
    with open(path, "rb") as f:
        saved = pickle.load(f)
    assert [a.dtype for a in saved] == [np.float16] * 6
    assert all(np.array_equal(a, p.astype(np.float16)) for a, p in zip(saved, model.params))
    np.random.seed(1)
    other = SimpleRnnlm(30, 4, 5)
    arrays = other.params
    other.load_params(str(path))
    assert all(p is a for p, a in zip(other.params, arrays))  # loaded in place
    assert all(np.array_equal(p, s.astype(np.float32)) for p, s in zip(other.params, saved))


def test_default_file_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = SimpleRnnlm(10, 2, 2)
    model.__class__ = type("Rnnlm", (SimpleRnnlm,), {})
    BaseModel.save_params(model)
    assert (tmp_path / "Rnnlm.pkl").exists()


def test_loading_a_wrong_file_changes_nothing(tmp_path):
    np.random.seed(0)
    model = SimpleRnnlm(30, 4, 5)
    before = [p.copy() for p in model.params]
    bigger = SimpleRnnlm(30, 4, 6)
    bigger.save_params(str(tmp_path / "bigger.pkl"))
    with pytest.raises(ValueError, match=r"array 1 in .* has shape \(4, 6\); expected \(4, 5\)"):
        model.load_params(str(tmp_path / "bigger.pkl"))
    with open(tmp_path / "short.pkl", "wb") as f:
        pickle.dump([p.astype(np.float16) for p in model.params[:3]], f)
    with pytest.raises(ValueError, match="holds 3 arrays; this model has 6 params"):
        model.load_params(str(tmp_path / "short.pkl"))
    (tmp_path / "junk.pkl").write_bytes(b"not a pickle")
    with pytest.raises(ValueError, match="is not a saved params file"):
        model.load_params(str(tmp_path / "junk.pkl"))
    with pytest.raises(FileNotFoundError, match="no file"):
        model.load_params(str(tmp_path / "missing.pkl"))
    assert all(np.array_equal(a, b) for a, b in zip(model.params, before))


def test_rnnlm_params_order_and_shapes():
    model = Rnnlm(50, 6, 7)
    assert [p.shape for p in model.params] == [(50, 6), (6, 28), (7, 28), (28,), (7, 50), (50,)]
    assert all(p.dtype == np.float32 for p in model.params)
    assert model.lstm_layer is model.layers[1] and model.lstm_layer.stateful
