"""python -m fastnn.rnnlm on a small text file: training, outputs, Ctrl-C."""

import os
import pickle
import signal
import subprocess
import sys

import numpy as np
import pytest
from first_run import compiled_while_training

from fastnn import rnnlm


def _text(path, lines=600, seed=0):
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(30)] + ["N", "<unk>"]
    out = []
    for _ in range(lines):
        a = int(rng.integers(0, 30))
        out.append(" ".join([words[a], words[(a * 7 + 3) % 30], words[int(rng.integers(0, 32))]]))
    path.write_text("\n".join(out) + "\n")
    return path


SMALL = ["--hidden", "8", "--wordvec", "8", "--batch-size", "4", "--time-size", "5", "--lr", "1",
         "--eval-interval", "40", "--seed", "1"]


@pytest.mark.slow  # about 4 s idle (matplotlib's import, 214 steps), more when loaded
def test_trains_evaluates_saves_and_generates(tmp_path, capsys):
    corpus = _text(tmp_path / "c.txt")
    out = tmp_path / "out"
    assert rnnlm.main(["--corpus", str(corpus), "--epochs", "2", "--out", str(out),
                       "--generate", "w3", "--length", "8", *SMALL]) == 0
    text = capsys.readouterr().out
    assert "| epoch 2 |  iter 81 / 107 |" in text and "words/s" in text
    ppl = float(text.split("test perplexity:  ")[1].split()[0])
    assert 1 < ppl < 33  # learned something: a uniform guess is 33 (32 words and <eos>)
    with open(out / "Rnnlm.pkl", "rb") as f:
        assert [a.dtype for a in pickle.load(f)] == [np.float16] * 6
    assert (out / "perplexity.png").read_bytes()[:4] == b"\x89PNG"
    generated = text.split("params saved to")[1].split("\n", 2)[2]
    assert generated.startswith("w3") and "<unk>" not in generated and " N " not in generated


def test_better_model_validates_each_epoch(tmp_path, capsys):
    corpus = _text(tmp_path / "c.txt", lines=900)
    assert rnnlm.main(["--corpus", str(corpus), "--model", "better", "--epochs", "2", "--dropout", "0.2",
                       "--out", str(tmp_path), "--no-plots", *SMALL]) == 0
    text = capsys.readouterr().out
    assert text.count("valid perplexity: ") == 2 and text.count("-" * 50) == 2
    assert (tmp_path / "BetterRnnlm.pkl").exists() and not (tmp_path / "perplexity.png").exists()


@pytest.mark.parametrize("args, message", [
    (["--epochs", "0"], "argument --epochs: expected an integer >= 1; found 0"),
    (["--dropout", "1"], "argument --dropout: expected a number >= 0 and < 1; found 1"),
    (["--lr", "nan"], "argument --lr: expected a finite number > 0; found nan"),
])
def test_bad_options(args, message, capsys):
    with pytest.raises(SystemExit):
        rnnlm.main(args)
    assert message in capsys.readouterr().err


def test_short_corpus_and_unknown_start_word(tmp_path, capsys):
    with pytest.raises(SystemExit, match="has 40 words; expected at least"):
        rnnlm.main(["--corpus", str(_text(tmp_path / "s.txt", lines=10)), *SMALL])
    with pytest.raises(SystemExit, match="'zzz' is not in the vocabulary"):
        rnnlm.main(["--corpus", str(_text(tmp_path / "c.txt")), "--epochs", "1", "--out", str(tmp_path),
                    "--no-plots", "--generate", "zzz", *SMALL])


@pytest.mark.slow
def test_ctrl_c_stops_between_steps_and_still_saves(tmp_path):
    corpus = _text(tmp_path / "c.txt", lines=20000)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "fastnn.rnnlm", "--corpus", str(corpus), "--epochs", "50",
                             "--out", str(tmp_path / "out"), "--no-plots", *SMALL],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if "iter 41 /" in line:
            proc.send_signal(signal.SIGINT)
            break
    rest = proc.communicate(timeout=300)[0]
    assert proc.returncode == 0, "".join(lines) + rest
    assert "stopped (Ctrl-C)" in rest and "test perplexity:" in rest
    assert (tmp_path / "out" / "Rnnlm.pkl").exists()


def test_missing_ptb_is_one_line(tmp_path, monkeypatch):
    from fastnn.dataset import ptb

    def no_files(*args, **kwargs):
        raise ptb.PTBNotFoundError("PTB data: ptb.train.txt not found in /x")

    monkeypatch.setattr(ptb, "load_data", no_files)
    with pytest.raises(SystemExit, match="fastnn.rnnlm: PTB data: ptb.train.txt not found"):
        rnnlm.main(["--out", str(tmp_path)])


@pytest.mark.slow  # compiles the Rnnlm kernels on an empty cache: several seconds
def test_the_timed_training_compiles_nothing_on_a_first_run(tmp_path):
    """warm_up compiles every kernel of a training step before the clock starts, so a
    first run's words/s is the training's, not the compiler's."""
    corpus = tmp_path / "corpus.txt"
    rng = np.random.default_rng(0)
    corpus.write_text("\n".join(" ".join(f"w{i}" for i in rng.integers(0, 30, 12)) for _ in range(60)))
    out = compiled_while_training(
        "fastnn.rnnlm", ["--corpus", str(corpus), "--epochs", "1", "--no-plots", "--out", str(tmp_path),
                         "--hidden", "8", "--wordvec", "8", "--batch-size", "2", "--time-size", "5"],
        "fastnn.rnnlm:train", tmp_path / "cache")
    assert "kernels ready in" in out
    assert "compiled while training: []" in out, out
