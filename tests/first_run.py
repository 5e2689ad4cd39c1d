"""What a program compiles inside its timed training on a first run (an empty Numba cache).

Used by the script tests: a program's warm-up should compile every kernel before
its clock starts, so that the throughput it prints is the training's.
"""

import os
import subprocess
import sys

_CODE = """
import importlib
from numba.core import event
owner = importlib.import_module({module!r})
for name in {owner_path!r}:
    owner = getattr(owner, name)
timed = getattr(owner, {name!r})
compiled = []
class Count(event.Listener):
    def on_start(self, ev): compiled.append(ev.data["dispatcher"].__name__)
    def on_end(self, ev): pass
def counted(*args, **kwargs):
    with event.install_listener("numba:compile", Count()):
        return timed(*args, **kwargs)
setattr(owner, {name!r}, counted)
importlib.import_module({program!r}).main({argv!r})
print("compiled while training:", compiled)
"""


def compiled_while_training(program, argv, timed, cache_dir):
    """Run `program`.main(argv) on the empty Numba cache `cache_dir`, counting the
    compiles inside `timed` ("module:attribute.path", e.g. "fastnn.trainer:Trainer.fit").

    Returns the program's stdout, which ends with ``compiled while training: [...]``.
    """
    module, path = timed.split(":")
    *owner_path, name = path.split(".")
    code = _CODE.format(module=module, owner_path=owner_path, name=name, program=program, argv=list(argv))
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout
