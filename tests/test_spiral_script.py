"""The training script ``python -m fastnn.spiral``: output, pictures, options, defaults."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fastnn import spiral as script

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
    out = tmp_path / "pictures"
    proc = run_script("--out", str(out), "--epochs", "3", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()

    progress = [PROGRESS.match(line) for line in lines if line.startswith("| epoch")]
    assert len(progress) == 3 and all(progress), lines
    # The kernels are compiled or loaded before training starts, and say so.
    assert re.match(r"^kernels ready in \d+\.\d\d s ", lines[0])
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

    assert sorted(p.name for p in out.iterdir()) == ["decision_boundary.png", "loss.png"]
    assert_png(out / "loss.png")
    assert_png(out / "decision_boundary.png")
    assert not list(tmp_path.glob("*.png")), "pictures belong in --out, not the working folder"


def test_pictures_go_to_the_current_folder_by_default(tmp_path):
    proc = run_script("--epochs", "1", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert_png(tmp_path / "loss.png")
    assert_png(tmp_path / "decision_boundary.png")


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
    assert (args.optimizer, args.dtype, args.seed, args.out) == ("sgd", "float64", 1984, ".")


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
        (["--batch-size", "0"], "--batch-size must be at least 1"),
        (["--epochs", "-1"], "--epochs must be at least 1"),
        (["--hidden", "0"], "--hidden must be at least 1"),
        (["--batch-size", "301"], "--batch-size must be at most 300"),
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
    assert "usage:" in proc.stderr and "--batch-size must be at least 1" in proc.stderr
    assert not list(tmp_path.iterdir())
