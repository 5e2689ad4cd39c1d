"""The training script ``python -m fastnn.spiral``: output, pictures, options, defaults."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fastnn import spiral as script
from fastnn._cli import kernel_cache

GOLDEN_PATH = Path(__file__).parent / "data" / "spiral_train_ch01.npz"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

PROGRESS = re.compile(r"^\| epoch (\d+) \|  iter (\d+) / (\d+) \| time (\d+)\[s\] \| loss (\d+\.\d\d)$")
ACCURACY = re.compile(r"^accuracy (0\.\d{4}|1\.0000)$")
THROUGHPUT = re.compile(r"^training: (\d+) steps in (\d+\.\d{3}) s, ([\d,]+) steps/s, ([\d,]+) samples/s$")

OPTIONS = ["--epochs", "--batch-size", "--hidden", "--lr", "--optimizer", "--dtype", "--seed", "--out"]


def run_script(*args, cwd):
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(
        [sys.executable, "-m", "fastnn.spiral", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )


@pytest.fixture(autouse=True)
def _keep_global_rng():
    state = np.random.get_state()
    yield
    np.random.set_state(state)


def assert_png(path):
    assert path.is_file(), f"{path} was not written"
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > 100 and height > 100
    import matplotlib.image

    image = matplotlib.image.imread(path)
    assert image.shape[:2] == (height, width)
    assert image.std() > 0, "a blank picture"


def test_script_output_and_pictures(tmp_path):
    """The defaults but 3 epochs: the book's lines, then the pictures in their own folder, paths printed."""
    out = tmp_path / script.DEFAULT_OUT
    proc = run_script("--epochs", "3", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()

    progress = [PROGRESS.match(line) for line in lines if line.startswith("| epoch")]
    assert len(progress) == 3 and all(progress), lines
    # The kernels are compiled or loaded before training starts, and say so.
    assert re.match(r"^kernels ready in \d+\.\d\d s: (\d+ loaded from Numba's cache|compiled, as on a first run|"
                    r"none compiled, NUMBA_DISABLE_JIT)", lines[0]), lines[0]
    assert lines[1] == progress[0].group(0)
    assert [m.group(1) for m in progress] == ["1", "2", "3"]
    assert all(m.group(2) == "1" and m.group(3) == "10" for m in progress)
    # The book's first line: loading the kernels is not counted in its seconds.
    assert lines[1] == "| epoch 1 |  iter 1 / 10 | time 0[s] | loss 1.10"
    first_losses = np.load(GOLDEN_PATH)["loss_list"][:3]
    assert [float(m.group(5)) for m in progress] == [round(v, 2) for v in first_losses]

    accuracy = [line for line in lines if line.startswith("accuracy")]
    assert len(accuracy) == 1 and ACCURACY.match(accuracy[0]), lines
    throughput = [THROUGHPUT.match(line) for line in lines if line.startswith("training:")]
    assert len(throughput) == 1 and throughput[0], lines
    assert throughput[0].group(1) == "30"  # 3 epochs of 10 iterations
    steps_per_s = float(throughput[0].group(3).replace(",", ""))
    samples_per_s = float(throughput[0].group(4).replace(",", ""))
    assert steps_per_s > 0 and samples_per_s == pytest.approx(30 * steps_per_s, rel=0.01, abs=30)

    assert sorted(p.name for p in tmp_path.iterdir()) == [script.DEFAULT_OUT]
    assert sorted(p.name for p in out.iterdir()) == ["decision_boundary.png", "loss.png"]
    assert_png(out / "loss.png")
    assert_png(out / "decision_boundary.png")
    assert lines[-2:] == [f"saved the loss curve: {out / 'loss.png'}",
                          f"saved the decision regions: {out / 'decision_boundary.png'}"]


@pytest.mark.slow
def test_pictures_go_to_out_and_nowhere_else(tmp_path):
    out = tmp_path / "some" / "pictures"
    proc = run_script("--out", str(out), "--epochs", "1", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["some"]
    assert sorted(p.name for p in out.iterdir()) == ["decision_boundary.png", "loss.png"]
    assert_png(out / "loss.png")
    assert_png(out / "decision_boundary.png")
    assert proc.stdout.splitlines()[-2:] == [f"saved the loss curve: {out / 'loss.png'}",
                                             f"saved the decision regions: {out / 'decision_boundary.png'}"]


def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit) as exit_info:
        script.parse_args(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("usage:")
    for option in OPTIONS:
        assert re.search(rf"^\s+{re.escape(option)}\b.*\S", text, re.MULTILINE), f"{option} not documented"
    # The defaults are the book's ch01 ones, and the help says so.
    for default in ("300", "30", "10", "1.0", "sgd", "float64", "1984"):
        assert default in text


def test_defaults_are_the_books():
    args = script.parse_args([])
    assert (args.epochs, args.batch_size, args.hidden, args.lr) == (300, 30, 10, 1.0)
    assert (args.optimizer, args.dtype, args.seed, args.out) == ("sgd", "float64", 1984, "fastnn-spiral-out")


@pytest.mark.long_as_python
def test_defaults_reproduce_the_golden_run(capsys):
    with np.load(GOLDEN_PATH) as golden:
        golden = dict(golden)
    model, trainer, x, t, seconds = script.train(script.parse_args([]))
    capsys.readouterr()
    assert seconds > 0
    np.testing.assert_allclose(trainer.loss_list, golden["loss_list"], rtol=0, atol=1e-9)
    for p, name in zip(model.params, ["W1", "b1", "W2", "b2"]):
        np.testing.assert_allclose(p, golden[name], rtol=0, atol=1e-8, err_msg=name)
    assert script.accuracy(model, x, t) == pytest.approx(float(golden["accuracy"]))
    assert f"{script.accuracy(model, x, t):.4f}" == "0.9700"


def test_main_with_defaults_prints_the_golden_accuracy(tmp_path, capsys):
    assert script.main(["--out", str(tmp_path), "--no-plots"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "accuracy 0.9700" in lines
    assert sum(1 for line in lines if PROGRESS.match(line)) == 300
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("optimizer", sorted(script.OPTIMIZERS))
def test_every_optimizer_and_dtype_trains(optimizer, dtype, capsys):
    lr = 1.0 if optimizer in ("sgd", "momentum", "nesterov") else 0.05
    args = script.parse_args(["--epochs", "20", "--optimizer", optimizer, "--dtype", dtype, "--lr", str(lr)])
    model, trainer, x, t, _ = script.train(args)
    capsys.readouterr()
    assert all(p.dtype == np.dtype(dtype) for p in model.params)
    assert x.dtype == np.dtype(dtype)
    assert np.isfinite(trainer.loss_list).all()
    assert trainer.loss_list[-1] < trainer.loss_list[0]


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--batch-size", "0"],
         "argument --batch-size: expected an integer from 1 to 300 (the size of the spiral data set); found 0"),
        (["--epochs", "-1"], "argument --epochs: expected an integer >= 1; found -1"),
        (["--hidden", "0"], "argument --hidden: expected an integer from 1 to 10000; found 0"),
        (["--eval-interval", "0"], "argument --eval-interval: expected an integer >= 1; found 0"),
        (["--batch-size", "301"],
         "argument --batch-size: expected an integer from 1 to 300 (the size of the spiral data set); found 301"),
        (["--hidden", "10001"], "argument --hidden: expected an integer from 1 to 10000; found 10001"),
        (["--seed", "-5"], "argument --seed: expected an integer from 0 to 4294967295 (numpy's seed range); found -5"),
        (["--seed", "4294967296"],
         "argument --seed: expected an integer from 0 to 4294967295 (numpy's seed range); found 4294967296"),
        (["--lr", "nan"], "argument --lr: expected a finite number > 0; found nan"),
        (["--lr", "inf"], "argument --lr: expected a finite number > 0; found inf"),
        (["--lr=-inf"], "argument --lr: expected a finite number > 0; found -inf"),
        (["--lr", "-1"], "argument --lr: expected a finite number > 0; found -1"),
        (["--lr", "0"], "argument --lr: expected a finite number > 0; found 0"),
        (["--lr", "fast"], "invalid float value: 'fast'"),
        (["--batch-size", "abc"], "invalid int value: 'abc'"),
        (["--optimizer", "lbfgs"], "invalid choice: 'lbfgs'"),
        (["--dtype", "float16"], "invalid choice: 'float16'"),
        (["--frobnicate"], "unrecognized arguments: --frobnicate"),
    ],
)
def test_bad_options_are_argparse_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        script.parse_args(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage:")
    assert message in err


def test_bad_option_from_the_command_line_has_no_traceback(tmp_path):
    proc = run_script("--batch-size", "0", "--out", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert "usage:" in proc.stderr and "argument --batch-size: expected an integer from 1 to 300" in proc.stderr
    assert not list(tmp_path.iterdir())


def test_extreme_accepted_options_train(capsys):
    """The edges of every accepted range run and give finite losses."""
    for argv in (["--seed", "0"], ["--seed", str(2**32 - 1)], ["--lr", "1e-300"], ["--batch-size", "300"],
                 ["--hidden", "1"], ["--eval-interval", "1000"]):
        args = script.parse_args(["--epochs", "2", *argv])
        _, trainer, _, _, _ = script.train(args)
        assert trainer.loss_list and np.isfinite(trainer.loss_list).all(), argv
    capsys.readouterr()


def _bad_out_cases(tmp_path):
    (tmp_path / "a_file").write_text("not a folder")
    (tmp_path / "pictures" / "loss.png").mkdir(parents=True)
    cases = [
        (tmp_path / "a_file", "--out '{}' is an existing file; expected a folder"),
        (tmp_path / "a_file" / "sub", "cannot write pictures in --out '{}': Not a directory"),
        (tmp_path / "pictures", "cannot write '{}/loss.png': it is a folder or a read-only file"),
    ]
    if sys.platform.startswith("linux"):
        cases.append((Path("/proc/forbidden"), "cannot write pictures in --out '{}': "))
    return cases


def test_an_unwritable_out_is_one_line_and_exit_2_before_training(tmp_path, capsys, monkeypatch):
    trained = []
    monkeypatch.setattr(script, "train", lambda args: trained.append(args))
    for out, message in _bad_out_cases(tmp_path):
        assert script.main(["--out", str(out)]) == 2, out
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.startswith(f"python -m fastnn.spiral: error: {message.format(out)}")
        assert captured.err.count("\n") == 1, captured.err
    assert not trained
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file", "pictures"]
    assert [p.name for p in (tmp_path / "pictures").iterdir()] == ["loss.png"]


def test_unwritable_out_from_the_command_line(tmp_path):
    (tmp_path / "a_file").write_text("")
    proc = run_script("--out", str(tmp_path / "a_file"), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""  # nothing trained: the kernels-ready line comes first otherwise
    assert proc.stderr.splitlines() == [
        f"python -m fastnn.spiral: error: --out '{tmp_path / 'a_file'}' is an existing file; expected a folder"]


def test_a_missing_out_folder_is_created(tmp_path, capsys):
    out = tmp_path / "new" / "deeper"
    assert script.picture_paths(str(out)) == [str(out / "loss.png"), str(out / "decision_boundary.png")]
    assert out.is_dir() and not list(out.iterdir())  # the scratch file is gone
    assert script.picture_paths(str(out))  # an existing folder is fine too


def test_no_plots_ignores_out(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(script, "train", lambda args: (_ for _ in ()).throw(RuntimeError("trained")))
    with pytest.raises(RuntimeError, match="trained"):
        script.main(["--out", str(tmp_path / "missing"), "--no-plots"])
    assert not (tmp_path / "missing").exists()


@pytest.mark.slow
def test_a_closed_pipe_ends_quietly(tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.Popen([sys.executable, "-m", "fastnn.spiral", "--no-plots", "--eval-interval", "1"], cwd=tmp_path,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().startswith("kernels ready")
    proc.stdout.close()  # as `| head -1` does, long before the 3000 progress lines are written
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 1
    assert all(line.startswith("fastnn: first run: ") for line in err.splitlines()), err  # no traceback


def _kernels_line(cache, cwd, *args):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-m", "fastnn.spiral", "--no-plots", "--epochs", "1", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.splitlines()[0]
    assert re.match(r"^kernels ready in \d+\.\d\d s: ", line), line
    return line.split(": ", 1)[1], proc.stderr


@pytest.mark.slow
def test_kernels_line_says_whether_they_were_compiled_or_loaded(tmp_path):
    cache = tmp_path / "numba-cache"
    if os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0"):
        assert _kernels_line(cache, tmp_path) == ("none compiled, NUMBA_DISABLE_JIT runs them as plain Python", "")
        return
    phrase, err = _kernels_line(cache, tmp_path)
    assert phrase == "compiled, as on a first run (Numba's cache keeps them for the next runs)"
    # Before it compiles, a first run says that it does, once, and about how long it takes.
    assert re.fullmatch(r"fastnn: first run: compiling the kernels once, about \d+ s on 2 cores; "
                        r"later runs load them from Numba's cache\n", err), err
    phrase, err = _kernels_line(cache, tmp_path)
    loaded = re.fullmatch(r"(\d+) loaded from Numba's cache", phrase)
    assert loaded and int(loaded.group(1)) >= 6  # two Affine, Sigmoid and the loss, each way, and SGD
    assert err == ""


@pytest.mark.parametrize("before,after,expected", [
    ((3, 0), (11, 0), "8 loaded from Numba's cache"),
    ((0, 0), (0, 12), "compiled, as on a first run (Numba's cache keeps them for the next runs)"),
    ((8, 0), (14, 5), "6 loaded from Numba's cache, the others compiled (new, or changed since they were cached)"),
    ((8, 12), (8, 12), "all were already loaded in this process"),
])
def test_kernels_phrase(before, after, expected, monkeypatch):
    if os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0"):
        expected = "none compiled, NUMBA_DISABLE_JIT runs them as plain Python"
    counts = iter([before, after])
    monkeypatch.setattr(kernel_cache, "_cache_counts", lambda: next(counts))
    model = script.TwoLayerNet(2, 4, 3)
    x, t = script.spiral.load_data()
    params = [p.copy() for p in model.params]
    seconds, how = script.warm_up(model, script.optimizers.SGD, x, t, 30)
    assert seconds > 0 and how == expected
    for p, q in zip(model.params, params):
        np.testing.assert_array_equal(p, q)  # warming up trains nothing


def test_cache_counts_see_this_process_kernels():
    if os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0"):
        assert kernel_cache._cache_counts() == (0, 0)
        return
    model = script.TwoLayerNet(2, 4, 3)
    x, t = script.spiral.load_data()
    script.warm_up(model, script.optimizers.SGD, x, t, 30)  # loads or compiles each kernel once
    used = [k for k in kernel_cache._kernels() if k.stats.cache_hits or k.stats.cache_misses]
    assert len(used) >= 6  # Affine, Sigmoid and the loss, forward and backward, and SGD
    assert sum(kernel_cache._cache_counts()) >= len(used)
