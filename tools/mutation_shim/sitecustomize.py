"""tools/mutate_checks.py: the copy's test processes, and every process they start, import
fastnn from the copy named by MUTATE_ROOT, not from the editable install."""

import os
import sys
from importlib.util import spec_from_file_location

_ROOT = os.environ.get("MUTATE_ROOT")
_MAP = {"fastnn": "fastnn", "fastnn.kernels": "kernels", "fastnn.dataset": "dataset"}


class _CopyFinder:
    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if _ROOT and fullname in _MAP:
            folder = os.path.join(_ROOT, _MAP[fullname])
            return spec_from_file_location(fullname, os.path.join(folder, "__init__.py"),
                                           submodule_search_locations=[folder])
        return None


sys.meta_path.insert(0, _CopyFinder)
