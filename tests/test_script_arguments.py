"""The training scripts refuse a bad --out, a missing --corpus or data folder and
a --limit too small for a batch before they train, in one line (not a traceback
after the run).  The spiral script's own checks are in test_spiral_script.py."""

import pytest

from fastnn import rnnlm, seq2seq, word2vec

SCRIPTS = {"rnnlm": rnnlm.main, "seq2seq": seq2seq.main, "word2vec": word2vec.main}


def _refused(capsys, main, argv, status=2):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    captured = capsys.readouterr()
    message = captured.err if isinstance(stop.value.code, int) else str(stop.value.code)
    assert stop.value.code == status or (status == 1 and isinstance(stop.value.code, str))
    assert captured.out == ""  # nothing was trained or printed first
    return message.strip().splitlines()[-1]


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_an_out_that_is_a_file_is_refused_first(name, tmp_path, capsys):
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    line = _refused(capsys, SCRIPTS[name], ["--out", str(a_file)])
    assert line == f"python -m fastnn.{name}: error: --out '{a_file}' is an existing file; expected a folder"


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_an_out_that_cannot_be_made_is_refused_first(name, tmp_path, capsys):
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    line = _refused(capsys, SCRIPTS[name], ["--out", str(a_file / "sub")])
    assert line.startswith(f"python -m fastnn.{name}: error: cannot write ")
    assert line.endswith(f"in --out '{a_file / 'sub'}': Not a directory")


def test_rnnlm_names_a_corpus_it_cannot_read(tmp_path, capsys):
    missing = tmp_path / "missing.txt"
    line = _refused(capsys, rnnlm.main, ["--corpus", str(missing), "--out", str(tmp_path)], status=1)
    assert line == f"python -m fastnn.rnnlm: cannot read --corpus {missing}: No such file or directory"


def test_seq2seq_refuses_a_limit_below_the_batch_size(tmp_path, capsys):
    line = _refused(capsys, seq2seq.main, ["--limit", "5", "--out", str(tmp_path)])
    assert line.endswith("error: --limit is 5; expected at least --batch-size (128): "
                         "fewer questions make no batch to train on")


def test_seq2seq_refuses_a_data_dir_that_is_not_a_folder(tmp_path, capsys):
    line = _refused(capsys, seq2seq.main, ["--data-dir", str(tmp_path / "missing"), "--out", str(tmp_path)])
    assert line.endswith(f"error: --data-dir '{tmp_path / 'missing'}' is not a folder; "
                         "expected the folder holding addition.txt and date.txt")
