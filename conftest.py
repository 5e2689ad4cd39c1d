"""Test tiers shared by tests/ and benchmarks/.

- default (``pytest -n auto``, the README's command): every op and dtype,
  chapters 1-8, the benchmarks once each; most of its time on an empty Numba
  cache is compiling (see docs/performance.md for measured times).
- ``pytest -m "not slow"``: the quick run, without whole trainings, scripts run
  as new processes and the subprocess safety sweep.
- ``pytest --exhaustive``: also the long sweeps marked ``exhaustive`` (each
  bad kernel call in its own process); run them before a release.
"""

import os

import pytest


def pytest_addoption(parser):
    parser.addoption("--exhaustive", action="store_true", default=False,
                     help="also run the long sweeps marked 'exhaustive'")


def pytest_configure(config):
    if os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0"):
        # As plain Python, the kernels' arithmetic on numpy scalars warns of the
        # overflow (exp of a large argument, say) that compiled code meets silently
        # and handles on purpose; the tests check the values.
        config.addinivalue_line("filterwarnings", r"ignore::RuntimeWarning:fastnn\.kernels\.")
    config.addinivalue_line("markers", "slow: takes more than a few seconds; the quick run deselects it")
    config.addinivalue_line("markers", "exhaustive: a long sweep that runs only with --exhaustive")
    config.addinivalue_line("markers", "long_as_python: a long run as plain Python (NUMBA_DISABLE_JIT) that "
                            "covers no line the other tests leave out; .ci/run's plain-Python run deselects it")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--exhaustive"):
        return
    skip = pytest.mark.skip(reason="exhaustive sweep: run with --exhaustive")
    for item in items:
        if "exhaustive" in item.keywords:
            item.add_marker(skip)
