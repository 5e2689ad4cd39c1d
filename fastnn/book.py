"""Run a script of the book, unmodified, on fastnn.

    python -m fastnn.book PATH/TO/ch02/count_method_small.py [args...]

The script runs as ``__main__`` the way the book runs it (``cd ch02; python
count_method_small.py``): its own folder is the current folder and the first
entry of sys.path, so its ``sys.path.append('..')`` and the files it reads and
writes next to itself work as in the book.  Its imports are redirected:

- ``common`` and every ``common.X`` are fastnn's twins (``common.util`` is
  fastnn.util, ...), see MODULES; a ``common.X`` that fastnn has no twin of
  yet stops the run with one line naming it, and so does a name imported from
  a twin that fastnn does not have yet (``from common.util import
  eval_perplexity``).
- The book's chapter-local layer files (``negative_sampling_layer``, also
  imported as ``ch04.negative_sampling_layer``, ...) are fastnn's modules too,
  see CHAPTER_FILES.
- ``dataset.ptb`` and ``dataset.spiral`` are fastnn's loaders (same data).
  fastnn's PTB loader looks first in the book's own dataset/ folder, so files a
  reader already downloaded there are used, then in fastnn's cache folder;
  with no network it stops with one line saying where to put the files.
  ``dataset.sequence`` is fastnn's too (it reads the book's addition.txt and
  date.txt there).  A script copied out of the book's tree still finds fastnn's.

MODULES and CHAPTER_FILES are the tables to extend as fastnn grows twins of
more files.
"""

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import re
import runpy
import sys
import types

from ._cli.shutdown import freeze_what_is_loaded

# the book's module name -> fastnn's twin
MODULES = {
    "common.base_model": "fastnn.base_model",
    "common.config": "fastnn.config",
    "common.functions": "fastnn.functions",
    "common.layers": "fastnn.layers",
    "common.np": "fastnn.np",
    "common.optimizer": "fastnn.optimizer",
    "common.time_layers": "fastnn.time_layers",
    "common.trainer": "fastnn.trainer",
    "common.util": "fastnn.util",
    "dataset.ptb": "fastnn.dataset.ptb",
    "dataset.sequence": "fastnn.dataset.sequence",
    "dataset.spiral": "fastnn.dataset.spiral",
}

# the book's chapter-local layer files -> fastnn's twins, imported either by
# their bare name from their own chapter or as chNN.name from another one
# (ch04/cbow.py: ``from ch04.negative_sampling_layer import ...``)
CHAPTER_FILES = {
    "negative_sampling_layer": "fastnn.negative_sampling",  # ch04
    "attention_layer": "fastnn.attention",  # ch08
    "seq2seq": "fastnn.models.seq2seq",  # ch07
    "peeky_seq2seq": "fastnn.models.seq2seq",  # ch07
    "attention_seq2seq": "fastnn.models.attention_seq2seq",  # ch08
}
CHAPTER_PACKAGE = re.compile(r"ch\d\d$")

# Packages of the book that fastnn stands in for; `dataset` only when the book's
# own dataset/ folder is not on sys.path.
PACKAGES = ("common", "dataset")

USAGE = "usage: python -m fastnn.book PATH/TO/chXX/script.py [args...]"


class MissingTwinError(ModuleNotFoundError):
    """The script imports a module of the book that fastnn has no twin of yet."""


def twin_of(fastnn_name):
    """The book's name for a fastnn module of MODULES or CHAPTER_FILES, or None."""
    table = {**MODULES, **CHAPTER_FILES}
    return next((book for book, ours in table.items() if ours == fastnn_name), None)


def fastnn_name(book_name):
    """fastnn's twin of a module name of the book, or None."""
    if book_name in MODULES:
        return MODULES[book_name]
    package, _, name = book_name.rpartition(".")
    if name in CHAPTER_FILES and (not package or CHAPTER_PACKAGE.match(package)):
        return CHAPTER_FILES[name]
    return None


class _StandIn(importlib.abc.Loader):
    """An empty package (`common`): its modules come from the finder, never from a folder."""

    def create_module(self, spec):
        package = types.ModuleType(spec.name, f"fastnn's stand-in for the book's {spec.name} package")
        package.__path__ = []
        return package

    def exec_module(self, module):
        pass


_frozen = False


def _freeze_once():
    """freeze_what_is_loaded (see _cli/shutdown.py) at the first book import that loads Numba.

    The book's scripts import at their top, so what is alive then is modules;
    the data and models they make afterwards are collected as usual.
    """
    global _frozen
    if not _frozen:
        _frozen = True
        freeze_what_is_loaded()


class _Alias(importlib.abc.Loader):
    """Gives the fastnn module itself under the book's name (one module, two names)."""

    def __init__(self, target):
        self.target = target
        self.spec = None

    def create_module(self, spec):
        try:
            module = importlib.import_module(self.target)
        except ModuleNotFoundError as error:
            if error.name is not None and (self.target + ".").startswith(error.name + "."):
                raise MissingTwinError(
                    f"fastnn has no twin of the book's {spec.name} yet (it would be {self.target})",
                    name=spec.name,
                ) from None
            raise
        self.spec = module.__spec__
        if "numba" in sys.modules:
            _freeze_once()
        return module

    def exec_module(self, module):
        module.__spec__ = self.spec  # importlib wrote the alias's spec over the module's own
        if self.target == "fastnn.dataset.ptb":
            _add_book_dataset_dir(module)


class _Missing(importlib.abc.Loader):
    def create_module(self, spec):
        raise MissingTwinError(f"fastnn has no twin of the book's {spec.name} yet", name=spec.name)

    def exec_module(self, module):
        pass


def _book_dataset_dir():
    package = sys.modules.get("dataset")
    paths = list(getattr(package, "__path__", None) or [])
    return os.path.abspath(paths[0]) if paths else None


def _add_book_dataset_dir(ptb):
    folder = _book_dataset_dir()
    if folder is not None and folder not in ptb.SEARCH_DIRS:
        ptb.SEARCH_DIRS.append(folder)


class BookFinder(importlib.abc.MetaPathFinder):
    """Resolves the book's module names to fastnn's (put first on sys.meta_path)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in PACKAGES:
            if fullname == "dataset" and importlib.machinery.PathFinder.find_spec(fullname) is not None:
                return None  # the book's own dataset package
            return importlib.util.spec_from_loader(fullname, _StandIn(), is_package=True)
        target = fastnn_name(fullname)
        if target is not None:
            return importlib.util.spec_from_loader(fullname, _Alias(target))
        package = fullname.partition(".")[0]
        if package in PACKAGES and "." in fullname:
            parent = sys.modules.get(package)
            if parent is None or isinstance(getattr(parent, "__loader__", None), _StandIn) or package == "common":
                return importlib.util.spec_from_loader(fullname, _Missing())
        return None


def _script_line(tb, script_dir):
    """'file:line' of the innermost frame in the book's files (not fastnn's or importlib's)."""
    import fastnn.dataset
    import fastnn.kernels

    ours = tuple(os.path.dirname(os.path.abspath(m.__file__)) + os.sep for m in (fastnn, fastnn.dataset, fastnn.kernels))
    where = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if os.path.isfile(filename) and not os.path.abspath(filename).startswith(ours):
            where = f"{os.path.relpath(filename, script_dir)}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def _missing_name(error):
    """'common.util.eval_perplexity' for an import or attribute fastnn lacks, else None."""
    if isinstance(error, ImportError) and twin_of(error.name or ""):
        found = re.match(r"cannot import name '([^']+)'", str(error))
        if found:
            return f"{twin_of(error.name)}.{found.group(1)}"
    if isinstance(error, AttributeError) and isinstance(getattr(error, "obj", None), types.ModuleType):
        book_name = twin_of(error.obj.__name__)
        if book_name and error.name:
            return f"{book_name}.{error.name}"
    return None


def _one_line(error, script_dir):
    """The one-line report of an error that comes from fastnn standing in, else None."""
    from fastnn.config import GPUModeError
    from fastnn.dataset.ptb import PTBNotFoundError
    from fastnn.dataset.sequence import SequenceNotFoundError

    name = _missing_name(error)
    if name is not None:
        text = f"the script uses {name}, which fastnn does not have yet"
    elif isinstance(error, (MissingTwinError, GPUModeError, PTBNotFoundError, SequenceNotFoundError)):
        text = str(error)
    else:
        return None
    where = _script_line(error.__traceback__, script_dir)
    return f"fastnn.book: {where + ': ' if where else ''}{text}"


def _forget_relative_finders():
    for entry in list(sys.path_importer_cache):
        if isinstance(entry, str) and not os.path.isabs(entry):
            del sys.path_importer_cache[entry]


def run(script, args=()):
    """Run the book's `script` as __main__ with fastnn standing in for common (see the module doc).

    Restores sys.meta_path, sys.path, sys.argv, the current folder and
    sys.modules afterwards.  Errors propagate (main() reports them).
    """
    script = os.path.abspath(script)
    script_dir = os.path.dirname(script)
    saved = (list(sys.meta_path), list(sys.path), list(sys.argv), os.getcwd(), set(sys.modules))
    ptb = sys.modules.get("fastnn.dataset.ptb")
    search_dirs = list(ptb.SEARCH_DIRS) if ptb is not None else []
    finder = BookFinder()
    _forget_relative_finders()  # a cached finder for '..' holds the folder it was made in
    sys.meta_path.insert(0, finder)
    sys.path[:1] = [script_dir]
    sys.argv[:] = [script, *args]
    os.chdir(script_dir)
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        meta_path, path, argv, cwd, modules = saved
        sys.meta_path[:], sys.path[:], sys.argv[:] = meta_path, path, argv
        os.chdir(cwd)
        _forget_relative_finders()
        ptb = sys.modules.get("fastnn.dataset.ptb")
        if ptb is not None:
            ptb.SEARCH_DIRS[:] = search_dirs
        # Forget the book's names and the book's own modules (ch04's cbow, ...),
        # so that another run starts afresh; fastnn and libraries stay loaded.
        book_root = os.path.dirname(script_dir) + os.sep
        for name in set(sys.modules) - modules:
            module = sys.modules[name]
            places = [getattr(module, "__file__", None) or "", *(getattr(module, "__path__", None) or [])]
            if name.partition(".")[0] in PACKAGES or fastnn_name(name) or any(
                    str(place).startswith(book_root) for place in places):
                del sys.modules[name]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        print("Runs a script of the book unmodified, with the book's common/ package resolving to fastnn.")
        return 0 if argv else 2
    if argv[0] == "--modules":
        for book_name, ours in MODULES.items():
            print(f"{book_name} -> {ours}")
        for book_name, ours in CHAPTER_FILES.items():
            print(f"{book_name} (or chNN.{book_name}) -> {ours}")
        return 0
    script = argv[0]
    if not os.path.isfile(script):
        print(f"fastnn.book: {script}: no such script file ({USAGE})", file=sys.stderr)
        return 2
    try:
        run(script, argv[1:])
    except Exception as error:
        line = _one_line(error, os.path.dirname(os.path.abspath(script)))
        if line is None:
            raise
        print(line, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
