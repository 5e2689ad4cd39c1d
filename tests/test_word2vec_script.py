"""python -m fastnn.word2vec on small text files the tests write themselves."""

import pickle

import numpy as np
import pytest
from first_run import compiled_while_training

from fastnn import word2vec

SENTENCES = [
    "you say goodbye and i say hello .",
    "the car is a toyota and the year is new .",
    "a king is a man and a queen is a woman .",
    "i take it and you took it , we go and they went .",
    "good is better than bad , bad is worse .",
]


@pytest.fixture
def text_file(tmp_path):
    rng = np.random.default_rng(0)
    lines = [SENTENCES[i] for i in rng.integers(0, len(SENTENCES), 300)]
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _run(capsys, *argv):
    word2vec.main([str(a) for a in argv])
    return capsys.readouterr().out


@pytest.mark.parametrize("model", ["cbow", "skipgram"])
def test_trains_saves_and_evaluates(tmp_path, text_file, capsys, model):
    out = tmp_path / "out"
    printed = _run(capsys, "--model", model, "--corpus", text_file, "--out", out, "--epochs", 2,
                   "--hidden", 8, "--window", 2, "--batch-size", 50, "--eval-interval", 5, "--seed", 3)
    assert "| epoch 2 |" in printed and "ms a step" in printed and "targets/s" in printed
    assert "[query] you" in printed and "[analogy] king:man = queen:?" in printed
    assert "toyota" in printed
    with open(out / f"{model}_params.pkl", "rb") as f:
        params = pickle.load(f)
    vectors = np.load(out / f"{model}_vectors.npz")
    word_to_id = params["word_to_id"]
    assert params["word_vecs"].dtype == np.float16 and vectors["word_vecs"].dtype == np.float32
    assert params["word_vecs"].shape == (len(word_to_id), 8)
    np.testing.assert_array_equal(params["word_vecs"], vectors["word_vecs"].astype(np.float16))
    assert [params["id_to_word"][i] for i in range(len(word_to_id))] == list(vectors["words"])
    assert (out / f"{model}_loss.png").stat().st_size > 1000


def test_seeded_runs_repeat(tmp_path, text_file, capsys):
    vecs = []
    for name in ("a", "b"):
        _run(capsys, "--corpus", text_file, "--out", tmp_path / name, "--epochs", 1, "--hidden", 4,
             "--window", 1, "--seed", 11, "--no-plots")
        vecs.append(np.load(tmp_path / name / "cbow_vectors.npz")["word_vecs"])
    np.testing.assert_array_equal(vecs[0], vecs[1])
    assert not (tmp_path / "a" / "cbow_loss.png").exists()


@pytest.mark.parametrize("argv, message", [
    (["--corpus", "/no/such/file.txt"], "cannot read --corpus /no/such/file.txt"),
    (["--window", "0"], "argument --window: expected an integer >= 1; found 0"),
    (["--lr", "nan"], "argument --lr: expected a finite number > 0; found nan"),
    (["--seed", "-1"], "argument --seed: expected an integer from 0 to 4294967295 (numpy's seed range); found -1"),
])
def test_bad_arguments_are_one_line(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        word2vec.main(argv)
    said = str(exit_info.value.code) + capsys.readouterr().err
    assert message in said
    assert "Traceback" not in said


def test_too_small_a_corpus(tmp_path, capsys):
    path = tmp_path / "tiny.txt"
    path.write_text("a b a b", encoding="utf-8")
    with pytest.raises(SystemExit, match="has 4 words; the window needs more than 10"):
        word2vec.main(["--corpus", str(path), "--out", str(tmp_path)])


def test_missing_ptb_is_one_line(tmp_path, monkeypatch, capsys):
    from fastnn.dataset import ptb

    def no_files(*args, **kwargs):
        raise ptb.PTBNotFoundError("PTB data: ptb.train.txt not found in /x")

    monkeypatch.setattr(ptb, "load_data", no_files)
    with pytest.raises(SystemExit, match="fastnn.word2vec: PTB data: ptb.train.txt not found"):
        word2vec.main(["--out", str(tmp_path)])


def test_ptb_is_the_default_corpus(tmp_path, monkeypatch, capsys):
    from fastnn.dataset import ptb

    corpus = np.array([0, 1, 2, 3, 4, 5, 6, 7] * 30)
    words = ["you", "say", "goodbye", "and", "i", "hello", ".", "car"]
    seen = {}

    def load_data(data_type="train", data_dir=None):
        seen.update(data_type=data_type, data_dir=data_dir)
        return corpus, {w: i for i, w in enumerate(words)}, dict(enumerate(words))

    monkeypatch.setattr(ptb, "load_data", load_data)
    printed = _run(capsys, "--data-dir", tmp_path / "ptb", "--out", tmp_path, "--epochs", 1, "--hidden", 4,
                   "--window", 1, "--no-plots", "--sample-size", 2)
    assert seen == {"data_type": "train", "data_dir": str(tmp_path / "ptb")}
    assert "the Penn Treebank training set, 240 words, vocabulary 8" in printed
    assert "[query] you" in printed


@pytest.mark.slow  # compiles the CBOW kernels on an empty cache: several seconds
def test_the_timed_training_compiles_nothing_on_a_first_run(tmp_path):
    """warm_up compiles every kernel of a training step before the clock starts (with
    batches of the run's own dtypes), so a first run's throughput is the training's."""
    corpus = tmp_path / "corpus.txt"
    rng = np.random.default_rng(0)
    corpus.write_text(" ".join(f"w{i}" for i in rng.integers(0, 40, 3000)))
    out = compiled_while_training(
        "fastnn.word2vec", ["--corpus", str(corpus), "--epochs", "1", "--no-plots", "--out", str(tmp_path),
                            "--hidden", "8", "--sample-size", "2"],
        "fastnn.trainer:Trainer.fit", tmp_path / "cache")
    assert "kernels ready in" in out
    assert "compiled while training: []" in out, out
