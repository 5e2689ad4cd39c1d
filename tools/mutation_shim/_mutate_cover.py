"""tools/mutate_checks.py (pytest plugin): with MUTATE_COVER set, record which test runs which
line of the copy's kernels/ (coverage contexts named by node id), for choosing a mutant's tests."""

import os

import pytest

_cov = None


def pytest_configure(config):
    global _cov
    if os.environ.get("MUTATE_COVER"):
        import coverage
        _cov = coverage.Coverage(data_file=os.environ["MUTATE_COVER"], auto_data=False,
                                 include=[os.path.join(os.environ["MUTATE_ROOT"], "kernels", "*")])
        _cov.start()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    if _cov:
        _cov.switch_context(item.nodeid)
    yield


def pytest_unconfigure(config):
    if _cov:
        _cov.stop()
        _cov.save()
