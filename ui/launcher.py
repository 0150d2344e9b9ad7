"""The ``netlab`` and ``netlab-gui`` commands: the app, a file in the app, or the command line.

``netlab`` alone opens the app, ``netlab FILE.netlab`` (or ``FILE.keras``) opens
that file in it, anything else is a sub-command of :mod:`netlab.cli`. Qt is
imported only when the window opens, so ``netlab info`` and the other commands
run where no display (or no Qt library) exists.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

OPENS_IN_APP = (".netlab", ".keras")


def _environment() -> None:
    # Before Keras is imported anywhere: NetLab's default backend, TensorFlow without its log.
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _open_in_app(path: str | None) -> int:
    if path is not None and not Path(path).is_file():
        print(f"netlab: error: {path}: no such file", file=sys.stderr)
        return 2
    from ui.app import run

    return run(open_path=path)


def main(argv: Sequence[str] | None = None) -> int:
    """``netlab [FILE | COMMAND ...]``; returns the process exit code."""
    _environment()
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        return _open_in_app(None)
    if len(args) == 1 and args[0].lower().endswith(OPENS_IN_APP):
        return _open_in_app(args[0])
    from netlab.cli import main as cli_main

    return cli_main(args)


def gui_main(argv: Sequence[str] | None = None) -> int:
    """``netlab-gui [FILE]``: always the app (what the desktop entry runs)."""
    _environment()
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1 or (args and not args[0].lower().endswith(OPENS_IN_APP)):
        print("usage: netlab-gui [FILE.netlab | FILE.keras]", file=sys.stderr)
        return 2
    return _open_in_app(args[0] if args else None)
