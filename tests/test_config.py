"""fastnn.config and fastnn.np: the book's GPU switch, which fastnn refuses clearly.

The book reads config.GPU when common.np is imported, after a script set it.
fastnn refuses the assignment itself, so the message comes at the user's line
whenever it runs, and fastnn.np / fastnn.util check again when imported.
"""

import subprocess
import sys

import numpy
import pytest

from fastnn import config


def run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_gpu_is_false_and_false_may_be_set():
    assert config.GPU is False
    config.GPU = False
    config.GPU = 0
    assert not config.GPU


@pytest.mark.parametrize("value", [True, 1, "yes"])
def test_setting_gpu_true_is_refused_and_changes_nothing(value):
    with pytest.raises(config.GPUModeError, match=r"fastnn runs on the CPU .* leave config.GPU = False"):
        config.GPU = value
    assert config.GPU is False
    assert issubclass(config.GPUModeError, RuntimeError)


def test_the_books_order_before_the_first_fastnn_import():
    """from common import config; config.GPU = True; from common.np import * ... in fastnn's names."""
    proc = run("from fastnn import config\nconfig.GPU = True\nfrom fastnn.layers import Affine\n")
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == f"fastnn.config.GPUModeError: {config.MESSAGE}"
    assert "cupy" not in proc.stderr.lower().replace("cupy/gpu", "")  # no CuPy import was tried
    assert "line 2" in proc.stderr  # the user's assignment is the line reported


def test_setting_it_after_the_layers_are_imported_is_refused_too():
    proc = run("from fastnn.layers import Affine\nfrom fastnn import config\nconfig.GPU = True\n")
    assert proc.returncode == 1 and proc.stderr.strip().endswith(config.MESSAGE)


@pytest.mark.parametrize("module", ["fastnn.np", "fastnn.util"])
def test_modules_that_read_the_flag_check_it_when_imported(module):
    """A true GPU put there behind the module's back is caught when fastnn.np or fastnn.util is imported."""
    proc = run(f"from fastnn import config\nvars(config)['GPU'] = True\nimport {module}\n")
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == f"fastnn.config.GPUModeError: {config.MESSAGE}"


def test_star_import_of_fastnn_np_gives_np_and_gpu():
    names = {}
    exec("from fastnn.np import *", names)
    assert set(names) - {"__builtins__"} == {"np", "GPU"}
    assert names["np"] is numpy and names["GPU"] is False
