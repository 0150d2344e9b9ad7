"""NetLab: `python main.py` opens the app; `python main.py ARGS` runs the CLI."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(argv: Sequence[str] | None = None) -> int:
    """With arguments, runs the command line; without, opens the window."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args:
        from netlab.cli import main as cli_main

        return cli_main(args)
    from ui.app import run

    return run()


if __name__ == "__main__":
    sys.exit(main())
