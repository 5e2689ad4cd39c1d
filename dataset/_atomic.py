"""Writing a data file so that no reader ever sees half of it."""

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(path, fill, binary=False):
    """Write `path` by calling fill(file) on a temporary file beside it, renamed into place when complete.

    The file gets the permissions a plain open() would give it (0o666 less the
    umask), not mkstemp's 0o600: the data sets are shared between the users of
    a machine, like the book's own files.  Text is UTF-8 with \\n line ends.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
    try:
        text = {} if binary else {"encoding": "utf-8", "newline": "\n"}
        with os.fdopen(handle, "wb" if binary else "w", **text) as file:
            fill(file)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _umask():
    """The process's umask (reading it means setting it; it is put back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
