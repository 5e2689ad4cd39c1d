"""The training scripts refuse a bad option before they train, in one line (not a
traceback after the run): every numeric option out of its range or not a number
(exit status 2, argparse's error), a bad --out, a missing --corpus or data
folder, a --limit too small for a batch.  Every numeric option is found by
reading the scripts' parsers (build_parser()), so a new one is swept too, and
one declared without a range from fastnn._cli.options fails here.  The spiral
script's other checks are in test_spiral_script.py."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import fastnn
from fastnn import rnnlm, seq2seq, spiral, word2vec
from fastnn._cli import options as opt

SCRIPTS = {"rnnlm": rnnlm.main, "seq2seq": seq2seq.main, "word2vec": word2vec.main}
PARSED = {"rnnlm": rnnlm, "seq2seq": seq2seq, "spiral": spiral, "word2vec": word2vec}  # scripts with options
NO_OPTIONS = {"book"}  # python -m fastnn.book SCRIPT ARGS...: the args are the book script's, none its own


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


# The ranges chosen, one line per numeric option: a new numeric option, or a range
# changed, fails test_every_numeric_option_has_its_range until it is listed here.
AT_LEAST_1 = "an integer >= 1"
ABOVE_0 = "a finite number > 0"
SEED = "an integer from 0 to 4294967295 (numpy's seed range)"
RANGES = {
    "spiral": {"--epochs": AT_LEAST_1, "--batch-size": "an integer from 1 to 300 (the size of the spiral data set)",
               "--hidden": "an integer from 1 to 10000", "--lr": ABOVE_0, "--seed": SEED,
               "--eval-interval": AT_LEAST_1},
    "word2vec": {"--window": AT_LEAST_1, "--hidden": AT_LEAST_1, "--batch-size": AT_LEAST_1, "--epochs": AT_LEAST_1,
                 "--lr": ABOVE_0, "--sample-size": "an integer >= 0", "--power": "a number from 0 to 1",
                 "--seed": SEED, "--eval-interval": AT_LEAST_1},
    "rnnlm": {"--epochs": AT_LEAST_1, "--batch-size": AT_LEAST_1, "--time-size": AT_LEAST_1, "--hidden": AT_LEAST_1,
              "--wordvec": AT_LEAST_1, "--dropout": "a number >= 0 and < 1", "--lr": ABOVE_0, "--max-grad": ABOVE_0,
              "--eval-interval": AT_LEAST_1, "--seed": SEED, "--length": AT_LEAST_1},
    "seq2seq": {"--epochs": AT_LEAST_1, "--hidden": AT_LEAST_1, "--wordvec": AT_LEAST_1, "--batch-size": AT_LEAST_1,
                "--max-grad": ABOVE_0, "--limit": AT_LEAST_1, "--seed": SEED},
}


def _value_options(name):
    """The parser's options that take a value (not --help, flags or store_true)."""
    return [action for action in PARSED[name].build_parser()._actions if action.option_strings and action.nargs != 0]


def _numeric_options(name):
    return [action for action in _value_options(name) if action.type is not None]


def _edge_values(number):
    """(refused, accepted) texts for a range: just outside and on (or just inside) each end,
    every non-finite float, and texts that are no number of its kind."""
    bad, good = ["abc", ""], []
    step = 1 if number.kind is int else 0.5
    if number.kind is int:
        bad.append("1.5")
    else:
        bad += ["nan", "inf", "-inf", "1e400"]
    if number.low is not None:
        bad.append(str(number.low if number.low_open else number.low - step))
        good.append(str(number.low + 1e-9 if number.low_open else number.low))
    if number.high is not None:
        bad.append(str(number.high if number.high_open else number.high + step))
        good.append(str(number.high - 1e-9 if number.high_open else number.high))
    return bad, good


def _one_error_line(err, prog):
    """The error line of argparse's usage-and-error output, checked to be the only one."""
    lines = err.splitlines()
    assert lines and lines[0].startswith("usage: "), err
    errors = [line for line in lines if ": error:" in line]
    assert errors == [lines[-1]], err  # one error line, the last; the others are the usage
    assert all(line.startswith((" ", "usage: ")) for line in lines[:-1]), err
    assert errors[0].startswith(f"{prog}: error: "), err
    return errors[0]


def test_every_script_is_known():
    """Every module with a __main__ is a script whose options are swept here, or has none."""
    root = Path(fastnn.__file__).parent
    mains = {path.stem for path in root.glob("*.py") if re.search(r"^if __name__ == .__main__.:", path.read_text(),
                                                                  re.MULTILINE)}
    assert mains == set(PARSED) | NO_OPTIONS
    for name in NO_OPTIONS:
        assert "argparse" not in (root / f"{name}.py").read_text()


@pytest.mark.parametrize("name", sorted(PARSED))
def test_every_numeric_option_has_its_range(name):
    """Every option with a type uses a range of fastnn._cli.options (a bare int or float is refused
    here), the ranges are the ones listed above, and an option without a type takes a name
    (a choice or a FILE, FOLDER, WORD), not a number."""
    ranges = {}
    for action in _value_options(name):
        option = action.option_strings[-1]
        if action.type is None:
            assert action.choices or action.metavar in ("FILE", "FOLDER", "WORD"), f"{name} {option}"
            assert action.default is None or isinstance(action.default, str), f"{name} {option}"
            continue
        assert isinstance(action.type, opt.Number), f"{name} {option}: type {action.type!r} has no range"
        assert action.default is None or action.default in action.type, f"{name} {option}: default out of range"
        ranges[option] = action.type.describe()
    assert ranges == RANGES[name]


@pytest.mark.parametrize("name, argv", [("spiral", []), ("word2vec", []), ("rnnlm", []),
                                        ("rnnlm", ["--model", "better"]), ("seq2seq", []),
                                        ("seq2seq", ["--task", "date"])])
def test_the_defaults_are_in_range(name, argv):
    """Also the defaults a script fills in after parsing (per model, per task)."""
    args = PARSED[name].parse_args(argv)
    for action in _numeric_options(name):
        value = getattr(args, action.dest)
        assert value is None or value in action.type, f"{name} {action.option_strings[-1]} = {value!r}"


@pytest.mark.parametrize("name, option", [(name, action.option_strings[-1]) for name in sorted(PARSED)
                                          for action in _numeric_options(name)])
def test_a_numeric_option_out_of_range_is_one_line_and_exit_2(name, option, capsys):
    """Each numeric option of each script, given a value just outside its range, a
    non-finite one or no number: argparse's one error line naming it, exit status 2."""
    module = PARSED[name]
    number = next(a.type for a in _numeric_options(name) if a.option_strings[-1] == option)
    bad, good = _edge_values(number)
    for text in bad:
        with pytest.raises(SystemExit) as stop:
            module.parse_args([f"{option}={text}"])
        assert stop.value.code == 2, (option, text)
        captured = capsys.readouterr()
        assert captured.out == ""
        line = _one_error_line(captured.err, module.PROG)
        try:
            value = number.kind(text)
        except ValueError:
            assert line == f"{module.PROG}: error: argument {option}: invalid {number.kind.__name__} value: {text!r}"
        else:
            assert value not in number
            assert line == f"{module.PROG}: error: argument {option}: expected {number.describe()}; found {text}"
    dest = next(a.dest for a in _numeric_options(name) if a.option_strings[-1] == option)
    for text in good:  # the ends of the range are accepted
        assert getattr(module.build_parser().parse_args([f"{option}={text}"]), dest) == number.kind(text), text


@pytest.mark.parametrize("name", sorted(PARSED))
def test_epochs_0_is_refused_before_anything_runs(name, tmp_path, monkeypatch, capsys):
    """Issue 22: every script, word2vec too, refuses --epochs 0 with one line and exit 2:
    no data read, nothing trained, no --out folder made."""
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the cat sat on the mat and the dog sat on the log\n" * 50)
    monkeypatch.chdir(tmp_path)
    argv = ["--epochs", "0", "--out", str(tmp_path / "out"), "--no-plots"]
    argv += {"word2vec": ["--corpus", str(corpus)], "rnnlm": ["--corpus", str(corpus)],
             "seq2seq": ["--data-dir", str(tmp_path / "no-data")]}.get(name, [])
    with pytest.raises(SystemExit) as stop:
        PARSED[name].main(argv)
    assert stop.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    line = _one_error_line(captured.err, PARSED[name].PROG)
    assert line == f"{PARSED[name].PROG}: error: argument --epochs: expected an integer >= 1; found 0"
    assert sorted(os.listdir(tmp_path)) == ["corpus.txt"]


def test_word2vec_epochs_0_from_the_command_line(tmp_path):
    """The issue's own command: exit status 2 and one error line, before the corpus is
    read or anything is written (formerly exit 0 with untrained vectors saved)."""
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the cat sat on the mat and the dog sat on the log\n" * 50)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run([sys.executable, "-m", "fastnn.word2vec", "--epochs", "0", "--corpus", str(corpus),
                           "--out", str(tmp_path / "out")], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert _one_error_line(proc.stderr, word2vec.PROG) == \
        "python -m fastnn.word2vec: error: argument --epochs: expected an integer >= 1; found 0"
    assert sorted(os.listdir(tmp_path)) == ["corpus.txt"]


def test_the_sequence_maker_refuses_a_seed_out_of_range(tmp_path, capsys):
    """python -m fastnn.dataset.sequence's one numeric option, --seed (declared in
    dataset/sequence.py as a plain int; make() checks it before writing): exit 2, one line."""
    from fastnn.dataset import sequence

    for text in ("-1", str(2**32), "abc"):
        with pytest.raises(SystemExit) as stop:
            sequence.main(["--dir", str(tmp_path / "out"), f"--seed={text}"])
        assert stop.value.code == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert "seed" in _one_error_line(captured.err, "python -m fastnn.dataset.sequence")
    assert not list(tmp_path.iterdir())
