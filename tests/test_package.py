"""The package as installed: its version, its package list, and what importing it loads."""

import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import fastnn

ROOT = Path(__file__).resolve().parents[1]
# Where each installed package name lives in the source tree (pyproject's package-dir).
SOURCE_FOLDERS = {"fastnn": ROOT / "fastnn", "fastnn.kernels": ROOT / "kernels", "fastnn.dataset": ROOT / "dataset"}


def test_version_is_the_installed_one():
    assert re.fullmatch(r"\d+\.\d+\.\d+([.-]?\w+)?", fastnn.__version__)
    assert importlib.metadata.version("fastnn") == fastnn.__version__


def test_pyproject_lists_every_package_folder():
    """A package folder missing from pyproject's list works in an editable install and
    is absent from a normal one, so compare the list with the folders."""
    text = (ROOT / "pyproject.toml").read_text()
    listed = re.search(r"^packages = \[(.*?)\]", text, re.MULTILINE | re.DOTALL)
    assert listed, "no packages = [...] in pyproject.toml"
    listed = set(re.findall(r'"([\w.]+)"', listed.group(1)))
    found = set()
    for name, folder in SOURCE_FOLDERS.items():
        for init in folder.rglob("__init__.py"):
            parts = init.parent.relative_to(folder).parts
            if "__pycache__" not in parts and not (name == "fastnn" and parts[:1] in (("kernels",), ("dataset",))):
                found.add(".".join((name, *parts)))
    assert listed == found
    assert 'version = {attr = "fastnn.__version__"}' in text


def test_importing_fastnn_loads_no_plotting_library():
    """matplotlib takes seconds to import: only drawing a picture may load it."""
    code = (
        "import pkgutil, importlib, sys, fastnn\n"
        "for m in pkgutil.walk_packages(fastnn.__path__, 'fastnn.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] == 'matplotlib'))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def _loaded_after(statement):
    """The fastnn modules a new process has loaded after running ``statement``."""
    code = f"import sys\n{statement}\nprint(' '.join(sorted(m for m in sys.modules if m.startswith('fastnn'))))\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.split())


def test_the_trainer_loads_nothing_a_plain_net_does_not_use():
    """The book's ch01 script imports Trainer: it must not bring in the word and RNN helpers."""
    loaded = _loaded_after("from fastnn.trainer import Trainer, remove_duplicate")
    # config and np: the book's trainer module also gives GPU (its star import does)
    assert loaded == {"fastnn", "fastnn.trainer", "fastnn.config", "fastnn.np"}
    # What the book's common/trainer.py also holds is still there; clip_grads is imported on first use.
    loaded = _loaded_after("from fastnn.trainer import RnnlmTrainer, clip_grads")
    assert "fastnn.util" in loaded


def _module_level_imports(path, module):
    """The fastnn modules that `module` (the file at `path`) imports when it loads."""
    import ast

    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.parse(path.read_text()).body:  # module level only: lazy imports inside functions are allowed
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module
            names = [f"{base}.{a.name}" for a in node.names] + [base]
            if base == "fastnn.models":  # a model is imported from its own file on first use (PEP 562)
                from fastnn import models

                names += [f"fastnn.models.{models._MODULE_OF[a.name]}" for a in node.names if a.name in models._MODULE_OF]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found.update(n for n in names if n.split(".")[0] == "fastnn")
    return found


# The architecture's parts, lowest first: a module imports only from its own part or lower ones.
TIERS = [
    ("fastnn.kernels", "fastnn.dataset"),
    ("fastnn._core", "fastnn.config", "fastnn.np"),
    ("fastnn.nn", "fastnn.words", "fastnn.functions"),
    ("fastnn.layers", "fastnn.time_layers", "fastnn.attention", "fastnn.negative_sampling", "fastnn.optimizer",
     "fastnn.util", "fastnn.base_model"),
    ("fastnn.models",),
    ("fastnn.trainer",),
    ("fastnn._cli", "fastnn.attention_map"),
    ("fastnn.spiral", "fastnn.word2vec", "fastnn.rnnlm", "fastnn.seq2seq", "fastnn.book"),
]


def _tier(module):
    if module == "fastnn":
        return 0  # the package itself holds only the version
    for level, parts in enumerate(TIERS):
        if any(module == part or module.startswith(part + ".") for part in parts):
            return level
    raise AssertionError(f"{module} is in no part of TIERS: add it")


def _import_graph():
    modules = {}
    for name, folder in SOURCE_FOLDERS.items():
        for path in folder.rglob("*.py"):
            if "__pycache__" in path.parts:
                continue
            parts = path.relative_to(folder).with_suffix("").parts
            if name == "fastnn" and parts[0] in ("kernels", "dataset"):
                continue
            parts = parts[:-1] if parts[-1] == "__init__" else parts
            modules[".".join((name, *parts))] = path
    return {m: {i for i in _module_level_imports(p, m) if i in modules and i != m} for m, p in modules.items()}


def test_no_import_circles_and_every_import_points_down():
    """The architecture's one-way arrows (docs/design.md): programs -> trainer -> models ->
    the book's modules -> layers -> their machinery -> kernels, checked on every module-level import."""
    graph = _import_graph()
    assert graph["fastnn.rnnlm"] >= {"fastnn.models", "fastnn.models.rnnlm"}  # the lazy models are followed
    assert "fastnn._core.inputs" in graph["fastnn.nn.dense"]  # the walk found the edges

    def circle_from(start):
        path, seen = [start], set()

        def walk(m):
            for n in sorted(graph[m]):
                if n == start:
                    return path + [n]
                if n not in seen:
                    seen.add(n)
                    path.append(n)
                    found = walk(n)
                    if found:
                        return found
                    path.pop()
            return None

        return walk(start)

    assert [c for m in graph if (c := circle_from(m))] == []
    upward = sorted((m, i) for m, imports in graph.items() for i in imports if _tier(i) > _tier(m))
    assert upward == []
