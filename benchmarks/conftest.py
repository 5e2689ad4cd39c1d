"""Shared set-up of the benchmark suites.

Registers the ``startup`` marker (whole-process timings, deselect them with
``-m "not startup"``) and records in pytest-benchmark's ``machine_info`` what
the report needs to name the machine: the CPU model from /proc/cpuinfo, the
core count, the versions of numpy, numba and llvmlite (and of scipy and torch when present),
the load average at the start and end of the run and any thread-count
variables that were set.
"""

import os
import platform

import pytest

from . import cases  # noqa: F401  (puts tests/ on sys.path for `import reference`)

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def _loadavg():
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def pytest_configure(config):
    config._fastnn_loadavg_start = _loadavg()
    config.addinivalue_line(
        "markers",
        "startup: whole-process wall time of the spiral training (slow: about 10 s each in "
        "--benchmark-disable mode); deselect with -m 'not startup'",
    )


def cpu_model():
    """The CPU model name from /proc/cpuinfo, else what platform knows."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def library_versions():
    """numpy's and numba's versions, and those of optional libraries that are present."""
    import importlib.metadata

    versions = {}
    for name in ("numpy", "numba", "llvmlite", "scipy", "torch"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    return versions


def pytest_benchmark_update_machine_info(config, machine_info):
    machine_info["cpu_model"] = cpu_model()
    machine_info["cpu_count"] = os.cpu_count()
    try:
        machine_info["cpu_affinity"] = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    machine_info["libraries"] = library_versions()
    # Other processes on the machine skew timings (multi-threaded BLAS most of
    # all): the 1/5/15-minute load averages when the run started and ended.
    machine_info["loadavg_start"] = getattr(config, "_fastnn_loadavg_start", None)
    machine_info["loadavg_end"] = _loadavg()
    machine_info["thread_env"] = {k: os.environ[k] for k in THREAD_VARIABLES if k in os.environ}


@pytest.fixture
def fresh_dir(tmp_path_factory):
    """A factory of new empty folders (for cold compile caches)."""
    counter = iter(range(1_000_000))
    return lambda: tmp_path_factory.mktemp(f"numba_cache_{next(counter)}")
