"""python -m fastnn.seq2seq and the book's chapter 7 names under python -m fastnn.book."""

import os
import subprocess
import sys

import pytest
from book_checkout import book_dir
from fastnn.dataset import sequence

from fastnn import book, seq2seq
from fastnn.models import seq2seq as models


@pytest.fixture
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    sequence.make(folder, seed=0, size=1000)
    return folder


def test_book_names_map_to_fastnn():
    assert book.fastnn_name("seq2seq") == book.fastnn_name("ch07.peeky_seq2seq") == "fastnn.models.seq2seq"
    assert book.fastnn_name("dataset.sequence") == "fastnn.dataset.sequence"
    assert {"Seq2seq", "Encoder", "PeekySeq2seq", "PeekyDecoder"} <= set(dir(models))


@pytest.mark.parametrize("argv, match", [
    (["--epochs", "0"], "argument --epochs: expected an integer >= 1; found 0"),
    (["--max-grad", "nan"], "argument --max-grad: expected a finite number > 0; found nan"),
    (["--task", "sums"], "invalid choice"),
])
def test_bad_arguments(argv, match, capsys):
    with pytest.raises(SystemExit):
        seq2seq.parse_args(argv)
    assert match in capsys.readouterr().err


def test_defaults_are_the_books():
    args = seq2seq.parse_args([])
    assert (args.hidden, args.wordvec, args.batch_size, args.epochs, args.max_grad, args.reverse) == (
        128, 16, 128, 25, 5.0, False)
    args = seq2seq.parse_args(["--task", "date"])
    assert (args.hidden, args.epochs, args.reverse) == (256, 10, True)


def test_attention_missing_is_one_clear_line(monkeypatch):
    import fastnn.models

    # fastnn.models imports each model on first use: make that import fail
    monkeypatch.setitem(sys.modules, "fastnn.models.attention_seq2seq", None)
    monkeypatch.delitem(vars(fastnn.models), "AttentionSeq2seq", raising=False)
    monkeypatch.delitem(vars(fastnn.models), "attention_seq2seq", raising=False)
    with pytest.raises(SystemExit, match="needs fastnn.models.AttentionSeq2seq"):
        seq2seq.model_class("attention")


@pytest.mark.slow
def test_short_run_repeats_and_prints_the_books_lines(data, tmp_path, capsys):
    argv = ["--model", "peeky", "--epochs", "2", "--limit", "900", "--seed", "3", "--data-dir", str(data),
            "--hidden", "32", "--no-plots"]
    first = seq2seq.main(argv + ["--out", str(tmp_path / "a")])
    out = capsys.readouterr().out
    second = seq2seq.main(argv + ["--out", str(tmp_path / "b")])
    assert first == second and len(first) == 2
    lines = out.splitlines()
    assert lines[0].startswith("kernels ready in ")
    assert lines[1].startswith("| epoch 1 |  iter 1 / 7 | time ")
    assert lines.count("---") == 20 and sum(line.startswith("val acc ") for line in lines) == 2
    assert (tmp_path / "a" / "PeekySeq2seq-addition.pkl").is_file()


@pytest.mark.slow
def test_makes_missing_data_and_saves_the_curve(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "MPLBACKEND": "Agg"}
    env.pop(sequence.ENV_DIR, None)
    run = subprocess.run([sys.executable, "-m", "fastnn.seq2seq", "--task", "date", "--epochs", "1", "--limit", "256",
                          "--hidden", "16", "--out", str(tmp_path / "out")],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "making addition.txt and date.txt" in run.stdout
    assert (tmp_path / "cache" / "fastnn" / "sequence" / "date.txt").is_file()
    assert (tmp_path / "out" / "accuracy-date-plain.png").stat().st_size > 1000


@pytest.mark.slow
def test_books_script_reads_the_books_data(tmp_path):
    """The book's ch07/show_addition_dataset.py and data ($FASTNN_BOOK_DIR, see tests/book_checkout.py),
    copied into a scratch tree: the test then deletes the data file, never the checkout's."""
    names = ("ch07/show_addition_dataset.py", "dataset/__init__.py", "dataset/addition.txt")
    checkout = book_dir(*names)
    tree = tmp_path / "book"
    for name in names:
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_bytes((checkout / name).read_bytes())
    script = str(tree / "ch07" / "show_addition_dataset.py")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop(sequence.ENV_DIR, None)
    run = subprocess.run([sys.executable, "-m", "fastnn.book", script], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[:2] == ["(45000, 7) (45000, 5)", "(5000, 7) (5000, 5)"]
    os.remove(tree / "dataset" / "addition.txt")
    run = subprocess.run([sys.executable, "-m", "fastnn.book", script], capture_output=True, text=True, env=env)
    assert run.returncode == 1 and run.stderr.count("\n") == 1, run.stderr
    assert "no addition.txt in" in run.stderr and "python -m fastnn.dataset.sequence" in run.stderr


@pytest.mark.parametrize("model_name", ["plain", "peeky", "attention"])
def test_evaluation_in_one_batch_scores_as_the_books_loop(capsys, model_name):
    """evaluate() with generate_batch gives the accuracy of the book's loop of
    eval_seq2seq calls, and prints the same ten questions."""
    import numpy as np

    from fastnn.util import eval_seq2seq

    V, Tq, Ta = 12, 6, 5
    np.random.seed(4)
    model = seq2seq.model_class(model_name)(V, 5, 16)
    for p in model.params:
        p *= 6  # greedy ids that vary from question to question
    rng = np.random.default_rng(5)
    questions = rng.integers(0, V, (40, Tq))
    answers = np.concatenate([np.full((40, 1), 3), rng.integers(0, V, (40, Ta - 1))], axis=1)
    for i in range(0, 40, 2):  # every other answer is the model's own: about half right
        answers[i, 1:] = model.generate(questions[[i]], 3, Ta - 1)
    id_to_char = {i: "abcdefghijkl"[i] for i in range(V)}
    accuracy = seq2seq.evaluate(model, questions, answers, id_to_char, True)
    shown = capsys.readouterr().out
    book_loop = [eval_seq2seq(model, questions[[i]], answers[[i]], id_to_char, i < 10, True) for i in range(40)]
    assert shown == capsys.readouterr().out
    assert accuracy == sum(book_loop) / 40
    assert 0.4 <= accuracy < 1
