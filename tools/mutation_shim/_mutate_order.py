"""tools/mutate_checks.py (pytest plugin): run only the tests that reach the mutant (MUTATE_SELECT,
a file of node ids, plus every test under the MUTATE_ALWAYS prefixes), those naming the
mutated module (MUTATE_FIRST) first, so that a kill comes early."""

import os


def pytest_collection_modifyitems(config, items):
    if os.environ.get("MUTATE_SELECT"):
        with open(os.environ["MUTATE_SELECT"]) as f:
            wanted = set(f.read().splitlines())
        always = tuple(os.environ["MUTATE_ALWAYS"].split(os.pathsep))
        chosen = [i for i in items if i.nodeid in wanted or i.nodeid.startswith(always)]
        config.hook.pytest_deselected(items=[i for i in items if i not in chosen])
        items[:] = chosen
    if os.environ.get("MUTATE_FIRST"):
        items.sort(key=lambda item: os.environ["MUTATE_FIRST"] not in item.nodeid)
