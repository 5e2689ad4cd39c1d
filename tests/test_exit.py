"""What fastnn does to the garbage collector at exit (fastnn/_cli/shutdown.py).

The programs freeze what is alive once their kernels are ready, so that the
interpreter's shutdown collections skip Numba's objects; the library itself
never freezes, so a user's objects keep the shutdown they would have without it.
"""

import subprocess
import sys

# Registered before fastnn is imported, so it runs after any exit handler fastnn
# might register (atexit runs the last registered first): it sees the end state.
OBSERVER = """
import atexit, gc
atexit.register(lambda: print("frozen", gc.get_freeze_count() > 0))
"""

# An open file held in a reference cycle that is still alive at exit: only the
# shutdown's collections close it, flushing what was written.
ALIVE_CYCLE = """
class Log:
    def __init__(self, path):
        self.file = open(path, "w")
        self.write = self.file.write
        self.me = self  # the cycle
log = Log({path!r})
log.write("written before exit")
"""


def _run(args):
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_importing_the_library_freezes_nothing(tmp_path):
    path = tmp_path / "log.txt"
    out = _run(["-c", OBSERVER + "import fastnn.layers, fastnn.optimizer\n" + ALIVE_CYCLE.format(path=str(path))])
    assert "frozen False" in out
    assert path.read_text() == "written before exit"


def test_the_book_runner_freezes_once_numba_is_loaded(tmp_path):
    script = tmp_path / "script.py"
    script.write_text("from common.util import preprocess\nprint('corpus', preprocess('you say goodbye')[0])\n")
    out = _run(["-c", OBSERVER + f"import sys; sys.argv = ['fastnn.book', {str(script)!r}]\n"
                "import runpy; runpy.run_module('fastnn.book', run_name='__main__')"])
    assert "corpus [0 1 2]" in out and "frozen True" in out


def test_freeze_what_is_loaded_freezes():
    out = _run(["-c", OBSERVER + "from fastnn._cli.shutdown import freeze_what_is_loaded\nfreeze_what_is_loaded()"])
    assert "frozen True" in out
