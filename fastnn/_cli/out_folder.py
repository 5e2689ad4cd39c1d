"""A script's --out folder, checked before it trains: a folder that cannot be
written fails in a moment with one line, not with a traceback after the run."""

import os
import sys
import tempfile


class OutputError(Exception):
    """The outputs cannot be written where --out says."""


def writable_folder(folder, what):
    """Make `folder` if missing and write a scratch file in it; OutputError naming
    `what` (the outputs that would go there) if that fails.  Returns folder."""
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise OutputError(f"--out {folder!r} is an existing file; expected a folder")
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise OutputError(f"cannot write {what} in --out {folder!r}: {error.strerror or error}") from None
    return folder


def check_out_or_exit(folder, what, prog):
    """writable_folder, or exit with status 2 and one line on stderr, as argparse does for a bad option."""
    try:
        return writable_folder(folder, what)
    except OutputError as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
